"""The fictional country of the benchmarks (``wz demo --scale``) and ``scripts/bench_build.py``.

A tiny country (scale 0.02: 20 gemeenten, ~160,000 addresses) is generated twice (same bytes),
read by ``read_inputs`` without a single note, and built once by the benchmark script, whose
output must have the expected shape (every stage a row, totals, peak, targets), not particular
values.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.demo_national import (FIRST_CODE, MIN_GEMEENTEN, generate_national, parse_scale,
                               write_national)
from geo.io import read_inputs
from tests.conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench_build.py"
SCALE = "0.02"
ROW = re.compile(r"^(?P<stage>.+?)\s+(?P<seconds>\d+\.\d)\s+(?P<peak>[\d,]+)\s+(?P<children>[\d,]+)$")

sys.path.insert(0, str(ROOT / "scripts"))
import bench_build  # noqa: E402


def wz(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demoland") / "invoer"
    done = wz("demo", "--scale", SCALE, "--out", str(folder))
    assert done.returncode == 0, done.stderr
    assert f"{MIN_GEMEENTEN} gemeenten" in done.stdout
    return folder


@pytest.fixture(scope="module")
def tiny_inputs(tiny):
    return read_inputs(tiny)


# --- the generated input ---------------------------------------------------------

def test_same_bytes_every_run(tiny, tmp_path):
    done = wz("demo", "--scale", SCALE, "--out", str(tmp_path / "again"))
    assert done.returncode == 0, done.stderr
    assert digests(tmp_path / "again") == digests(tiny)


def test_every_table_is_what_pandas_would_write(tmp_path):
    """write_national (columnar CSV writer) gives, table by table, the bytes of pandas' to_csv."""
    region = generate_national(float(SCALE))
    write_national(region, tmp_path)
    for name, df in (("adressen.csv", region.addresses), ("pc6.csv", region.pc6), ("bevolking.csv", region.population),
                     ("bevolkingsprognose.csv", region.projection), ("wlz_clienten.csv", region.clients),
                     ("zorglocaties.csv", region.locations)):
        expected = df.to_csv(sep=";", index=False, lineterminator="\n", float_format="%.1f").encode("utf-8")
        assert (tmp_path / name).read_bytes() == expected, name


def test_read_inputs_accepts_it_without_notes(tiny_inputs):
    inp = tiny_inputs
    assert inp.notes == [] and inp.internal_notes == []
    assert len(inp.gemeenten) == MIN_GEMEENTEN
    assert inp.gemeenten["statcode"].str.fullmatch(r"GM9\d{3}").all()
    assert 3 * MIN_GEMEENTEN <= len(inp.wijken) <= 99 * MIN_GEMEENTEN
    assert set(inp.clients["sector"]) == {"vv", "gz", "ggz"}
    assert inp.locations["sector"].nunique() == 3 and inp.locations["locatie_id"].is_unique
    assert set(inp.clients["sector_aanbieder"]) == {"vv", "gz", "ggz"}  # provider segments, normalised


def test_plausible_magnitudes(tiny_inputs):
    inp = tiny_inputs
    pop = inp.population[(inp.population["jaar"] == 2023) & inp.population["regiocode"].str.startswith("GM")]
    inhabitants = pop["inwoners"].sum()
    over_75 = pop.loc[pop["leeftijd_van"] >= 75, "inwoners"].sum()
    assert 0.07 <= over_75 / inhabitants <= 0.12
    c = inp.clients[inp.clients["jaar"] == 2023]
    vv = c[(c["sector"] == "vv") & c["zorgprofiel"].isin(["VV4", "VV5", "VV6", "VV7", "VV8"])]["aantal_clienten"].sum()
    gz = c.loc[c["sector"] == "gz", "aantal_clienten"].sum()
    ggz = c.loc[c["sector"] == "ggz", "aantal_clienten"].sum()
    assert 90 <= 1000 * vv / over_75 <= 160          # V&V ~120 per 1,000 inhabitants aged 75+
    assert 4 <= 1000 * gz / inhabitants <= 9          # GZ ~6.5 per 1,000
    assert 9 <= 10_000 * ggz / inhabitants <= 22      # GGZ ~15 per 10,000
    # wijken add up to their gemeente
    wk = inp.population[inp.population["regiocode"].str.startswith("WK")]
    by_gm = wk.groupby(wk["regiocode"].str[2:6])["inwoners"].sum()
    gm = inp.population[inp.population["regiocode"].str.startswith("GM")]
    assert by_gm.sort_index().tolist() == gm.groupby(gm["regiocode"].str[2:6])["inwoners"].sum().sort_index().tolist()


