"""The gebiedsanalyse: a printable session pack per gemeente, from the public files of a build.

Everything in a pack comes from the build's public outputs (the gemeenten, wijken and locaties
layers of ``wonenzorg.gpkg``, ``prognose_tekort.csv``, ``catalog.json``, ``manifest.json``,
``sessies.json``, ``woonzorgvarianten.csv``), so the build's disclosure control holds for every
number in it: what the build left empty stays empty ("onderdrukt wegens kleine aantallen").

``open_public_build`` reads a build once; ``gemeente_pack`` gathers one gemeente's figures as
plain data; ``reading`` turns them into a short Dutch reading; ``render_pack`` and ``render_index``
write the HTML (self-contained: opens offline from disk and prints on A4); ``layers.pdf`` prints it
to PDF.
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
    sessions: dict[str, dict] = field(default_factory=dict)
    variants: pd.DataFrame | None = None

    @property
    def version(self) -> str:
        return self.folder.resolve().name

    def field(self, layer: str, name: str) -> dict:
        spec = next(l for l in self.catalog["layers"] if l["id"] == layer)
        return next(f for f in spec["fields"] if f["name"] == name)

    def legend(self, layer: str, name: str) -> dict | None:
        spec = next(l for l in self.catalog["layers"] if l["id"] == layer)
        return next((i for i in spec["legend"]["indicators"] if i["field"] == name), None)

    def region_value(self, layer: str, name: str):
        spec = next(l for l in self.catalog["layers"] if l["id"] == layer)
        return spec.get("region_values", {}).get(name)


def open_public_build(folder: Path) -> PublicBuild:
    """Read the public files of the build in ``folder`` (the published symlink or a version folder)."""
    folder = Path(folder)
    cat_path = folder / "catalog.json"
    if not cat_path.exists():
        raise ReportError(f"er is geen build in {folder}; draai eerst 'wz build'")
    catalog = json.loads(cat_path.read_text(encoding="utf-8"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    gpkg = folder / PUBLIC_GPKG
    layers = {name: pyogrio.read_dataframe(gpkg, layer=name) for name in ("gemeenten", "wijken", "locaties")}
    fc_path = folder / "prognose_tekort.csv"
    if not fc_path.exists():
        raise ReportError(f"de build in {folder} heeft geen prognose (prognose_tekort.csv)")
    forecast = pd.read_csv(fc_path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"gemeentecode": str})
    sessions = {}
    if (folder / "sessies.json").exists():
        rows = json.loads((folder / "sessies.json").read_text(encoding="utf-8"))["sessies"]
        sessions = {r["gemeentecode"]: r for r in rows}
    variants = None
    if (folder / "woonzorgvarianten.csv").exists():
        variants = pd.read_csv(folder / "woonzorgvarianten.csv", sep=";", dtype=str, keep_default_na=False)
    return PublicBuild(folder=folder, catalog=catalog, manifest=manifest, gemeenten=layers["gemeenten"],
                       wijken=layers["wijken"], locaties=layers["locaties"], forecast=forecast,
                       sessions=sessions, variants=variants)


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


def _rows(build: PublicBuild, code: str) -> pd.DataFrame:
    return build.forecast[build.forecast["gemeentecode"] == code]


def gemeente_pack(build: PublicBuild, code: str) -> dict:
    """Every figure of a gemeente's pack, as plain data (unrounded; rounding happens when shown)."""
    gem = build.gemeenten.set_index("gemeentecode")
    if code not in gem.index:
        raise ReportError(f"gemeente {code} komt niet voor in deze build")
    row = gem.loc[code]
    fc = build.catalog["forecast"]
    groups = fc["groups"]
    gids = [g["id"] for g in groups]
    target, base = fc["target_year"], fc["base_year"]
    head = fc["headline"]
    client_groups = fc["client_groups"]
    comps = comparable_gemeenten(build.gemeenten, code)
    rows, region_rows = _rows(build, code), _rows(build, "regio")

    def series(r: pd.DataFrame) -> dict:
        t = r[(r["leveringsvormscenario"] == head["levering"]) & r["groep_id"].isin(client_groups)]
        s = t.groupby(["vraagscenario", "jaar"])["clienten_totaal"].sum()
        years = sorted(t["jaar"].unique())
        return {"jaren": [int(y) for y in years],
                **{sc["id"]: [float(s[(sc["id"], y)]) for y in years] for sc in fc["demand_scenarios"]}}

    def gap(r: pd.DataFrame, vraag: str, levering: int, year: int = target) -> list[float]:
        t = r[(r["jaar"] == year) & (r["vraagscenario"] == vraag) & (r["leveringsvormscenario"] == levering)]
        t = t.set_index("groep_id")
        return [float(t.at[g, "tekort"]) for g in gids]

    observed = _num(row.get("vv_clienten"))
    target_years = [int(y) for y in build.manifest["settings"]["forecast_target_years"]]
    reeks = series(rows)
    new_clients = []
    for y in target_years:
        i = reeks["jaren"].index(y) if y in reeks["jaren"] else None
        new_clients.append({"jaar": y, **{sc["id"]: (None if observed is None or i is None else reeks[sc["id"]][i] - observed)
                                           for sc in fc["demand_scenarios"]}})
    extra = []
    for lv in fc["leveringsvorm_scenarios"]:
        for y in target_years:
            t = rows[(rows["jaar"] == y) & (rows["vraagscenario"] == head["vraag"])
                     & (rows["leveringsvormscenario"] == lv["id"])].set_index("groep_id")
            shown = [g for g in gids if not pd.isna(t.at[g, "extra_thuis"])]
            extra.append({"levering": lv["id"], "jaar": y,
                          "thuis": float(t.loc[shown, "extra_thuis"].sum()) if shown else None,
                          "intramuraal": float(t.loc[shown, "extra_intramuraal"].sum()) if shown else None,
                          "zonder": [g for g in gids if g not in shown]})
    gaps = {(sc["id"], lv["id"]): gap(rows, sc["id"], lv["id"])
            for sc in fc["demand_scenarios"] for lv in fc["leveringsvorm_scenarios"]}
    region_gaps = {(sc["id"], lv["id"]): gap(region_rows, sc["id"], lv["id"])
                   for sc in fc["demand_scenarios"] for lv in fc["leveringsvorm_scenarios"]}
    locs = build.locaties[build.locaties["gemeentecode"] == code].sort_values(["sector", "naam"])
    return {
        "code": code, "naam": row["gemeentenaam"], "regio": build.catalog.get("region"),
        "doeljaar": target, "basisjaar": base, "groepen": groups, "headline": head,
        "scenarios": {"vraag": fc["demand_scenarios"], "levering": fc["leveringsvorm_scenarios"]},
        "sessie": build.sessions.get(code),
        "indicatoren": indicator_rows(build, code, comps),
        "vergelijkbaar": [(c, gem.at[c, "gemeentenaam"]) for c in comps],
        "reeks": reeks, "regio_reeks": series(region_rows),
        "clienten_nu": observed, "nieuwe_clienten": new_clients,
        "tekort": gaps, "regio_tekort": region_gaps,
        "aandeel_75plus_van_regio": _share_of_region(build, code),
        "extra": extra, "varianten": ranked_variants(build, gaps[(head["vraag"], head["levering"])], gids),
        "locaties": [{"naam": r.naam, "zorgaanbieder": r.zorgaanbieder, "sector": r.sector,
                      "plaatsen": [int(getattr(r, f"plaatsen_{g}")) for g in gids
                                   if hasattr(r, f"plaatsen_{g}")],
                      "totaal": int(r.plaatsen_totaal), "telt_mee": bool(r.telt_mee)} for r in locs.itertuples()],
        "leeswijzer": leeswijzer_rows(build),
        "bouw": {"datum": build.catalog.get("built_at", ""), "versie": build.manifest.get("version", ""),
                 "map": build.version},
        "peildata": peildata(build),
    }


