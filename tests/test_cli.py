"""The ``wz`` command line: help, clear errors without tracebacks, failed builds harm nothing."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

WZ = str(Path(sys.executable).parent / "wz")


def run(*args, cwd=None):
    return subprocess.run([WZ, *args], capture_output=True, text=True, cwd=cwd)


def tree_digest(folder: Path) -> dict:
    folder = folder.resolve()
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_help_lists_the_commands():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("demo", "build", "serve"):
        assert cmd in r.stdout


def test_bad_input_one_message_and_previous_build_intact(demo_inputs, demo_build, tmp_path):
    broken = tmp_path / "invoer"
    shutil.copytree(demo_inputs, broken)
    lines = (broken / "wlz_clienten.csv").read_text().splitlines()
    fields = lines[3].split(";")
    fields[-1] = "veel"
    lines[3] = ";".join(fields)
    (broken / "wlz_clienten.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "build"
    shutil.copytree(demo_build, tmp_path / "versie", symlinks=False)
    out.symlink_to(tmp_path / "versie")
    before = tree_digest(out)
    r = run("build", "--inputs", str(broken), "--out", str(out))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    msg = r.stderr.strip()
    assert msg.count("\n") == 0
    assert "wlz_clienten.csv" in msg and "regel 4" in msg and "kolom 'aantal_clienten'" in msg and "veel" in msg
    assert tree_digest(out) == before


def test_missing_input_folder():
    r = run("build", "--inputs", "/bestaat/niet", "--out", "/tmp/wz-test-nergens")
    assert r.returncode == 2 and "bestaat niet" in r.stderr and "Traceback" not in r.stderr


def test_serve_without_build(tmp_path):
    r = run("serve", "--build", str(tmp_path / "leeg"))
    assert r.returncode == 2 and "wz build" in r.stderr
