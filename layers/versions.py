"""Published build versions: the atomic symlink swap, leases of running servers, retention, output manifest.

A published build ``out`` (e.g. ``data/build``) is a symlink into a sibling folder of versions
``.<name>-versies/<stamp>``. A build is written in full into a new version folder, its outputs are
recorded in its ``manifest.json`` (:func:`record_outputs`), and the symlink is replaced in one
atomic step (:func:`swap_in`).

Every server process holds a shared ``flock`` on the version folder it serves (:func:`hold_lease`);
the publisher removes an old version only when it can take an exclusive lock on it without waiting
(:func:`prune_versions`), so a folder still being served is never deleted. A process that dies
releases its locks with it. Retention keeps the newest ``WZ_KEEP_VERSIONS`` versions (default 3)
plus every version in use.

Examples
--------
>>> final = versions_dir(out) / version_stamp()          # doctest: +SKIP
>>> shutil.copytree(prepared, final); record_outputs(final); swap_in(final, out)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo.errors import SettingsError

MANIFEST = "manifest.json"
#: key of the output listing in manifest.json: {relative path: {"bytes": size, "sha256": hex digest}}
OUTPUTS = "outputs"


class VersionSettings(BaseSettings):
    """How many published versions to keep (``WZ_KEEP_VERSIONS``); versions in use are always kept."""

    model_config = SettingsConfigDict(env_prefix="WZ_")

    keep_versions: int = Field(3, ge=1)


def keep_versions() -> int:
    """The ``WZ_KEEP_VERSIONS`` setting; a wrong value is one Dutch message (``SettingsError``)."""
    try:
        return VersionSettings().keep_versions
    except ValidationError:
        value = os.environ.get("WZ_KEEP_VERSIONS", "")
        raise SettingsError(f"WZ_KEEP_VERSIONS moet een geheel getal van 1 of meer zijn, niet {value[:20]!r}; "
                            "de build is wel gepubliceerd, oude versies zijn niet opgeruimd") from None


def versions_dir(out: Path) -> Path:
    """Folder that holds the published versions behind the ``out`` symlink."""
    out = Path(out)
    return out.parent / f".{out.name}-versies"


def version_stamp() -> str:
    """Name of a new version folder: the time to the microsecond, so names sort by age."""
    return _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def list_outputs(folder: Path) -> dict[str, dict]:
    """Every file of a build folder except ``manifest.json``: relative path -> size in bytes and sha256."""
    folder = Path(folder)
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        if rel == MANIFEST:
            continue
        out[rel] = {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
    return out


def record_outputs(folder: Path) -> dict[str, dict]:
    """Write the listing of the build's files into its ``manifest.json`` under ``"outputs"``.

    Called once, when the build folder is complete and before it is published; the server checks
    sizes and checksums against it before it serves the build.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    manifest[OUTPUTS] = list_outputs(folder)
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return manifest[OUTPUTS]


def hold_lease(folder: Path) -> int:
    """Take a shared lock on a version folder for as long as it is served; returns the descriptor.

    Closing the descriptor (or the process ending) releases it. Raises ``BlockingIOError`` when a
    publisher holds the exclusive lock because it is deleting the folder.
    """
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BaseException:
        os.close(fd)
        raise
    return fd


def in_use(folder: Path) -> bool:
    """Whether any process holds a lease on the folder (checked without waiting, lock released again)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _remove_unless_in_use(folder: Path) -> bool:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    try:  # holding the exclusive lock: no server can start serving it now
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(fd)
    return not folder.exists()


def published_versions(vdir: Path) -> list[Path]:
    """The complete version folders in ``vdir``, newest first (half-written ``.tmp-*`` ones left out)."""
    if not vdir.is_dir():
        return []
    found = [d for d in vdir.iterdir() if d.is_dir() and not d.is_symlink() and not d.name.startswith(".")]
    return sorted(found, key=lambda d: d.name, reverse=True)


def prune_versions(vdir: Path, keep: int, protect: set[Path] = frozenset()) -> list[Path]:
    """Remove old versions: the newest ``keep``, the ``protect``ed and every version in use stay.

    Returns the folders removed.
    """
    protect = {Path(p).resolve() for p in protect}
    removed = []
    for k, d in enumerate(published_versions(vdir)):
        if k < keep or d.resolve() in protect:
            continue
        if _remove_unless_in_use(d):
            removed.append(d)
    return removed


def swap_in(new_dir: Path, out: Path, keep: int | None = None) -> list[Path]:
    """Make ``out`` point at ``new_dir`` in one atomic step (a symlink swap), then prune old versions.

    ``out`` is a symlink into a sibling folder of versions. A real folder at ``out`` (from
    elsewhere) is moved aside, not deleted. Old versions are removed down to ``keep`` (default
    ``WZ_KEEP_VERSIONS``), never one that a server still serves. Returns the folders removed.
    """
    new_dir, out = Path(new_dir), Path(out)
    link_tmp = out.parent / f".{out.name}.link-{os.getpid()}"
    if link_tmp.exists() or link_tmp.is_symlink():
        link_tmp.unlink()
    os.symlink(os.path.relpath(new_dir, out.parent), link_tmp)
    if out.exists() and not out.is_symlink():
        out.rename(out.parent / f"{out.name}.voor-{_dt.datetime.now():%Y%m%d-%H%M%S}")
    os.replace(link_tmp, out)
    return prune_versions(new_dir.parent, keep_versions() if keep is None else keep, {new_dir})


def remove_stale_builds(vdir: Path) -> list[Path]:
    """Remove half-written builds left by a build process that no longer runs (killed, crashed)."""
    removed = []
    for d in vdir.glob(".tmp-*"):
        try:
            pid = int(d.name.split("-")[1])
            os.kill(pid, 0)
            continue  # that build is still running
        except (ValueError, IndexError, ProcessLookupError):
            pass
        except PermissionError:
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed
