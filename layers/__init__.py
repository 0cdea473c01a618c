"""Published layers: one declaration per layer, every published form generated from it."""

import geo  # noqa: F401,E402 - pins pandas' string storage before any table is made (geo/__init__.py)
