"""scripts/bench_geocode.py runs on a tiny synthetic set and prints its figures in the expected shape."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_geocode.py"
STEPS = ["PC6 table to arrays", "postcodes as text", "normalise postcodes", "look up PC6 / PC4",
         "normalise + lookup", "geocode_locations (all)", "geocode_report"]
OUTCOMES = {"PC6", "PC4 (benadering)", "postcode onbekend", "ongeldige postcode", "geen postcode"}


def run(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return run("--records", "3000", "--pc6", "900", "--repeat", "2")


def test_header_names_the_sizes(lines):
    assert lines[0] == "geocoding benchmark: 3000 records, 900 PC6 postcodes, best of 2 runs"


def test_outcomes_cover_every_record(lines):
    m = re.fullmatch(r"outcomes: (.*)", lines[1])
    assert m
    counts = dict(re.fullmatch(r"(.+) (\d+)", part).groups() for part in m.group(1).split(", "))
    assert set(counts) == OUTCOMES  # the synthetic postcodes reach every outcome
    assert sum(int(v) for v in counts.values()) == 3000


def test_one_time_per_step(lines):
    times = {}
    for line in lines[2:2 + len(STEPS)]:
        m = re.fullmatch(r"(.+):\s+(\d+\.\d) ms  \(cpu \d+\.\d ms\)", line)
        assert m, line
        times[m.group(1)] = float(m.group(2))
    assert list(times) == STEPS
    # normalise + lookup is the sum of the four steps before it (each rounded to 0.1 ms)
    assert times["normalise + lookup"] == pytest.approx(sum(times[s] for s in STEPS[:4]), abs=0.25)


def test_rates_in_records_per_second(lines):
    rest = lines[2 + len(STEPS):]
    assert re.fullmatch(r"normalise \+ lookup: \d{1,3}(,\d{3})* records/s \((meets|misses) the target of "
                        r"1,000,000 records/s\)", rest[0]), rest[0]
    assert re.fullmatch(r"geocode_locations: \d{1,3}(,\d{3})* records/s", rest[1]), rest[1]
    assert re.fullmatch(r"load average \d+\.\d on \d+ cores \(wall-clock times grow with it\)", rest[2]), rest[2]
    assert len(rest) == 3


def test_same_data_every_run(lines):
    # the seed fixes the data: the outcome counts do not change between runs
    assert run("--records", "3000", "--pc6", "900", "--repeat", "1")[1] == lines[1]
