"""Statistical disclosure control of client counts: what is published, declared once; primary and
secondary (complementary) cell suppression; an audit of every small count by linear programming.

The confidential input is a table of client counts per gemeente, year, age band, zorgprofiel and
leveringsvorm. Everything a build publishes that rests on observed client counts is a sum of cells
of the *client cube* ``x[gemeente, jaar, groep, plek]`` (the four ZZP groups, ``thuis`` = VPT, MPT,
PGB and ``intramuraal``), or a figure computed from such sums and public data (inhabitants, places,
the model). :data:`PUBLISHED_TABLES` declares which sums are published; nothing else may be.

A **count** is any sum of the cube over one area (a gemeente or the region), one year, a set of
groups (each group, ZZP 4-8 or all) and a set of places (thuis, intramuraal or both): the cells of
:func:`count_cells`. A count below the threshold is *sensitive*, whether it is published or not.
:func:`protect` suppresses (leaves out)

1. every published count below the threshold (primary suppression), and
2. further published counts (secondary suppression), chosen by the linear-programming dual of the
   attack, until for every sensitive count the smallest and largest value it can take given all
   published counts (cells >= 0) lie at least ``min_range`` apart,

so that no small count can be worked out, or pinned down, by any additive arithmetic on what is
published: region minus gemeenten, totals minus sub-totals, one table against another. Figures
derived from observed counts (rates per 1,000, growth, shares, new clients) are published only
where every count they rest on is published (see ``layers``), and the public forecast is computed
from published counts only (see :mod:`geo.forecast`), so they add no information to this audit.

Years are independent blocks: no published figure spans two years. The method is explained in
Dutch in ``docs/methode.md`` ("Privacy: kleine aantallen").

Examples
--------
>>> import numpy as np
>>> cube = ClientCube(["GM0001", "GM0002"], [2023], np.array([[[[3, 40], [50, 60], [30, 20], [0, 1]]],
...                                                          [[[25, 35], [45, 55], [35, 25], [2, 3]]]]))
>>> d = protect(cube, base_year=2023, threshold=10)
>>> d.shown(("GM0001", 2023, "zzp4", "thuis"))
False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from .forecast import HOME_LEVERINGSVORMEN, PROFILE_GROUP, ZZP_GROUPS

GROUPS: tuple[str, ...] = tuple(ZZP_GROUPS)
#: sets of groups a count can be over (a group alone, ZZP 4 to 8, every group)
GROUP_SETS: dict[str, tuple[str, ...]] = {**{g: (g,) for g in GROUPS},
                                          "zzp4_8": ("zzp4", "zzp5_7", "zzp6_8"), "totaal": GROUPS}
PLACES: tuple[str, ...] = ("thuis", "intramuraal")
#: sets of places of care a count can be over
PLACE_SETS: dict[str, tuple[str, ...]] = {"thuis": ("thuis",), "intramuraal": ("intramuraal",), "alle": PLACES}
#: the area code of the region (the sum of its gemeenten)
REGION = "regio"
#: suppressing a region count costs this many times a gemeente count (the region totals matter most)
REGION_COST = 1000.0
#: a cell key: (area, year, group set, place set)
Key = tuple[str, int, str, str]


@dataclass(frozen=True)
class PublishedTable:
    """A table of counts that public outputs show, and where.

    ``years`` is ``"alle"`` (every observed year), ``"basisjaar"`` (the last
    observed year) or ``"eerste_en_laatste"``. ``cost`` weighs the loss of one
    suppressed gemeente cell (times its value); region cells cost
    :data:`REGION_COST` times more.
    """

    id: str
    region_only: bool
    years: str
    groups: tuple[str, ...]
    places: tuple[str, ...]
    cost: float
    shown_in: str

    def year_list(self, years: list[int]) -> list[int]:
        return {"alle": list(years), "basisjaar": [years[-1]],
                "eerste_en_laatste": sorted({years[0], years[-1]})}[self.years]


#: every table of observed client counts that a build publishes (declared once; the layers, tables
#: and the public forecast refer to these ids)
PUBLISHED_TABLES: tuple[PublishedTable, ...] = (
    PublishedTable("clienten_zzp4_8", False, "alle", ("zzp4_8",), ("alle",), 10.0,
                   "gemeentenlaag (cliënten, cliënten per 1.000 inwoners van 75+, groei), zorggebruik.csv, "
                   "catalogus en /api"),
    PublishedTable("basisjaar_per_groep", False, "basisjaar", GROUPS, PLACES, 1.0,
                   "prognose_tekort.csv/.xlsx (cliënten thuis en intramuraal in het basisjaar) en de openbare "
                   "prognose (aandeel thuis per gemeente)"),
    PublishedTable("regio_per_groep", True, "eerste_en_laatste", GROUPS, PLACES, 1.0,
                   "aannames van de prognose (aandeel thuis in de regio en de groei ervan)"),
    # the forecast's usage rates per (pooled) age band imply the region's clients per group and
    # year; the pools hold at least the threshold each (geo.forecast.pooled_usage_rates)
    PublishedTable("regio_per_groep_per_jaar", True, "alle", GROUPS, ("alle",), 1.0,
                   "de openbare prognose (gebruik per leeftijdsklasse in de regio)"),
)


@dataclass
class ClientCube:
    """Observed clients per gemeente, year, ZZP group and place of care (confidential).

    ``values[m, j, g, p]`` with ``m`` over :attr:`areas`, ``j`` over
    :attr:`years`, ``g`` over :data:`GROUPS` and ``p`` over :data:`PLACES`.
    """

    areas: list[str]
    years: list[int]
    values: np.ndarray

    def __post_init__(self):
        self.values = np.asarray(self.values, dtype=float)
        self._area = {a: k for k, a in enumerate(self.areas)}
        self._year = {y: k for k, y in enumerate(self.years)}

    def value(self, key: Key) -> float:
        """The exact count of a cell key."""
        area, year, gset, pset = key
        g = [GROUPS.index(x) for x in GROUP_SETS[gset]]
        p = [PLACES.index(x) for x in PLACE_SETS[pset]]
        block = self.values[:, self._year[year]] if area == REGION else self.values[self._area[area], self._year[year]]
        return float(block[..., g, :][..., p].sum())


def client_cube(clients: pd.DataFrame, gemeenten, years) -> ClientCube:
    """The client cube of the region's gemeenten from the client input (other gemeenten left out).

    Parameters
    ----------
    clients
        ``jaar``, ``gemeentecode``, ``zorgprofiel``, ``leveringsvorm``, ``aantal_clienten``.
    """
    areas, years = list(gemeenten), sorted(int(y) for y in years)
    c = clients[clients["gemeentecode"].isin(areas) & clients["jaar"].isin(years)]
    values = np.zeros((len(areas), len(years), len(GROUPS), len(PLACES)))
    if len(c):
        m = pd.Index(areas).get_indexer(c["gemeentecode"])
        j = pd.Index(years).get_indexer(c["jaar"].astype(int))
        g = pd.Index(GROUPS).get_indexer(c["zorgprofiel"].map(PROFILE_GROUP))
        p = np.where(c["leveringsvorm"].isin(HOME_LEVERINGSVORMEN), 0, 1)
        ok = (m >= 0) & (j >= 0) & (g >= 0)
        np.add.at(values, (m[ok], j[ok], g[ok], p[ok]), c["aantal_clienten"].to_numpy(float)[ok])
    return ClientCube(areas, years, values)


def count_cells(areas, year: int) -> list[Key]:
    """Every count of one year: each area and the region x group set x place set."""
    return [(a, year, gs, ps) for a, gs, ps in product([*areas, REGION], GROUP_SETS, PLACE_SETS)]


def published_cells(areas, years, tables=PUBLISHED_TABLES) -> dict[Key, str]:
    """The published counts: cell key -> the id of the (first) table that shows it."""
    out: dict[Key, str] = {}
    for t in tables:
        for year in t.year_list(list(years)):
            for a, gs, ps in product([REGION] if t.region_only else [*areas, REGION], t.groups, t.places):
                out.setdefault((a, year, gs, ps), t.id)
    return out


@dataclass
class Disclosure:
    """The outcome of :func:`protect`: which published counts are shown, and the audit.

    Attributes
    ----------
    published
        Every published cell key -> True (shown) or False (suppressed).
    primary, secondary
        The suppressed keys: below the threshold, and complementary.
    bounds
        Every sensitive count -> a range of values it can take given what is shown
        (at least this wide; :func:`audit` gives the exact smallest and largest).
    """

    threshold: int
    min_range: float
    cube: ClientCube
    base_year: int
    published: dict[Key, bool]
    primary: set[Key]
    secondary: set[Key]
    bounds: dict[Key, tuple[float, float]] = field(default_factory=dict)

    def shown(self, key: Key) -> bool:
        """Whether a published count is shown (False for suppressed and for never-published keys)."""
        return self.published.get(key, False)

    def value(self, key: Key) -> float:
        """The count where it is shown, NaN where it is not."""
        return self.cube.value(key) if self.shown(key) else float("nan")

    def summary(self) -> dict:
        """Counts for the build manifest (no values)."""
        widths = [hi - lo for lo, hi in self.bounds.values()]
        return {"drempel": self.threshold, "minimale_marge": self.min_range,
                "gepubliceerde_aantallen": len(self.published),
                "primair_onderdrukt": len(self.primary), "secundair_onderdrukt": len(self.secondary),
                "gevoelige_aantallen_gecontroleerd": len(self.bounds),
                "kleinste_marge": None if not widths else (None if np.isinf(min(widths)) else float(min(widths)))}


class DisclosureError(Exception):
    """The published tables cannot be protected (a sensitive count stays pinned down)."""


class _YearBlock:
    """The counts of one year as linear forms over the year's cube cells (for the LPs)."""

    def __init__(self, cube: ClientCube, year: int):
        self.cube, self.year = cube, year
        self.n_areas = len(cube.areas)
        self.x = cube.values[:, cube._year[year]].reshape(-1)  # (m, g, p) flattened
        self.n = self.x.size

    def support(self, key: Key) -> np.ndarray:
        area, _, gset, pset = key
        gs = [GROUPS.index(g) for g in GROUP_SETS[gset]]
        ps = [PLACES.index(p) for p in PLACE_SETS[pset]]
        ms = range(self.n_areas) if area == REGION else [self.cube._area[area]]
        return np.array([(m * len(GROUPS) + g) * len(PLACES) + p for m in ms for g in gs for p in ps], dtype=int)

    def bounds(self, key: Key, rows: list[np.ndarray], values: np.ndarray):
        """Smallest and largest value of ``key`` given the rows (published sums) and cells >= 0,
        and for each LP the indices of the rows that bind it (non-zero dual)."""
        c = np.zeros(self.n)
        c[self.support(key)] = 1.0
        if rows:
            data = np.concatenate([np.ones(len(r)) for r in rows])
            indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])])
            a = csr_matrix((data, np.concatenate(rows), indptr), shape=(len(rows), self.n))
        else:
            a, values = None, None
        out, binding = [], []
        for sign in (1.0, -1.0):  # minimise, then maximise
            res = linprog(sign * c, A_eq=a, b_eq=values, bounds=(0, None), method="highs")
            if res.status == 3:  # unbounded: the count can be as large as you like
                out.append(np.inf)
                binding.append([])
                continue
            if res.status != 0:
                raise DisclosureError(f"controle van {key} mislukt: {res.message}")
            out.append(sign * res.fun)
            marg = np.asarray(res.eqlin.marginals) if a is not None else np.zeros(0)
            binding.append(list(np.flatnonzero(np.abs(marg) > 1e-9)))
        return (out[0], out[1]), binding


