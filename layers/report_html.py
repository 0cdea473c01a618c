"""HTML of the session pack and of its index: self-contained (inline CSS, SVG charts, an offline
folium map with Leaflet inlined from the installed npm package), A4 print layout.

``render_pack`` and ``render_index`` return the HTML and the SHA-256 sources of its inline scripts
and styles, so that a server can allow exactly those in its Content-Security-Policy.
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import charts
from .gebiedsanalyse import PublicBuild, gemeente_pack, join_nl, reading
from .spec import number_nl

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Leaflet from the viewer's npm packages (installed by ``make demo`` / ``make test``)
LEAFLET_DIST = Path(__file__).resolve().parent.parent / "static" / "node_modules" / "leaflet" / "dist"
NO_DATA = "#d9d9d9"


@dataclass
class Rendered:
    """An HTML document and the CSP sources (``'sha256-...'``) of its inline scripts and styles."""

    html: str
    script_hashes: list[str]
    style_hashes: list[str]


def _nl(value, decimals: int = 0, empty: str = "–") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return empty
    if isinstance(value, str):
        return value
    return number_nl(float(value), decimals)


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["nl"] = _nl
    env.filters["opsomming"] = join_nl
    return env


def legend_colour(legend: dict | None, value) -> str:
    """The colour of a value in a catalog legend (classes by range or categories)."""
    if legend is None or value is None or (isinstance(value, float) and value != value):
        return (legend or {}).get("no_data", {}).get("color", NO_DATA)
    for c in legend["classes"]:
        if "value" in c:
            if c["value"] == value:
                return c["color"]
        elif (c.get("min") is None or value >= c["min"]) and (c.get("max") is None or value < c["max"]):
            return c["color"]
    return legend.get("no_data", {}).get("color", NO_DATA)


def _sector_colours(build: PublicBuild) -> dict[str, str]:
    """The colour of each value of the locations' ``sector`` field (the locaties layer's legend)."""
    legend = build.legend("locaties", "sector") or {"classes": []}
    return {c["value"]: c["color"] for c in legend["classes"]}


def static_map(build: PublicBuild, code: str) -> str:
    """The map for print: the wijken as a choropleth of the 75+ share, the locations of every sector
    (colour and legend from the locaties layer), the neighbours in grey."""
    gem = build.gemeenten.set_index("gemeentecode")
    focus = gem.geometry[code]
    legend = build.legend("wijken", "aandeel_75plus")
    wijken = build.wijken[build.wijken["gemeentecode"] == code]
    areas = [(w.wijknaam, w.geometry, legend_colour(legend, w.aandeel_75plus),
              f"{w.wijknaam}: {_nl(w.aandeel_75plus, 1)}% 75-plussers") for w in wijken.itertuples()]
    near = gem[gem.geometry.intersects(focus.buffer(0.15 * max(focus.bounds[2] - focus.bounds[0],
                                                               focus.bounds[3] - focus.bounds[1])))]
    neighbours = [(r.gemeentenaam, r.geometry) for c, r in near.iterrows() if c != code]
    colours = _sector_colours(build)
    locs = build.locaties[build.locaties["gemeentecode"] == code]
    points = [(r.geometry.x, r.geometry.y, float(r.plaatsen_totaal), colours.get(r.sector, "#333"),
               f"{r.naam} ({r.sector}): {r.plaatsen_totaal} plaatsen") for r in locs.itertuples()]
    rows = [(None, "Aandeel 75-plussers")] + [(c["color"], c["label"]) for c in (legend or {}).get("classes", [])]
    sector_legend = build.legend("locaties", "sector") or {"classes": []}
    rows += [(None, ""), (None, sector_legend.get("title") or "Zorglocaties")]
    rows += [(c["color"], c.get("label") or c["value"]) for c in sector_legend["classes"]]
    return charts.area_map(focus, areas, neighbours, points, title=f"Kaart van {gem.at[code, 'gemeentenaam']}",
                           legend=rows)


def map_legend(build: PublicBuild) -> list[tuple[str, list[tuple[str, str]]]]:
    """The legends of the map as (title, [(colour, label)]): the wijken's 75+ share and the locations
    by sector (the locaties layer's legend), for the interactive map's caption."""
    wijk = build.legend("wijken", "aandeel_75plus") or {"classes": []}
    locs = build.legend("locaties", "sector") or {"classes": []}
    return [("Aandeel 75-plussers", [(c["color"], c["label"]) for c in wijk["classes"]]),
            (locs.get("title") or "Zorglocaties",
             [(c["color"], c.get("label") or c["value"]) for c in locs["classes"]])]


def interactive_map(build: PublicBuild, code: str) -> tuple[str, list[str], list[str]] | None:
    """The map on screen: a folium map (no base map, so it works offline) as a complete HTML document
    with Leaflet inlined, and the hashes of its inline scripts and styles; None when Leaflet is not
    installed."""
    import folium

    if not (LEAFLET_DIST / "leaflet.js").exists():
        return None

    class OfflineMap(folium.Map):
        default_js = [("leaflet", "LEAFLET_JS")]
        default_css = [("leaflet_css", "LEAFLET_CSS")]

    gem = build.gemeenten.to_crs(4326).set_index("gemeentecode")
    focus = gem.geometry[code]
    w, s, e, n = focus.bounds
    m = OfflineMap(location=[(s + n) / 2, (w + e) / 2], zoom_start=11, tiles=None, control_scale=True)
    near = gem[gem.geometry.intersects(focus.buffer(0.05))]
    folium.GeoJson(near.drop(index=code).reset_index()[["gemeentenaam", "geometry"]],
                   style_function=lambda f: {"fillColor": "#d9d9d9", "color": "#ffffff", "weight": 1,
                                             "fillOpacity": 0.9},
                   tooltip=folium.GeoJsonTooltip(["gemeentenaam"], aliases=["Gemeente"])).add_to(m)
    legend = build.legend("wijken", "aandeel_75plus")
    wijken = build.wijken.to_crs(4326)
    wijken = wijken[wijken["gemeentecode"] == code][["wijknaam", "aandeel_75plus", "geometry"]]
    folium.GeoJson(wijken, style_function=lambda f: {
        "fillColor": legend_colour(legend, f["properties"]["aandeel_75plus"]), "color": "#ffffff",
        "weight": 1, "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(["wijknaam", "aandeel_75plus"], aliases=["Wijk", "Aandeel 75+ (%)"],
                                      localize=True)).add_to(m)
    folium.GeoJson(gem.loc[[code]].reset_index()[["gemeentenaam", "geometry"]],
                   style_function=lambda f: {"fill": False, "color": "#222222", "weight": 2.5}).add_to(m)
    colours = _sector_colours(build)
    locs = build.locaties.to_crs(4326)
    for r in locs[locs["gemeentecode"] == code].itertuples():
        folium.CircleMarker([r.geometry.y, r.geometry.x], radius=4 + 8 * (max(r.plaatsen_totaal, 0) / 150) ** 0.5,
                            color="#ffffff", weight=1.5, fill=True, fill_color=colours.get(r.sector, "#333"),
                            fill_opacity=0.95,
                            tooltip=f"{r.naam} ({r.sector}): {r.plaatsen_totaal} plaatsen").add_to(m)
    m.fit_bounds([[s, w], [n, e]])
    doc = _stable_ids(m.get_root().render())
    js = (LEAFLET_DIST / "leaflet.js").read_text(encoding="utf-8")
    css = (LEAFLET_DIST / "leaflet.css").read_text(encoding="utf-8")
    doc = doc.replace('<script src="LEAFLET_JS"></script>', f"<script>{js}</script>")
    doc = doc.replace('<link rel="stylesheet" href="LEAFLET_CSS"/>', f"<style>{css}</style>")
    if "LEAFLET_JS" in doc or "LEAFLET_CSS" in doc or re.search(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)=["']https?://""", doc):
        raise RuntimeError("de interactieve kaart verwijst nog naar een externe bron")
    return doc, _inline_hashes(doc, "script"), _inline_hashes(doc, "style")