def _share_of_region(build: PublicBuild, code: str) -> float | None:
    """The gemeente's share of the region's inhabitants aged 75+, in percent."""
    g = build.gemeenten.set_index("gemeentecode")["inwoners_75plus"].astype(float)
    return float(100 * g[code] / g.sum()) if g.sum() else None


#: the indicators of section 3, in order: (layer field, how it is shown)
INDICATORS = ("inwoners", "aandeel_75plus", "ses_groep", "stedelijkheid_label", "clienten_per_1000_75plus",
              "groei_toewijzingen", "aantal_locaties")


def indicator_rows(build: PublicBuild, code: str, comps: list[str]) -> list[dict]:
    """Section 3: each indicator for the gemeente, the region and the comparable gemeenten."""
    gem = build.gemeenten.set_index("gemeentecode")
    out = []
    for name in INDICATORS:
        f = build.field("gemeenten", name)
        out.append({"field": name, "alias": f["alias"], "unit": f.get("unit", ""), "decimals": f.get("decimals", 0),
                    "kind": f.get("kind"), "comparable": f.get("comparable", False),
                    "gemeente": _value(gem.at[code, name]), "regio": _value(build.region_value("gemeenten", name)),
                    "vergelijkbaar": [_value(gem.at[c, name]) for c in comps]})
    return out