def protect(cube: ClientCube, base_year: int, threshold: int = 10, min_range: float | None = None,
            tables=PUBLISHED_TABLES) -> Disclosure:
    """Primary and secondary suppression of the published counts, and the audit.

    Parameters
    ----------
    cube
        The exact client cube.
    base_year
        The last observed year (for tables shown in the base year only).
    threshold
        Counts below this are sensitive (0 included).
    min_range
        How far apart the smallest and largest value of a sensitive count must
        be, given everything published (default: the threshold).
    tables
        What is published (default :data:`PUBLISHED_TABLES`).

    Returns
    -------
    Disclosure
    """
    min_range = float(threshold if min_range is None else min_range)
    years = list(cube.years)
    if base_year != years[-1]:
        raise ValueError("het basisjaar moet het laatste jaar van de kubus zijn")
    pub_table = published_cells(cube.areas, years, tables)
    cost_of = {t.id: t.cost for t in tables}
    published = {k: True for k in pub_table}
    primary: set[Key] = set()
    secondary: set[Key] = set()
    bounds: dict[Key, tuple[float, float]] = {}
    for year in years:
        block = _YearBlock(cube, year)
        keys = [k for k in pub_table if k[1] == year]
        supports = {k: block.support(k) for k in keys}
        cells = {k: frozenset(supports[k].tolist()) for k in keys}
        values = {k: float(block.x[supports[k]].sum()) for k in keys}
        for k in keys:
            if values[k] < threshold:
                published[k] = False
                primary.add(k)
        sensitive = [k for k in count_cells(cube.areas, year) if cube.value(k) < threshold]
        sensitive.sort(key=lambda k: (cube.value(k), k))

        def cost(k: Key) -> float:
            return cost_of[pub_table[k]] * (REGION_COST if k[0] == REGION else 1.0) * (values[k] + 1.0)

        def width_without(s: Key, hidden: set[Key]) -> tuple[tuple[float, float], list]:
            active = [k for k in keys if published[k] and k not in hidden]
            (lo, hi), binding = block.bounds(s, [supports[k] for k in active],
                                             np.array([values[k] for k in active]))
            return (lo, hi), [active[i] for b in binding for i in b]

        def shown_cells() -> frozenset[int]:
            return frozenset().union(*(cells[k] for k in keys if published[k]))

        covered = shown_cells()
        for s in sensitive:
            target = frozenset(block.support(s).tolist())
            if target - covered:  # part of it lies under no shown count: it can be as large as you like
                bounds[s] = (0.0, float("inf"))
                continue
            while True:
                (lo, hi), binding = width_without(s, set())
                if hi - lo >= min_range:
                    bounds[s] = (lo, hi)
                    break
                pick = _complement(s, target, lo, hi, binding, keys, published, cells, cost,
                                   lambda hidden: width_without(s, hidden)[0], min_range)
                published[pick] = False
                secondary.add(pick)
                covered = shown_cells()
    # the ranges found on the way only widen as more counts are suppressed, so they still hold
    return Disclosure(threshold=threshold, min_range=min_range, cube=cube, base_year=base_year,
                      published=published, primary=primary, secondary=secondary, bounds=bounds)


