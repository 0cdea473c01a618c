"""Care use per sector: clients per reference population, growth, share at home, locations and
*sectorvreemde zorg*. Pure functions on the validated tables; the sector's definitions come from
the declaration (:mod:`geo.sectors`).

Examples
--------
>>> pop = pd.DataFrame({"jaar": [2023] * 3, "regiocode": ["GM0001"] * 3, "leeftijd_van": [70, 75, 80],
...                     "inwoners": [100, 60, 40]})
>>> reference_population(pop, 2023, 75).to_dict()
{'GM0001': 100.0}
>>> reference_population(pop, 2023, 77).to_dict()   # 3/5 of the 75-79 band
{'GM0001': 76.0}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .forecast import HOME_LEVERINGSVORMEN
from .sectors import Sector

#: width of the CBS age bands of the population tables
BAND_WIDTH = 5


def sector_clients(clients: pd.DataFrame, sector: Sector) -> pd.DataFrame:
    """The client rows of one sector (a table without ``sector`` column is all the sector's)."""
    if "sector" not in clients.columns:
        return clients
    return clients[clients["sector"] == sector.id]


def reference_population(population: pd.DataFrame, year: int, min_age: int) -> pd.Series:
    """Inhabitants aged ``min_age`` and over per regiocode in one year.

    The population comes in 5-year bands (the last, 95+, open); a band that
    ``min_age`` cuts counts for the share of its years at or above it
    (inhabitants spread evenly over the band's years).
    """
    p = population[population["jaar"] == year]
    lower = p["leeftijd_van"].to_numpy(float)
    open_band = lower >= (lower.max() if len(lower) else 0.0)
    share = np.clip((lower + BAND_WIDTH - min_age) / BAND_WIDTH, 0.0, 1.0)
    share = np.where(open_band, (lower >= min_age).astype(float), share)
    return pd.Series(p["inwoners"].to_numpy(float) * share, index=p["regiocode"].to_numpy()).groupby(level=0).sum()


def clients_per_year(clients: pd.DataFrame, sector: Sector, gemeenten, years) -> pd.DataFrame:
    """Clients of the sector's client groups (every leveringsvorm) per gemeente (rows) and year (columns)."""
    c = sector_clients(clients, sector)
    c = c[c["jaar"].isin(list(years)) & c["zorgprofiel"].map(sector.group_of).isin(sector.client_groups)]
    out = c.pivot_table(index="gemeentecode", columns="jaar", values="aantal_clienten", aggfunc="sum", fill_value=0)
    return out.reindex(index=list(gemeenten), columns=list(years), fill_value=0).astype(np.int64)


def home_and_total(clients: pd.DataFrame, sector: Sector, gemeenten, year: int) -> pd.DataFrame:
    """Clients of the client groups at home (VPT, MPT, PGB) and in total per gemeente in one year."""
    c = sector_clients(clients, sector)
    c = c[(c["jaar"] == year) & c["zorgprofiel"].map(sector.group_of).isin(sector.client_groups)]
    home = c[c["leveringsvorm"].isin(HOME_LEVERINGSVORMEN)].groupby("gemeentecode")["aantal_clienten"].sum()
    total = c.groupby("gemeentecode")["aantal_clienten"].sum()
    return pd.DataFrame({"thuis": home, "totaal": total}).reindex(list(gemeenten)).fillna(0).astype(np.int64)


def other_sector_clients(clients: pd.DataFrame, sector: Sector, gemeenten, year: int) -> pd.DataFrame:
    """*Sectorvreemde zorg*: clients of the client groups by whether their provider's contract segment
    is the sector itself (``eigen``) or another sector (``vreemd``), per gemeente, in one year.

    Rows without a segment (``sector_aanbieder`` empty or absent) count in neither.
    """
    c = sector_clients(clients, sector)
    idx = list(gemeenten)
    if "sector_aanbieder" not in c.columns:
        return pd.DataFrame({"eigen": 0, "vreemd": 0}, index=idx, dtype=np.int64)
    c = c[(c["jaar"] == year) & c["zorgprofiel"].map(sector.group_of).isin(sector.client_groups)
          & (c["sector_aanbieder"] != "")]
    own = c["sector_aanbieder"] == sector.id
    out = pd.DataFrame({"eigen": c[own].groupby("gemeentecode")["aantal_clienten"].sum(),
                        "vreemd": c[~own].groupby("gemeentecode")["aantal_clienten"].sum()})
    return out.reindex(idx).fillna(0).astype(np.int64)


def share_other_sector(counts: pd.DataFrame, threshold: int) -> pd.Series:
    """Percentage of clients at a provider of another sector, where both parts hold at least
    ``threshold`` clients (else empty: a small part would be given away beside the total)."""
    own, other = counts["eigen"].astype(float), counts["vreemd"].astype(float)
    total = own + other
    ok = (own >= threshold) & (other >= threshold)
    return (100.0 * other / total.where(total > 0)).where(ok)


def counting_locations(locations: pd.DataFrame, sector: Sector) -> pd.Series:
    """Whether each of the sector's locations counts as a care location, by the sector's rule.

    ``min_intramural`` / ``min_home``: at least that many intramural or at
    least that many VPT/MPT clients at the location. ``min_clients_per_postcode``:
    the clients (intramural and VPT/MPT) of all the sector's locations that share
    the location's PC6 together reach the minimum. Locations of other sectors
    get False.
    """
    rule = sector.location_rule
    mine = locations["sector"] == sector.code
    clients = locations["clienten_intramuraal"].astype(float) + locations["clienten_vpt_mpt"].astype(float)
    if rule.min_clients_per_postcode is not None:
        pc = locations["postcode"].where(locations["postcode"].notna() & (locations["postcode"] != ""))
        per_pc = clients[mine].groupby(pc[mine]).sum()
        ok = pc.map(per_pc).fillna(clients) >= rule.min_clients_per_postcode  # no postcode: the location alone
        return (mine & ok).astype(bool)
    ok = pd.Series(False, index=locations.index)
    if rule.min_intramural is not None:
        ok |= locations["clienten_intramuraal"] >= rule.min_intramural
    if rule.min_home is not None:
        ok |= locations["clienten_vpt_mpt"] >= rule.min_home
    return (mine & ok).astype(bool)
