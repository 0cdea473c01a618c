"""The gebiedsanalyse (session pack): figures read back out of the HTML and compared with the build's
public table and layers (plain pandas), offline loading, the PDF, the reading, the CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest

from layers.gebiedsanalyse import comparable_gemeenten, open_public_build, ranked_variants, reading
from server.cli import main

CODES = ("GM9902", "GM9905")  # Brammelo (the largest) and Fennewijk (a small gemeente with suppressed groups)


class Tables(HTMLParser):
    """Every table of a document by id: rows of (cell text, cell attributes); and every element id."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, dict]]]] = {}
        self.ids: set[str] = set()
        self._table = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "table":
            self._table = self.tables.setdefault(a.get("id", f"t{len(self.tables)}"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
            self._row_attrs = a
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ["", {**a, **{f"rij-{k}": v for k, v in self._row_attrs.items()}}]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append((" ".join(self._cell[0].split()), self._cell[1]))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data


def half_up(x: float, decimals: int = 0) -> float:
    """Rounded as the pack and the API round: halves away from zero (Python's round() rounds them to even)."""
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(round(float(x), 9))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def dutch(text: str) -> float | None:
    """A number as the pack writes it (``1.234``, ``-5``, ``9,7%``); None for the dash of an empty value."""
    t = text.strip().rstrip("%").strip()
    if t in ("–", ""):
        return None
    return float(t.replace(".", "").replace(",", "."))


@pytest.fixture(scope="module")
def packs(demo_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("rapporten")
    assert main(["report", "--all", "--build", str(demo_build), "--out", str(out)]) == 0
    return out


def pack_html(packs: Path, code: str) -> str:
    (page,) = packs.glob(f"{code}-*.html")
    return page.read_text(encoding="utf-8")


def public_forecast(demo_build) -> pd.DataFrame:
    return pd.read_csv(demo_build / "prognose_tekort.csv", sep=";", decimal=",", encoding="utf-8-sig")


@pytest.mark.parametrize("code", CODES)
def test_gap_table_equals_the_public_forecast(packs, demo_build, code):
    t = Tables()
    t.feed(pack_html(packs, code))
    table = public_forecast(demo_build)
    cat = json.loads((demo_build / "catalog.json").read_text())
    groups = [g["id"] for g in cat["forecast"]["groups"]]
    rows = [r for r in t.tables["tekort-tabel"] if r and "rij-data-vraag" in r[0][1]]
    assert len(rows) == 3 * 4
    for r in rows:
        vraag, lv = r[0][1]["rij-data-vraag"], int(r[0][1]["rij-data-levering"])
        sel = table[(table.gemeentecode == code) & (table.jaar == 2040) & (table.vraagscenario == vraag)
                    & (table.leveringsvormscenario == lv)].set_index("groep_id")
        values = [dutch(c[0]) for c in r[2:2 + len(groups)]]
        assert values == [half_up(sel.at[g, "tekort"]) for g in groups]
        assert dutch(r[2 + len(groups)][0]) == half_up(sel["tekort"].sum())
        reg = table[(table.gemeentecode == "regio") & (table.jaar == 2040) & (table.vraagscenario == vraag)
                    & (table.leveringsvormscenario == lv)]
        assert dutch(r[3 + len(groups)][0]) == half_up(reg["tekort"].sum())


@pytest.mark.parametrize("code", CODES)
def test_key_figures_and_new_clients_equal_the_layers(packs, demo_build, code):
    t = Tables()
    t.feed(pack_html(packs, code))
    gem = pyogrio.read_dataframe(demo_build / "wonenzorg.gpkg", layer="gemeenten").set_index("gemeentecode")
    found = {}
    for table in t.tables.values():
        for r in table:
            for text, attrs in r:
                if "data-veld" in attrs:
                    found[attrs["data-veld"]] = text
    assert dutch(found["inwoners"]) == gem.at[code, "inwoners"]
    assert dutch(found["aandeel_75plus"]) == half_up(gem.at[code, "aandeel_75plus"], 1)
    assert found["stedelijkheid_label"] == gem.at[code, "stedelijkheid_label"]
    v = gem.at[code, "groei_toewijzingen"]
    assert dutch(found["groei_toewijzingen"]) == (None if pd.isna(v) else half_up(v, 1))
    # new clients: clients ZZP 4-8 of the public forecast (midden, scenario 1) minus those of 2023
    table = public_forecast(demo_build)
    sel = table[(table.gemeentecode == code) & (table.leveringsvormscenario == 1) & (table.groep_id != "overig")]
    for r in t.tables["nieuwe-clienten"][1:]:
        year = int(r[0][0])
        for col, scen in zip(r[1:], ("min", "midden", "max")):
            expected = sel[(sel.jaar == year) & (sel.vraagscenario == scen)]["clienten_totaal"].sum() \
                - gem.at[code, "vv_clienten"]
            assert dutch(col[0]) == half_up(expected)


def test_extra_places_leave_out_the_suppressed_groups(packs, demo_build):
    """Fennewijk's small groups have no published counts of today: the extra places add up the others only."""
    code = "GM9905"
    t = Tables()
    t.feed(pack_html(packs, code))
    table = public_forecast(demo_build)
    for r in t.tables["extra-plaatsen"][1:]:
        lv, year = int(r[0][0].split()[-1]), int(r[1][0])
        sel = table[(table.gemeentecode == code) & (table.jaar == year) & (table.vraagscenario == "midden")
                    & (table.leveringsvormscenario == lv)]
        shown = sel.dropna(subset=["extra_thuis"])
        assert dutch(r[2][0]) == (half_up(shown["extra_thuis"].sum()) if len(shown) else None)
        left_out = set(sel[sel.extra_thuis.isna()]["zzp_groep"])
        assert set(filter(None, (x.strip() for x in r[4][0].split(",")))) == left_out


def test_the_pack_rests_on_public_files_only(demo_build, tmp_path):
    """A copy of the build without its confidential files gives the very same packs."""
    from layers.report_html import render_pack

    public = tmp_path / "kopie-zonder-intern-9f3"
    shutil.copytree(demo_build, public)
    for name in ("wonenzorg_intern.gpkg", "prognose_tekort_intern.csv", "rapport_intern.json",
                 "tiles/locaties_intern.pmtiles"):
        (public / name).unlink()
    for code in CODES:
        a = render_pack(open_public_build(demo_build), code).html
        b = render_pack(open_public_build(public), code).html
        assert a.replace(demo_build.resolve().name, "") == b.replace(public.name, "")


def test_pack_loads_offline_from_file_without_requests(packs):
    pw = pytest.importorskip("playwright.sync_api")
    page_path = next(packs.glob("GM9902-*.html"))
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium",
                              args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = b.new_page()
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(page_path.as_uri())
        page.wait_for_timeout(800)
        frame = page.frames[1]  # the interactive map
        assert frame.locator(".leaflet-container").count() == 1
        assert frame.locator("path.leaflet-interactive").count() > 3
        page.screenshot(path=str(packs / "scherm.png"), full_page=True)
        b.close()
    outside = [u for u in requests if not u.startswith(("file:", "data:", "about:", "blob:"))]
    assert not outside and not errors


def test_pdf_pages_fonts_and_text(packs):
    pdf = next(packs.glob("GM9902-*.pdf"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 9 <= pages <= 14  # title, map, key figures, forecast, gap, housing, variants, locations, leeswijzer
    assert "A4" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # every font embedded
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Brammelo" in text and "Tekort aan plaatsen" in text


def test_pdf_text_holds_the_gap_totals(packs, demo_build):
    table = public_forecast(demo_build)
    head = table[(table.gemeentecode == "GM9902") & (table.jaar == 2040) & (table.vraagscenario == "midden")]
    pdf = next(packs.glob("GM9902-*.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for lv in (1, 2, 3, 4):
        total = int(half_up(head[head.leveringsvormscenario == lv]["tekort"].sum()))
        assert f"{total:,}".replace(",", ".") in text


def test_pdf_pages_look_right(packs):
    """Render the pages (pdftoppm) for a look; the map page has colour, the title page the name."""
    from PIL import Image

    pdf = next(packs.glob("GM9902-*.pdf"))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(packs / "pagina")], check=True)
    pages = sorted(packs.glob("pagina-*.png"))
    assert len(pages) >= 9
    colours = Image.open(pages[1]).convert("RGB").getcolors(1 << 20)
    assert len(colours) > 50  # the map page is a map, not a blank page


def test_reading_changes_with_the_numbers(demo_build):
    from layers.gebiedsanalyse import gemeente_pack

    build = open_public_build(demo_build)
    p = gemeente_pack(build, "GM9902")
    before = reading(p)
    key = (p["headline"]["vraag"], p["headline"]["levering"])
    gap = list(p["tekort"][key])
    k = int(np.argmax(gap))
    assert p["groepen"][k]["label"] in before[0]
    # make another group the largest: the reading names it and the new total
    other = (k + 1) % len(gap)
    gap[other] = gap[k] + 100
    p["tekort"][key] = gap
    after = reading(p)
    assert after != before and p["groepen"][other]["label"] in after[0]
    assert f"{int(half_up(sum(gap))):,}".replace(",", ".") in after[0]
    # no shortage at all: it says so
    p["tekort"][key] = [-5.0] * len(gap)
    assert "geen plaatsen tekort" in reading(p)[0]


def test_misspelt_gemeente_gets_the_closest_names(demo_build, tmp_path, capsys):
    assert main(["report", "Bramelo", "--build", str(demo_build), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Bramelo" in err and "'Brammelo'" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())
    # any case and accents: found
    assert main(["report", "BRÄMMELO", "--build", str(demo_build), "--out", str(tmp_path), "--geen-pdf"]) == 0
    assert list(tmp_path.glob("GM9902-*.html"))


def test_all_writes_a_pack_per_gemeente_and_an_index_linking_them(packs, demo_build):
    gem = pyogrio.read_dataframe(demo_build / "wonenzorg.gpkg", layer="gemeenten")
    html = sorted(packs.glob("GM*.html"))
    pdf = sorted(packs.glob("GM*.pdf"))
    assert len(html) == len(pdf) == len(gem)
    t = Tables()
    index = (packs / "index.html").read_text(encoding="utf-8")
    t.feed(index)
    links = set(re.findall(r'href="([^"]+\.html)"', index))
    assert links == {p.name for p in html}
    # status and next step from sessies.csv, the gap from the public table
    sessions = {r["gemeentecode"]: r for r in json.loads((demo_build / "sessies.json").read_text())["sessies"]}
    table = public_forecast(demo_build)
    head = table[(table.jaar == 2040) & (table.vraagscenario == "midden") & (table.leveringsvormscenario == 1)]
    rows = [r for r in t.tables["programma"] if r and r[0][1].get("rij-data-code")]
    assert len(rows) == len(gem)
    for r in rows:
        code = r[0][1]["rij-data-code"]
        assert r[1][0] == (sessions[code]["status"] if code in sessions else "nog niet gestart")
        assert dutch(r[5][0]) == half_up(head[head.gemeentecode == code]["tekort"].sum())


def test_comparable_gemeenten_and_variants_by_hand():
    g = pd.DataFrame({"gemeentecode": ["A", "B", "C", "D", "E"], "inwoners": [10000, 11000, 90000, 9500, 10500],
                      "oad": [600, 650, 2400, 580, 1900], "aandeel_75plus": [10.0, 10.2, 6.5, 9.9, 7.0]})
    # B and D are close to A in all three; E is as large but urban and young; C is far in everything
    assert comparable_gemeenten(g, "A", 2) == ["D", "B"] or comparable_gemeenten(g, "A", 2) == ["B", "D"]
    assert comparable_gemeenten(g, "A", 4)[-1] == "C"

    class B:
        variants = pd.DataFrame({"nummer": ["1", "2", "3"], "variant": ["a", "b", "c"], "partijen": ["", "", ""],
                                 "zzp4": ["x", "", "x"], "zzp5_7": ["", "x", "x"], "zzp6_8": ["x", "", "x"]})

    # shortage only in ZZP 5-7 (50): b and c suit it; c suits more but weighs the same; b comes first? no:
    # weights: a 0+0 = 0, b 50, c 0+50+0 = 50 -> b and c tie (table order), a last
    order = [v["variant"] for v in ranked_variants(B, [0.0, 50.0, -10.0, 3.0], ["zzp4", "zzp5_7", "zzp6_8", "overig"])]
    assert order == ["b", "c", "a"]
    # shortage in ZZP 4 (20) and 6-8 (30): c (50) before a (50, ties by number: a is 1) -> a, c, b
    order = [v["variant"] for v in ranked_variants(B, [20.0, 0.0, 30.0, 0.0], ["zzp4", "zzp5_7", "zzp6_8", "overig"])]
    assert order == ["a", "c", "b"]


# --- the server hands out the same packs ---------------------------------------------------------------

@pytest.fixture(scope="module")
def served(demo_build, tmp_path_factory):
    from fastapi.testclient import TestClient

    from server.app import create_app
    from server.settings import ServerSettings

    cache = tmp_path_factory.mktemp("rapportcache")
    with TestClient(create_app(ServerSettings(build_dir=demo_build, report_cache=cache))) as c:
        yield c, cache


def test_server_serves_the_pack_with_its_own_policy(served, packs):
    client, cache = served
    r = client.get("/api/gemeenten/GM9902/report")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    policy = r.headers["content-security-policy"]
    assert "'sha256-" in policy and "'unsafe-inline'" not in policy.split("style-src-attr")[0]
    assert "connect-src 'none'" in policy
    # the very figures of the file wz report wrote (only the link to the index differs)
    t_served, t_file = Tables(), Tables()
    t_served.feed(r.text)
    t_file.feed(pack_html(packs, "GM9902"))
    assert t_served.tables == t_file.tables
    # made once, then kept outside the build
    assert len(list(cache.rglob("GM9902.html"))) == 1


def test_server_pdf_and_index(served, demo_build):
    client, cache = served
    pdf = client.get("/api/gemeenten/GM9905/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "gebiedsanalyse-GM9905" in pdf.headers["content-disposition"]
    (cached,) = cache.rglob("GM9905.pdf")
    stamp = cached.stat().st_mtime_ns
    assert client.get("/api/gemeenten/GM9905/report.pdf").content == pdf.content
    assert cached.stat().st_mtime_ns == stamp  # the second answer came from the cache
    index = client.get("/api/rapporten")
    assert index.status_code == 200
    gem = pyogrio.read_dataframe(demo_build / "wonenzorg.gpkg", layer="gemeenten")
    assert set(re.findall(r'href="(/api/gemeenten/GM\d{4}/report)"', index.text)) == {
        f"/api/gemeenten/{c}/report" for c in gem["gemeentecode"]}
    # the build itself is untouched: still exactly what its manifest says
    from server.integrity import verify_build

    verify_build(demo_build)
    assert not any(p.name.endswith((".pdf", ".csp")) for p in Path(demo_build).rglob("*"))


def test_server_report_errors_in_dutch(served):
    client, _ = served
    r = client.get("/api/gemeenten/GM0001/report")
    assert r.status_code == 404 and "komt niet voor" in r.json()["detail"]
    r = client.get("/api/gemeenten/brammelo/report.pdf")
    assert r.status_code == 400 and "GM0344" in r.json()["detail"]


@pytest.mark.browser
def test_served_pack_loads_without_requests_leaving_the_machine(live_server):
    pw = pytest.importorskip("playwright.sync_api")
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium",
                              args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = b.new_page()
        requests, problems = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.goto(live_server + "/api/gemeenten/GM9902/report")
        page.wait_for_timeout(1000)
        assert page.frames[1].locator("path.leaflet-interactive").count() > 3  # the map ran under the policy
        b.close()
    assert all(u.startswith(live_server) or u.startswith(("data:", "about:")) for u in requests), requests
    assert not problems


@pytest.mark.parametrize("code", CODES)
def test_pack_figures_equal_the_apis(packs, served, code):
    """The headline gap per group and the key figures in the pack are the API's numbers."""
    client, _ = served
    api = client.get(f"/api/gemeenten/{code}").json()
    t = Tables()
    t.feed(pack_html(packs, code))
    head = api["scenario"]
    row = next(r for r in t.tables["tekort-tabel"] if r and r[0][1].get("rij-data-vraag") == head["vraag"]
               and int(r[0][1]["rij-data-levering"]) == head["levering"])
    groups = api["prognose"]["tekort"]
    assert [dutch(c[0]) for c in row[2:2 + len(groups)]] == groups
    assert dutch(row[2 + len(groups)][0]) == api["prognose"]["tekort_totaal"]
    found = {attrs["data-veld"]: text for table in t.tables.values() for r in table for text, attrs in r
             if "data-veld" in attrs}
    for ind in api["indicatoren"]:
        if ind["field"] in found and isinstance(ind["value"], (int, float)):
            decimals = 1 if ind["field"] in ("aandeel_75plus", "groei_toewijzingen") else 0
            assert dutch(found[ind["field"]]) == half_up(ind["value"], decimals), ind["field"]
