"""Measure the viewer against its targets: first choropleth, bytes before it, redraw after a change.

Starts ``wz serve`` on a build (a fresh demo build in a temporary folder when none is given), opens
the viewer in headless Chromium with an empty cache several times and prints

* the time from navigation to the ``wz:first-choropleth`` performance mark (target 1 s),
* the bytes transferred before that mark: headers and (compressed) bodies of every request of the
  page and its workers that finished before it (target 600 KB),
* the time from a change of year, of scenario, and of sector to the ``wz:redraw`` mark (target
  200 ms), with the gap map (an indicator that follows year and scenario) on screen; a change of
  sector shows another layer (``zorg_<sector>``); the first visit of each sector (its layer's colours
  set, its tiles parsed again by MapLibre) is reported apart,

as medians with their range. The marks are set by the viewer (docs/viewer-api.md, item 8).

    .venv/bin/python scripts/bench_viewer.py [--build data/build] [--runs 5] [--changes 12]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WZ = str(Path(sys.executable).parent / "wz")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGETS = {"first": 1000.0, "bytes": 600 * 1024, "redraw": 200.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_build(folder: Path) -> Path:
    print(f"demo build in {folder} ...", flush=True)
    subprocess.run([WZ, "demo", "--out", str(folder / "demo")], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([WZ, "build", "--inputs", str(folder / "demo"), "--out", str(folder / "build")], check=True,
                   stdout=subprocess.DEVNULL)
    return folder / "build"


def serve(build: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([WZ, "serve", "--build", str(build), "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("wz serve did not answer /health within 60 s")


def first_load(browser, url: str, viewport: dict) -> dict:
    """One visit with an empty cache: ms to the first choropleth and the bytes before it."""
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda req: finished.append(req))
    page.goto(url + "/")
    page.wait_for_function("() => performance.getEntriesByName('wz:first-choropleth').length > 0", timeout=60_000)
    page.wait_for_selector('body[data-ready="1"]', state="attached", timeout=60_000)
    origin = page.evaluate("() => performance.timeOrigin")
    mark = page.evaluate("() => performance.getEntriesByName('wz:first-choropleth')[0].startTime")
    before, total, count = 0, 0, 0
    for req in finished:
        sizes, timing = req.sizes(), req.timing
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total += size
        end = timing["startTime"] + timing["responseEnd"] - origin
        if end <= mark:
            before += size
            count += 1
    context.close()
    return {"first": mark, "bytes": before, "requests": count, "all_bytes": total}


#: change a control as a user does (an input or change event), then wait for the next wz:redraw mark
CHANGE = """async ([selector, value]) => {
    const el = document.querySelector(selector);
    const marks = performance.getEntriesByName('wz:redraw').length;
    const t0 = performance.now();
    if (el.type === 'range') { el.value = String(value); el.dispatchEvent(new Event('input', {bubbles: true})); }
    else { el.checked = true; el.dispatchEvent(new Event('change', {bubbles: true})); }
    while (performance.getEntriesByName('wz:redraw').length === marks) {
        await new Promise(r => setTimeout(r, 2));
        if (performance.now() - t0 > 10000) { return null; }
    }
    return performance.getEntriesByName('wz:redraw')[marks].startTime - t0;
}"""


def redraws(browser, url: str, viewport: dict, catalog: dict, changes: int) -> dict:
    """Redraw times after changes of year and of scenario, each pair asked of the server once, and
    after changes of sector (in turn through the catalog's sectors, same year and scenario)."""
    fc = catalog["forecast"]
    # the gap map: for a build with sectors, an indicator of the sectors (it changes with the sector)
    theme, ind = next((t, i) for t in catalog["themes"] for i in t["indicators"]
                      if i.get("forecast") and (i.get("per_sector") or not catalog.get("sectors")))
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{url}/#thema={theme['id']}&indicator={ind['id']}")
    page.wait_for_selector('body[data-ready="1"]', state="attached", timeout=60_000)
    years, out = fc["years"], {"year": [], "scenario": [], "sector": [], "sector_first": []}
    for k in range(changes):                       # another year, the scenarios as they are
        out["year"].append(page.evaluate(CHANGE, ["#jaar", (len(years) - 2 - k) % len(years)]))
    # another demand or leveringsvorm scenario (in turn), same year: always a pair not drawn before
    vraag = [d["id"] for d in fc["demand_scenarios"]]
    levering = [d["id"] for d in fc["leveringsvorm_scenarios"]]
    state = page.evaluate("() => ({...window.wzViewer.state})")
    v, l = vraag.index(state["vraag"]), levering.index(state["levering"])
    for k in range(changes):
        if k % 2 == 0:
            v = (v + 1) % len(vraag)
            which = f"#vraag-{vraag[v]}"
        else:
            l = (l + 1) % len(levering)
            which = f"#levering-{levering[l]}"
        out["scenario"].append(page.evaluate(CHANGE, [which, None]))
    sectors = [s["id"] for s in catalog.get("sectors", [])]
    if len(sectors) > 1:
        k = sectors.index(page.evaluate("() => window.wzViewer.state.sector"))
        seen = {sectors[k]}
        for _ in range(changes):
            k = (k + 1) % len(sectors)
            ms = page.evaluate(CHANGE, [f"#sector-{sectors[k]}", None])
            out["sector_first" if sectors[k] not in seen else "sector"].append(ms)
            seen.add(sectors[k])
    context.close()
    return {k: [v for v in vals if v is not None] for k, vals in out.items()}


def line(name: str, values: list[float], target: float, unit: str, scale: float = 1.0) -> str:
    if not values:
        return f"{name:<38} no measurement"
    med = statistics.median(values)
    ok = "ok" if med <= target else "OVER TARGET"
    f = (lambda v: f"{v / scale:,.0f}") if scale != 1 else (lambda v: f"{v:,.0f}")
    return (f"{name:<38} median {f(med):>7} {unit:<3} (min {f(min(values))}, max {f(max(values))}, n={len(values)})"
            f"   target {f(target)} {unit}: {ok}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, help="a build folder (default: a fresh demo build)")
    parser.add_argument("--runs", type=int, default=5, help="visits with an empty cache (default 5)")
    parser.add_argument("--changes", type=int, default=12, help="changes of year and of scenario (default 12)")
    parser.add_argument("--chromium", default=os.environ.get("WZ_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="wz-bench-") as tmp:
        build = args.build or demo_build(Path(tmp))
        proc, url = serve(build)
        try:
            catalog = json.loads(urllib.request.urlopen(url + "/api/catalog", timeout=10).read())
            viewport = {"width": args.width, "height": args.height}
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
                try:
                    first_load(browser, url, viewport)          # warms the server's caches, not counted
                    loads = [first_load(browser, url, viewport) for _ in range(args.runs)]
                    changes = redraws(browser, url, viewport, catalog, args.changes)
                finally:
                    browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"\nviewer benchmark: {url} on {build}, {args.width}x{args.height}, "
          f"headless Chromium, empty cache per visit")
    print(line("navigation -> wz:first-choropleth", [r["first"] for r in loads], TARGETS["first"], "ms"))
    print(line("transferred before the first map", [r["bytes"] for r in loads], TARGETS["bytes"], "KB", 1024))
    print(f"{'':<38} ({statistics.median(r['requests'] for r in loads):.0f} requests; "
          f"{statistics.median(r['all_bytes'] for r in loads) / 1024:,.0f} KB once everything is loaded)")
    print(line("change of year -> wz:redraw", changes["year"], TARGETS["redraw"], "ms"))
    print(line("change of scenario -> wz:redraw", changes["scenario"], TARGETS["redraw"], "ms"))
    if changes["sector"] or changes["sector_first"]:
        print(line("change of sector -> wz:redraw", changes["sector"], TARGETS["redraw"], "ms"))
        print(line("  (first visit of a sector)", changes["sector_first"], TARGETS["redraw"], "ms"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