def _stable_ids(doc: str) -> str:
    """folium names its elements with random hex ids; number them in order instead, so that the same
    build always gives the same pack."""
    names: dict[str, str] = {}

    def stable(m: re.Match) -> str:
        return names.setdefault(m.group(0), f"{m.group(1)}_{len(names) + 1}")

    return re.sub(r"\b([a-z_]+?)_([0-9a-f]{32})(?![0-9a-f])", stable, doc)


def _inline_hashes(doc: str, tag: str) -> list[str]:
    """CSP sources of every inline ``<script>``/``<style>`` element of a document."""
    out = []
    for m in re.finditer(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", doc, flags=re.S):
        if tag == "script" and re.search(r"\ssrc=", m.group(0).split(">", 1)[0]):
            continue
        digest = base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
        out.append(f"'sha256-{digest}'")
    return out


def _gap_rows(p: dict, part: dict) -> list[tuple[str, list[float]]]:
    head = p["headline"]
    return [(f"{lv['label']}", [v or 0.0 for v in part["tekort"][(head["vraag"], lv["id"])]])
            for lv in p["scenarios"]["levering"]]


def _complete(*series) -> bool:
    return all(s and all(v is not None for v in s) for s in series)


def sector_charts(p: dict, part: dict) -> dict:
    """The charts of one sector's part: the forecast band and the gap bars (None where the build
    has no such figures)."""
    r = part["reeks"]
    ids = [sc["id"] for sc in p["scenarios"]["vraag"]]
    low, high = ids[0], ids[-1]
    mid = p["headline"]["vraag"]
    band = None
    if part["heeft_prognose"] and _complete(r.get(low), r.get(mid), r.get(high)):
        band = charts.forecast_band(r["jaren"], r[low], r[mid], r[high],
                                    title=f"Verwachte cliënten {part['short']} in {p['naam']}, "
                                          f"{r['jaren'][0]}-{r['jaren'][-1]}")
    bars = None
    if part["heeft_prognose"]:
        bars = charts.stacked_bars(_gap_rows(p, part), [(g["label"], g["color"]) for g in part["groepen"]], bar=18,
                                   title=f"Tekort aan plaatsen {part['short']} in {p['doeljaar']} per groep en "
                                         "leveringsvormscenario")
    return {"band": band, "bars": bars}


def render_pack(build: PublicBuild, code: str, *, index_href: str | None = "index.html") -> Rendered:
    """The whole pack of one gemeente: the shared parts and one part per sector of the build."""
    p = gemeente_pack(build, code)
    parts = [{**part, "lezing": reading(p, part) if part["heeft_prognose"] else [], **sector_charts(p, part)}
             for part in p["sectoren"]]
    imap = interactive_map(build, code)
    iframe_doc, iframe_scripts, iframe_styles = (imap if imap else (None, [], []))
    html = _env().get_template("gebiedsanalyse.html").render(
        p=p, delen=parts, kaart_svg=static_map(build, code), kaart_html=iframe_doc, index_href=index_href, nl=_nl,
        kaart_legenda=map_legend(build),
        lv_label={lv["id"]: lv["label"] for lv in p["scenarios"]["levering"]},
        vraag_label={sc["id"]: sc["label"] for sc in p["scenarios"]["vraag"]})
    return Rendered(html=html, script_hashes=_inline_hashes(html, "script") + iframe_scripts,
                    style_hashes=_inline_hashes(html, "style") + iframe_styles)


def index_rows(build: PublicBuild) -> list[dict]:
    """One row per gemeente: name, status, next step and its headline gap per sector (``tekort``,
    by sector id; from the public forecast table)."""
    fc = build.catalog["forecast"]
    head = fc["headline"]
    f = build.forecast
    t = f[(f["jaar"] == fc["target_year"]) & (f["vraagscenario"] == head["vraag"])
          & (f["leveringsvormscenario"] == head["levering"])]
    totals = t.groupby(["sector", "gemeentecode"])["tekort"].sum(min_count=1)
    out = []
    for r in build.gemeenten.sort_values("gemeentenaam").itertuples():
        s = build.sessions.get(r.gemeentecode, {})
        out.append({"code": r.gemeentecode, "naam": r.gemeentenaam, "status": s.get("status", ""),
                    "datum": s.get("datum", ""), "volgende_stap": s.get("volgende_stap", ""),
                    "contactpersoon_rol": s.get("contactpersoon_rol", ""),
                    "tekort": {sec["id"]: _num_or_none(totals.get((sec["id"], r.gemeentecode)))
                               for sec in build.sectors}})
    return out


def _num_or_none(v):
    return None if v is None or v != v else float(v)


def render_index(build: PublicBuild, href) -> Rendered:
    """The programme at a glance: every gemeente with its status, next step and headline gap per
    sector (a column per sector), sortable."""
    fc = build.catalog["forecast"]
    lv_label = {lv["id"]: lv["label"] for lv in fc["leveringsvorm_scenarios"]}
    vraag_label = {sc["id"]: sc["label"] for sc in fc["demand_scenarios"]}
    html = _env().get_template("index.html").render(
        rows=index_rows(build), href=href, regio=build.catalog.get("region"), doeljaar=fc["target_year"],
        bouw={"datum": build.catalog.get("built_at", ""), "versie": build.manifest.get("version", "")},
        headline=fc["headline"], sectoren=build.sectors, nl=_nl, lv_label=lv_label, vraag_label=vraag_label)
    return Rendered(html=html, script_hashes=_inline_hashes(html, "script"), style_hashes=_inline_hashes(html, "style"))


def srcdoc(doc: str) -> str:
    """A document as the value of an ``<iframe srcdoc>`` attribute."""
    return _html.escape(doc, quote=True)


def pack_file(code: str, name: str) -> str:
    """File name (without extension) of a gemeente's pack: ``GM9902-brammelo``."""
    from .gebiedsanalyse import slug

    return f"{code}-{slug(name)}"


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


@dataclass
class PackRun:
    """What :func:`write_packs` wrote."""

    html: list[Path]
    pdf: list[Path]
    index: Path
    problems: list[str]


def write_packs(build_dir: Path, out: Path, codes: list[str] | None, *, pdf: bool = True,
                progress=lambda done, total, name: None) -> PackRun:
    """Write the packs of ``codes`` (None: every gemeente) as HTML and PDF, and the index, into ``out``."""
    from .gebiedsanalyse import open_public_build
    from .pdf import PdfError, html_to_pdf

    build = open_public_build(Path(build_dir))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = dict(zip(build.gemeenten["gemeentecode"], build.gemeenten["gemeentenaam"]))
    todo = list(names) if codes is None else list(codes)
    html_files, pdf_files, problems = [], [], []
    for k, code in enumerate(todo):
        progress(k, len(todo), names[code])
        base = pack_file(code, names[code])
        page = out / f"{base}.html"
        _write(page, render_pack(build, code).html)
        html_files.append(page)
        if pdf:
            try:
                pdf_files.append(html_to_pdf(page, out / f"{base}.pdf"))
            except PdfError as exc:
                problems.append(str(exc))
                pdf = False  # the same reason holds for the rest
    progress(len(todo), len(todo), "")

    def href(row: dict) -> str | None:
        f = out / f"{pack_file(row['code'], row['naam'])}.html"
        return f.name if f.exists() else None

    index = out / "index.html"
    _write(index, render_index(build, href).html)
    return PackRun(html=html_files, pdf=pdf_files, index=index, problems=problems)
