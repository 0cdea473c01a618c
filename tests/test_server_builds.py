"""The server follows its builds: a newly published build is switched to atomically, requests in flight
finish on the old one, no request fails, restarted workers find the current build, and a version
folder is deleted only when no server holds it any more."""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from layers.versions import in_use, published_versions, versions_dir
from server.builds import BuildManager
from server.errors import BuildMissing
from server.app import create_app
from server.settings import ServerSettings
from tests.serving import WZ, Server, get, get_json, lease_holders, published_copy


def wait_for(condition, timeout: float, what: str):
    """Poll ``condition`` until it holds; a bound on waiting, not a speed requirement."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def one_request(manager: BuildManager):
    """The build a request would get, its lease returned again as the lease middleware does."""
    scope: dict = {}
    try:
        return manager.build_for(scope)
    finally:
        if "wz.lease" in scope:
            scope.pop("wz.lease").release()


def region_of(folder: Path) -> str:
    return json.loads((folder / "catalog.json").read_text(encoding="utf-8"))["region"]


# --- BuildManager in this process -------------------------------------------------------------

@pytest.fixture()
def out(tmp_path, demo_build) -> Path:
    """A published build of our own (a copy of the session's demo build), region 'Regio A'."""
    out = tmp_path / "build"
    published_copy(demo_build, out, region="Regio A")
    return out


def test_a_request_in_flight_keeps_its_build_across_a_switch(out, demo_build):
    manager = BuildManager(out, interval=0)
    manager.start()
    try:
        first_folder = out.resolve()
        scope_old: dict = {}
        old = manager.build_for(scope_old)
        assert old.catalog["region"] == "Regio A"
        assert os.getpid() in lease_holders(first_folder)
        second_folder = published_copy(demo_build, out, region="Regio B")
        assert manager.refresh(), "the new build was not taken into use"
        new = one_request(manager)
        assert new.catalog["region"] == "Regio B" and new.folder == second_folder.resolve()
        # the request that started before the switch still has its own build, open and readable
        assert manager.build_for(scope_old) is old
        assert old.archives["gemeenten"].read(0, 7) == b"PMTiles"
        assert os.getpid() in lease_holders(first_folder), "the old version is still in use"
        scope_old.pop("wz.lease").release()
        with pytest.raises(ValueError):  # closed once its last request was done
            old.archives["gemeenten"].read(0, 7)
        assert os.getpid() not in lease_holders(first_folder)
        assert os.getpid() in lease_holders(second_folder)
    finally:
        manager.stop()
    assert os.getpid() not in lease_holders(second_folder)


def test_unchanged_build_is_not_reopened(out):
    manager = BuildManager(out, interval=0)
    manager.start()
    try:
        build = manager.current
        assert not manager.refresh() and manager.current is build
    finally:
        manager.stop()


def test_damaged_new_build_is_refused_once_and_the_old_one_stays(out, demo_build, caplog):
    manager = BuildManager(out, interval=0)
    manager.start()
    try:
        good = manager.current

        def truncate(folder):
            path = folder / "tiles" / "wijken.pmtiles"
            path.write_bytes(path.read_bytes()[:5000])

        damaged = published_copy(demo_build, out, region="Regio kapot", damage=truncate)
        with caplog.at_level(logging.INFO, logger="wonenzorg.server"):
            assert not manager.refresh()
            assert not manager.refresh()  # looked at again: no second log line
        assert manager.current is good and manager.current.catalog["region"] == "Regio A"
        lines = [r.getMessage() for r in caplog.records if r.name == "wonenzorg.server"]
        assert len(lines) == 1, lines
        assert "tiles/wijken.pmtiles" in lines[0] and "afgekapt" in lines[0] and str(damaged) in lines[0]
        assert "\n" not in lines[0]
        assert not in_use(damaged), "a refused build is not held"
        published_copy(demo_build, out, region="Regio C")
        assert manager.refresh() and manager.current.catalog["region"] == "Regio C"
    finally:
        manager.stop()


def test_server_started_before_the_first_build_picks_it_up(tmp_path, demo_build):
    out = tmp_path / "build"
    manager = BuildManager(out, interval=0)
    manager.start()
    try:
        with pytest.raises(BuildMissing):
            one_request(manager)
        published_copy(demo_build, out, region="Eerste")
        assert manager.refresh()
        assert one_request(manager).catalog["region"] == "Eerste"
    finally:
        manager.stop()


def test_every_answer_returns_its_lease(out, tmp_path):
    app = create_app(ServerSettings(build_dir=out, token="s"))
    with TestClient(app) as c:
        for path in ["/health", "/api/catalog", "/tiles/gemeenten.json", "/tiles/gemeenten/x/1/1.pbf",
                     "/tiles/locaties_intern.json", "/tiles/gemeenten.pmtiles", "/ogc/collections/gemeenten/items",
                     "/api/gemeenten/GM0000", "/api/gemeenten/fout", "/bestaat/niet", "/"]:
            c.get(path)
            c.get(path, headers={"Range": "bytes=0-10", "Authorization": "Bearer s"})
        assert app.state.builds.leases == 0


def test_in_process_server_follows_the_symlink(out, demo_build):
    """The watcher thread switches by itself; a TestClient request sees the new build."""
    with TestClient(create_app(ServerSettings(build_dir=out, reload_interval=0.1))) as c:
        assert c.get("/api/catalog").json()["region"] == "Regio A"
        new = published_copy(demo_build, out, region="Regio B")
        wait_for(lambda: c.get("/health").json()["build"] == new.name, 20, "the app did not switch")
        assert c.get("/api/catalog").json()["region"] == "Regio B"


# --- a real wz serve with two workers ----------------------------------------------------------

class Load:
    """Threads asking tiles, TileJSON, catalog and a gemeente over keep-alive connections."""

    def __init__(self, base: str, tiles: list[str], code: str, regions: set[str], threads: int = 4):
        self.host, self.port = base.split("//")[1].split(":")
        self.tiles, self.code, self.regions = tiles, code, regions
        self.failures: list[str] = []
        self.seen: list[str] = []
        self.count = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(k,), daemon=True) for k in range(threads)]

    def start(self):
        for t in self._threads:
            t.start()

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)

    def _run(self, k: int):
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        i = k
        while not self._stop.is_set():
            i += 1
            kind = i % 4
            path = (self.tiles[i % len(self.tiles)], "/tiles/gemeenten.json", "/api/catalog",
                    f"/api/gemeenten/{self.code}")[kind]
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                body = r.read()
                ok = r.status in ((200, 204) if kind == 0 else (200,))
                if ok and kind == 2:
                    region = json.loads(body)["region"]
                    self.seen.append(region)
                    ok = region in self.regions
                if not ok:
                    self.failures.append(f"{path}: HTTP {r.status} {body[:100]!r}")
                self.count += 1
            except Exception as exc:  # noqa: BLE001 - every failure counts
                self.failures.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
            if i % 50 == 0:  # now and then a fresh connection (possibly another worker)
                conn.close()
                conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
            time.sleep(0.005)
        conn.close()


