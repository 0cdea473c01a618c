"""Run by Debian's python3 with QGIS: open the GeoPackage headless, report styles, aliases, a rendering.

Usage: python3 qgis_check.py OUT_PNG GPKG::LAYER|RASTER.tif ...; prints one JSON document.
"""

import json
import os
import sys
from pathlib import Path

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsRasterLayer,
                       QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

app = QgsApplication([], False)
app.initQgis()
png, names = sys.argv[1], sys.argv[2:]
out = {}
layers = []
for name in [n for n in names if n.endswith(".tif")]:
    rl = QgsRasterLayer(name, Path(name).stem)
    r = rl.renderer()
    out[Path(name).stem] = {"valid": rl.isValid(), "renderer": r.type() if r else None,
                            "classes": [[c.label, c.color.name()] for c in r.classes()] if r.type() == "paletted" else []}
names = [n for n in names if not n.endswith(".tif")]
for item in names:
    gpkg, name = item.split("::")
    vl = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
    r = vl.renderer()
    info = {"valid": vl.isValid(), "renderer": r.type() if r else None, "features": vl.featureCount(),
            "labels": vl.labelsEnabled()}
    if r is not None and r.type() == "RuleRenderer":
        info["classes"] = [[x.label(), x.symbol().color().name()] for x in r.rootRule().children()]
    elif r is not None and r.type() == "categorizedSymbol":
        info["classes"] = [[c.label(), c.symbol().color().name()] for c in r.categories()]
    info["aliases"] = {f.name(): vl.attributeAlias(i) for i, f in enumerate(vl.fields())}
    count, ids, style_names, _, _ = vl.listStylesInDatabase()
    info["styles"] = list(style_names)[:count]  # the first `count` belong to this layer
    out[name] = info
    layers.append(vl)
settings = QgsMapSettings()
settings.setLayers(list(reversed(layers)))
settings.setBackgroundColor(QColor(255, 255, 255))
settings.setOutputSize(QSize(800, 700))
extent = QgsRectangle(layers[0].extent())
extent.scale(1.05)
settings.setExtent(extent)
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
job.renderedImage().save(png, "png")
print(json.dumps(out, ensure_ascii=False), flush=True)
# QGIS may crash while tearing down headless; the report is out, so leave at once
os._exit(0)
