"""Damaged builds are never served: ``wz serve`` refuses them at start with one Dutch line naming the
file (whatever the worker count), and a running server keeps serving the old build when the newly
published one is damaged.

Each case spoils one file of a copy of the demo build the way disks, copies and crashes do:
cut short, overwritten with garbage, emptied, deleted, or changed in a single byte (only the
checksum in manifest.json can tell).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from layers.versions import record_outputs
from server.errors import DamagedBuild
from server.integrity import verify_build
from tests.conftest import free_port
from tests.serving import WZ, Server, get_json, published_copy

PMTILES = "tiles/gemeenten.pmtiles"
GPKG = "wonenzorg.gpkg"
GPKG_INTERNAL = "wonenzorg_intern.gpkg"


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def garbage(path: Path) -> None:
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(path.stat().st_size)))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def missing(path: Path) -> None:
    path.unlink()


def flip_tile_byte(path: Path) -> None:
    """One byte inside the tile data of a PMTiles archive: the structure stays valid."""
    data = bytearray(path.read_bytes())
    tile_data_offset = int.from_bytes(data[56:64], "little")   # PMTiles v3 header field
    tile_data_length = int.from_bytes(data[64:72], "little")
    pos = tile_data_offset + tile_data_length // 2
    data[pos] ^= 0xFF
    path.write_bytes(bytes(data))


def flip_last_page_byte(path: Path) -> None:
    """One byte in the last page of a SQLite file (a data page; the header and schema stay valid)."""
    data = bytearray(path.read_bytes())
    data[len(data) - 200] ^= 0xFF
    path.write_bytes(bytes(data))


# (file, damage, word the message must contain)
CASES = [
    (PMTILES, truncate, "afgekapt"),
    (PMTILES, garbage, "geen PMTiles"),
    (PMTILES, empty, "leeg"),
    (PMTILES, missing, "ontbreekt"),
    (PMTILES, flip_tile_byte, "controlegetal"),
    (GPKG, truncate, "afgekapt"),
    (GPKG, garbage, "geen GeoPackage"),
    (GPKG, empty, "leeg"),
    (GPKG, missing, "ontbreekt"),
    (GPKG, flip_last_page_byte, "controlegetal"),
    (GPKG_INTERNAL, truncate, "afgekapt"),
    ("geocodering.csv", missing, "ontbreekt"),
    ("stedelijkheid.tif", flip_last_page_byte, "controlegetal"),
]
IDS = [f"{Path(f).stem}-{d.__name__}" for f, d, _ in CASES]


@pytest.fixture()
def damaged(demo_build, tmp_path, request) -> tuple[Path, str, str]:
    """A damaged copy of the demo build: (folder, damaged file, expected word)."""
    rel, damage, word = request.param
    folder = tmp_path / "kapot"
    shutil.copytree(demo_build.resolve(), folder)
    damage(folder / rel)
    return folder, rel, word


def test_the_intact_build_passes(demo_build):
    catalog = verify_build(demo_build)
    assert {l["id"] for l in catalog["layers"]} >= {"gemeenten", "locaties_intern"}
    manifest = json.loads((demo_build / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(demo_build.resolve()).as_posix() for p in demo_build.resolve().rglob("*") if p.is_file()}
    assert set(manifest["outputs"]) == files - {"manifest.json"}, "every output of the build is recorded"


@pytest.mark.parametrize("damaged", CASES, ids=IDS, indirect=True)
def test_verify_names_the_damaged_file(damaged):
    folder, rel, word = damaged
    with pytest.raises(DamagedBuild) as info:
        verify_build(folder)
    assert info.value.file == rel
    assert word in str(info.value)


def test_catalog_layer_missing_from_its_geopackage(demo_build, tmp_path):
    folder = tmp_path / "kapot"
    shutil.copytree(demo_build.resolve(), folder)
    cat = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    internal = next(l for l in cat["layers"] if l["id"] == "locaties_intern")
    internal["gpkg"] = GPKG  # the internal layer is (rightly) not in the public file
    (folder / "catalog.json").write_text(json.dumps(cat), encoding="utf-8")
    record_outputs(folder)
    with pytest.raises(DamagedBuild) as info:
        verify_build(folder)
    assert info.value.file == GPKG and "locaties_intern" in info.value.reason


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("damaged", CASES, ids=IDS, indirect=True)
def test_serve_refuses_a_damaged_build(damaged, workers):
    folder, rel, word = damaged
    port = str(free_port())  # if the check failed, a server would start here, and the timeout fail the test
    r = subprocess.run([WZ, "serve", "--build", str(folder), "--port", port, "--workers", str(workers)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr + r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert rel in lines[0] and word in lines[0] and "beschadigd" in lines[0] and lines[0].startswith("Fout:")
    assert "Kaartviewer" not in r.stdout, "no server was started"


@pytest.mark.slow
def test_running_server_keeps_the_old_build_when_the_new_one_is_damaged(demo_build, tmp_path):
    out = tmp_path / "build"
    good = published_copy(demo_build, out, region="Goede regio")
    server = Server(out, workers=1, log=tmp_path / "serve.log")
    try:
        server.wait_ready()
        bad = published_copy(demo_build, out, region="Kapotte regio", damage=lambda f: truncate(f / GPKG))
        assert out.resolve() == bad.resolve()
        deadline = time.monotonic() + 30
        while str(bad) not in server.output():
            assert time.monotonic() < deadline, f"no log line about the damaged build: {server.output()}"
            time.sleep(0.1)
        time.sleep(1.5)  # a few more checks of the watcher: still one line
        lines = [l for l in server.output().splitlines() if str(bad) in l]
        assert len(lines) == 1, server.output()
        assert GPKG in lines[0] and "afgekapt" in lines[0] and "niet in gebruik genomen" in lines[0]
        assert "Traceback" not in server.output()
        for _ in range(5):
            assert get_json(server.url + "/api/catalog")["region"] == "Goede regio"
        assert get_json(server.url + "/health")["build"] == good.name
        # a good build published after the damaged one is taken into use
        fixed = published_copy(demo_build, out, region="Herstelde regio")
        deadline = time.monotonic() + 30
        while get_json(server.url + "/health")["build"] != fixed.name:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.2)
        assert get_json(server.url + "/api/catalog")["region"] == "Herstelde regio"
    finally:
        server.stop()
