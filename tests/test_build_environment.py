"""``wz build`` against its environment: a read-only or full output folder, SIGTERM and Ctrl+C.

Each fault gives one Dutch line and no traceback; the previous build stays
byte-identical; no half-written build and no tiler process is left behind.
Tests may run as root, for whom ``chmod`` does not stop a write: then a real
operating-system refusal (``/sys``) or an ``OSError`` raised in the writing
code stands in for the read-only folder.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import layers.publish as publish
from layers.publish import build_all, versions_dir
from server.cli import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def digest(folder: Path) -> dict[str, str]:
    folder = folder.resolve()
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(demo_inputs, tmp_path_factory) -> Path:
    """One good build of the demo (the previous build every test must leave alone)."""
    out = tmp_path_factory.mktemp("omgeving") / "build"
    build_all(demo_inputs, out)
    return out


def one_line(err: str) -> str:
    msg = err.strip()
    assert msg.count("\n") == 0 and "Traceback" not in msg, msg
    return msg


def root_can_write_anywhere() -> bool:
    return os.geteuid() == 0


# --- a folder the build may not write in -------------------------------------------------------------

def test_read_only_output_folder_is_one_line(demo_inputs, tmp_path, capsys):
    if root_can_write_anywhere():
        target = Path("/sys/wz-build")  # sysfs refuses new files, also to root
        try:
            fd, probe = tempfile.mkstemp(dir="/sys")
        except OSError:
            pass
        else:  # pragma: no cover - a system where /sys accepts files
            os.close(fd)
            os.unlink(probe)
            pytest.fail("/sys accepted a file: no read-only folder to test with")
    else:
        locked = tmp_path / "alleen-lezen"
        locked.mkdir()
        locked.chmod(0o555)
        target = locked / "build"
    code = main(["build", "--inputs", str(demo_inputs), "--out", str(target)])
    msg = one_line(capsys.readouterr().err)
    assert code == 1
    assert msg.startswith(f"Fout: kan niet schrijven in {target.parent}")
    assert "kies met --out een map" in msg


def test_output_path_under_a_file_is_one_line(demo_inputs, tmp_path, capsys):
    blocker = tmp_path / "rapport.txt"
    blocker.write_text("geen map\n")
    code = main(["build", "--inputs", str(demo_inputs), "--out", str(blocker / "sub" / "build")])
    msg = one_line(capsys.readouterr().err)
    assert code == 1
    assert msg == (f"Fout: kan niet schrijven in {blocker}: dat is een bestand, geen map; kies met --out een pad "
                   "in een map.")
    assert blocker.read_text() == "geen map\n"


def test_read_only_file_system_keeps_the_previous_build(demo_inputs, published, monkeypatch, capsys):
    """EROFS where the build makes its temporary folder: after reading and computing, before any byte."""
    before = digest(published)
    real_mkdtemp = tempfile.mkdtemp

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(versions_dir(published)))

    monkeypatch.setattr(publish.tempfile, "mkdtemp", read_only)
    code = main(["build", "--inputs", str(demo_inputs), "--out", str(published)])
    monkeypatch.setattr(publish.tempfile, "mkdtemp", real_mkdtemp)
    msg = one_line(capsys.readouterr().err)
    assert code == 1
    assert f"kan niet schrijven in {versions_dir(published)}" in msg and "alleen-lezen" in msg
    assert f"De vorige build in {published} is ongewijzigd" in msg
    assert digest(published) == before


# --- a full disk ---------------------------------------------------------------------------------------

def test_disk_full_while_tiling_is_one_line_and_leaves_nothing(demo_inputs, published, monkeypatch, capsys):
    before = digest(published)

    def full(spec, gdf, out, settings, work):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out))

    monkeypatch.setattr(publish, "write_pmtiles", full)
    code = main(["build", "--inputs", str(demo_inputs), "--out", str(published)])
    msg = one_line(capsys.readouterr().err)
    assert code == 1
    assert "de schijf is vol" in msg and "maak ruimte vrij" in msg
    assert str(versions_dir(published)) in msg  # the folder where it ran out of space
    assert digest(published) == before
    assert not list(versions_dir(published).glob(".tmp-*"))


def test_disk_full_inside_gdal_is_recognised_by_its_text(demo_inputs, published, monkeypatch, capsys):
    """GDAL wraps the system error in its own exception; the system's text still names the cause."""
    import pyogrio

    before = digest(published)

    def full(*args, **kwargs):
        raise pyogrio.errors.DataSourceError(f"sqlite3_step() failed: {os.strerror(errno.ENOSPC)}")

    monkeypatch.setattr(publish.pyogrio, "write_dataframe", full)
    code = main(["build", "--inputs", str(demo_inputs), "--out", str(published)])
    msg = one_line(capsys.readouterr().err)
    assert code == 1 and "de schijf is vol" in msg
    assert digest(published) == before
    assert not list(versions_dir(published).glob(".tmp-*"))


