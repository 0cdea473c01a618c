"""Helpers for tests that run a real ``wz serve``: start and stop it, find its workers, their leases, RSS.

Nothing here knows how the server works inside: workers are found as child processes, leases in
``/proc/locks`` (the kernel's list of ``flock`` locks), memory in ``/proc/<pid>/status``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from layers.versions import record_outputs, swap_in, version_stamp, versions_dir
from tests.conftest import ROOT, free_port

WZ = str(Path(sys.executable).parent / "wz")


class Server:
    """A running ``wz serve`` process (stdout and stderr go to ``log``)."""

    def __init__(self, build: Path, workers: int, log: Path, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = open(log, "wb")
        cmd = [WZ, "serve", "--build", str(build), "--port", str(self.port), "--workers", str(workers)]
        self.proc = subprocess.Popen(cmd, stdout=self._log_file, stderr=subprocess.STDOUT, cwd=ROOT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        self.workers = workers

    def wait_ready(self, timeout: float = 90) -> None:
        """Until /health answers 200 and every worker process is up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wz serve stopped: {self.log.read_text(errors='replace')}")
            if len(self.worker_pids()) >= self.workers and get(self.url + "/health")[0] == 200:
                if self.workers == 1 or all_hold(self):
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"wz serve not ready within {timeout} s: {self.log.read_text(errors='replace')}")

    def worker_pids(self) -> set[int]:
        """The processes that serve requests: uvicorn's spawned children, or the process itself."""
        if self.workers == 1:
            return {self.proc.pid}
        return {pid for pid in children(self.proc.pid) if b"spawn_main" in cmdline(pid)}

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log_file.close()


def all_hold(server: Server) -> bool:
    """Whether every worker holds a lease on some version folder (it has opened its build)."""
    holders = {pid for pid, _ in flock_table()}
    return server.worker_pids() <= holders


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                out.append(int(entry))
    return out


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def flock_table() -> list[tuple[int, str]]:
    """(pid, "maj:min:inode") of every shared flock in the system."""
    out = []
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "->" in parts:  # a waiting lock
            continue
        if len(parts) >= 6 and parts[1] == "FLOCK" and parts[3] == "READ":
            out.append((int(parts[4]), parts[5]))
    return out


def file_id(folder: Path) -> str:
    st = os.stat(folder)
    return f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"


def lease_holders(folder: Path) -> set[int]:
    """The processes holding a shared lock on a version folder, read from /proc/locks."""
    fid = file_id(folder)
    return {pid for pid, f in flock_table() if f == fid}


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def get(url: str, headers: dict | None = None, timeout: float = 30) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:  # refused, reset, timed out: no HTTP answer at all
        return 0, repr(e).encode()


def get_json(url: str) -> dict:
    status, body = get(url)
    assert status == 200, f"{url}: HTTP {status} {body[:200]!r}"
    return json.loads(body)


def published_copy(src: Path, out: Path, region: str | None = None, damage=None, keep: int | None = None,
                   change=None) -> Path:
    """Publish a copy of the build ``src`` at ``out`` as ``wz build`` does, without building.

    The copy becomes a new version folder; ``region`` changes the catalog's region name so the new
    build is visibly different; ``change(folder)`` edits it before its outputs are recorded (an
    intact build with other contents); ``damage(folder)`` spoils it after its outputs were recorded.
    """
    final = versions_dir(out) / version_stamp()
    final.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(Path(src).resolve(), final)
    if region is not None:
        cat_path = final / "catalog.json"
        cat = json.loads(cat_path.read_text(encoding="utf-8"))
        cat["region"] = region
        cat_path.write_text(json.dumps(cat, ensure_ascii=False, indent=1), encoding="utf-8")
    if change is not None:
        change(final)
    record_outputs(final)
    if damage is not None:
        damage(final)
    swap_in(final, out, keep=keep)
    return final