#: how many candidate complements are tried per step (the cheapest first)
MAX_TRIES = 12


def _complement(s: Key, target: frozenset[int], lo: float, hi: float, binding: list[Key], keys, published,
                cells: dict[Key, frozenset[int]], cost, bounds_without, min_range: float) -> Key:
    """The shown count to suppress next for the sensitive count ``s``.

    Candidates are the shown counts that bind the attack (non-zero LP duals)
    and the parts of a binding total that lie outside ``s`` (its siblings).
    The cheapest candidate that alone protects ``s`` wins; else the one that
    widens ``s``'s range most per unit of cost; else the cheapest.
    """
    bind = set(binding)
    cands = set(bind)
    for b in bind:
        cands |= {k for k in keys if published[k] and k not in bind and not (target & cells[k]) and cells[k] <= cells[b]}
    if not cands:
        cands = {k for k in keys if published[k] and target & cells[k]}
    if not cands:
        raise DisclosureError(f"het aantal {s} is niet te beschermen")
    ordered = sorted(cands, key=lambda k: (cost(k), k))[:MAX_TRIES]
    best, best_gain = None, 0.0
    for n, c in enumerate(ordered):
        c_lo, c_hi = bounds_without({c})
        if c_hi - c_lo >= min_range:
            # a protector that costs more than the cheaper candidates together, where those together
            # protect too, waits: take the best of the cheaper ones first
            cheaper = ordered[:n]
            if best is not None and sum(cost(k) for k in cheaper) < cost(c):
                t_lo, t_hi = bounds_without(set(cheaper))
                if t_hi - t_lo >= min_range:
                    return best
            return c
        gain = ((c_hi - c_lo) - (hi - lo)) / cost(c)
        if gain > best_gain + 1e-12:
            best, best_gain = c, gain
    return best if best is not None else ordered[0]


def audit(d: Disclosure) -> dict[Key, tuple[float, float]]:
    """The (smallest, largest) value of every sensitive count given the counts ``d`` shows.

    Raises
    ------
    DisclosureError
        When a sensitive count's range is narrower than ``d.min_range``.
    """
    out: dict[Key, tuple[float, float]] = {}
    for year in d.cube.years:
        block = _YearBlock(d.cube, year)
        shown = [k for k, ok in d.published.items() if ok and k[1] == year]
        rows = [block.support(k) for k in shown]
        vals = np.array([float(block.x[r].sum()) for r in rows])
        for s in count_cells(d.cube.areas, year):
            if d.cube.value(s) >= d.threshold:
                continue
            (lo, hi), _ = block.bounds(s, rows, vals)
            if hi - lo < d.min_range:
                raise DisclosureError(f"het aantal {s} ligt vast tussen {lo:g} en {hi:g}")
            out[s] = (lo, hi)
    return out
