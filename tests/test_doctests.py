"""The Examples sections of the docstrings hold: every module's doctests run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

MODULES = sorted(f"{pkg}.{m.name}" for pkg in ("geo", "layers", "server")
                 for m in pkgutil.iter_modules(importlib.import_module(pkg).__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"