def _value(v):
    if isinstance(v, str):
        return v
    return _num(v)


def ranked_variants(build: PublicBuild, gap: list[float], gids: list[str]) -> list[dict]:
    """Section 7: the housing-with-care variants, those that suit the gemeente's largest gaps first.

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


def leeswijzer_rows(build: PublicBuild) -> list[dict]:
    """Section 8: the leeswijzer of every field the pack shows."""
    names = list(INDICATORS) + ["vv_clienten", "prognose_clienten", "nieuwe_clienten", "tekort_totaal"]
    out, seen = [], set()
    for name in names:
        f = build.field("gemeenten", name)
        lw = f.get("leeswijzer")
        if lw and f["alias"] not in seen:
            seen.add(f["alias"])
            out.append({"wat": f["alias"], **lw})
    f = build.field("locaties", "plaatsen_totaal")
    out.append({"wat": "Plaatsen per zorglocatie", **f["leeswijzer"]})
    return out


def peildata(build: PublicBuild) -> list[tuple[str, str]]:
    """The reference dates of the inputs, as the leeswijzers give them."""
    wanted = {"inwoners": "Bevolking", "ses_groep": "SES-WOA", "vv_clienten": "Wlz-cliënten V&V",
              "groei_toewijzingen": "Groei in toewijzingen", "aantal_locaties": "Zorglocaties",
              "prognose_clienten": "Prognose"}
    out = []
    for name, label in wanted.items():
        lw = build.field("gemeenten", name).get("leeswijzer") or {}
        out.append((label, lw.get("peildatum", "")))
    return out


# --- the reading: a few sentences from the numbers ---------------------------------------------------

def reading(p: dict) -> list[str]:
    """A short Dutch reading of the gap, generated from the pack's numbers (never a fixed text)."""
    head = p["headline"]
    key = (head["vraag"], head["levering"])
    gap, region = p["tekort"][key], p["regio_tekort"][key]
    labels = [g["label"] for g in p["groepen"]]
    total, region_total = sum(gap), sum(region)
    year, name = p["doeljaar"], p["naam"]
    out = []
    if total <= 0.5:
        out.append(f"In {year} komt {name} in het middenscenario geen plaatsen tekort: de plaatsen van nu "
                   f"volstaan{' (een overschot van ' + number_nl(-total) + ')' if total < -0.5 else ''}.")
    else:
        k = int(np.argmax(gap))
        share = 100 * gap[k] / total
        out.append(f"In {year} komt {name} in het middenscenario {number_nl(total)} plaatsen tekort. De grootste "
                   f"opgave ligt bij {labels[k]}: {number_nl(gap[k])} plaatsen, {number_nl(share)}% van het tekort.")
        if region_total > 0:
            kr = int(np.argmax(region))
            part = 100 * total / region_total
            old = p.get("aandeel_75plus_van_regio")
            tail = f", bij {number_nl(old)}% van de 75-plussers van de regio" if old is not None else ""
            where = f"ook bij {labels[kr]}" if kr == k else f"bij {labels[kr]}"
            out.append(f"{name} draagt {number_nl(part)}% van het tekort van de regio ({number_nl(region_total)} "
                       f"plaatsen){tail}. In de regio als geheel ligt de grootste opgave {where}.")
    lv = {s["id"]: s for s in p["scenarios"]["levering"]}
    totals = {k2: sum(v) for k2, v in p["tekort"].items()}
    last = max(lv)
    keep, home = totals[(head["vraag"], min(lv))], totals[(head["vraag"], last)]
    if abs(home - keep) >= 0.5:
        direction = "daalt" if home < keep else "stijgt"
        out.append(f"Komt alle groei thuis terecht (scenario {last}: {lv[last]['uitleg']}), dan {direction} het "
                   f"tekort van {number_nl(keep)} naar {number_nl(home)} plaatsen.")
    lo, hi = totals.get(("min", head["levering"])), totals.get(("max", head["levering"]))
    if lo is not None and hi is not None:
        out.append(f"Bij het laagste zorggebruik (min) is het tekort {number_nl(lo)}, bij het hoogste (max) "
                   f"{number_nl(hi)} plaatsen.")
    return out
