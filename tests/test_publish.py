"""Publishing never damages the last good build: interrupted or failed builds leave it byte-identical."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from layers.publish import build_all, versions_dir

pytestmark = pytest.mark.slow
WZ = str(Path(sys.executable).parent / "wz")


def digest(folder: Path) -> dict:
    folder = folder.resolve()
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def published(demo_inputs, tmp_path):
    out = tmp_path / "build"
    build_all(demo_inputs, out)
    return out


def test_killed_build_leaves_the_previous_one_intact(demo_inputs, published):
    before_target = os.readlink(published)
    before = digest(published)
    proc = subprocess.Popen([WZ, "build", "--inputs", str(demo_inputs), "--out", str(published)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    vdir = versions_dir(published)
    deadline = time.monotonic() + 60
    killed_mid_way = False
    while time.monotonic() < deadline and proc.poll() is None:
        tmp = [d for d in vdir.glob(".tmp-*") if (d / "wonenzorg.gpkg").exists()]
        if tmp:  # the new build is being written: kill it now
            proc.send_signal(signal.SIGKILL)
            killed_mid_way = True
            break
        time.sleep(0.05)
    proc.wait(timeout=30)
    assert killed_mid_way, "the build finished before it could be interrupted"
    assert os.readlink(published) == before_target
    assert digest(published) == before
    # the next build cleans up the half-written folder and publishes normally
    build_all(demo_inputs, published)
    assert not list(vdir.glob(".tmp-*"))
    assert os.readlink(published) != before_target
    assert (published / "catalog.json").exists()


def test_failed_build_leaves_the_previous_one_and_no_debris(demo_inputs, published, tmp_path, monkeypatch):
    import layers.publish as publish

    before = digest(published)

    def broken_tiler(*args, **kwargs):
        raise publish.BuildError("tippecanoe faalde (test)")

    monkeypatch.setattr(publish, "write_pmtiles", broken_tiler)
    with pytest.raises(publish.BuildError):
        build_all(demo_inputs, published)
    assert digest(published) == before
    assert not list(versions_dir(published).glob(".tmp-*"))


def test_previous_version_is_kept_for_rollback(demo_inputs, published):
    first = os.readlink(published)
    build_all(demo_inputs, published)
    versions = {p.name for p in versions_dir(published).iterdir()}
    assert Path(first).name in versions and len(versions) == 2
