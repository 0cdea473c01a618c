#!/usr/bin/env python3
"""Benchmark of `wz build`: wall time and peak memory of every stage.

Runs ``wz build --inputs DIR --out OUT`` as a subprocess and samples, every ``--interval``
seconds (default 0.05), the resident set size (RSS) of the whole process tree from /proc: the
build and every process it starts (tippecanoe, GDAL helpers), summed. The build's progress lines
(``[2] Geoverwerking: ...``, ``    (3/8) Vectortegels klaar: zorg_vv ...``) mark its stages; each
stage runs from its line to the next one, its steps are rows below it (see :func:`stages_of`).
Prints one row per stage and step (seconds, peak RSS of the tree, of which in child processes),
the total wall time, the overall peak and the targets. A child with its parent's name and
executable is a fork of it not yet replaced by exec (the instant of ``subprocess.Popen``, often a
vfork sharing the parent's memory): it counts as 0 (a build that forked workers of its own would
be undercounted).

The input is a folder (``--inputs``), a fictional country generated first into a temporary
folder (``--scale national`` or e.g. ``--scale 0.05``: ``wz demo --scale S``), or the regional
demo (``--demo``: ``wz demo``). The build goes to a temporary folder (``--out`` to keep it).

    python scripts/bench_build.py (--inputs DIR | --scale S | --demo) [--out DIR] [--interval 0.05]
                                  [--timeout SECONDS] [--target national|demo|none]

Targets: the national input builds in at most 60 s with at most 4 GiB peak RSS; the demo in at
most 5 s. Exit code 0 when the build succeeded (whether or not it met the targets), 1 when it
failed or timed out.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 2**20
GIB = 2**30
TARGETS = {"national": (60.0, 4 * GIB), "demo": (5.0, None)}
#: progress lines of `wz build` when its output is not a terminal (server/cli.py, cmd_build)
STAGE = re.compile(r"^\[(\d+)\] (.+?) \.\.\.$")
STEP = re.compile(r"^\s+\((\d+)/(\d+)\) (.+?) \.\.\.$")
START_UP = "start-up (Python, imports)"
EXIT = "exit (summary, interpreter shutdown)"


def wz_command() -> list[str]:
    """The `wz` of this checkout's virtualenv, else the one on PATH, else ``python -m server.cli``."""
    venv = ROOT / ".venv" / "bin" / "wz"
    if venv.exists():
        return [str(venv)]
    found = shutil.which("wz")
    return [found] if found else [sys.executable, "-m", "server.cli"]


# --- the process tree's memory --------------------------------------------------