def test_boundaries_tile_the_country(tiny):
    gem = gpd.read_file(tiny / "gemeenten.geojson")
    wijk = gpd.read_file(tiny / "wijken.geojson")
    assert gem.crs.to_epsg() == 28992 and gem.is_valid.all() and wijk.is_valid.all()
    union = gem.union_all()
    assert gem.area.sum() == pytest.approx(union.area, rel=1e-6)
    assert wijk.area.sum() == pytest.approx(union.area, rel=1e-6)
    x0, y0, x1, y1 = gem.total_bounds
    assert -7_000 <= x0 and x1 <= 300_000 and 289_000 <= y0 and y1 <= 629_000
    by_code = gem.set_index("statcode").geometry
    for code, geom in zip(wijk["statcode"], wijk.geometry):
        assert geom.difference(by_code["GM" + code[2:6]]).area < 0.01 * geom.length


def test_codes_and_names_cannot_collide_with_real_cbs_ones(tiny):
    gem = gpd.read_file(tiny / "gemeenten.geojson")
    assert gem["statcode"].tolist() == [f"GM{FIRST_CODE + k}" for k in range(len(gem))]
    real = SHARED_DATA / "cbs" / "gemeente_2023.geojson"
    if real.exists():
        feats = json.loads(real.read_text())["features"]
        assert not set(gem["statcode"]) & {f["properties"]["statcode"] for f in feats}
        assert not set(gem["statnaam"]) & {f["properties"]["statnaam"] for f in feats}


def test_scale_argument(tmp_path, capsys):
    from server.cli import main

    assert parse_scale("national") == 1.0 and parse_scale("0,05") == 0.05
    assert main(["demo", "--scale", "2", "--out", str(tmp_path / "x")]) == 2
    assert "schaal 2 ligt niet tussen 0 en 1" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


# --- the benchmark script ---------------------------------------------------------

def _run(lines, samples, ended):
    return bench_build.Run(started=0.0, ended=ended, returncode=0, lines=lines, samples=samples, stderr="",
                           timed_out=False, max_single=0)


