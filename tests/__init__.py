"""Test suite of Wonen en Zorg 2040."""
