"""Integrity of a build before it is served: PMTiles and GeoPackage structure, sizes and checksums.

``verify_build(folder)`` raises :class:`~server.errors.DamagedBuild` naming the first file that is
missing or damaged and what is wrong with it (Dutch). It reads the catalog and the manifest, checks
each layer's PMTiles archive (header magic and version 3, every section inside the file, root
directory decodes and points inside the file) and each GeoPackage (SQLite header, size the header
promises, opens read-only, the catalog's layers are in ``gpkg_contents``), then the size and sha256
of every file that ``manifest.json`` lists under ``"outputs"``. It never imports geopandas, so
``wz serve`` checks a build in a fraction of a second before any worker starts.

Examples
--------
>>> verify_build(Path("data/build"))      # doctest: +SKIP
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pmtiles.tile import Compression, deserialize_directory

from layers.versions import MANIFEST, OUTPUTS, file_sha256

from .errors import DamagedBuild

PMTILES_HEADER = 127
SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_APPLICATION_ID = b"GPKG"
_SECTIONS = (("root_offset", "root_length", "de wortelmap"), ("metadata_offset", "metadata_length", "de metadata"),
             ("leaf_directory_offset", "leaf_directory_length", "de bladmappen"),
             ("tile_data_offset", "tile_data_length", "de tegelgegevens"))


def _read_json(folder: Path, name: str) -> dict:
    path = folder / name
    if not path.is_file():
        raise DamagedBuild(name, "ontbreekt")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DamagedBuild(name, f"is geen leesbare JSON ({str(exc)[:80]})") from None
    if not isinstance(doc, dict):
        raise DamagedBuild(name, "is geen JSON-object")
    return doc


def _size_of(folder: Path, rel: str) -> int:
    path = folder / rel
    if not path.is_file():
        raise DamagedBuild(rel, "ontbreekt")
    size = path.stat().st_size
    if size == 0:
        raise DamagedBuild(rel, "is leeg (0 bytes)")
    return size


def check_pmtiles(folder: Path, rel: str) -> None:
    """A PMTiles v3 archive whose sections all lie inside the file and whose root directory decodes."""
    from pmtiles.tile import deserialize_header

    size = _size_of(folder, rel)
    with open(folder / rel, "rb") as fh:
        head = fh.read(PMTILES_HEADER)
        if head[:7] != b"PMTiles":
            raise DamagedBuild(rel, "is geen PMTiles-archief (de kop 'PMTiles' ontbreekt)")
        if len(head) < PMTILES_HEADER:
            raise DamagedBuild(rel, f"is afgekapt: {size} bytes, kleiner dan de kop van {PMTILES_HEADER} bytes")
        if head[7] != 3:
            raise DamagedBuild(rel, f"heeft PMTiles-versie {head[7]}; alleen versie 3 wordt gelezen")
        try:
            header = deserialize_header(head)
        except ValueError as exc:
            raise DamagedBuild(rel, f"heeft een onleesbare kop ({exc})") from None
        for offset_key, length_key, what in _SECTIONS:
            start, length = header[offset_key], header[length_key]
            if start < PMTILES_HEADER and length:
                raise DamagedBuild(rel, f"heeft {what} binnen de kop (byte {start})")
            if start + length > size:
                raise DamagedBuild(rel, f"is afgekapt: {size} bytes, de kop verwacht {what} "
                                        f"tot byte {start + length}")
        if header["internal_compression"] != Compression.GZIP:
            raise DamagedBuild(rel, f"heeft mappen met compressie {header['internal_compression'].name}; "
                                    "alleen gzip wordt gelezen")
        fh.seek(header["root_offset"])
        try:
            entries = deserialize_directory(fh.read(header["root_length"]))
        except Exception as exc:  # noqa: BLE001 - gzip, EOF or varint errors: all mean a broken directory
            raise DamagedBuild(rel, f"heeft een onleesbare wortelmap ({type(exc).__name__})") from None
    if not entries and header["addressed_tiles_count"]:
        raise DamagedBuild(rel, "heeft een lege wortelmap, maar de kop telt tegels")
    for e in entries:
        if e.run_length == 0:
            inside = e.offset + e.length <= header["leaf_directory_length"]
        else:
            inside = e.offset + e.length <= header["tile_data_length"]
        if not inside:
            raise DamagedBuild(rel, f"heeft een wortelmap die buiten het archief wijst (tegel-id {e.tile_id})")


def check_geopackage(folder: Path, rel: str, layers: list[str]) -> None:
    """A complete SQLite file with the GeoPackage id that opens read-only and holds ``layers``."""
    size = _size_of(folder, rel)
    path = folder / rel
    with open(path, "rb") as fh:
        head = fh.read(100)
    if head[:16] != SQLITE_MAGIC:
        raise DamagedBuild(rel, "is geen GeoPackage (de SQLite-kop ontbreekt)")
    if len(head) < 100:
        raise DamagedBuild(rel, f"is afgekapt: {size} bytes, kleiner dan de SQLite-kop van 100 bytes")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if head[24:28] == head[92:96] and pages and size < page_size * pages:
        raise DamagedBuild(rel, f"is afgekapt: {size} bytes, de kop belooft {page_size * pages} bytes")
    if head[68:72] != GPKG_APPLICATION_ID:
        raise DamagedBuild(rel, "is een SQLite-bestand maar geen GeoPackage (application_id is niet 'GPKG')")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in con.execute("SELECT table_name FROM gpkg_contents")}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise DamagedBuild(rel, f"is niet te openen als GeoPackage ({exc})") from None
    missing = [name for name in layers if name not in tables]
    if missing:
        raise DamagedBuild(rel, f"mist laag {', '.join(repr(m) for m in missing)} uit catalog.json")


def check_outputs(folder: Path, outputs: dict) -> None:
    """Every file that the manifest lists exists with its recorded size and sha256."""
    for rel, expected in sorted(outputs.items()):
        path = folder / rel
        if not path.is_file():
            raise DamagedBuild(rel, f"ontbreekt (staat in {MANIFEST})")
        size = path.stat().st_size
        if size != expected.get("bytes"):
            raise DamagedBuild(rel, f"is {size} bytes, {MANIFEST} noemt {expected.get('bytes')} bytes")
        if file_sha256(path) != expected.get("sha256"):
            raise DamagedBuild(rel, f"heeft een ander controlegetal (sha256) dan {MANIFEST} noemt")


def verify_build(folder: Path) -> dict:
    """Check a build folder; returns its catalog, raises ``DamagedBuild`` at the first problem."""
    folder = Path(folder)
    catalog = _read_json(folder, "catalog.json")
    manifest = _read_json(folder, MANIFEST)
    layers = catalog.get("layers")
    if not isinstance(layers, list) or not all(isinstance(l, dict) and "id" in l for l in layers):
        raise DamagedBuild("catalog.json", "heeft geen geldige lijst 'layers'")
    for layer in layers:
        check_pmtiles(folder, f"tiles/{layer['id']}.pmtiles")
    by_gpkg: dict[str, list[str]] = {}
    for layer in layers:
        if layer.get("gpkg"):
            by_gpkg.setdefault(layer["gpkg"], []).append(layer["id"])
    for rel, names in by_gpkg.items():
        check_geopackage(folder, rel, names)
    for raster in catalog.get("rasters", []):
        for key in ("file", "style"):
            if raster.get(key):
                _size_of(folder, raster[key])
    outputs = manifest.get(OUTPUTS)
    if outputs is not None:
        if not isinstance(outputs, dict):
            raise DamagedBuild(MANIFEST, f"heeft een ongeldige lijst '{OUTPUTS}'")
        check_outputs(folder, outputs)
    return catalog


def describe(folder: Path, exc: DamagedBuild) -> str:
    """The one Dutch line for a damaged build (without the 'Fout: ' of the command line)."""
    return f"de build in {folder} is beschadigd: {exc.file} {exc.reason}; draai 'wz build' opnieuw"
