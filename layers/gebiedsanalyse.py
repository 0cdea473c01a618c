"""The gebiedsanalyse: a printable session pack per gemeente, from the public files of a build.

Everything in a pack comes from the build's public outputs (the gemeenten, wijken, locaties and
``zorg_<sector>`` layers of ``wonenzorg.gpkg``, ``prognose_tekort.csv``, ``zorggebruik.csv``,
``catalog.json``, ``manifest.json``, ``sessies.json``, ``woonzorgvarianten.csv``), so the build's
disclosure control holds for every number in it: what the build left empty stays empty
("onderdrukt wegens kleine aantallen").

The Wlz sectors are data: a pack has one part per sector of ``catalog.json`` (``sectors``, in that
order), each with that sector's groups, texts and layer; nothing here names a sector or a group.
The housing-with-care variants belong to the sectors whose groups are columns of
``woonzorgvarianten.csv``.

``open_public_build`` reads a build once; ``gemeente_pack`` gathers one gemeente's figures as
plain data; ``reading`` turns a sector's gap into a short Dutch reading; ``render_pack`` and
``render_index`` (``layers.report_html``) write the HTML (self-contained: opens offline from disk
and prints on A4); ``layers.pdf`` prints it to PDF.
"""

from __future__ import annotations

import difflib
import json
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from .spec import number_nl

#: how many comparable gemeenten a pack shows (fewer when the build has fewer)
COMPARABLE = 4
PUBLIC_GPKG = "wonenzorg.gpkg"
#: the region's rows in the public tables
REGION = "regio"


class ReportError(Exception):
    """A pack cannot be made: unknown gemeente, or a build without what a pack needs (Dutch message)."""


@dataclass
class PublicBuild:
    """The public files of one build, read once."""

    folder: Path
    catalog: dict
    manifest: dict
    gemeenten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    locaties: gpd.GeoDataFrame
    forecast: pd.DataFrame
    #: the ``zorg_<sector>`` layer of every sector of the catalog that the build has, by sector id
    care: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    #: ``zorggebruik.csv`` (clients and reference population per sector, gemeente and year), if any
    care_use: pd.DataFrame | None = None
    sessions: dict[str, dict] = field(default_factory=dict)
    variants: pd.DataFrame | None = None

    @property
    def version(self) -> str:
        return self.folder.resolve().name

    @property
    def sectors(self) -> list[dict]:
        """The sectors of the catalog whose layer the build has, in the catalog's order."""
        return [s for s in self.catalog.get("sectors", []) if s["id"] in self.care]

    def layer(self, layer: str) -> dict:
        return next(l for l in self.catalog["layers"] if l["id"] == layer)

    def field(self, layer: str, name: str) -> dict | None:
        """A field of a layer as the catalog describes it; None when the layer has no such field."""
        return next((f for f in self.layer(layer)["fields"] if f["name"] == name), None)

    def legend(self, layer: str, name: str) -> dict | None:
        spec = self.layer(layer)
        return next((i for i in spec["legend"]["indicators"] if i["field"] == name), None)

    def region_value(self, layer: str, name: str):
        return self.layer(layer).get("region_values", {}).get(name)


def care_layer(sector: dict) -> str:
    """The name of a sector's layer (``zorg_<id>`` unless the catalog says otherwise)."""
    return sector.get("layer") or f"zorg_{sector['id']}"


def _read_csv(path: Path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"gemeentecode": str}, **kw)


