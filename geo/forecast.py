"""Forecast of Wlz clients and the gap in places by group, for one sector (analyses 4-6).

The sector (V&V, GZ or GGZ, :mod:`geo.sectors`) says which zorgprofielen make
up each group, in which age bands its clients are counted and which columns of
the locations input hold its places; every function below takes it as the
keyword ``sector`` (None: the V&V sector of the project's declaration).

Usage rates per age band and group are measured over the whole region in each
observed year (clients / inhabitants, both in the sector's age bands: the
population, which comes in CBS 5-year bands, is regrouped into them with
:func:`geo.ages.regroup_bands`). Projected clients per gemeente are the rates
times the projected inhabitants per age band, in three demand scenarios
(min / midden / max rate over the observed years); optionally each gemeente is
calibrated to its own observed level in the base year (``method="kalibratie"``,
:func:`calibrate`). Four leveringsvorm scenarios split them between care at
home (VPT, MPT, PGB) and intramural care. The gap is the projected number of
clients who need a place outside their own home (intramural) minus the places
at today's locations of the sector in the gemeente. Positive is a shortage.

``scenario_forecast`` builds the full table for every year and scenario; the
pipeline takes the map's headline (by default midden, scenario 1, target year)
from it with ``wide_by_group`` and turns it into per-group gaps with
``gap_by_zzp_group`` / ``gap_long``. The method is explained in Dutch, with
formulas and worked examples, in ``docs/methode.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .ages import AGE_BANDS, regroup_bands
from .cohort import cohort_population
from .lifetable import default_survival
from .sectors import Sector, default_sectors
from .settings import FORECAST_METHODS

#: the sector of ``sector=None``, and of the module names below
_VV = "vv"


def _sector(sector: Sector | None) -> Sector:
    """The sector a function works for: the one given, or the V&V sector of the project's declaration."""
    return default_sectors().get(_VV) if sector is None else sector


# The V&V sector's groups, for callers that have not moved yet: derived from the declaration
# (geo/sectoren.toml), never written out here. New code passes ``sector=`` and reads
# ``sector.group_profiles`` / ``group_labels`` / ``group_of`` / ``place_columns``.
#: group id -> the zorgprofielen it holds (the V&V sector's, for callers that have not moved yet)
ZZP_GROUPS: dict[str, tuple[str, ...]] = _sector(None).group_profiles
#: Dutch label of each group (the V&V sector's, for callers that have not moved yet)
GROUP_LABELS: dict[str, str] = _sector(None).group_labels
#: zorgprofiel -> its group id (the V&V sector's, for callers that have not moved yet)
PROFILE_GROUP: dict[str, str] = _sector(None).group_of
#: the columns of the locations input with places per group (the V&V sector's, for callers that have not moved yet)
PLACE_COLUMNS: dict[str, str] = _sector(None).place_columns


def _of_sector(clients: pd.DataFrame, sector: Sector) -> pd.DataFrame:
    """The sector's rows of a client table (``sector`` holds the sector id; without it every row is the sector's)."""
    if "sector" in clients.columns:
        return clients[clients["sector"] == sector.id]
    return clients


def _check_client_bands(clients: pd.DataFrame, sector: Sector) -> None:
    """Client counts come in the sector's own age bands; another band would silently drop out of the rates."""
    bands = pd.unique(clients["leeftijd_van"].dropna())
    bad = [b for b in bands if int(b) not in sector.age_bands]
    if bad:
        raise ValueError(f"cliënten {sector.short}: leeftijdsklasse {int(bad[0])} is geen leeftijdsklasse van de "
                         f"sector (verwacht {', '.join(sector.band_label(b) for b in sector.age_bands)})")


def to_sector_bands(population: pd.DataFrame, sector: Sector | None = None) -> pd.DataFrame:
    """A population table in the sector's age bands.

    A table in CBS 5-year bands is regrouped with
    :func:`geo.ages.regroup_bands` (a 5-year band that straddles a boundary of
    the sector is split in proportion to the years it shares with each side;
    95+ goes into the last band). Where that changes nothing (V&V: the sector's
    bands are the 5-year bands) the table is returned as it is, so that the V&V
    forecast is exactly the one of 5-year bands. A table that is already in the
    sector's bands (and not in 5-year bands) is returned as it is too.

    Parameters
    ----------
    population
        ``leeftijd_van``, ``inwoners`` and key columns (``jaar``,
        ``regiocode`` or ``gemeentecode``, ...).

    Examples
    --------
    >>> gz = default_sectors().get("gz")
    >>> p = pd.DataFrame({"jaar": 2023, "leeftijd_van": [10, 15, 20], "inwoners": [50, 50, 50]})
    >>> to_sector_bands(p, gz)
       jaar  leeftijd_van  inwoners
    0  2023             0      90.0
    1  2023            19      50.0
    2  2023            24      10.0
    """
    sector = _sector(sector)
    bands = {int(b) for b in pd.unique(population["leeftijd_van"].dropna())}
    if bands <= set(AGE_BANDS):
        if all(b in sector.age_bands and _band_end(sector, b) >= b + 5 for b in bands):
            return population  # every 5-year band is wholly one of the sector's bands
        return regroup_bands(population, sector.age_bands)
    if bands <= set(sector.age_bands):
        return population
    wrong = sorted(bands - set(AGE_BANDS))[0]
    raise ValueError(f"bevolking: leeftijdsklasse {wrong} is geen 5-jaarsklasse (0, 5, .., 95) en geen "
                     f"leeftijdsklasse van {sector.short}")


def _band_end(sector: Sector, lower: int) -> float:
    """First age after one of the sector's bands (infinite for the open last band)."""
    k = sector.age_bands.index(lower)
    return sector.age_bands[k + 1] if k + 1 < len(sector.age_bands) else math.inf


def _region_inhabitants(population: pd.DataFrame, years, sector: Sector) -> pd.Series:
    """Inhabitants of the region's gemeenten per (``jaar``, ``leeftijd_van``) in the sector's bands."""
    pop = population[population["jaar"].isin(years) & population["regiocode"].astype(str).str.startswith("GM")]
    pop = to_sector_bands(pop[["jaar", "regiocode", "leeftijd_van", "inwoners"]], sector)
    return pop.groupby(["jaar", "leeftijd_van"])["inwoners"].sum()


def usage_rates(clients: pd.DataFrame, population: pd.DataFrame, years, leveringsvormen=("intramuraal",), *,
                sector: Sector | None = None) -> pd.DataFrame:
    """Region-level usage rate per year, age band and group of a sector.

    Parameters
    ----------
    clients
        ``jaar``, ``gemeentecode``, ``leeftijd_van`` (the sector's bands),
        ``zorgprofiel``, ``leveringsvorm``, ``aantal_clienten`` and, optionally,
        ``sector`` (the sector id; only the sector's rows are used).
    population
        ``jaar``, ``regiocode``, ``leeftijd_van`` (5-year bands), ``inwoners``;
        only gemeente rows are used, regrouped into the sector's bands
        (:func:`to_sector_bands`).
    years
        The observed years.
    leveringsvormen
        Which clients count (default: intramural, who need a place).
    sector
        The sector (default V&V).

    Returns
    -------
    pandas.DataFrame
        Index (``jaar``, ``leeftijd_van``) in the sector's bands, one column
        per group: clients per inhabitant.
    """
    sector = _sector(sector)
    groups = list(sector.group_profiles)
    c = _of_sector(clients, sector)
    c = c[c["jaar"].isin(years) & c["leveringsvorm"].isin(leveringsvormen)]
    _check_client_bands(c, sector)
    c = c.assign(groep=c["zorgprofiel"].map(sector.group_of))
    c = c[c["groep"].notna()]
    den = _region_inhabitants(population, years, sector)
    if c.empty:
        num = pd.DataFrame(0.0, index=den.index, columns=groups)
    else:
        num = c.pivot_table(index=["jaar", "leeftijd_van"], columns="groep", values="aantal_clienten",
                            aggfunc="sum", fill_value=0)
    num = num.reindex(index=den.index, columns=groups, fill_value=0)
    num.columns.name = "groep"
    return num.div(den.where(den > 0), axis=0).fillna(0.0)