def stored_tiles(build: Path, layer: str) -> list[str]:
    from pmtiles.reader import MmapSource, all_tiles

    with open(build / "tiles" / f"{layer}.pmtiles", "rb") as fh:
        return [f"/tiles/{layer}/{z}/{x}/{y}.pbf" for (z, x, y), _ in all_tiles(MmapSource(fh))]


@pytest.mark.slow
def test_two_workers_follow_a_new_build(demo_build, demo_inputs, tmp_path):
    out = tmp_path / "build"
    first = published_copy(demo_build, out)
    old_region = region_of(first)
    new_region = "Proefregio Noord"
    settings_file = tmp_path / "anders.toml"
    text = (demo_inputs / "instellingen.toml").read_text(encoding="utf-8")
    text, n = re.subn(r"^region_name\s*=.*$", f'region_name = "{new_region}"', text, flags=re.M)
    assert n == 1
    settings_file.write_text(text, encoding="utf-8")
    code = get_code(first)

    server = Server(out, workers=2, log=tmp_path / "serve.log")
    holder = None
    try:
        server.wait_ready()
        workers = server.worker_pids()
        assert len(workers) == 2 and lease_holders(first) == workers

        # 1. a real `wz build` publishes into the same --out while requests keep coming
        load = Load(server.url, stored_tiles(first, "gemeenten"), code, {old_region, new_region})
        load.start()
        wait_for(lambda: load.count > 40, 60, "the load did not get going")
        build = subprocess.run([WZ, "build", "--inputs", str(demo_inputs), "--out", str(out),
                                "--settings", str(settings_file)], capture_output=True, text=True, timeout=900)
        assert build.returncode == 0, build.stderr[-2000:]
        second = out.resolve()
        assert second != first.resolve() and region_of(second) == new_region
        wait_for(lambda: lease_holders(second) == workers and not lease_holders(first), 30,
                 "both workers serve the new build and let go of the old one")
        after = load.count
        wait_for(lambda: load.count > after + 40, 60, "requests continue after the switch")
        load.stop()
        assert load.failures == [], load.failures[:10]
        assert old_region in load.seen and new_region in load.seen
        assert load.seen[-1] == new_region
        # new connections (either worker) all see the new build
        assert {get_json(server.url + "/api/catalog")["region"] for _ in range(20)} == {new_region}

        # 2. a killed worker is replaced by uvicorn; the new one serves the current build
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(server.worker_pids()) == 2 and victim not in server.worker_pids()
                 and server.worker_pids() <= lease_holders(second), 90, "a restarted worker serving the build")
        restarted = (server.worker_pids() - workers).pop()
        assert restarted in lease_holders(second)
        assert {get_json(server.url + "/api/catalog")["region"] for _ in range(10)} == {new_region}
        workers = server.worker_pids()

        # 3. a version in use is never deleted, also when retention would remove it
        holder = Server(first, workers=1, log=tmp_path / "holder.log")  # a server still on the first build
        holder.wait_ready()
        assert holder.proc.pid in lease_holders(first)
        third = published_copy(second, out, region="Derde", keep=1)
        assert first.is_dir(), "the first version was deleted while a server still served it"
        # the workers took the third build and let go of the second (a switch takes a moment under load)
        wait_for(lambda: lease_holders(third) == workers and not lease_holders(second), 30,
                 "workers on the third build")
        assert get_json(holder.url + "/api/catalog")["region"] == old_region
        holder.stop()
        holder = None
        wait_for(lambda: not lease_holders(first), 10, "the stopped server released its lease")
        fourth = published_copy(second, out, region="Vierde", keep=1)
        assert not first.exists() and not second.exists(), "versions nobody serves are removed"
        assert fourth.is_dir() and out.resolve() == fourth.resolve()
        kept = {p.resolve() for p in published_versions(versions_dir(out))}
        assert kept <= {third.resolve(), fourth.resolve()}
        wait_for(lambda: get_json(server.url + "/api/catalog")["region"] == "Vierde", 30, "fourth build served")
        status, _ = get(server.url + "/health")
        assert status == 200
    finally:
        if holder is not None:
            holder.stop()
        server.stop()


def get_code(build: Path) -> str:
    import pyogrio

    return str(pyogrio.read_dataframe(build / "wonenzorg.gpkg", layer="gemeenten", read_geometry=False)
               ["gemeentecode"].iloc[0])