def test_an_unrelated_error_is_not_mistaken_for_the_environment(demo_inputs, published, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO), "x")

    monkeypatch.setattr(publish, "write_pmtiles", broken)
    with pytest.raises(OSError) as exc:
        main(["build", "--inputs", str(demo_inputs), "--out", str(published)])
    assert exc.value.errno == errno.EIO


# --- SIGTERM and Ctrl+C during a real build ------------------------------------------------------------

def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def build_with_slow_tiler(inputs: Path, out: Path, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """``wz build`` in a subprocess whose tiler is a stand-in that writes its pid and sleeps."""
    pidfile = tmp_path / "tiler.pid"
    tiler = tmp_path / "tippecanoe"
    tiler.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 300\n")
    tiler.chmod(0o755)
    code = (f"import sys\nimport layers.publish as publish\npublish.tippecanoe_path = lambda: {str(tiler)!r}\n"
            f"from server.cli import main\n"
            f"sys.exit(main(['build', '--inputs', {str(inputs)!r}, '--out', {str(out)!r}]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not (pidfile.exists() and pidfile.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out_text, err_text = proc.communicate()
            pytest.fail(f"the build never started its tiler: {err_text[-2000:]}")
        time.sleep(0.05)
    return proc, pidfile


@pytest.mark.parametrize("sig, code, how", [(signal.SIGTERM, 143, "door SIGTERM"),
                                             (signal.SIGINT, 130, "met Ctrl+C")])
def test_signal_during_tiling_cleans_up_and_ends_the_tiler(demo_inputs, published, tmp_path, sig, code, how):
    before, target = digest(published), os.readlink(published)
    proc, pidfile = build_with_slow_tiler(demo_inputs, published, tmp_path)
    tiler = int(pidfile.read_text())
    assert alive(tiler)
    assert list(versions_dir(published).glob(".tmp-*"))  # the new build is being written
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    msg = one_line(err)
    assert msg == (f"Afgebroken {how}: de onvolledige build is opgeruimd; de vorige build in {published} "
                   "is ongewijzigd.")
    assert not alive(tiler)  # the child was ended, not orphaned
    assert not list(versions_dir(published).glob(".tmp-*"))
    assert os.readlink(published) == target and digest(published) == before


def tippecanoe_processes(marker: str) -> list[int]:
    """Processes whose command line holds 'tippecanoe' and ``marker``."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "tippecanoe" in cmd and marker in cmd and alive(int(d.name)):
                found.append(int(d.name))
    return found


def test_sigterm_while_the_real_tippecanoe_runs(demo_inputs, published, tmp_path):
    """The real tiler (a Python wrapper around the binary): wrapper and binary both end."""
    before = digest(published)
    vdir = str(versions_dir(published))
    proc = subprocess.Popen([str(Path(sys.executable).parent / "wz"), "build", "--inputs", str(demo_inputs),
                             "--out", str(published)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    seen: list[int] = []
    while proc.poll() is None and time.monotonic() < deadline:
        seen = tippecanoe_processes(vdir)
        if seen:
            break
        time.sleep(0.01)
    if not seen:
        proc.kill()
        proc.communicate()
        pytest.fail("no tippecanoe process was seen during the build")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert one_line(err).startswith("Afgebroken door SIGTERM")
    assert not tippecanoe_processes(vdir)
    assert not [pid for pid in seen if alive(pid)]
    assert not list(versions_dir(published).glob(".tmp-*"))
    assert digest(published) == before