def places_by_gemeente(locations: pd.DataFrame, *, sector: Sector | None = None) -> pd.DataFrame:
    """Places today per gemeente and group, at the sector's locations that were placed in a gemeente.

    The locations of the sector are those whose ``sector`` is the sector's code
    (``V&V``, ``GZ``, ``GGZ``; a table without the column holds only the
    sector's); their places per group are in :attr:`Sector.place_columns`
    (``plaatsen_<group id>``); a column that is missing counts as 0.
    """
    sector = _sector(sector)
    cols = sector.place_columns
    here = locations["gemeentecode"].notna()
    if "sector" in locations.columns:
        here &= locations["sector"] == sector.code
    sel = locations[here]
    missing = [c for c in cols.values() if c not in sel.columns]
    if missing:
        sel = sel.assign(**{c: 0 for c in missing})
    out = sel.groupby("gemeentecode")[list(cols.values())].sum()
    out.columns = list(cols)
    return out


def gap_by_zzp_group(demand: pd.DataFrame, places: pd.DataFrame, *, sector: Sector | None = None) -> pd.DataFrame:
    """Gap per gemeente and group of the sector: demand minus places today (positive = shortage).

    Gemeenten missing from either side count as zero there.
    """
    groups = list(_sector(sector).group_profiles)
    idx = demand.index.union(places.index)
    d = demand.reindex(index=idx, columns=groups, fill_value=0.0)
    p = places.reindex(index=idx, columns=groups, fill_value=0.0)
    gap = d - p
    gap.index.name = "gemeentecode"
    return gap


def gap_long(demand: pd.DataFrame, places: pd.DataFrame, year: int, *, sector: Sector | None = None) -> pd.DataFrame:
    """One row per gemeente x group: demand, places and gap, for charts and QGIS styling."""
    sector = _sector(sector)
    gap = gap_by_zzp_group(demand, places, sector=sector)
    rows = []
    for code in gap.index:
        for g, label in sector.group_labels.items():
            rows.append({"gemeentecode": code, "zzp_groep": label, "groep_id": g, "jaar": year,
                         "vraag": float(demand.reindex(index=[code], columns=[g]).fillna(0).iloc[0, 0]),
                         "plaatsen": float(places.reindex(index=[code], columns=[g]).fillna(0).iloc[0, 0]),
                         "tekort": float(gap.at[code, g])})
    return pd.DataFrame(rows)


# =====================================================================================
# Scenarios to 2040: demand (min/midden/max) x leveringsvorm (1-4), every year
# =====================================================================================
#
# The functions below build the full forecast table of analyses 4-6 (see
# docs/methode.md for the method in Dutch, with formulas and a worked example):
#
#   usage_rates_all          clients of every leveringsvorm / inhabitants, per year, band, group
#   rate_scenarios           min / midden / max rate per band and group over the observed years
#   population_by_age        inhabitants per gemeente, 5-year band and year (interpolated, or by cohort ageing)
#   project_clients          rate x inhabitants (regrouped into the sector's bands), summed over bands,
#                            per scenario, year, gemeente, group
#   calibrate                optional: each gemeente x group scaled to its observed level in the base year
#   home_base                clients at home / intramural per gemeente and group in the base year
#   home_share_growth        historical growth of the home share per group (region level)
#   split_home_intramural    the split of a total over home and intramural in one leveringsvorm scenario
#   split_by_leveringsvorm   that split for every row of the projection and every scenario 1-4
#   gap_table                places today, the gap and the region total rows
#   scenario_forecast        everything above in one pure call; returns the table and its assumptions

#: the demand scenarios, in the order they are shown
DEMAND_SCENARIOS: tuple[str, ...] = ("min", "midden", "max")
#: leveringsvorm scenario number -> Dutch description
LEVERINGSVORM_SCENARIOS: dict[int, str] = {
    1: "aandeel thuis blijft gelijk",
    2: "aandeel thuis groeit met de helft van het historische tempo",
    3: "aandeel thuis groeit met het historische tempo",
    4: "alle groei thuis, intramuraal blijft gelijk",
}
#: scenarios 1-3: the fraction of the historical growth of the home share that continues
DEFAULT_GROWTH_FACTORS: tuple[float, float, float] = (0.0, 0.5, 1.0)
ALL_LEVERINGSVORMEN: tuple[str, ...] = ("intramuraal", "VPT", "MPT", "PGB")
#: care in one's own home (zelfstandig wonen)
HOME_LEVERINGSVORMEN: tuple[str, ...] = ("VPT", "MPT", "PGB")
#: ``gemeentecode`` of the region total rows
REGION_ROW = "regio"
#: how the inhabitants per age band were obtained (the ``bevolkingsmethode`` column)
METHOD_BY_AGE = "prognose per leeftijdsklasse (lineair geïnterpoleerd)"
METHOD_COHORT = "cohortmethode (basisjaar verouderd met overlevingskansen, geschaald op prognosetotaal)"
#: the forecast methods (setting ``forecast_method``, keyword ``method`` of :func:`scenario_forecast`)
METHOD_TEXTS: dict[str, str] = {
    "regio": "gebruik van de regio per leeftijdsklasse en groep, voor elke gemeente hetzelfde (regioanalyse)",
    "kalibratie": ("gebruik van de regio, per gemeente en groep geschaald op het eigen waargenomen aantal "
                   "cliënten in het basisjaar (indirecte standaardisatie)"),
}
assert set(METHOD_TEXTS) == set(FORECAST_METHODS), "every forecast method of geo.settings needs its text"
#: ``bron`` of a calibration ratio (:func:`calibrate`)
CALIBRATED = "gemeente"
CALIBRATION_EXPECTED_ZERO = "verwacht 0"
CALIBRATION_UNPUBLISHED = "niet gepubliceerd"

@dataclass(frozen=True)
class Publication:
    """Which observed counts a public forecast may rest on (decided by :func:`geo.disclosure.protect`).

    A public forecast uses an observed count only where it is published, so
    that it tells nothing about the counts that are not (``docs/methode.md``,
    "Privacy: kleine aantallen").

    Attributes
    ----------
    min_count
        Usage rates are measured over age bands pooled to at least this many
        clients (:func:`pooled_usage_rates`).
    base
        (``gemeentecode``, ``groep_id``) whose home and intramural counts of
        the base year are both published; elsewhere the region's home share is
        used and the base counts are left empty.
    region
        (``jaar``, ``groep_id``) whose home and intramural counts of the region
        are both published (for the region's home share and its growth).
    """

    min_count: int
    base: frozenset = frozenset()
    region: frozenset = frozenset()


#: ``aandeel_bron`` where a gemeente's own counts are too small to be used in a public forecast
SOURCE_SMALL = "regio (kleine aantallen)"

#: columns of the full table, in order
TABLE_COLUMNS: tuple[str, ...] = (
    "sector", "gemeentecode", "zzp_groep", "groep_id", "jaar", "vraagscenario", "leveringsvormscenario",
    "clienten_totaal", "clienten_thuis", "clienten_intramuraal", "aandeel_thuis",
    "clienten_thuis_nu", "clienten_intramuraal_nu", "extra_thuis", "extra_intramuraal",
    "plaatsen_nu", "tekort", "bevolkingsmethode",
)
#: columns that add up over gemeenten (the region row is their sum)
ADDITIVE_COLUMNS: tuple[str, ...] = (
    "clienten_totaal", "clienten_thuis", "clienten_intramuraal", "clienten_thuis_nu",
    "clienten_intramuraal_nu", "extra_thuis", "extra_intramuraal", "plaatsen_nu", "tekort",
)


