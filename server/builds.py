"""The build a server process serves, and the switch to a newly published one.

``BuildManager`` holds the current opened :class:`Build`. A background thread checks every
``WZ_RELOAD_INTERVAL`` seconds (a ``realpath`` and a ``stat``) whether the published build
folder now points at another version; if so it takes a lease on the new version folder
(:func:`layers.versions.hold_lease`), verifies it (:func:`server.integrity.verify_build`), opens it
and warms its caches, all off the request path, and only then swaps the reference. A damaged new
build is refused with one log line and the current one stays served.

A request takes the build once (:meth:`BuildManager.build_for`, cached in the ASGI scope) and
returns it when its answer has been sent (:class:`BuildLeases`); a replaced build is closed when
the last request using it is done, since its archives are memory-mapped. Closing it also releases
the lease on its folder, so the publisher may delete it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from layers.versions import hold_lease

from .errors import BuildMissing, DamagedBuild
from .integrity import describe, verify_build
from .tiles import TileArchive

log = logging.getLogger("wonenzorg.server")
LEASE_KEY = "wz.lease"


@dataclass
class Build:
    """A published build opened once: catalog, tile archives, gemeente label points."""

    folder: Path
    catalog: dict
    layers: dict[str, dict]
    archives: dict[str, TileArchive]
    gemeenten: list[dict] = field(default_factory=list)
    _frames: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def version(self) -> str:
        """Name of the version folder (the build's time stamp when published by ``wz build``)."""
        return self.folder.name

    def features(self, layer: str):
        """The layer's features in WGS84 as a GeoDataFrame (read from the GeoPackage once, then cached).

        The index is the feature id used by the API: the layer's ``id_field`` value.
        """
        frame = self._frames.get(layer)
        if frame is None:
            import pyogrio

            spec = self.layers[layer]
            gpkg = self.folder / spec["gpkg"]
            gdf = pyogrio.read_dataframe(gpkg, layer=layer).to_crs("EPSG:4326")
            key = spec["id_field"]
            ids = gdf[key].astype(str)
            if ids.duplicated().any():  # e.g. gap_2040: one row per gemeente x group
                ids = ids + "-" + gdf.groupby(key).cumcount().add(1).astype(str)
            gdf.index = ids.to_numpy()
            gdf.index.name = "id"
            frame = self._frames.setdefault(layer, gdf)
        return frame

    def spatial_index(self, layer: str):
        """A shapely STRtree over the layer's features (built once per build)."""
        key = f"_tree_{layer}"
        tree = self._frames.get(key)
        if tree is None:
            import numpy as np
            import shapely

            frame = self.features(layer)
            with self._lock:
                tree = self._frames.get(key)
                if tree is None:
                    tree = shapely.STRtree(np.asarray(frame.geometry.values, dtype=object))
                    self._frames[key] = tree
        return tree

    def table_rows(self, name: str, code: str) -> list[dict]:
        """Rows of one gemeente from a public table of the build (read once); [] when the build has none."""
        from .features import json_value

        table = self._table(name)
        if table is None:
            return []
        rows = table[table["gemeentecode"] == code]
        return [{k: json_value(v) for k, v in r.items()} for r in rows.to_dict("records")]

    def _table(self, name: str):
        key = f"_table_{name}"
        if key not in self._frames:
            import pandas as pd

            path = self.folder / name
            self._frames[key] = (pd.read_csv(path, sep=";", decimal=",", dtype={"gemeentecode": str},
                                             encoding="utf-8-sig") if path.exists() else None)
        return self._frames[key]

    def table(self, name: str):
        """A public table of the build (``;``-separated, decimal comma) as read once; None when absent."""
        return self._table(name)

    def derived(self, key: str, make):
        """What ``make(build)`` computes from this build's files, computed once per build and kept.

        For structures derived from the tables (an indexed forecast, the search list): a new build
        has its own, so a build switch never serves figures of the old one.
        """
        slot = f"_derived_{key}"
        if slot not in self._frames:
            value = make(self)
            with self._lock:
                self._frames.setdefault(slot, value)
        return self._frames[slot]

    def warm(self, *warmers) -> None:
        """Read what requests would otherwise read on first use: every layer's features, the tables,
        and what each of ``warmers`` (called with the build) derives from them."""
        for layer in self.layers:
            self.features(layer)
        for name in ("zorggebruik.csv", "prognose_tekort.csv"):
            self._table(name)
        for warm in warmers:
            warm(self)

    def close(self) -> None:
        for a in self.archives.values():
            a.close()


def open_build(folder: Path) -> Build | None:
    """Open the build in ``folder`` (not verified); None when nothing has been built there yet."""
    folder = Path(folder)
    catalog_path = folder / "catalog.json"
    if not catalog_path.exists():
        return None
    folder = folder.resolve()
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
    layers = {l["id"]: l for l in catalog["layers"]}
    archives = {}
    try:
        for lid in layers:
            archives[lid] = TileArchive(folder / "tiles" / f"{lid}.pmtiles")
        build = Build(folder=folder, catalog=catalog, layers=layers, archives=archives)
        if "gemeenten" in layers:
            build.gemeenten = _gemeente_points(build.features("gemeenten"))
    except BaseException:
        for a in archives.values():
            a.close()
        raise
    return build


def _gemeente_points(gdf) -> list[dict]:
    """Name, a point inside and the bounds of every gemeente (from the WGS84 features)."""
    points = gdf.geometry.representative_point()
    out = []
    for code, name, pt, geom in zip(gdf["gemeentecode"], gdf["gemeentenaam"], points, gdf.geometry):
        out.append({"gemeentecode": code, "gemeentenaam": name,
                    "label_point": [round(pt.x, 6), round(pt.y, 6)],
                    "bbox": [round(v, 6) for v in geom.bounds]})
    return out


class _Slot:
    """A served build with the requests using it and the lease on its folder."""

    def __init__(self, build: Build, lease_fd: int | None):
        self.build = build
        self.lease_fd = lease_fd
        self.refs = 0
        self.retired = False

    def close(self) -> None:
        self.build.close()
        if self.lease_fd is not None:
            os.close(self.lease_fd)
            self.lease_fd = None


class Lease:
    """One request's hold on a build; :meth:`release` exactly once when the answer is sent."""

    __slots__ = ("_manager", "_slot", "build")

    def __init__(self, manager: BuildManager, slot: _Slot | None):
        self._manager = manager
        self._slot = slot
        self.build = slot.build if slot is not None else None

    def release(self) -> None:
        slot, self._slot = self._slot, None
        if slot is not None:
            self._manager._release(slot)


class BuildManager:
    """The current build of one server process, switched when a new one is published.

    Parameters
    ----------
    build_dir
        The published build: normally the symlink ``data/build`` into its folder of versions.
    interval
        Seconds between checks for a new build; 0 or less: never switch (serve what was there).
    warmers
        Called with every build opened, before it is served (``Build.warm``): the routers' own
        per-build structures are then ready before the first request.
    """

    def __init__(self, build_dir: Path, interval: float = 0.5, warmers=()):
        self.build_dir = Path(build_dir).absolute()
        self.interval = interval
        self.warmers = tuple(warmers)
        self.problem = f"er is nog geen build in {build_dir}; draai eerst 'wz build'"
        self._lock = threading.Lock()
        self._slot: _Slot | None = None
        self._seen: tuple | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = False
        self._start_lock = threading.Lock()

    # --- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Open the current build (if there is one) and start following new ones."""
        with self._start_lock:
            if self._started:
                return
            self.refresh()
            self._started = True
            if self.interval > 0:
                self._stop.clear()
                self._thread = threading.Thread(target=self._follow, name="wz-builds", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """Stop following and close the current build once no request uses it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._started = False
        self._replace(None, None)

    def _follow(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception as exc:  # noqa: BLE001 - the watcher must outlive any surprise
                log.error("Controle op een nieuwe build mislukt: %s", exc)

    # --- per request ---------------------------------------------------------------------------
    @property
    def current(self) -> Build | None:
        slot = self._slot
        return slot.build if slot is not None else None

    @property
    def leases(self) -> int:
        """How many requests hold the current build right now."""
        slot = self._slot
        return slot.refs if slot is not None else 0

    def acquire(self) -> Lease:
        """Hold the current build for one request (``Lease.build`` is None when there is none)."""
        if not self._started:
            self.start()
        with self._lock:
            slot = self._slot
            if slot is not None:
                slot.refs += 1
        return Lease(self, slot)

    def _release(self, slot: _Slot) -> None:
        with self._lock:
            slot.refs -= 1
            close = slot.retired and slot.refs == 0
        if close:
            slot.close()

    def build_for(self, scope: dict) -> Build:
        """The build of this request: taken once per request, released by :class:`BuildLeases`."""
        lease = scope.get(LEASE_KEY)
        if lease is None:
            lease = scope[LEASE_KEY] = self.acquire()
        if lease.build is None:
            raise BuildMissing(self.problem)
        return lease.build

    # --- following the published build ----------------------------------------------------------
    def _target(self) -> tuple | None:
        """What ``build_dir`` points at now: (real folder, catalog inode, catalog mtime), or None."""
        real = os.path.realpath(self.build_dir)
        try:
            st = os.stat(os.path.join(real, "catalog.json"))
        except OSError:
            return None
        return real, st.st_ino, st.st_mtime_ns

    def refresh(self) -> bool:
        """Switch to the published build if it changed and is intact; True when it switched."""
        target = self._target()
        if target is None or target == self._seen:
            return False
        folder = Path(target[0])
        try:
            lease_fd = hold_lease(folder)
        except BlockingIOError:  # being deleted right now: look again next time
            return False
        except OSError:
            return False
        try:
            if self._target() != target:  # changed while taking the lease: look again next time
                os.close(lease_fd)
                return False
            verify_build(folder)
            build = open_build(folder)
            if build is None:
                raise DamagedBuild("catalog.json", "ontbreekt")
            try:
                build.warm(*self.warmers)
            except BaseException:
                build.close()
                raise
        except Exception as exc:  # noqa: BLE001 - any failure to open means: do not serve it
            os.close(lease_fd)
            self._refuse(target, folder, exc)
            return False
        self._switch(_Slot(build, lease_fd), target)
        return True

    def _refuse(self, target: tuple, folder: Path, exc: Exception) -> None:
        self._seen = target  # a version folder does not change: do not try it again
        reason = describe(folder, exc) if isinstance(exc, DamagedBuild) else \
            f"de build in {folder} is niet te openen: {str(exc)[:200]}"
        current = self.current
        if current is None:
            self.problem = reason
            log.error("Build niet in gebruik genomen: %s", reason)
        else:
            log.error("Nieuwe build niet in gebruik genomen, build %s blijft in gebruik: %s", current.version, reason)

    def _replace(self, slot: _Slot | None, target: tuple | None) -> _Slot | None:
        """Make ``slot`` current; the one it replaces is retired, and closed now if no request holds it
        (else by its last request)."""
        with self._lock:
            old, self._slot, self._seen = self._slot, slot, target
            close = old is not None and old.refs == 0
            if old is not None:
                old.retired = True
        if close:
            old.close()
        return old

    def _switch(self, slot: _Slot, target: tuple) -> None:
        old = self._replace(slot, target)
        if old is not None:
            log.info("Nieuwe build in gebruik: %s (was %s)", slot.build.version, old.build.version)


class BuildLeases:
    """ASGI middleware: returns a request's build lease once the whole answer has been sent."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        try:
            await self.app(scope, receive, send)
        finally:
            lease = scope.pop(LEASE_KEY, None)
            if lease is not None:
                lease.release()
