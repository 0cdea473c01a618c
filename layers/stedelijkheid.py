"""Raster layer ``stedelijkheid``: the CBS stedelijkheid class of every 25 m cell, for QGIS."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Callable

from geo.settings import Settings
from geo.urbanity import STEDELIJKHEID_LABELS

from . import common as c
from .spec import Classification, LegendClass, Leeswijzer


@dataclass(frozen=True)
class RasterSpec:
    """A published raster: a Cloud Optimized GeoTIFF with a QGIS style beside it."""

    id: str
    title: str
    file: str
    description: str
    leeswijzer: Leeswijzer
    classifications: Callable[..., list[Classification]]
    public: bool = True


def classifications(settings: Settings) -> list[Classification]:
    """The five CBS classes (cell values 1..5; 0 is outside the region)."""
    lim = [int(v) for v in settings.stedelijkheid_limits]
    ranges = [f"{lim[0]} of meer", f"{lim[1]} tot {lim[0]}", f"{lim[2]} tot {lim[1]}", f"{lim[3]} tot {lim[2]}",
              f"minder dan {lim[3]}"]
    return [Classification("klasse", "Stedelijkheid", "categories", tuple(
        LegendClass(color=col, label=f"{k} {STEDELIJKHEID_LABELS[k]} ({r} adressen per km²)", value=k)
        for k, (col, r) in enumerate(zip(c.PURPLES_DARK_FIRST, ranges), start=1)))]


def raster_qml(spec: RasterSpec, settings: Settings) -> str:
    """A paletted QGIS raster style with the declared classes (0 stays transparent)."""
    cl = spec.classifications(settings)[0]
    root = ET.Element("qgis", version="3.22.0-Białowieża", styleCategories="Symbology")
    pipe = ET.SubElement(root, "pipe")
    r = ET.SubElement(pipe, "rasterrenderer", type="paletted", band="1", opacity="1", alphaBand="-1",
                      nodataColor="")
    ET.SubElement(r, "rasterTransparency")
    pal = ET.SubElement(r, "colorPalette")
    for k in cl.classes:
        ET.SubElement(pal, "paletteEntry", value=str(k.value), color=k.color, alpha="255", label=k.label)
    ET.SubElement(pipe, "brightnesscontrast", brightness="0", contrast="0", gamma="1")
    ET.SubElement(pipe, "huesaturation", saturation="0", grayscaleMode="0", colorizeOn="0")
    ET.SubElement(pipe, "rasterresampler", maxOversampling="2")
    ET.SubElement(root, "blendMode").text = "0"
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


SPEC = RasterSpec(
    id="stedelijkheid",
    title="Stedelijkheid (raster)",
    file="stedelijkheid.tif",
    description="CBS-stedelijkheidsklasse per cel van 25 m, uit de omgevingsadressendichtheid.",
    leeswijzer=c.STEDELIJKHEID,
    classifications=classifications,
)