def _table(stages):
    return [(s.name, round(s.end - s.start, 2), s.level, s.peak // 2**20, s.peak_children // 2**20) for s in stages]


def test_stages_from_progress_lines():
    """Seconds and peaks per stage and step from timestamped lines and samples (no process involved):
    steps that start something (an older build's tiling) and steps that report it finished (parallel tiling)."""
    S = bench_build.Sample
    samples = [S(t, round(t * 100) * 2**20, 2**20 if 4 <= t < 6 else 0, None)
               for t in (0.5, 1.5, 2.9, 3.5, 4.2, 4.6, 5.9, 6.2)]
    head = [(1.0, "[1] Invoer lezen en controleren ..."), (3.0, "[2] Geoverwerking: x ...")]
    tail = [(6.0, "Geocodering: 3 van 3"), (6.1, "Build klaar in 5.0 s: /x")]
    started = bench_build.stages_of(_run(head + [(4.0, "    (1/2) Vectortegels maken: a ..."),
                                                 (4.5, "    (2/2) Vectortegels maken: b ...")] + tail, samples, 6.5))
    assert _table(started) == [
        (bench_build.START_UP, 1.0, 0, 50, 0), ("[1] Invoer lezen en controleren", 2.0, 0, 290, 0),
        ("[2] Geoverwerking: x", 1.0, 0, 350, 0), ("Vectortegels maken", 2.0, 0, 590, 1),
        ("    (1/2) Vectortegels maken: a", 0.5, 1, 420, 1), ("    (2/2) Vectortegels maken: b", 1.5, 1, 590, 1),
        (bench_build.EXIT, 0.5, 0, 620, 0)]
    finished = bench_build.stages_of(_run(head + [(4.0, "[3] Vectortegels maken: 2 lagen, 2 tegelijk ..."),
                                                  (4.3, "    (1/2) Vectortegels klaar: a ..."),
                                                  (5.5, "    (2/2) Vectortegels klaar: b ...")] + tail, samples, 6.5))
    assert _table(finished) == [
        (bench_build.START_UP, 1.0, 0, 50, 0), ("[1] Invoer lezen en controleren", 2.0, 0, 290, 0),
        ("[2] Geoverwerking: x", 1.0, 0, 350, 0), ("[3] Vectortegels maken: 2 lagen, 2 tegelijk", 2.0, 0, 590, 1),
        ("    (1/2) Vectortegels klaar: a", 0.3, 1, 420, 1), ("    (2/2) Vectortegels klaar: b", 1.2, 1, 460, 1),
        (bench_build.EXIT, 0.5, 0, 620, 0)]


def test_bench_prints_every_stage_total_and_peak(tiny):
    done = subprocess.run([sys.executable, str(SCRIPT), "--inputs", str(tiny), "--quiet", "--target", "none"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout.splitlines()
    assert re.fullmatch(r"build benchmark: inputs .+ \(11 files, [\d,]+ MiB\), RSS of the process tree every 50 ms",
                        out[0]), out[0]
    assert re.fullmatch(r"stage\s+seconds\s+peak RSS MiB\s+children MiB", out[1]), out[1]
    rows = []
    for line in out[2:]:
        m = ROW.match(line)
        if not m:
            break
        rows.append(m)
    names = [m["stage"].strip() for m in rows]
    top = [m for m in rows if not m["stage"].startswith(" ")]
    assert names[0] == bench_build.START_UP and names[-1] == bench_build.EXIT
    stages = [n for n in names if n.startswith("[")]
    assert [int(re.match(r"\[(\d+)\]", n).group(1)) for n in stages] == list(range(1, len(stages) + 1))
    assert stages[0] == "[1] Invoer lezen en controleren" and stages[1].startswith("[2] Geoverwerking")
    steps = [re.fullmatch(r"\((\d+)/(\d+)\) Vectortegels (maken|klaar): (\w+)", m["stage"].strip())
             for m in rows if m["stage"].startswith(" ")]
    assert steps and all(steps)
    assert [int(s.group(1)) for s in steps] == list(range(1, int(steps[0].group(2)) + 1))
    assert {"gemeenten", "wijken", "zorg_vv", "zorg_gz", "zorg_ggz"} <= {s.group(4) for s in steps}
    rest = out[2 + len(rows):]
    total = float(re.fullmatch(r"total wall time: (\d+\.\d) s", rest[0]).group(1))
    # the stages add up to the total (each row rounded to 0.1 s); the steps are a breakdown of theirs
    assert sum(float(m["seconds"]) for m in top) == pytest.approx(total, abs=0.06 * len(top) + 0.1)
    peak = re.fullmatch(r"peak RSS \(process tree, sum\): (\d+\.\d\d) GiB during (.+)", rest[1])
    assert peak and peak.group(2) in names
    peaks = [int(m["peak"].replace(",", "")) for m in rows]
    # every stage was sampled, but the exit: `wz build` ends without teardown, often within one sample
    assert float(peak.group(1)) == pytest.approx(max(peaks) / 1024, abs=0.006)
    assert min(p for m, p in zip(rows, peaks) if m["stage"].strip() != bench_build.EXIT) > 0
    assert any(int(m["children"].replace(",", "")) > 0 for m in rows)  # tippecanoe was measured
    assert re.fullmatch(r"largest child process: .+, \d+\.\d\d GiB", rest[2]), rest[2]
    assert re.fullmatch(r"largest single process \(kernel high-water mark\): \d+\.\d\d GiB", rest[3]), rest[3]
    assert rest[4] == "targets: national build <= 60 s and <= 4.00 GiB peak RSS; demo build <= 5 s"
    assert rest[5] == "verdict: none (not an input of a target size)"
    assert rest[6] == "notes of the build (Let op): 0"
    assert rest[-1] == "build exit code: 0"


def test_bench_names_the_stage_of_a_failed_build(tmp_path):
    (tmp_path / "leeg").mkdir()
    done = subprocess.run([sys.executable, str(SCRIPT), "--inputs", str(tmp_path / "leeg"), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "build failed (exit code 2) during stage: [1] Invoer lezen en controleren" in done.stdout
    assert "Fout:" in done.stdout  # the build's own message, from its stderr
