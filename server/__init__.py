"""FastAPI map server: vector tiles, layer catalog, gemeente facts and the viewer."""

import geo  # noqa: F401,E402 - pins pandas' string storage before any table is made (geo/__init__.py)
