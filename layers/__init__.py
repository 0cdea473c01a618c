"""Published layers: one declaration per layer, every published form generated from it."""