def _gemeente_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Gemeente rows only, with the code in ``gemeentecode`` (population tables call it ``regiocode``)."""
    if "gemeentecode" not in df.columns:
        df = df.rename(columns={"regiocode": "gemeentecode"})
    return df[df["gemeentecode"].astype(str).str.startswith("GM")]


# --- step 1: usage rates ---------------------------------------------------------------

def usage_rates_all(clients: pd.DataFrame, population: pd.DataFrame, years,
                    gemeenten=None, *, sector: Sector | None = None) -> pd.DataFrame:
    """Region-level usage rate of **all** clients (every leveringsvorm) per year, band and group.

    ``rate[j, a, g] = clients(j, a, g) / inhabitants(j, a)``, both summed over
    the gemeenten of the region, for every observed year ``j``, age band ``a``
    of the sector and group ``g``. Same as :func:`usage_rates` with the four
    leveringsvormen; ``gemeenten`` (optional) restricts numerator and
    denominator to the region's gemeenten (use it when the population extract
    also holds gemeenten outside the region).

    Returns
    -------
    pandas.DataFrame
        Index (``jaar``, ``leeftijd_van``), one column per group of the sector.
    """
    if gemeenten is not None:
        codes = set(gemeenten)
        clients = clients[clients["gemeentecode"].isin(codes)]
        population = population[population["regiocode"].isin(codes)]
    return usage_rates(clients, population, years, leveringsvormen=ALL_LEVERINGSVORMEN, sector=sector)


def age_pools(counts: pd.DataFrame, min_count: float) -> dict[str, list[tuple[int, ...]] | None]:
    """Adjacent age bands pooled per group until every pool holds ``min_count`` clients in every year.

    Bands are taken from the youngest up; a pool closes as soon as its smallest
    yearly count reaches ``min_count``; a last pool that stays below it joins
    the one before. A group whose whole age range stays below ``min_count`` in
    some year gets None (see :func:`pooled_usage_rates`).

    Parameters
    ----------
    counts
        Clients of the region per (``jaar``, ``leeftijd_van``) (index) and group (columns).

    Examples
    --------
    >>> c = pd.DataFrame({"zzp4": [0, 4, 8, 30, 1, 5, 9, 28]},
    ...                  index=pd.MultiIndex.from_product([[2022, 2023], [65, 70, 75, 80]],
    ...                                                   names=["jaar", "leeftijd_van"]))
    >>> age_pools(c, 10)
    {'zzp4': [(65, 70, 75), (80,)]}
    """
    out: dict[str, list[tuple[int, ...]] | None] = {}
    by_band = counts.unstack("jaar").sort_index()
    bands = [int(b) for b in by_band.index]
    for g in counts.columns:
        per_year = by_band[g].to_numpy(float)  # bands x years
        if (per_year.sum(axis=0) < min_count).any():
            out[g] = None
            continue
        pools: list[list[int]] = []
        current: list[int] = []
        acc = np.zeros(per_year.shape[1])
        for k, band in enumerate(bands):
            current.append(band)
            acc = acc + per_year[k]
            if acc.min() >= min_count:
                pools.append(current)
                current, acc = [], np.zeros(per_year.shape[1])
        if current:
            pools[-1].extend(current)
        out[g] = [tuple(p) for p in pools]
    return out


def pooled_usage_rates(clients: pd.DataFrame, population: pd.DataFrame, years, gemeenten=None,
                       min_count: float = 10, *,
                       sector: Sector | None = None) -> tuple[pd.DataFrame, dict, list[str]]:
    """Usage rates as :func:`usage_rates_all`, but measured over pooled age bands (:func:`age_pools`).

    Every band of a pool gets the pool's rate ``sum of clients / sum of
    inhabitants`` in each year, so that no rate rests on fewer than
    ``min_count`` clients. A group that is small in the whole region in some
    year gets one rate over all bands and all years (the same in every
    scenario); with fewer than ``min_count`` clients over all years together
    its rate is 0, with a note.

    Returns
    -------
    (pandas.DataFrame, dict, list of str)
        The rates (index (``jaar``, ``leeftijd_van``), one column per group),
        the pools per group, and Dutch notes.
    """
    sector = _sector(sector)
    labels = sector.group_labels
    if gemeenten is not None:
        codes = set(gemeenten)
        clients = clients[clients["gemeentecode"].isin(codes)]
        population = population[population["regiocode"].isin(codes)]
    rates = usage_rates(clients, population, years, leveringsvormen=ALL_LEVERINGSVORMEN, sector=sector)
    den = _region_inhabitants(population, years, sector).reindex(rates.index, fill_value=0.0)
    counts = rates.mul(den, axis=0).round(6)
    pools = age_pools(counts, min_count)
    out = pd.DataFrame(0.0, index=rates.index, columns=rates.columns)
    notes = []
    band_of = rates.index.get_level_values("leeftijd_van")
    for g, group_pools in pools.items():
        if group_pools is None:
            total = counts[g].sum()
            if total < min_count:
                notes.append(f"groep {labels[g]}: te weinig cliënten in de regio voor een openbaar gebruikscijfer; "
                             "de prognose van deze groep is 0")
                continue
            out[g] = total / den.sum()
            notes.append(f"groep {labels[g]}: gebruik gemeten over alle leeftijden en jaren samen "
                         "(kleine aantallen)")
            continue
        for pool in group_pools:
            rows = band_of.isin(pool)
            c = counts.loc[rows, g].groupby(level="jaar").sum()
            p = den[rows].groupby(level="jaar").sum()
            r = (c / p.where(p > 0)).fillna(0.0)
            out.loc[rows, g] = r.reindex(out.index[rows].get_level_values("jaar")).to_numpy()
    return out, pools, notes


def rate_scenarios(rates: pd.DataFrame) -> pd.DataFrame:
    """The rate of each demand scenario per band and group.

    *min* is the lowest, *max* the highest and *midden* the mean of the
    observed years' rates, separately for every age band and group.

    Parameters
    ----------
    rates
        From :func:`usage_rates_all`: index (``jaar``, ``leeftijd_van``).

    Returns
    -------
    pandas.DataFrame
        Index (``vraagscenario``, ``leeftijd_van``), one column per group.
    """
    by_band = rates.groupby(level="leeftijd_van")
    return pd.concat({"min": by_band.min(), "midden": by_band.mean(), "max": by_band.max()},
                     names=["vraagscenario"])


# --- step 2: inhabitants per band and year --------------------------------------------------

def has_age_detail(projection: pd.DataFrame) -> bool:
    """True when the projection gives inhabitants per age band, False when only totals.

    A projection without a ``leeftijd_van`` column, or with that column empty
    on every row, gives totals. Partly empty is an error.
    """
    if "leeftijd_van" not in projection.columns:
        return False
    empty = projection["leeftijd_van"].isna()
    if empty.all():
        return False
    if empty.any():
        raise ValueError("prognose: 'leeftijd_van' is op sommige regels leeg en op andere niet; "
                         "geef alle regels per leeftijdsklasse of alleen totalen")
    return True


def _interpolation_weights(anchor_years, years) -> np.ndarray:
    """Matrix ``W`` (years x anchors) with ``values(years) = W @ values(anchors)``: linear in time."""
    a = np.asarray(anchor_years, dtype=float)
    w = np.zeros((len(years), len(a)))
    for k, t in enumerate(years):
        if len(a) == 0 or t < a[0] or t > a[-1]:
            span = f"{int(a[0])}-{int(a[-1])}" if len(a) else "geen jaren"
            raise ValueError(f"prognose: jaar {t} ligt buiten de gegeven jaren ({span})")
        j = int(np.searchsorted(a, t, side="right")) - 1
        if j == len(a) - 1:
            w[k, j] = 1.0
        else:
            f = (t - a[j]) / (a[j + 1] - a[j])
            w[k, j], w[k, j + 1] = 1.0 - f, f
    return w


def interpolate_population(anchors: pd.DataFrame, years) -> pd.DataFrame:
    """Inhabitants in every wanted year, linearly interpolated between the given years.

    ``P(t) = P(t0) + (t - t0) / (t1 - t0) * (P(t1) - P(t0))`` per gemeente
    (and band, when ``leeftijd_van`` is present), with ``t0 <= t <= t1`` the
    nearest given years.

    Parameters
    ----------
    anchors
        ``jaar``, ``gemeentecode`` (or ``regiocode``; only ``GM`` rows are
        used), optionally ``leeftijd_van``, and ``inwoners``. A band missing
        for a gemeente in a given year counts as 0 inhabitants; a gemeente
        missing from a given year is an error.
    years
        The years wanted; each must lie within the given years.

    Returns
    -------
    pandas.DataFrame
        ``jaar``, ``gemeentecode``, [``leeftijd_van``,] ``inwoners``.
    """
    anchors = _gemeente_rows(anchors)
    keys = ["gemeentecode"] + (["leeftijd_van"] if "leeftijd_van" in anchors.columns else [])
    present = anchors.groupby(["jaar", "gemeentecode"]).size().unstack()
    if present.isna().any().any():
        year, code = present.stack(future_stack=True).loc[lambda s: s.isna()].index[0]
        raise ValueError(f"prognose: gemeente {code} ontbreekt in {year}")
    wide = anchors.pivot_table(index="jaar", columns=keys, values="inwoners", aggfunc="sum", fill_value=0.0)
    years = [int(y) for y in years]
    values = _interpolation_weights(wide.index.to_numpy(int), years) @ wide.to_numpy(float)
    cols = wide.columns
    out = {"jaar": np.repeat(np.asarray(years, dtype=int), len(cols))}
    for k in keys:
        out[k] = np.tile(cols.get_level_values(k).to_numpy(), len(years))
    out["inwoners"] = values.ravel()
    return pd.DataFrame(out)


def population_by_age(population: pd.DataFrame, projection: pd.DataFrame, base_year: int, years,
                      survival: pd.Series | None = None) -> tuple[pd.DataFrame, str]:
    """Inhabitants per gemeente, 5-year age band and year, from the base year to the last year wanted.

    The bands stay the CBS 5-year bands of the inputs, whatever the sector (the
    cohort method ages 5-year bands); :func:`project_clients` regroups them into
    the sector's bands (:func:`to_sector_bands`).

    The base year (the last observed year) always comes from the observed
    population; the projection is used for the years after it (a projection
    row for the base year or earlier is ignored).

    * Projection **per age band**: every band is interpolated linearly
      between the base year and the projection years
      (:func:`interpolate_population`).
    * Projection of **totals only** (see :func:`has_age_detail`): the totals
      are interpolated to every year, and the base year's bands are aged
      year by year with the life table and scaled to each year's total
      (:func:`geo.cohort.cohort_population`).

    Parameters
    ----------
    population
        Observed: ``jaar``, ``regiocode``, ``leeftijd_van``, ``inwoners``.
    projection
        ``jaar``, ``regiocode``, ``inwoners`` and, with age detail, ``leeftijd_van``.
    base_year
        The last observed year.
    years
        The years wanted (each >= ``base_year`` and <= the last projection year).
    survival
        Life table for the cohort method (default :func:`geo.lifetable.default_survival`).

    Returns
    -------
    (pandas.DataFrame, str)
        ``jaar``, ``gemeentecode``, ``leeftijd_van``, ``inwoners`` for the
        gemeenten of the projection; and the method used
        (:data:`METHOD_BY_AGE` or :data:`METHOD_COHORT`).
    """
    years = sorted({int(y) for y in years})
    if years and years[0] < base_year:
        raise ValueError(f"prognose: jaar {years[0]} ligt voor het basisjaar {base_year}")
    base = _gemeente_rows(population)
    base = (base[base["jaar"] == base_year].groupby(["gemeentecode", "leeftijd_van"], as_index=False)
            ["inwoners"].sum())
    if base.empty:
        raise ValueError(f"bevolking: geen gemeenten in het basisjaar {base_year}")
    proj = _gemeente_rows(projection)
    proj = proj[proj["jaar"] > base_year]
    if proj.empty:
        raise ValueError(f"prognose: geen jaren na het basisjaar {base_year}")
    codes = sorted(proj["gemeentecode"].unique())
    missing = sorted(set(codes) - set(base["gemeentecode"]))
    if missing:
        raise ValueError(f"bevolking: gemeente {missing[0]} staat in de prognose maar niet in "
                         f"de bevolking van {base_year}")
    base = base[base["gemeentecode"].isin(codes)]
    if has_age_detail(projection):
        anchors = pd.concat([base.assign(jaar=base_year),
                             proj[["jaar", "gemeentecode", "leeftijd_van", "inwoners"]]], ignore_index=True)
        anchors["leeftijd_van"] = anchors["leeftijd_van"].astype(int)
        return interpolate_population(anchors, years), METHOD_BY_AGE
    totals = pd.concat([base.groupby("gemeentecode", as_index=False)["inwoners"].sum().assign(jaar=base_year),
                        proj.groupby(["jaar", "gemeentecode"], as_index=False)["inwoners"].sum()],
                       ignore_index=True)
    every = list(range(base_year + 1, years[-1] + 1))
    if not every:  # only the base year itself
        return base.assign(jaar=base_year)[["jaar", "gemeentecode", "leeftijd_van", "inwoners"]], METHOD_COHORT
    yearly = interpolate_population(totals, every)
    pop = cohort_population(base, yearly, base_year, default_survival() if survival is None else survival)
    pop = pop[pop["jaar"].isin(years)].reset_index(drop=True)
    return pop, METHOD_COHORT


# --- step 3: projected clients ------------------------------------------------------------------

def project_clients(scenario_rates: pd.DataFrame, population: pd.DataFrame, *,
                    sector: Sector | None = None) -> pd.DataFrame:
    """Projected clients per demand scenario, year, gemeente and group.

    ``clients(s, t, m, g) = sum over bands a of rate(s, a, g) x inhabitants(t, m, a)``,
    with ``a`` the sector's age bands: the population (5-year bands) is
    regrouped into them first (:func:`to_sector_bands`). A band without a rate
    adds nothing.

    Parameters
    ----------
    scenario_rates
        From :func:`rate_scenarios` (the sector's bands).
    population
        From :func:`population_by_age`: ``jaar``, ``gemeentecode``, ``leeftijd_van``, ``inwoners``.
    sector
        The sector (default V&V).

    Returns
    -------
    pandas.DataFrame
        ``vraagscenario``, ``jaar``, ``gemeentecode``, ``groep_id``, ``clienten_totaal``.
    """
    sector = _sector(sector)
    population = to_sector_bands(population[["jaar", "gemeentecode", "leeftijd_van", "inwoners"]], sector)
    wide = population.assign(inwoners=population["inwoners"].astype(float)).pivot_table(
        index=["jaar", "gemeentecode"], columns="leeftijd_van", values="inwoners", aggfunc="sum", fill_value=0.0)
    groups = list(sector.group_profiles)
    scenarios = [s for s in DEMAND_SCENARIOS if s in scenario_rates.index.get_level_values(0)]
    n_rows = len(wide) * len(groups)
    parts = []
    for s in scenarios:
        r = scenario_rates.loc[s].reindex(index=wide.columns, columns=groups, fill_value=0.0).fillna(0.0)
        values = wide.to_numpy(float) @ r.to_numpy(float)
        parts.append(values.ravel())
    idx = wide.index
    return pd.DataFrame({
        "vraagscenario": np.repeat(np.asarray(scenarios, dtype=object), n_rows),
        "jaar": np.tile(np.repeat(idx.get_level_values("jaar").to_numpy(int), len(groups)), len(scenarios)),
        "gemeentecode": np.tile(np.repeat(idx.get_level_values("gemeentecode").to_numpy(object), len(groups)),
                                len(scenarios)),
        "groep_id": np.tile(np.asarray(groups, dtype=object), len(idx) * len(scenarios)),
        "clienten_totaal": np.concatenate(parts) if parts else np.zeros(0),
    })


# --- step 3b (optional): calibration per gemeente ------------------------------------------------------------

def calibrate(demand: pd.DataFrame, clients: pd.DataFrame, base_year: int,
              publication: Publication | None = None, *,
              sector: Sector | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each gemeente x group scaled to its own observed level in the base year (indirect standardisation).

    For every demand scenario ``s``, gemeente ``m`` and group ``g``::

        ratio(s, m, g)   = observed(m, g) / expected(s, t0, m, g)
        projected(s, t, m, g) = ratio(s, m, g) x expected(s, t, m, g)

    with ``observed`` the gemeente's clients of the group in the base year
    ``t0`` (every leveringsvorm) and ``expected`` the projection of
    :func:`project_clients` (the region's rates x the gemeente's inhabitants).
    In the base year the projection is then the observed count, and a gemeente
    whose use is structurally above (or below) the region's keeps that
    difference in every later year. Where ``expected(s, t0, m, g)`` is 0 the
    ratio is 1. In a public forecast (``publication``) the ratio uses only the
    base counts that are published: where (gemeente, group) is not in
    ``publication.base`` the ratio is 1 (the region's rates).

    Parameters
    ----------
    demand
        From :func:`project_clients`, holding the base year.
    clients
        Observed clients (as :func:`usage_rates`); only the sector's rows of the base year are used.
    base_year
        The last observed year.
    publication
        For a public forecast: which base counts are published.
    sector
        The sector (default V&V).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        ``demand`` with the calibrated ``clienten_totaal``; and per
        (``vraagscenario``, ``gemeentecode``, ``groep_id``) the
        ``waargenomen_basisjaar`` (NaN where not published), the
        ``verwacht_basisjaar``, the ``verhouding`` and its ``bron``
        (:data:`CALIBRATED`, :data:`CALIBRATION_EXPECTED_ZERO` or
        :data:`CALIBRATION_UNPUBLISHED`).

    Examples
    --------
    One gemeente, expected 20 clients in the base year and 30 in 2030, but 25
    observed: ratio 25 / 20 = 1.25, and 1.25 x 30 = 37.5 in 2030.

    >>> d = pd.DataFrame({"vraagscenario": "midden", "jaar": [2023, 2030], "gemeentecode": "GM0001",
    ...                   "groep_id": "zzp4", "clienten_totaal": [20.0, 30.0]})
    >>> c = pd.DataFrame({"jaar": 2023, "gemeentecode": "GM0001", "leeftijd_van": 80, "zorgprofiel": "VV4",
    ...                   "leveringsvorm": ["intramuraal", "VPT"], "aantal_clienten": [15, 10]})
    >>> out, ratio = calibrate(d, c, 2023)
    >>> out["clienten_totaal"].tolist(), ratio["verhouding"].tolist()
    ([25.0, 37.5], [1.25])
    """
    sector = _sector(sector)
    keys = ["vraagscenario", "gemeentecode", "groep_id"]
    cells = pd.MultiIndex.from_frame(demand[keys].drop_duplicates())
    expected = (demand[demand["jaar"] == base_year].groupby(keys)["clienten_totaal"].sum()
                .reindex(cells, fill_value=0.0).to_numpy(float))
    counts = _home_intramural(clients, base_year, sector)
    mg = pd.MultiIndex.from_arrays([cells.get_level_values("gemeentecode"), cells.get_level_values("groep_id")])
    observed = (counts["thuis"] + counts["intramuraal"]).astype(float).reindex(mg).fillna(0.0).to_numpy(float)
    source = np.where(expected > 0, CALIBRATED, CALIBRATION_EXPECTED_ZERO).astype(object)
    if publication is not None:
        shown = np.array([k in publication.base for k in mg], dtype=bool)
        source = np.where(shown, source, CALIBRATION_UNPUBLISHED).astype(object)
        observed = np.where(shown, observed, np.nan)
    own = source == CALIBRATED
    ratio = np.ones(len(cells))
    ratio[own] = observed[own] / expected[own]
    table = pd.DataFrame({"waargenomen_basisjaar": observed, "verwacht_basisjaar": expected,
                          "verhouding": ratio, "bron": source}, index=cells)
    factor = table["verhouding"].reindex(pd.MultiIndex.from_frame(demand[keys])).to_numpy(float)
    return demand.assign(clienten_totaal=demand["clienten_totaal"].to_numpy(float) * factor), table


# --- step 4: home or intramural ----------------------------------------------------------------------

_PLACE_OF_CARE = {"intramuraal": "intramuraal", **{lv: "thuis" for lv in HOME_LEVERINGSVORMEN}}


def _home_intramural(clients: pd.DataFrame, year: int, sector: Sector) -> pd.DataFrame:
    """Clients of the sector at home and intramural in ``year`` per (gemeentecode, groep_id)."""
    c = _of_sector(clients, sector)
    c = c[c["jaar"] == year]
    plek = c["leveringsvorm"].map(_PLACE_OF_CARE)
    c = c[plek.notna()]
    if c.empty:
        empty = pd.MultiIndex.from_arrays([[], []], names=["gemeentecode", "groep_id"])
        return pd.DataFrame({"thuis": [], "intramuraal": []}, index=empty)
    counts = c["aantal_clienten"].groupby([c["gemeentecode"].rename("gemeentecode"),
                                           c["zorgprofiel"].map(sector.group_of).rename("groep_id"),
                                           plek[plek.notna()].rename("plek")]).sum()
    return counts.unstack("plek", fill_value=0).reindex(columns=["thuis", "intramuraal"], fill_value=0)


def _region_counts(clients: pd.DataFrame, year: int, sector: Sector) -> pd.DataFrame:
    """Clients at home and intramural in the whole region per group (every group of the sector, 0 if none)."""
    return (_home_intramural(clients, year, sector).groupby(level="groep_id").sum()
            .reindex(list(sector.group_profiles), fill_value=0).astype(float))


def _share(counts: pd.DataFrame) -> pd.Series:
    total = counts["thuis"] + counts["intramuraal"]
    return (counts["thuis"] / total.where(total > 0)).fillna(0.0).rename("aandeel_thuis")


def region_home_share(clients: pd.DataFrame, year: int, *, sector: Sector | None = None) -> pd.Series:
    """Share of clients at home (VPT+MPT+PGB over all clients) in the region, per group of the sector.

    A group without clients that year has share 0.
    """
    return _share(_region_counts(clients, year, _sector(sector)))


def home_share_growth(clients: pd.DataFrame, years, publication: Publication | None = None, *,
                      sector: Sector | None = None) -> pd.Series:
    """Historical growth of the home share per group, as a fraction per year (region level).

    ``growth(g) = (share(g, last year) - share(g, first year)) / (last year - first year)``;
    multiply by 100 for percentage points per year. A group without clients in
    the first or the last year gets growth 0, and so does a group whose region
    counts of either year are not published (``publication``).
    """
    sector = _sector(sector)
    years = sorted(years)
    first, last = years[0], years[-1]
    if last == first:
        return pd.Series(0.0, index=list(sector.group_profiles), name="groei_aandeel_thuis")
    c_first, c_last = _region_counts(clients, first, sector), _region_counts(clients, last, sector)
    known = (c_first.sum(axis=1) > 0) & (c_last.sum(axis=1) > 0)
    if publication is not None:
        known &= pd.Series([(first, g) in publication.region and (last, g) in publication.region
                            for g in known.index], index=known.index)
    growth = (_share(c_last) - _share(c_first)) / (last - first)
    return growth.where(known, 0.0).rename("groei_aandeel_thuis")


#: :func:`home_share_growth` under a name that the keyword of :func:`scenario_forecast` does not hide
_measured_home_share_growth = home_share_growth


def home_base(clients: pd.DataFrame, year: int, gemeenten, publication: Publication | None = None, *,
              sector: Sector | None = None) -> pd.DataFrame:
    """Clients at home and intramural per gemeente and group in the base year, and the home share.

    ``aandeel_thuis_nu`` is the gemeente's own share (home / all clients of the
    group) where the gemeente has clients in that group, and the region's
    share of the group where it has none (``aandeel_bron`` says which).

    With a ``publication`` (a public forecast), a gemeente and group whose base
    counts are not both published get the region's share
    (``aandeel_bron`` :data:`SOURCE_SMALL`) and empty (NaN) counts; where the
    region's own counts of the group are not published either, the share is 0
    (``aandeel_bron`` ``"geen"``).

    Returns
    -------
    pandas.DataFrame
        Index (``gemeentecode``, ``groep_id``) over every gemeente given x every
        group of the sector; columns ``clienten_thuis_nu``, ``clienten_intramuraal_nu``,
        ``aandeel_thuis_nu``, ``aandeel_bron``.
    """
    sector = _sector(sector)
    groups = list(sector.group_profiles)
    idx = pd.MultiIndex.from_product([list(gemeenten), groups], names=["gemeentecode", "groep_id"])
    counts = _home_intramural(clients, year, sector)
    t = counts.reindex(idx, fill_value=0).astype(float)
    total = t["thuis"] + t["intramuraal"]
    region = _share(counts.groupby(level="groep_id").sum().reindex(groups, fill_value=0).astype(float))
    fallback = pd.Series(region.reindex(idx.get_level_values("groep_id")).to_numpy(), index=idx)
    source = pd.Series(np.where(total > 0, "gemeente", "regio"), index=idx, dtype=object)
    if publication is not None:
        region_ok = pd.Series([(year, g) in publication.region for g in region.index], index=region.index)
        fallback = fallback.where(region_ok.reindex(idx.get_level_values("groep_id")).to_numpy(), 0.0)
        own = pd.Series([k in publication.base for k in idx], index=idx)
        t = t.where(own)
        total = total.where(own)
        source = source.where(own, SOURCE_SMALL)
        source = source.where(own | region_ok.reindex(idx.get_level_values("groep_id")).to_numpy(), "geen")
    share = (t["thuis"] / total.where(total > 0)).fillna(fallback)
    return pd.DataFrame({"clienten_thuis_nu": t["thuis"], "clienten_intramuraal_nu": t["intramuraal"],
                         "aandeel_thuis_nu": share.astype(float), "aandeel_bron": source}, index=idx)


def split_home_intramural(total, base_share, growth_per_year, years_ahead, base_intramural, scenario: int,
                          factors=DEFAULT_GROWTH_FACTORS) -> tuple[np.ndarray, np.ndarray]:
    """Split projected clients over home and intramural in one leveringsvorm scenario.

    Scenarios 1-3: ``share = clamp(base_share + f x growth_per_year x years_ahead, 0, 1)``
    with ``f = factors[scenario - 1]`` (default 0, 0.5, 1), ``home = share x total``,
    ``intramural = total - home``. Scenario 4 (all growth at home):
    ``intramural = min(total, base_intramural)``, ``home = total - intramural``.

    Every argument broadcasts (numbers or arrays); shares and growth are
    fractions (0.066 = 6.6 percentage points).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Clients at home, clients intramural; they add up to ``total``.
    """
    total = np.asarray(total, dtype=float)
    if scenario == 4:
        intra = np.minimum(total, np.asarray(base_intramural, dtype=float))
        return total - intra, intra
    if scenario not in (1, 2, 3):
        raise ValueError(f"leveringsvormscenario {scenario} bestaat niet (1-4)")
    share = np.clip(np.asarray(base_share, float)
                    + factors[scenario - 1] * np.asarray(growth_per_year, float) * np.asarray(years_ahead, float),
                    0.0, 1.0)
    home = total * share
    return home, total - home


def split_by_leveringsvorm(demand: pd.DataFrame, base: pd.DataFrame, growth: pd.Series, base_year: int,
                           factors=DEFAULT_GROWTH_FACTORS) -> pd.DataFrame:
    """Every projected row in each of the four leveringsvorm scenarios.

    Parameters
    ----------
    demand
        From :func:`project_clients`.
    base
        From :func:`home_base`, covering every (gemeente, group) of ``demand``.
    growth
        From :func:`home_share_growth`.
    base_year
        The last observed year: ``years_ahead = jaar - base_year``.
    factors
        Fraction of the historical growth in scenarios 1, 2, 3.

    Returns
    -------
    pandas.DataFrame
        ``demand``'s columns plus ``leveringsvormscenario`` (1-4),
        ``clienten_thuis``, ``clienten_intramuraal``, ``clienten_thuis_nu``,
        ``clienten_intramuraal_nu``, ``extra_thuis`` and ``extra_intramuraal``
        (the difference with the observed clients of the base year).

    Where the base counts are empty (not published, see :func:`home_base`),
    scenario 4 keeps the intramural clients at ``(1 - share) x`` the projected
    clients of the base year, and the extra clients are left empty.
    """
    keys = pd.MultiIndex.from_arrays([demand["gemeentecode"], demand["groep_id"]])
    b = base.reindex(keys)
    if b["aandeel_thuis_nu"].isna().any():
        raise ValueError("split_by_leveringsvorm: basisgegevens ontbreken voor een gemeente of groep")
    g = growth.reindex(demand["groep_id"]).fillna(0.0).to_numpy(float)
    ahead = demand["jaar"].to_numpy(float) - base_year
    total = demand["clienten_totaal"].to_numpy(float)
    home0, intra0 = b["clienten_thuis_nu"].to_numpy(float), b["clienten_intramuraal_nu"].to_numpy(float)
    share0 = b["aandeel_thuis_nu"].to_numpy(float)
    intra_kept = intra0
    if np.isnan(intra0).any():
        at_base = demand[demand["jaar"] == base_year].set_index(["vraagscenario", "gemeentecode", "groep_id"])
        base_total = at_base["clienten_totaal"].reindex(
            pd.MultiIndex.from_arrays([demand["vraagscenario"], demand["gemeentecode"], demand["groep_id"]]))
        intra_kept = np.where(np.isnan(intra0), (1.0 - share0) * base_total.fillna(0.0).to_numpy(float), intra0)
    parts = []
    for scenario in LEVERINGSVORM_SCENARIOS:
        home, intra = split_home_intramural(total, share0, g, ahead, intra_kept, scenario, factors)
        parts.append(demand.assign(leveringsvormscenario=scenario, clienten_thuis=home,
                                   clienten_intramuraal=intra, clienten_thuis_nu=home0,
                                   clienten_intramuraal_nu=intra0, extra_thuis=home - home0,
                                   extra_intramuraal=intra - intra0))
    return pd.concat(parts, ignore_index=True)


# --- step 5: the gap, and the full table ------------------------------------------------------------------

def gap_table(split: pd.DataFrame, places: pd.DataFrame, method: str = "",
              region_base: pd.DataFrame | None = None, *, sector: Sector | None = None) -> pd.DataFrame:
    """The full table of one sector: places today, the gap and a region total row per group, year and scenario.

    ``tekort = clienten_intramuraal - plaatsen_nu`` (positive is a shortage):
    projected clients who need a place outside their own home minus the
    places at today's locations of the sector in the gemeente. The region row
    (``gemeentecode == "regio"``) is the sum of the gemeente rows, so
    shortages in one gemeente are netted against surpluses in another.

    Parameters
    ----------
    split
        From :func:`split_by_leveringsvorm`.
    places
        From :func:`places_by_gemeente`: index ``gemeentecode``, one column per
        group. Gemeenten not in ``split`` are ignored; missing ones have 0.
    method
        The population method, repeated in the ``bevolkingsmethode`` column.
    region_base
        The region's observed clients at home and intramural in the base year
        (index ``groep_id``, columns ``thuis``, ``intramuraal``; NaN where not
        published). Given, the region rows take these instead of the sum of the
        gemeente rows (some of which may be empty), and their extra clients are
        the region's projection minus them.

    sector
        The sector (default V&V): its id fills the ``sector`` column, its
        groups and labels the rows.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`TABLE_COLUMNS`, sorted by demand scenario,
        leveringsvorm scenario, year, gemeente (region last) and group.
    """
    sector = _sector(sector)
    groups = list(sector.group_profiles)
    p = places.reindex(columns=groups).stack(future_stack=True)
    p.index.names = ["gemeentecode", "groep_id"]
    keys = pd.MultiIndex.from_arrays([split["gemeentecode"], split["groep_id"]])
    out = split.assign(plaatsen_nu=p.reindex(keys).fillna(0.0).to_numpy(float))
    out["tekort"] = out["clienten_intramuraal"] - out["plaatsen_nu"]
    region = (out.groupby(["vraagscenario", "leveringsvormscenario", "jaar", "groep_id"], as_index=False, sort=False)
              [list(ADDITIVE_COLUMNS)].sum())
    region["gemeentecode"] = REGION_ROW
    if region_base is not None:
        rb = region_base.reindex(region["groep_id"])
        region["clienten_thuis_nu"] = rb["thuis"].to_numpy(float)
        region["clienten_intramuraal_nu"] = rb["intramuraal"].to_numpy(float)
        region["extra_thuis"] = region["clienten_thuis"] - region["clienten_thuis_nu"]
        region["extra_intramuraal"] = region["clienten_intramuraal"] - region["clienten_intramuraal_nu"]
    out = pd.concat([out, region], ignore_index=True)
    out["sector"] = sector.id
    out["zzp_groep"] = out["groep_id"].map(sector.group_labels)
    out["aandeel_thuis"] = out["clienten_thuis"] / out["clienten_totaal"].where(out["clienten_totaal"] > 0)
    out["bevolkingsmethode"] = method
    order = pd.DataFrame({
        "s": out["vraagscenario"].map({s: k for k, s in enumerate(DEMAND_SCENARIOS)}),
        "l": out["leveringsvormscenario"], "j": out["jaar"],
        "r": (out["gemeentecode"] == REGION_ROW).astype(int), "m": out["gemeentecode"],
        "g": out["groep_id"].map({g: k for k, g in enumerate(groups)}),
    })
    out = out.loc[order.sort_values(list(order.columns), kind="stable").index]
    out["leveringsvormscenario"] = out["leveringsvormscenario"].astype(int)
    out["jaar"] = out["jaar"].astype(int)
    return out[list(TABLE_COLUMNS)].reset_index(drop=True)


@dataclass
class ScenarioForecast:
    """The outcome of :func:`scenario_forecast`.

    Attributes
    ----------
    table
        The full table (:data:`TABLE_COLUMNS`), one row per gemeente x group x
        year x demand scenario x leveringsvorm scenario, plus the region rows.
    population
        The inhabitants per gemeente, 5-year band and year the projection used
        (before the regrouping into the sector's bands).
    population_method
        :data:`METHOD_BY_AGE` or :data:`METHOD_COHORT`.
    rates
        Usage rates per observed year, band (the sector's) and group (all leveringsvormen).
    scenario_rates
        min / midden / max rate per band and group.
    home
        Base year per gemeente x group: clients at home and intramural, home share.
    home_growth
        Growth of the home share per group, fraction per year (measured, or
        given with ``home_share_growth``).
    assumptions
        Every assumption of the run, for the build manifest (plain types).
    notes
        Dutch remarks for the build report.
    sector
        The id of the sector.
    method
        The forecast method (``"regio"`` or ``"kalibratie"``).
    calibration
        With ``method="kalibratie"``: the ratios of :func:`calibrate`; else None.
    """

    table: pd.DataFrame
    population: pd.DataFrame
    population_method: str
    rates: pd.DataFrame
    scenario_rates: pd.DataFrame
    home: pd.DataFrame
    home_growth: pd.Series
    assumptions: dict
    notes: list[str] = field(default_factory=list)
    sector: str = _VV
    method: str = "regio"
    calibration: pd.DataFrame | None = None


def _given_growth(given: dict | None, sector: Sector) -> dict[str, float]:
    """The given growth of the home share of the sector's groups, as a fraction per year (checked).

    Groups of other sectors are skipped: one setting (group ids are unique over
    the sectors, and :mod:`geo.settings` checks that each names a declared
    group) serves the forecast of every sector.
    """
    out: dict[str, float] = {}
    for g, v in dict(given or {}).items():
        if g not in sector.group_profiles:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
            raise ValueError(f"groei aandeel thuis van groep '{g}': {v!r} is geen getal (procentpunt per jaar)")
        out[g] = float(v) / 100.0
    return out


def _pool_label(pool: tuple[int, ...], sector: Sector) -> str:
    """Dutch label of pooled age bands, e.g. ``'75-89'`` or ``'85+'``."""
    end = _band_end(sector, pool[-1])
    return f"{pool[0]}+" if end == math.inf else f"{pool[0]}-{int(end) - 1}"


def scenario_forecast(clients: pd.DataFrame, population: pd.DataFrame, projection: pd.DataFrame,
                      places: pd.DataFrame, observed_years, end_year: int = 2040, *,
                      growth_factors=DEFAULT_GROWTH_FACTORS, survival: pd.Series | None = None,
                      gemeenten=None, publication: Publication | None = None,
                      sector: Sector | None = None, method: str = "regio",
                      home_share_growth: dict | None = None) -> ScenarioForecast:
    """The whole forecast of analyses 4-6 for one sector in one pure call.

    Parameters
    ----------
    clients
        Observed clients: ``jaar``, ``gemeentecode``, ``leeftijd_van`` (the
        sector's bands), ``zorgprofiel``, ``leveringsvorm``,
        ``aantal_clienten`` and, optionally, ``sector`` (the sector id; only
        the sector's rows are used, without the column every row is).
    population
        Observed inhabitants: ``jaar``, ``regiocode``, ``leeftijd_van`` (CBS
        5-year bands), ``inwoners``.
    projection
        Projected inhabitants per gemeente, per 5-year band or totals only (see
        :func:`population_by_age`).
    places
        :func:`places_by_gemeente` of today's placed locations (of this sector).
    observed_years
        The observed years; the last one is the base year.
    end_year
        Last year of the forecast (every year from the base year up to it).
    growth_factors
        Scenarios 1-3: fraction of the historical growth of the home share.
    survival
        Life table for the cohort method (default: :func:`geo.lifetable.default_survival`).
    gemeenten
        The region's gemeenten (default: those of the projection and of
        ``places``). Rates are measured over these; a gemeente without a
        projection gets zero demand and a note.
    publication
        For a public forecast: rest only on published counts (pooled age bands,
        the region's home share where a gemeente's counts are not published;
        see :class:`Publication`). None: the exact forecast on every count.
    sector
        The sector (default: V&V of the project's declaration): its groups,
        age bands and id (the ``sector`` column).
    method
        ``"regio"`` (the region's rates for every gemeente, as the
        regioanalyse) or ``"kalibratie"`` (each gemeente x group calibrated to
        its observed clients in the base year, :func:`calibrate`).
    home_share_growth
        Group id -> historical growth of the home share in percentage points
        per year (``{"zzp4": 1.2}``), replacing the measured growth of the
        groups it names; the other groups keep the measured growth. Groups
        of other sectors are skipped (one dict serves every sector).

    Returns
    -------
    ScenarioForecast
    """
    sector = _sector(sector)
    labels = sector.group_labels
    groups = list(sector.group_profiles)
    if method not in METHOD_TEXTS:
        raise ValueError(f"prognosemethode '{method}' bestaat niet; kies {' of '.join(METHOD_TEXTS)}")
    given = _given_growth(home_share_growth, sector)
    observed_years = sorted(int(y) for y in observed_years)
    base_year = observed_years[-1]
    if end_year <= base_year:
        raise ValueError(f"het eindjaar {end_year} moet na het laatste waargenomen jaar {base_year} liggen")
    if len(growth_factors) != 3:
        raise ValueError("er moeten drie groeifactoren zijn (scenario 1, 2 en 3)")
    years = list(range(base_year, end_year + 1))
    notes: list[str] = []
    proj_codes = set(_gemeente_rows(projection)["gemeentecode"])
    if gemeenten is None:
        gemeenten = sorted(proj_codes | set(places.index))
    gemeenten = list(gemeenten)
    projection = _gemeente_rows(projection)
    projection = projection[projection["gemeentecode"].isin(gemeenten)]
    no_projection = [c for c in gemeenten if c not in proj_codes]
    if no_projection:
        notes.append(f"geen bevolkingsprognose voor {len(no_projection)} gemeente(n) "
                     f"({', '.join(no_projection[:10])}): hun verwachte vraag is 0")
    if survival is None:
        survival = default_survival()

    clients = _of_sector(clients, sector)
    pools = None
    if publication is None:
        rates = usage_rates_all(clients, population, observed_years, gemeenten, sector=sector)
    else:
        rates, pools, pool_notes = pooled_usage_rates(clients, population, observed_years, gemeenten,
                                                      publication.min_count, sector=sector)
        notes += pool_notes
    scen_rates = rate_scenarios(rates)
    pop, pop_method = population_by_age(population, projection, base_year, years, survival)
    demand = project_clients(scen_rates, pop, sector=sector)
    # every gemeente x group x year x scenario, also for gemeenten without a projection
    full = pd.MultiIndex.from_product([list(DEMAND_SCENARIOS), years, gemeenten, groups],
                                      names=["vraagscenario", "jaar", "gemeentecode", "groep_id"])
    demand = (demand.set_index(["vraagscenario", "jaar", "gemeentecode", "groep_id"])["clienten_totaal"]
              .reindex(full, fill_value=0.0).reset_index())
    c = clients[clients["gemeentecode"].isin(gemeenten)]
    calibration = None
    if method == "kalibratie":
        demand, calibration = calibrate(demand, c, base_year, publication, sector=sector)
    home = home_base(c, base_year, gemeenten, publication, sector=sector)
    growth = _measured_home_share_growth(c, observed_years, publication, sector=sector)
    for g, v in given.items():
        growth[g] = v
    split = split_by_leveringsvorm(demand, home, growth, base_year, tuple(growth_factors))
    region_base = None
    if publication is not None:
        region_base = _region_counts(c, base_year, sector)
        hidden = [g for g in region_base.index if (base_year, g) not in publication.region]
        region_base.loc[hidden] = np.nan
        if hidden:
            notes.append("te weinig cliënten in de regio om het aandeel thuis te publiceren voor "
                         + ", ".join(labels[g] for g in hidden) + ": de openbare prognose rekent daar "
                         "alle cliënten intramuraal")
    table = gap_table(split, places, pop_method, region_base, sector=sector)
    region_share = region_home_share(c, base_year, sector=sector)
    if region_base is not None:
        region_share = region_share.where(region_base["thuis"].notna(), np.nan)
    assumptions = {
        "sector": sector.id,
        "sector_naam": sector.label,
        "leeftijdsklassen_clienten": [sector.band_label(b) for b in sector.age_bands],
        "prognosemethode": method,
        "prognosemethode_uitleg": METHOD_TEXTS[method],
        "waargenomen_jaren": observed_years,
        "basisjaar": base_year,
        "eindjaar": int(end_year),
        "vraagscenarios": {"min": "laagste waargenomen gebruik per leeftijdsklasse en groep",
                           "midden": "gemiddeld gebruik over de waargenomen jaren",
                           "max": "hoogste waargenomen gebruik per leeftijdsklasse en groep"},
        "leveringsvormscenarios": {str(k): v for k, v in LEVERINGSVORM_SCENARIOS.items()},
        "groeifactoren_aandeel_thuis": [float(f) for f in growth_factors],
        "aandeel_thuis_regio_basisjaar": {labels[g]: None if pd.isna(v) else float(v)
                                          for g, v in region_share.items()},
        "groei_aandeel_thuis_procentpunt_per_jaar": {labels[g]: 100.0 * float(v)
                                                     for g, v in growth.items()},
        "groei_aandeel_thuis_bron": {labels[g]: ("opgegeven" if g in given else "gemeten") for g in growth.index},
        "bevolkingsmethode": pop_method,
        "overlevingstafel": (survival.attrs.get("bron", "opgegeven tabel") if pop_method == METHOD_COHORT
                             else "niet gebruikt (prognose per leeftijdsklasse)"),
        "plaatsen": f"plaatsen per groep op {sector.short}-locaties in de gemeente (locatiebestand)",
    }
    if calibration is not None:
        src = calibration["bron"].unstack("vraagscenario")
        own = (src == CALIBRATED).all(axis=1)
        unpublished = (src == CALIBRATION_UNPUBLISHED).any(axis=1)
        zero_expected = ~own & ~unpublished
        by_cell = ["gemeentecode", "groep_id"]
        zero_ratio = ((calibration["bron"] == CALIBRATED) & (calibration["verhouding"] == 0)
                      ).groupby(level=by_cell).any()
        # expected 0 but clients observed: there the projection cannot meet the observed level
        unmet = ((calibration["bron"] == CALIBRATION_EXPECTED_ZERO) & (calibration["waargenomen_basisjaar"] > 0)
                 ).groupby(level=by_cell).any()
        assumptions["kalibratie"] = {
            "cellen": int(len(src)),
            "gekalibreerd": int(own.sum()),
            "verhouding_1_verwacht_0": int(zero_expected.sum()),
            "verhouding_0_geen_clienten": int(zero_ratio.sum()),
        }
        if publication is not None:
            assumptions["kalibratie"]["verhouding_1_niet_gepubliceerd"] = int(unpublished.sum())
        if unmet.any():
            notes.append(f"kalibratie: voor {int(unmet.sum())} combinatie(s) van gemeente en groep met cliënten is de "
                         "verwachte vraag in het basisjaar 0 (in minstens één vraagscenario; geen inwoners of geen "
                         "gebruik in hun leeftijdsklassen); daar is de verhouding 1, het gebruik van de regio, en "
                         "sluit de prognose niet aan op het aantal van nu")
        if zero_ratio.any():
            notes.append(f"kalibratie: {int(zero_ratio.sum())} combinatie(s) van gemeente en groep hebben in het "
                         "basisjaar geen cliënten; hun prognose blijft 0")
        if publication is not None and unpublished.any():
            notes.append(f"openbare prognose, kalibratie: voor {int(unpublished.sum())} combinatie(s) van gemeente en "
                         "groep is het aantal cliënten van het basisjaar niet gepubliceerd (kleine aantallen); daar "
                         "is de verhouding 1, het gebruik van de regio")
    if pools is not None:
        assumptions["privacy"] = (f"openbare prognose: alleen gepubliceerde aantallen; leeftijdsklassen samengevoegd "
                                  f"tot minstens {publication.min_count} cliënten per jaar en groep")
        assumptions["leeftijdsklassen_gebruik"] = {
            labels[g]: ("alle leeftijden en jaren samen" if p is None else
                        ", ".join(_pool_label(q, sector) for q in p))
            for g, p in pools.items()}
        assumptions["aandeel_thuis_eigen_gemeente"] = int((home["aandeel_bron"] == "gemeente").sum())
        assumptions["aandeel_thuis_regio_wegens_kleine_aantallen"] = int((home["aandeel_bron"] == SOURCE_SMALL).sum())
    return ScenarioForecast(table=table, population=pop, population_method=pop_method, rates=rates,
                            scenario_rates=scen_rates, home=home, home_growth=growth,
                            assumptions=assumptions, notes=notes, sector=sector.id, method=method,
                            calibration=calibration)


def extra_places_summary(table: pd.DataFrame, years=None, by_group: bool = False, *,
                         sector: Sector | None = None) -> pd.DataFrame:
    """Region totals per demand scenario, leveringsvorm scenario and year (the summary of analysis 5).

    Parameters
    ----------
    table
        The full table of :func:`gap_table` / :func:`scenario_forecast` (of one
        sector, or several concatenated: then each sector has its own rows).
    years
        The target years to keep (default every year).
    by_group
        Keep one row per group instead of adding the groups up.
    sector
        Keep only this sector's rows (default: every sector in the table).

    Returns
    -------
    pandas.DataFrame
        [``sector``,] ``vraagscenario``, ``leveringsvormscenario``, ``jaar``
        [, ``zzp_groep``, ``groep_id``] and the additive columns
        (``extra_thuis``, ``extra_intramuraal``, ``tekort``, ...); ``sector``
        when the table has that column.
    """
    r = table[table["gemeentecode"] == REGION_ROW]
    if sector is not None and "sector" in r.columns:
        r = r[r["sector"] == sector.id]
    if years is not None:
        r = r[r["jaar"].isin(list(years))]
    keys = ((["sector"] if "sector" in r.columns else []) + ["vraagscenario", "leveringsvormscenario", "jaar"]
            + (["zzp_groep", "groep_id"] if by_group else []))
    out = r.groupby(keys, as_index=False, sort=False)[list(ADDITIVE_COLUMNS)].sum()
    return out.reset_index(drop=True)


def wide_by_group(table: pd.DataFrame, column: str, year: int, vraagscenario: str = "midden",
                  leveringsvormscenario: int = 1, *, sector: Sector | None = None) -> pd.DataFrame:
    """One column of the full table as gemeente x group of a sector, for one year and scenario pair.

    Gives the shape of :func:`gap_by_zzp_group` (index ``gemeentecode``, one
    column per group of the sector, e.g. ``zzp4`` .. ``overig`` for V&V; region
    rows left out), e.g. for the ``vraag_*``/``tekort_*`` columns of the
    gemeente layer. A table with a ``sector`` column gives only the sector's rows.
    """
    sector = _sector(sector)
    t = table[(table["jaar"] == year) & (table["vraagscenario"] == vraagscenario)
              & (table["leveringsvormscenario"] == leveringsvormscenario) & (table["gemeentecode"] != REGION_ROW)]
    if "sector" in t.columns:
        t = t[t["sector"] == sector.id]
    out = t.pivot(index="gemeentecode", columns="groep_id", values=column).reindex(
        columns=list(sector.group_profiles))
    out.columns.name = None
    return out
