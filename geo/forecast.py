"""Forecast of Wlz V&V clients and the gap in places by ZZP group.

The mid scenario of the regioanalyse: usage rates per age band and ZZP group,
measured over the whole region in each observed year (clients / inhabitants),
averaged over the observed years, times the projected inhabitants per age band
of each gemeente. The gap is the projected number of clients who need a place
outside their own home (intramural) minus the places at today's V&V locations
in the gemeente. Positive is a shortage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: ZZP group id -> the V&V zorgprofielen it holds
ZZP_GROUPS: dict[str, tuple[str, ...]] = {
    "zzp4": ("VV4",),
    "zzp5_7": ("VV5", "VV7"),
    "zzp6_8": ("VV6", "VV8"),
    "overig": ("VV9", "VV10"),
}
#: Dutch label of each group
GROUP_LABELS = {"zzp4": "ZZP 4", "zzp5_7": "ZZP 5-7", "zzp6_8": "ZZP 6-8", "overig": "overig"}
PROFILE_GROUP = {p: g for g, ps in ZZP_GROUPS.items() for p in ps}
#: the columns of the locations input with places per group
PLACE_COLUMNS = {g: f"plaatsen_{g}" for g in ZZP_GROUPS}


def usage_rates(clients: pd.DataFrame, population: pd.DataFrame, years, leveringsvormen=("intramuraal",)) -> pd.DataFrame:
    """Region-level usage rate per year, age band and ZZP group.

    Parameters
    ----------
    clients
        ``jaar``, ``gemeentecode``, ``leeftijd_van``, ``zorgprofiel``, ``leveringsvorm``, ``aantal_clienten``.
    population
        ``jaar``, ``regiocode``, ``leeftijd_van``, ``inwoners``; only gemeente rows are used.
    years
        The observed years.
    leveringsvormen
        Which clients count (default: intramural, who need a place).

    Returns
    -------
    pandas.DataFrame
        Index (``jaar``, ``leeftijd_van``), one column per ZZP group: clients per inhabitant.
    """
    c = clients[clients["jaar"].isin(years) & clients["leveringsvorm"].isin(leveringsvormen)]
    c = c.assign(groep=c["zorgprofiel"].map(PROFILE_GROUP))
    num = c.pivot_table(index=["jaar", "leeftijd_van"], columns="groep", values="aantal_clienten",
                        aggfunc="sum", fill_value=0)
    pop = population[population["jaar"].isin(years) & population["regiocode"].str.startswith("GM")]
    den = pop.groupby(["jaar", "leeftijd_van"])["inwoners"].sum()
    num = num.reindex(index=den.index, columns=list(ZZP_GROUPS), fill_value=0)
    return num.div(den.where(den > 0), axis=0).fillna(0.0)


def mid_rates(rates: pd.DataFrame) -> pd.DataFrame:
    """Mid scenario: the mean rate over the observed years, per age band and group."""
    return rates.groupby(level="leeftijd_van").mean()


def projected_clients(rates: pd.DataFrame, projection: pd.DataFrame, year: int) -> pd.DataFrame:
    """Projected clients per gemeente and group in ``year``: sum over bands of rate x inhabitants.

    ``rates`` is indexed by ``leeftijd_van``; ``projection`` holds ``jaar``,
    ``regiocode``, ``leeftijd_van``, ``inwoners``.
    """
    p = projection[(projection["jaar"] == year) & projection["regiocode"].str.startswith("GM")]
    pop = p.pivot_table(index="regiocode", columns="leeftijd_van", values="inwoners", aggfunc="sum", fill_value=0)
    r = rates.reindex(pop.columns, fill_value=0.0)
    out = pd.DataFrame(pop.to_numpy(float) @ r.to_numpy(float), index=pop.index, columns=r.columns)
    out.index.name = "gemeentecode"
    return out


def places_by_gemeente(locations: pd.DataFrame) -> pd.DataFrame:
    """Places today per gemeente and ZZP group, at V&V locations that were placed in a gemeente."""
    vv = locations[(locations["sector"] == "V&V") & locations["gemeentecode"].notna()]
    cols = [PLACE_COLUMNS[g] for g in ZZP_GROUPS]
    out = vv.groupby("gemeentecode")[cols].sum()
    out.columns = list(ZZP_GROUPS)
    return out


def gap_by_zzp_group(demand: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Gap per gemeente and ZZP group: demand minus places today (positive = shortage).

    Gemeenten missing from either side count as zero there.
    """
    idx = demand.index.union(places.index)
    d = demand.reindex(index=idx, columns=list(ZZP_GROUPS), fill_value=0.0)
    p = places.reindex(index=idx, columns=list(ZZP_GROUPS), fill_value=0.0)
    gap = d - p
    gap.index.name = "gemeentecode"
    return gap


def gap_long(demand: pd.DataFrame, places: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per gemeente x ZZP group: demand, places and gap, for charts and QGIS styling."""
    gap = gap_by_zzp_group(demand, places)
    rows = []
    for code in gap.index:
        for g in ZZP_GROUPS:
            rows.append({"gemeentecode": code, "zzp_groep": GROUP_LABELS[g], "groep_id": g, "jaar": year,
                         "vraag": float(demand.reindex(index=[code], columns=[g]).fillna(0).iloc[0, 0]),
                         "plaatsen": float(places.reindex(index=[code], columns=[g]).fillna(0).iloc[0, 0]),
                         "tekort": float(gap.at[code, g])})
    return pd.DataFrame(rows)
