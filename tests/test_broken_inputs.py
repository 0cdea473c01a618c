"""Every broken input of the corpus is refused by ``wz build`` with one Dutch line naming its cause.

For each case of ``tests/broken_inputs.py``: exit code 2; one line, no
traceback, naming the file, the row and the column where they mean something,
and the cause; the previous build in ``--out`` byte-identical; the input
folder untouched; no half-written build left behind. A few cases also run
through the real ``wz`` executable.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from layers.publish import build_all, versions_dir
from server.cli import main
from tests.broken_inputs import CASES, Case

pytestmark = pytest.mark.slow
WZ = str(Path(sys.executable).parent / "wz")


def digest(folder: Path) -> dict[str, str]:
    folder = folder.resolve()
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous_build(demo_inputs, tmp_path_factory) -> tuple[Path, dict[str, str], str]:
    """One good build of the demo, published; with its digest and its target, taken once."""
    out = tmp_path_factory.mktemp("vorige") / "build"
    build_all(demo_inputs, out)
    return out, digest(out), str(out.readlink())


@pytest.fixture()
def broken(demo_inputs, tmp_path, request) -> tuple[Case, Path]:
    case: Case = request.param
    folder = tmp_path / "invoer"
    shutil.copytree(demo_inputs, folder)
    case.mutate(folder)
    return case, folder


def check_message(case: Case, folder: Path, message: str) -> None:
    assert message.startswith("Fout: "), message
    assert "\n" not in message and "Traceback" not in message, message
    assert case.file in message, message
    if not case.file.startswith("instellingen"):
        assert f"bestand {case.file}" in message, message
    row = case.expected_row(folder)
    if row is not None:
        assert f"regel {row}:" in message or f"regel {row}, " in message, message
    if case.column is not None:
        assert f"kolom '{case.column}'" in message, message
    for fragment in case.text:
        assert fragment in message, message


@pytest.mark.parametrize("broken", CASES, ids=[c.name for c in CASES], indirect=True)
def test_broken_input_is_refused_with_its_cause(broken, previous_build, capsys):
    case, folder = broken
    out, before, target = previous_build
    inputs_before = digest(folder)
    code = main(["build", "--inputs", str(folder), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    check_message(case, folder, captured.err.strip())
    assert digest(folder) == inputs_before  # the input is read, never changed
    assert str(out.readlink()) == target
    assert digest(out) == before  # the last good build is untouched
    assert not list(versions_dir(out).glob(".tmp-*"))


SUBPROCESS_CASES = [c for c in CASES
                    if c.name in ("csv_utf16", "geojson_afgebroken", "clienten_aantal_enorm", "xlsx_afgebroken")]


@pytest.mark.parametrize("broken", SUBPROCESS_CASES, ids=[c.name for c in SUBPROCESS_CASES], indirect=True)
def test_broken_input_through_the_real_command(broken, previous_build):
    case, folder = broken
    out, before, _ = previous_build
    r = subprocess.run([WZ, "build", "--inputs", str(folder), "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    check_message(case, folder, r.stderr.strip())
    assert digest(out) == before


def test_the_corpus_is_large_and_every_case_has_its_own_name():
    assert len(CASES) >= 45
    assert len({c.name for c in CASES}) == len(CASES)
    # every kind of input file is broken at least once
    files = {c.file.split(" ")[0] for c in CASES}
    assert files >= {"gemeenten.geojson", "wijken.geojson", "adressen.csv", "pc6.csv", "bevolking.csv",
                     "bevolkingsprognose.csv", "wlz_clienten.csv", "zorglocaties.csv", "ses_woa.csv",
                     "instellingen.toml", "overlevingskansen.csv", "zorglocaties.xlsx",
                     "wijkenbuurten_2023_v1.gpkg"}