def open_public_build(folder: Path) -> PublicBuild:
    """Read the public files of the build in ``folder`` (the published symlink or a version folder)."""
    folder = Path(folder)
    cat_path = folder / "catalog.json"
    if not cat_path.exists():
        raise ReportError(f"er is geen build in {folder}; draai eerst 'wz build'")
    catalog = json.loads(cat_path.read_text(encoding="utf-8"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if not catalog.get("sectors"):
        raise ReportError(f"de build in {folder} noemt geen sectoren (catalog.json); bouw hem opnieuw met 'wz build'")
    gpkg = folder / PUBLIC_GPKG
    present = {str(name) for name, _ in pyogrio.list_layers(gpkg)}
    layers = {name: pyogrio.read_dataframe(gpkg, layer=name) for name in ("gemeenten", "wijken", "locaties")}
    care = {s["id"]: pyogrio.read_dataframe(gpkg, layer=care_layer(s)) for s in catalog["sectors"]
            if care_layer(s) in present}
    if not care:
        raise ReportError(f"de build in {folder} heeft geen zorglagen (zorg_<sector>); bouw hem opnieuw met 'wz build'")
    fc_path = folder / "prognose_tekort.csv"
    if not fc_path.exists():
        raise ReportError(f"de build in {folder} heeft geen prognose (prognose_tekort.csv)")
    forecast = _read_csv(fc_path)
    if "sector" not in forecast.columns:
        raise ReportError(f"de prognose van de build in {folder} heeft geen kolom sector; "
                          "bouw hem opnieuw met 'wz build'")
    forecast["sector"] = forecast["sector"].astype(str)
    care_use = _read_csv(folder / "zorggebruik.csv") if (folder / "zorggebruik.csv").exists() else None
    sessions = {}
    if (folder / "sessies.json").exists():
        rows = json.loads((folder / "sessies.json").read_text(encoding="utf-8"))["sessies"]
        sessions = {r["gemeentecode"]: r for r in rows}
    variants = None
    if (folder / "woonzorgvarianten.csv").exists():
        variants = pd.read_csv(folder / "woonzorgvarianten.csv", sep=";", dtype=str, keep_default_na=False)
    return PublicBuild(folder=folder, catalog=catalog, manifest=manifest, gemeenten=layers["gemeenten"],
                       wijken=layers["wijken"], locaties=layers["locaties"], forecast=forecast, care=care,
                       care_use=care_use, sessions=sessions, variants=variants)


def plain(text: str) -> str:
    """Lower case without accents or punctuation, for matching names: ``'Súdwest-Fryslân'`` -> ``'sudwest fryslan'``."""
    t = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(c if c.isalnum() else " " for c in t).split())


def slug(text: str) -> str:
    """A name as part of a file name: ``'Súdwest-Fryslân'`` -> ``'sudwest-fryslan'``.

    >>> slug("'s-Hertogenbosch"), slug("Súdwest-Fryslân")
    ('s-hertogenbosch', 'sudwest-fryslan')
    """
    return plain(text).replace(" ", "-") or "gemeente"


def find_gemeente(build: PublicBuild, text: str) -> str:
    """The code of the gemeente named or coded ``text`` (any case, accents ignored).

    Raises
    ------
    ReportError
        With the closest names when there is no such gemeente.
    """
    codes = dict(zip(build.gemeenten["gemeentecode"], build.gemeenten["gemeentenaam"]))
    t = plain(text)
    for code, name in codes.items():
        if t in (plain(code), plain(name)):
            return code
    names = {plain(n): n for n in codes.values()}
    close = difflib.get_close_matches(t, list(names), n=3, cutoff=0.5)
    hint = (" Bedoelt u " + " of ".join(f"'{names[c]}'" for c in close) + "?") if close else ""
    raise ReportError(f"gemeente '{text}' komt niet voor in de build van {build.catalog.get('region', 'de regio')}."
                      + hint)


def join_nl(words) -> str:
    """Words joined the Dutch way: ``'a, b en c'``.

    >>> join_nl(["V&V"]), join_nl(["V&V", "GZ", "GGZ"])
    ('V&V', 'V&V, GZ en GGZ')
    """
    words = [str(w) for w in words]
    return ", ".join(words[:-1]) + " en " + words[-1] if len(words) > 1 else "".join(words)


def sector_name(sector: dict) -> str:
    """A sector as the pack names it: ``'verpleging en verzorging (V&V)'``."""
    short = sector.get("short") or sector.get("code") or sector["id"]
    label = sector.get("label") or short
    return label if label == short else f"{label} ({short})"


# --- the figures of one gemeente -----------------------------------------------------------------------

def comparable_gemeenten(gem: pd.DataFrame, code: str, k: int = COMPARABLE) -> list[str]:
    """The ``k`` gemeenten most like ``code`` in size, urbanity and age.

    Distance over three standardised measures (z-scores over the build's
    gemeenten): the logarithm of the number of inhabitants, the address
    density (OAD, which makes the stedelijkheid class) and the 75+ share.
    Gemeenten with a measure missing are left out.

    Examples
    --------
    >>> g = pd.DataFrame({"gemeentecode": ["A", "B", "C", "D"], "inwoners": [1000, 1100, 50000, 900],
    ...                   "oad": [500, 520, 2000, 480], "aandeel_75plus": [10, 10.5, 7, 9.8]})
    >>> comparable_gemeenten(g, "A", 2)
    ['D', 'B']
    """
    m = pd.DataFrame({"a": np.log10(gem["inwoners"].astype(float).clip(lower=1)),
                      "b": gem["oad"].astype(float), "c": gem["aandeel_75plus"].astype(float)})
    m.index = gem["gemeentecode"].to_numpy()
    m = m.dropna()
    if code not in m.index:
        return []
    z = (m - m.mean()) / m.std(ddof=0).replace(0, 1)
    d = np.sqrt(((z - z.loc[code]) ** 2).sum(axis=1)).drop(code)
    return list(d.sort_values(kind="stable").index[:k])


def _num(v):
    """A value of a table or layer as float, None where empty."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _value(v):
    if isinstance(v, str):
        return v
    return _num(v)


def gemeente_pack(build: PublicBuild, code: str) -> dict:
    """Every figure of a gemeente's pack, as plain data (unrounded; rounding happens when shown).

    The demography once; ``sectoren`` holds one part per sector of the build (see :func:`sector_part`).
    """
    gem = build.gemeenten.set_index("gemeentecode")
    if code not in gem.index:
        raise ReportError(f"gemeente {code} komt niet voor in deze build")
    fc = build.catalog["forecast"]
    comps = comparable_gemeenten(build.gemeenten, code)
    p = {
        "code": code, "naam": gem.at[code, "gemeentenaam"], "regio": build.catalog.get("region"),
        "doeljaar": fc["target_year"], "basisjaar": fc["base_year"], "headline": fc["headline"],
        "scenarios": {"vraag": fc["demand_scenarios"], "levering": fc["leveringsvorm_scenarios"]},
        "sessie": build.sessions.get(code),
        "demografie": indicator_rows(build, "gemeenten", DEMOGRAPHY, code, comps),
        "vergelijkbaar": [(c, gem.at[c, "gemeentenaam"]) for c in comps],
        "locaties": location_parts(build, code),
        "leeswijzer": leeswijzer_parts(build),
        "bouw": {"datum": build.catalog.get("built_at", ""), "versie": build.manifest.get("version", ""),
                 "map": build.version},
        "peildata": peildata(build),
    }
    with_variants = [sector_name(s) for s in build.sectors if variant_groups(build, s)]
    p["sectoren"] = [sector_part(build, s, code, comps, with_variants) for s in build.sectors]
    return p


def sector_part(build: PublicBuild, sector: dict, code: str, comps: list[str], with_variants: list[str]) -> dict:
    """One sector's part of a pack: its key figures, forecast, gap, extra clients and variants."""
    fc = build.catalog["forecast"]
    target, head = fc["target_year"], fc["headline"]
    groups = sector["groups"]
    gids = [g["id"] for g in groups]
    layer = care_layer(sector)
    table = build.forecast[build.forecast["sector"] == sector["id"]]
    rows, region_rows = table[table["gemeentecode"] == code], table[table["gemeentecode"] == REGION]
    demand = [sc["id"] for sc in fc["demand_scenarios"]]
    levering = [lv["id"] for lv in fc["leveringsvorm_scenarios"]]
    client_groups = sector.get("client_groups") or gids

    def series(r: pd.DataFrame) -> dict:
        t = r[(r["leveringsvormscenario"] == head["levering"]) & r["groep_id"].isin(client_groups)]
        s = t.groupby(["vraagscenario", "jaar"])["clienten_totaal"].sum(min_count=1)
        years = sorted(int(y) for y in t["jaar"].unique())
        return {"jaren": years, **{sc: [_num(s.get((sc, y))) for y in years] for sc in demand}}

    def gap(r: pd.DataFrame, vraag: str, lv: int) -> list[float | None]:
        t = r[(r["jaar"] == target) & (r["vraagscenario"] == vraag) & (r["leveringsvormscenario"] == lv)]
        t = t.drop_duplicates("groep_id").set_index("groep_id")["tekort"]
        return [_num(t.get(g)) for g in gids]

    care = build.care[sector["id"]].set_index("gemeentecode")
    observed = _num(care.at[code, "clienten"]) if code in care.index and "clienten" in care.columns else None
    target_years = [int(y) for y in build.manifest["settings"]["forecast_target_years"]]
    reeks = series(rows)
    new_clients = []
    for y in target_years:
        i = reeks["jaren"].index(y) if y in reeks["jaren"] else None
        new_clients.append({"jaar": y, **{sc: (None if observed is None or i is None or reeks[sc][i] is None
                                               else reeks[sc][i] - observed) for sc in demand}})
    extra = []
    labels = {g["id"]: g["label"] for g in groups}
    for lv in levering:
        for y in target_years:
            t = rows[(rows["jaar"] == y) & (rows["vraagscenario"] == head["vraag"])
                     & (rows["leveringsvormscenario"] == lv)].drop_duplicates("groep_id").set_index("groep_id")
            shown = [g for g in gids if g in t.index and not pd.isna(t.at[g, "extra_thuis"])]
            extra.append({"levering": lv, "jaar": y,
                          "thuis": float(t.loc[shown, "extra_thuis"].sum()) if shown else None,
                          "intramuraal": float(t.loc[shown, "extra_intramuraal"].sum()) if shown else None,
                          "zonder": [g for g in gids if g not in shown]})
    left_out = [g for g in gids if any(g in e["zonder"] for e in extra)]
    gaps = {(sc, lv): gap(rows, sc, lv) for sc in demand for lv in levering}
    region_gaps = {(sc, lv): gap(region_rows, sc, lv) for sc in demand for lv in levering}
    variants = None
    if variant_groups(build, sector):
        variants = ranked_variants(build, [v or 0.0 for v in gaps[(head["vraag"], head["levering"])]], gids)
    return {
        "id": sector["id"], "code": sector.get("code", sector["id"]), "label": sector.get("label", ""),
        "short": sector.get("short") or sector.get("code") or sector["id"], "naam": sector_name(sector),
        "kleur": sector.get("color", "#7a7a7a"), "groepen": groups, "teksten": sector.get("texts", {}),
        "rate": sector.get("rate", {}), "laag": layer,
        "indicatoren": care_rows(build, sector, code, comps),
        "heeft_prognose": bool(len(rows)) and bool(reeks["jaren"]),
        "reeks": reeks, "regio_reeks": series(region_rows),
        "clienten_nu": observed, "nieuwe_clienten": new_clients,
        "tekort": gaps, "regio_tekort": region_gaps,
        "referentie": reference_name(sector), "aandeel_referentie_van_regio": reference_share(build, sector, code),
        "extra": extra, "niet_meegeteld": [labels[g] for g in left_out],
        "varianten": variants, "variant_groepen": variant_groups(build, sector),
        "varianten_sectoren": with_variants,
    }


def reference_name(sector: dict) -> str:
    """The sector's reference population in words: ``'inwoners van 75 jaar en ouder'`` or ``'inwoners'``."""
    age = int((sector.get("rate") or {}).get("min_age", 0) or 0)
    return f"inwoners van {age} jaar en ouder" if age > 0 else "inwoners"


def reference_share(build: PublicBuild, sector: dict, code: str) -> float | None:
    """The gemeente's share of the region's reference population of the sector (``zorggebruik.csv``,
    the base year), in percent; None without that table."""
    u = build.care_use
    if u is None or "referentiebevolking" not in u.columns:
        return None
    base = build.catalog["forecast"]["base_year"]
    t = u[(u["sector"].astype(str) == sector["id"]) & (u["jaar"] == base)].drop_duplicates("gemeentecode")
    t = t.set_index("gemeentecode")["referentiebevolking"]
    own, region = _num(t.get(code)), _num(t.get(REGION))
    if own is None or not region:
        return None
    return 100 * own / region


#: the demographic indicators (layer gemeenten), shown once
DEMOGRAPHY = ("inwoners", "aandeel_75plus", "ses_groep", "stedelijkheid_label")
#: the care indicators of each sector (its zorg_<sector> layer); a field the layer lacks is left out
CARE = ("clienten", "gebruik", "groei_toewijzingen", "aandeel_thuis", "aantal_locaties",
        "locaties_per_1000_clienten", "aandeel_sectorvreemd")


def indicator_rows(build: PublicBuild, layer: str, names, code: str, comps: list[str], frame=None,
                   aliases: dict | None = None) -> list[dict]:
    """Indicators of a layer for the gemeente, the region and the comparable gemeenten."""
    frame = (build.gemeenten if frame is None else frame).set_index("gemeentecode")
    out = []
    for name in names:
        f = build.field(layer, name)
        if f is None or name not in frame.columns:
            continue

        def at(c):
            return _value(frame.at[c, name]) if c in frame.index else None

        row = {"field": name, "layer": layer, "alias": (aliases or {}).get(name, f["alias"]),
               "unit": f.get("unit", ""), "decimals": f.get("decimals", 0), "kind": f.get("kind"),
               "comparable": f.get("comparable", False), "gemeente": at(code),
               "regio": _value(build.region_value(layer, name)), "vergelijkbaar": [at(c) for c in comps]}
        unit = row["unit"]
        row["eenheid"] = "" if not unit or unit == "%" or unit.lower() in row["alias"].lower() else unit
        out.append(row)
    return out


def care_aliases(sector: dict) -> dict[str, str]:
    """How the pack names a sector's fields where it differs from the layer: usage with the sector's rate."""
    rate = (sector.get("rate") or {}).get("label") or (sector.get("texts") or {}).get("rate")
    return {"gebruik": f"Cliënten {rate}"} if rate else {}


def care_rows(build: PublicBuild, sector: dict, code: str, comps: list[str]) -> list[dict]:
    """A sector's key care figures (its layer); usage is named with the sector's rate; a row that is
    empty everywhere (gemeente, region and comparable gemeenten) is left out."""
    rows = indicator_rows(build, care_layer(sector), CARE, code, comps, frame=build.care[sector["id"]],
                          aliases=care_aliases(sector))
    return [r for r in rows if any(v is not None for v in [r["gemeente"], r["regio"], *r["vergelijkbaar"]])]


def variant_groups(build: PublicBuild, sector: dict) -> list[dict]:
    """The sector's groups that are columns of the variants table (empty: no variants for the sector)."""
    if build.variants is None:
        return []
    return [g for g in sector["groups"] if g["id"] in build.variants.columns]


def ranked_variants(build: PublicBuild, gap: list[float], gids: list[str]) -> list[dict]:
    """The housing-with-care variants, those that suit the gemeente's largest gaps first.

    A variant's weight is the sum of the shortages (positive gaps) of the groups it suits; ties keep
    the table's own order.
    """
    if build.variants is None:
        return []
    short = {g: max(v, 0.0) for g, v in zip(gids, gap)}
    cols = [g for g in gids if g in build.variants.columns]
    out = []
    for r in build.variants.to_dict("records"):
        suits = [g for g in cols if str(r[g]).strip().lower() in ("x", "ja", "1")]
        out.append({"nummer": int(r["nummer"]), "variant": r["variant"], "partijen": r.get("partijen", ""),
                    "past": suits, "gewicht": sum(short[g] for g in suits)})
    return sorted(out, key=lambda v: (-v["gewicht"], v["nummer"]))


def location_parts(build: PublicBuild, code: str) -> list[dict]:
    """The gemeente's care locations, one part per sector of the catalog (then any others), with the
    sector's colour and name from the locaties layer's legend."""
    legend = {c.get("value"): c for c in (build.legend("locaties", "sector") or {"classes": []})["classes"]}
    locs = build.locaties[build.locaties["gemeentecode"] == code].sort_values("naam", kind="stable")

    def rows(frame, groups) -> list[dict]:
        return [{"naam": r["naam"], "zorgaanbieder": r["zorgaanbieder"],
                 "plaatsen": [_num(r.get(f"plaatsen_{g['id']}")) for g in groups],
                 "totaal": _num(r["plaatsen_totaal"]), "telt_mee": bool(r["telt_mee"])}
                for r in frame.to_dict("records")]

    out, codes = [], []
    for s in build.catalog.get("sectors", []):
        value = s.get("code", s["id"])
        codes.append(value)
        groups = [g for g in s["groups"] if f"plaatsen_{g['id']}" in locs.columns]
        c = legend.get(value, {})
        out.append({"sector": s["id"], "short": s.get("short") or value, "label": c.get("label") or sector_name(s),
                    "kleur": c.get("color") or s.get("color", "#7a7a7a"), "groepen": groups,
                    "regel": (s.get("texts") or {}).get("locations", ""),
                    "locaties": rows(locs[locs["sector"] == value], groups)})
    rest = locs[~locs["sector"].isin(codes)]
    if len(rest):
        out.append({"sector": None, "short": "", "label": "Overige zorglocaties", "kleur": "#7a7a7a", "groepen": [],
                    "regel": "", "locaties": rows(rest, [])})
    return out


def leeswijzer_parts(build: PublicBuild) -> list[dict]:
    """The leeswijzer of every field the pack shows: the demography, each sector, the locations."""

    def entries(layer: str, names, aliases: dict | None = None) -> list[dict]:
        out, seen = [], set()
        for name in names:
            f = build.field(layer, name)
            lw = (f or {}).get("leeswijzer")
            alias = (aliases or {}).get(name) or (f or {}).get("alias")
            if lw and (alias, lw.get("uitleg")) not in seen:
                seen.add((alias, lw.get("uitleg")))
                out.append({"wat": alias, **lw})
        return out

    parts = [{"deel": "Bevolking", "regels": entries("gemeenten", DEMOGRAPHY)}]
    for s in build.sectors:
        names = list(CARE) + ["prognose_clienten", "nieuwe_clienten", "tekort_totaal"]
        parts.append({"deel": sector_name(s)[:1].upper() + sector_name(s)[1:],
                      "regels": entries(care_layer(s), names, care_aliases(s))})
    f = build.field("locaties", "plaatsen_totaal")
    rule = build.field("locaties", "telt_mee")
    regels = [{"wat": "Plaatsen per zorglocatie", **f["leeswijzer"]}] if f and f.get("leeswijzer") else []
    if rule and rule.get("leeswijzer"):
        regels.append({"wat": rule["alias"], **rule["leeswijzer"]})
    parts.append({"deel": "Zorglocaties", "regels": regels})
    return [p for p in parts if p["regels"]]


def peildata(build: PublicBuild) -> list[tuple[str, str]]:
    """The reference dates of the inputs, as the leeswijzers give them (a care figure once when every
    sector has the same date, else per sector)."""
    out = []
    for name, label in (("inwoners", "Bevolking"), ("ses_groep", "SES-WOA")):
        lw = (build.field("gemeenten", name) or {}).get("leeswijzer") or {}
        out.append((label, lw.get("peildatum", "")))
    for name, label in (("clienten", "Wlz-cliënten"), ("groei_toewijzingen", "Groei in toewijzingen"),
                        ("aantal_locaties", "Zorglocaties"), ("prognose_clienten", "Prognose")):
        dates = {}
        for s in build.sectors:
            lw = (build.field(care_layer(s), name) or {}).get("leeswijzer") or {}
            if lw.get("peildatum"):
                dates[s.get("short") or s["id"]] = lw["peildatum"]
        if len(set(dates.values())) == 1:
            out.append((label, next(iter(dates.values()))))
        else:
            out += [(f"{label} {short}", d) for short, d in dates.items()]
    return out


# --- the reading: a few sentences from the numbers ---------------------------------------------------

def _places(total: float) -> str:
    """A total of a gap in words: ``'een tekort van 12 plaatsen'``, ``'een overschot van 3 plaatsen'``."""
    if abs(total) < 0.5:
        return "geen tekort en geen overschot"
    word = "tekort" if total > 0 else "overschot"
    n = number_nl(abs(total))
    return f"een {word} van {n} {'plaats' if n == '1' else 'plaatsen'}"


def reading(p: dict, s: dict) -> list[str]:
    """A short Dutch reading of a sector's gap, generated from the pack's numbers (never a fixed text).

    ``p`` is the pack (:func:`gemeente_pack`), ``s`` the sector's part of it.
    """
    head = p["headline"]
    key = (head["vraag"], head["levering"])
    gap = [v or 0.0 for v in s["tekort"][key]]
    region = [v or 0.0 for v in s["regio_tekort"][key]]
    labels = [g["label"] for g in s["groepen"]]
    total, region_total = sum(gap), sum(region)
    year, name, short = p["doeljaar"], p["naam"], s["short"]
    vraag = {sc["id"]: sc for sc in p["scenarios"]["vraag"]}
    scen = f"het {vraag[head['vraag']]['label']}scenario" if head["vraag"] in vraag else "het hoofdscenario"
    out = []
    if total <= 0.5:
        surplus = f" (een overschot van {number_nl(-total)})" if total < -0.5 else ""
        first = (f"In {year} komt {name} in {scen} in de {short} geen plaatsen tekort: de plaatsen van nu "
                 f"volstaan{surplus}.")
        if region_total > 0.5:
            kr = int(np.argmax(region))
            first += (f" De regio als geheel komt wel {number_nl(region_total)} plaatsen tekort, het meest bij "
                      f"{labels[kr]}.")
        out.append(first)
    else:
        k = int(np.argmax(gap))
        share = 100 * gap[k] / total
        out.append(f"In {year} komt {name} in {scen} in de {short} {number_nl(total)} plaatsen tekort. De grootste "
                   f"opgave ligt bij {labels[k]}: {number_nl(gap[k])} plaatsen, {number_nl(share)}% van het tekort.")
        if region_total > 0.5:
            kr = int(np.argmax(region))
            where = f"ook bij {labels[kr]}" if kr == k else f"bij {labels[kr]}"
            part = 100 * total / region_total
            if part > 100:
                out.append(f"Dat is meer dan het tekort van de regio als geheel ({number_nl(region_total)} plaatsen): "
                           f"elders in de regio zijn er plaatsen over. In de regio ligt de grootste opgave {where}.")
            else:
                old = s.get("aandeel_referentie_van_regio")
                tail = f", bij {number_nl(old)}% van de {s['referentie']} van de regio" if old is not None else ""
                out.append(f"{name} draagt {number_nl(part)}% van het tekort van de regio ({number_nl(region_total)} "
                           f"plaatsen){tail}. In de regio als geheel ligt de grootste opgave {where}.")
        else:
            out.append(f"De regio als geheel heeft in de {short} {_places(region_total)}: het tekort van {name} "
                       f"staat tegenover plaatsen die elders in de regio over zijn.")
    lv = {x["id"]: x for x in p["scenarios"]["levering"]}
    totals = {k2: sum(v or 0.0 for v in vals) for k2, vals in s["tekort"].items()}
    first_lv, last_lv = min(lv), max(lv)
    keep, home = totals[(head["vraag"], first_lv)], totals[(head["vraag"], last_lv)]
    if abs(home - keep) >= 0.5:
        out.append(f"In {lv[last_lv]['label']} ({lv[last_lv]['uitleg']}) is er {_places(home)}, tegenover "
                   f"{_places(keep)} in {lv[first_lv]['label']}.")
    low, high = p["scenarios"]["vraag"][0], p["scenarios"]["vraag"][-1]
    lo, hi = totals.get((low["id"], head["levering"])), totals.get((high["id"], head["levering"]))
    if lo is not None and hi is not None and low["id"] != high["id"]:
        out.append(f"Bij het laagste zorggebruik ({low['label']}) is er {_places(lo)}, bij het hoogste "
                   f"({high['label']}) {_places(hi)}.")
    return out
