"""FastAPI map server: vector tiles, layer catalog, gemeente facts and the viewer."""
