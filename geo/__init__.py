"""Geoprocessing for Wonen en Zorg 2040: read inputs, geocode, indicators, forecast, gap."""