def _stat(pid: int) -> tuple[str, int, int] | None:
    """(command name, parent pid, RSS in bytes) of a process, None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    close = raw.rfind(")")
    rest = raw[close + 2:].split()
    return raw[raw.find("(") + 1:close], int(rest[1]), int(rest[21]) * PAGE


def _exe(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def _children_file(pid: int) -> list[int] | None:
    """Child pids from /proc/PID/task/*/children (None when the kernel does not offer that file)."""
    out = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
        except FileNotFoundError:
            return None
        except OSError:
            continue
    return out


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants that are alive."""
    found, todo, scan = [], [root], None
    while todo:
        pid = todo.pop()
        found.append(pid)
        kids = _children_file(pid)
        if kids is None:  # no children files: one scan of /proc for the parent of every process
            if scan is None:
                scan = {}
                for name in os.listdir("/proc"):
                    if name.isdigit():
                        st = _stat(int(name))
                        if st:
                            scan.setdefault(st[1], []).append(int(name))
            kids = scan.get(pid, [])
        todo += kids
    return found


@dataclass
class Sample:
    t: float
    total: int
    children: int
    largest_child: tuple[str, int] | None


@dataclass
class Sampler:
    """Samples the RSS of a process tree in a thread until :meth:`stop`."""

    root: int
    interval: float
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            t = time.monotonic()
            total = children = 0
            largest = None
            seen: dict[int, tuple[str, int, int]] = {}
            for pid in process_tree(self.root):
                st = _stat(pid)
                if st is None:
                    continue
                seen[pid] = st
                rss = st[2]
                parent = seen.get(st[1])
                if pid != self.root and parent and parent[0] == st[0] and _exe(pid) == _exe(st[1]):
                    # a (v)fork of its parent that has not exec'd yet (the instant of subprocess.Popen):
                    # its pages are the parent's, already counted
                    rss = 0
                total += rss
                if pid != self.root:
                    children += rss
                    if largest is None or rss > largest[1]:
                        largest = (st[0], rss)
            self.samples.append(Sample(t, total, children, largest))
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - t)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# --- running a command --------------------------------------------------------------

@dataclass
class Run:
    """One monitored command: its output lines with their times, its samples, how it ended."""

    started: float
    ended: float
    returncode: int
    lines: list[tuple[float, str]]
    samples: list[Sample]
    stderr: str
    timed_out: bool
    #: the kernel's high-water mark of the largest single process of the tree (getrusage), bytes
    max_single: int


def run_monitored(cmd: list[str], interval: float, timeout: float | None = None, echo=None) -> Run:
    """Run ``cmd``, timestamp its stdout lines and sample its process tree's RSS."""
    err = tempfile.TemporaryFile()
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1,
                            start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    sampler = Sampler(proc.pid, interval)
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append((time.monotonic(), line.rstrip("\n")))
            if echo:
                echo(lines[-1][0] - t0, lines[-1][1])

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    timed_out = False
    deadline = t0 + timeout if timeout else None
    while True:
        try:
            _, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:
            status, usage = 0, None
            break
        if _:
            break
        if deadline and time.monotonic() > deadline and not timed_out:
            timed_out = True
            os.killpg(proc.pid, signal.SIGTERM)  # the build cleans up its folder and ends its tiler
            deadline = time.monotonic() + 30
            continue
        if timed_out and deadline and time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            deadline = None
        time.sleep(0.02)
    ended = time.monotonic()
    proc.returncode = os.waitstatus_to_exitcode(status) if usage is not None else proc.poll()
    sampler.stop()
    reader.join(timeout=5)
    err.seek(0)
    stderr = err.read().decode("utf-8", "replace")
    err.close()
    return Run(started=t0, ended=ended, returncode=proc.returncode, lines=lines, samples=sampler.samples,
               stderr=stderr, timed_out=timed_out, max_single=(usage.ru_maxrss * 1024 if usage else 0))


# --- stages -------------------------------------------------------------------

@dataclass
class Stage:
    name: str
    start: float
    end: float
    #: 0: a stage of the build (the stages partition the run); 1: a step within the stage above it
    level: int = 0
    peak: int = 0
    peak_children: int = 0


#: a step that reports something finished (``Vectortegels klaar: wijken``) covers the time before its line
DONE_WORDS = ("klaar", "gereed", "done")


def stages_of(run: Run) -> list[Stage]:
    """The build's stages from its progress lines, in order: start-up, every stage, exit.

    A stage (``[n] ...``) runs from its line to the next stage's (or the summary, or the end);
    the stages and the start-up and exit rows add up to the total. The steps of a stage
    (``(k/n) ...``) follow it as rows of level 1: a step that starts something runs from its line
    to the next progress line, a step that reports something finished (parallel tiling:
    ``Vectortegels klaar: wijken``) from the progress line before it to its own. Steps whose
    first word is not the stage's (an older ``wz build`` printed the tiling steps without a stage
    line of their own) get a stage named after them, from their first step on.
    """
    tops: list[Stage] = [Stage(START_UP, run.started, run.ended)]
    steps: list[tuple[str, float, bool]] = []
    word = None
    for t, line in run.lines:
        m, s = STAGE.match(line), STEP.match(line)
        if m:
            tops.append(Stage(f"[{m.group(1)}] {m.group(2)}", t, run.ended))
            word = m.group(2).split()[0]
        elif s:
            msg = s.group(3)
            if s.group(1) == "1" and msg.split()[0] != word:
                tops.append(Stage(msg.split(":")[0], t, run.ended))
                word = msg.split()[0]
            steps.append((f"    ({s.group(1)}/{s.group(2)}) {msg}", t, any(w in msg.lower() for w in DONE_WORDS)))
        elif len(tops) > 1 and tops[-1].name != EXIT:
            tops.append(Stage(EXIT, t, run.ended))  # the first line after the stages: the summary
            word = None
    for a, b in zip(tops, tops[1:]):
        a.end = b.start
    marks = sorted({st.start for st in tops[1:]} | {t for _, t, _ in steps} | {run.ended})
    out: list[Stage] = []
    for top in tops:
        out.append(top)
        for name, t, done in steps:
            if top.start <= t < top.end:
                k = marks.index(t)
                if done:
                    before = [m for m in marks[:k] if m >= top.start]
                    out.append(Stage(name, before[-1] if before else top.start, t, level=1))
                else:
                    out.append(Stage(name, t, min(marks[k + 1], top.end), level=1))
    for st in out:
        inside = [s for s in run.samples if st.start <= s.t <= st.end]
        if not inside:  # shorter than the interval: the next sample
            inside = [s for s in run.samples if s.t >= st.start][:1]
        if inside:
            st.peak = max(s.total for s in inside)
            st.peak_children = max(s.children for s in inside)
    return out


def _mib(n: int) -> str:
    return f"{n / MIB:,.0f}"


def _gib(n: int) -> str:
    return f"{n / GIB:.2f} GiB"


def report(run: Run, stages: list[Stage], target: str | None, out=sys.stdout) -> None:
    """The stage table, the totals and the targets."""
    width = max([len(s.name) for s in stages] + [len("stage")])
    print(f"{'stage':<{width}}  {'seconds':>8}  {'peak RSS MiB':>12}  {'children MiB':>12}", file=out)
    for s in stages:
        print(f"{s.name:<{width}}  {s.end - s.start:8.1f}  {_mib(s.peak):>12}  {_mib(s.peak_children):>12}", file=out)
    total = run.ended - run.started
    peak = max((s.total for s in run.samples), default=0)
    at = max((s for s in stages if s.level == 0), key=lambda s: s.peak).name if stages else "-"
    print(f"total wall time: {total:.1f} s", file=out)
    print(f"peak RSS (process tree, sum): {_gib(peak)} during {at}", file=out)
    largest = max((s.largest_child for s in run.samples if s.largest_child), key=lambda c: c[1], default=None)
    if largest:
        print(f"largest child process: {largest[0]}, {_gib(largest[1])}", file=out)
    print(f"largest single process (kernel high-water mark): {_gib(run.max_single)}", file=out)
    print("targets: national build <= 60 s and <= 4.00 GiB peak RSS; demo build <= 5 s", file=out)
    if target in TARGETS:
        seconds, memory = TARGETS[target]
        verdict = [f"time {'met' if total <= seconds else 'missed'} ({total:.1f} s, target {seconds:.0f} s)"]
        if memory:
            verdict.append(f"memory {'met' if peak <= memory else 'missed'} ({_gib(peak)}, target {_gib(memory)})")
        print(f"verdict ({target}): " + ", ".join(verdict), file=out)
    else:
        print("verdict: none (not an input of a target size)", file=out)


def _folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.iterdir() if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--inputs", type=Path, help="folder with the inputs of the build")
    src.add_argument("--scale", help="generate a fictional country first: 'national' or a scale such as 0.05")
    src.add_argument("--demo", action="store_true", help="generate the regional demo first (wz demo)")
    p.add_argument("--out", type=Path, default=None, help="where the build goes (default: a temporary folder, removed)")
    p.add_argument("--interval", type=float, default=0.05, help="seconds between RSS samples (default 0.05)")
    p.add_argument("--timeout", type=float, default=None, help="stop the build (SIGTERM) after this many seconds")
    p.add_argument("--target", choices=("national", "demo", "none"), default=None,
                   help="which target to judge by (default: demo for --demo, national for --inputs and "
                        "--scale national, none for a smaller scale)")
    p.add_argument("--quiet", action="store_true", help="no live progress on stderr")
    args = p.parse_args(argv)

    wz = wz_command()
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    live = None if args.quiet else (lambda t, line: print(f"  {t:7.1f} s  {line}", file=sys.stderr, flush=True))
    try:
        target = args.target
        if args.inputs:
            inputs = args.inputs
            target = target or "national"
        else:
            inputs = work / "inputs"
            cmd = [*wz, "demo", "--out", str(inputs)] + ([] if args.demo else ["--scale", args.scale])
            gen = run_monitored(cmd, args.interval, echo=live)
            if gen.returncode != 0:
                print(f"generating the input failed (exit code {gen.returncode}):\n{gen.stderr}", file=sys.stderr)
                return 1
            print(f"input generated in {gen.ended - gen.started:.1f} s, peak RSS "
                  f"{_gib(max((s.total for s in gen.samples), default=0))} ({' '.join(cmd[len(wz):])})")
            if target is None:
                target = "demo" if args.demo else (
                    "national" if args.scale.strip().lower() in ("national", "nationaal", "land", "1", "1.0")
                    else "none")
        n_files, size = _folder_size(inputs)
        out = args.out or work / "build"
        print(f"build benchmark: inputs {inputs} ({n_files} files, {size / MIB:,.0f} MiB), "
              f"RSS of the process tree every {args.interval * 1000:.0f} ms")
        run = run_monitored([*wz, "build", "--inputs", str(inputs), "--out", str(out)], args.interval,
                            timeout=args.timeout, echo=live)
        stages = stages_of(run)
        report(run, stages, None if target == "none" else target)
        notes = [line for _, line in run.lines if line.startswith("Let op: ")]
        print(f"notes of the build (Let op): {len(notes)}")
        for line in notes[:10]:
            print(f"  {line[:300]}")
        if run.returncode != 0 or run.timed_out:
            failed = [s for s in stages if s.level == 0 and s.name != EXIT]
            where = failed[-1].name if failed else START_UP
            why = f"timed out after {args.timeout:.0f} s" if run.timed_out else f"failed (exit code {run.returncode})"
            print(f"build {why} during stage: {where}")
            tail = "\n".join(run.stderr.strip().splitlines()[-40:])
            if tail:
                print("stderr (last lines):\n" + tail)
            return 1
        print("build exit code: 0")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
