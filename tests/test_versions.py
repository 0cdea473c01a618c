"""Published versions: output manifest, atomic swap, retention that never deletes a version in use."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.errors import SettingsError
from layers.versions import (hold_lease, in_use, list_outputs, prune_versions, published_versions,
                             record_outputs, remove_stale_builds, swap_in, version_stamp, versions_dir)

HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(fd, fcntl.LOCK_SH)
print("held", flush=True)
time.sleep(120)
"""


def make_version(vdir: Path, name: str, files: dict[str, bytes] | None = None) -> Path:
    folder = vdir / name
    folder.mkdir(parents=True)
    for rel, data in (files or {"catalog.json": b"{}"}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


def holder(folder: Path) -> subprocess.Popen:
    """Another process holding a lease on ``folder``, as a server does."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


# --- manifest of outputs -----------------------------------------------------------------------

def test_record_outputs_lists_every_file_but_the_manifest(tmp_path):
    files = {"catalog.json": b'{"layers": []}', "tiles/a.pmtiles": b"PMTiles\x03" + bytes(200),
             "leeg.csv": b"", "sub/dir/x.bin": os.urandom(3000)}
    folder = make_version(tmp_path, "v", files)
    (folder / "manifest.json").write_text(json.dumps({"tool": "wonenzorg", "version": "9"}))
    recorded = record_outputs(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tool"] == "wonenzorg" and manifest["version"] == "9"  # the rest is kept
    assert manifest["outputs"] == recorded
    assert set(recorded) == set(files)
    for rel, data in files.items():
        assert recorded[rel] == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert not list(folder.glob(".manifest*")), "no temporary file left behind"


def test_outputs_skip_symlinks(tmp_path):
    folder = make_version(tmp_path, "v")
    (folder / "link.json").symlink_to(folder / "catalog.json")
    assert set(list_outputs(folder)) == {"catalog.json"}


# --- swap and retention -------------------------------------------------------------------------

def test_swap_in_points_at_the_new_version_and_keeps_the_newest(tmp_path):
    out = tmp_path / "build"
    vdir = versions_dir(out)
    names = [f"2030010{k}-120000-000000" for k in range(1, 6)]
    for name in names:
        make_version(vdir, name)
        swap_in(vdir / name, out, keep=3)
        assert os.readlink(out) == os.path.relpath(vdir / name, tmp_path)
    assert [p.name for p in published_versions(vdir)] == names[::-1][:3]


def test_swap_in_moves_a_real_folder_aside(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    (out / "eigen.txt").write_text("van iemand anders")
    new = make_version(versions_dir(out), version_stamp())
    swap_in(new, out, keep=3)
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("build.voor-")]
    assert len(aside) == 1 and (aside[0] / "eigen.txt").read_text() == "van iemand anders"
    assert out.is_symlink() and out.resolve() == new.resolve()


def test_a_version_in_use_is_never_deleted(tmp_path):
    out = tmp_path / "build"
    vdir = versions_dir(out)
    old = make_version(vdir, "20300101-000000-000000")
    swap_in(old, out, keep=1)
    proc = holder(old)
    try:
        assert in_use(old)
        newer = make_version(vdir, "20300102-000000-000000")
        removed = swap_in(newer, out, keep=1)
        assert removed == [] and old.is_dir(), "a version a server holds was deleted"
    finally:
        proc.send_signal(signal.SIGKILL)  # a dead server releases its lease with it
        proc.wait()
    assert not in_use(old)
    newest = make_version(vdir, "20300103-000000-000000")
    removed = swap_in(newest, out, keep=1)
    assert set(removed) == {old, newer}
    assert [p.name for p in published_versions(vdir)] == [newest.name]


def test_prune_keeps_protected_versions_and_half_written_ones(tmp_path):
    vdir = tmp_path / "v"
    a, b, c = (make_version(vdir, f"2030010{k}-000000-000000") for k in (1, 2, 3))
    tmp_build = make_version(vdir, f".tmp-{os.getpid()}-abc")
    removed = prune_versions(vdir, keep=1, protect={a})
    assert removed == [b]
    assert a.is_dir() and c.is_dir() and tmp_build.is_dir()


def test_a_server_cannot_take_a_lease_on_a_version_being_deleted(tmp_path):
    import fcntl

    folder = make_version(tmp_path, "v")
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what the publisher holds while it deletes
    try:
        with pytest.raises(BlockingIOError):
            hold_lease(folder)
    finally:
        os.close(fd)
    lease = hold_lease(folder)
    assert in_use(folder)
    os.close(lease)
    assert not in_use(folder)


def test_keep_count_from_the_environment(tmp_path, monkeypatch):
    out = tmp_path / "build"
    vdir = versions_dir(out)
    monkeypatch.setenv("WZ_KEEP_VERSIONS", "2")
    for k in range(1, 5):
        swap_in(make_version(vdir, f"2030010{k}-000000-000000"), out)
    assert len(published_versions(vdir)) == 2


@pytest.mark.parametrize("value", ["0", "drie", "-1"])
def test_wrong_keep_count_is_one_dutch_message_after_the_swap(tmp_path, monkeypatch, value):
    out = tmp_path / "build"
    new = make_version(versions_dir(out), version_stamp())
    monkeypatch.setenv("WZ_KEEP_VERSIONS", value)
    with pytest.raises(SettingsError) as info:
        swap_in(new, out)
    assert "WZ_KEEP_VERSIONS" in str(info.value) and "geheel getal" in str(info.value)
    assert "\n" not in str(info.value)
    assert out.resolve() == new.resolve(), "the build itself is published all the same"


def test_remove_stale_builds_only_of_dead_processes(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = make_version(tmp_path, f".tmp-{dead.pid}-x")
    running = make_version(tmp_path, f".tmp-{os.getpid()}-y")
    assert remove_stale_builds(tmp_path) == [stale]
    assert running.is_dir() and not stale.exists()


def test_version_stamps_sort_by_time():
    first = version_stamp()
    time.sleep(0.002)
    assert version_stamp() > first
