"""Statistical disclosure control of client counts: what is published, declared once; primary and
secondary (complementary) cell suppression; an audit of every small count by linear programming.

The confidential input is a table of client counts per gemeente, year, age band, zorgprofiel and
leveringsvorm. Everything a build publishes that rests on observed client counts is a sum of cells
of the *client cube* ``x[gemeente, jaar, groep, plek]`` of a sector (its groups of the gap, e.g. the four
ZZP groups of V&V; ``thuis`` = VPT, MPT, PGB and ``intramuraal``); each sector has its own cube, or a figure computed from such sums and public data (inhabitants, places,
the model). :data:`PUBLISHED_TABLES` declares which sums are published; nothing else may be.

A **count** is any sum of the cube over one area (a gemeente or the region), one year, a set of
groups (each group, the sector's client groups (V&V: ZZP 4-8) or all) and a set of places (thuis, intramuraal or both): the cells of
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

The LPs are solved with HiGHS through highspy (:data:`ENGINE` ``"highs"``): per year one model of
what the shown counts leave open (cells they fix taken out, cells they cannot tell apart merged;
see :class:`_Reduced`), re-solved from its last basis for count after count. Without highspy,
or with ``engine="scipy"``, every bound is a new ``scipy.optimize.linprog`` over all shown counts
(the implementation before issue 13, 10 to 40 times slower); both give the same ranges
(``tests/test_disclosure_engine.py``; ``scripts/bench_disclosure.py`` times them).

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

import copy
from collections import Counter
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd
from scipy.sparse import csc_matrix, csr_matrix, vstack

try:  # the HiGHS LP solver itself (highspy's plain class: no Python callbacks, no banner)
    from highspy import HighsModelStatus as _Status, _Highs
except ImportError:  # pragma: no cover - then scipy's linprog (the same HiGHS, much more overhead per LP)
    _Highs = _Status = None

from .forecast import HOME_LEVERINGSVORMEN
from .sectors import Sector, default_sectors

#: the group set of a sector's headline clients (its ``client_groups``: V&V ZZP 4-8) and of every group
CLIENTS, TOTAL = "clienten", "totaal"


def group_sets(sector: Sector) -> dict[str, tuple[str, ...]]:
    """The sets of groups a count can be over: each group alone, the sector's client groups, every group."""
    groups = sector.group_ids
    return {**{g: (g,) for g in groups}, CLIENTS: tuple(sector.client_groups), TOTAL: groups}


_VV = default_sectors().get("vv")
#: the V&V sector's groups and group sets (the default of a cube)
GROUPS: tuple[str, ...] = _VV.group_ids
GROUP_SETS: dict[str, tuple[str, ...]] = group_sets(_VV)
PLACES: tuple[str, ...] = ("thuis", "intramuraal")
#: sets of places of care a count can be over
PLACE_SETS: dict[str, tuple[str, ...]] = {"thuis": ("thuis",), "intramuraal": ("intramuraal",), "alle": PLACES}
#: the area code of the region (the sum of its gemeenten)
REGION = "regio"
#: suppressing a region count costs this many times a gemeente count (the region totals matter most)
REGION_COST = 1000.0
#: a cell key: (area, year, group set, place set)
Key = tuple[str, int, str, str]


#: in a table's ``groups``: every group of the sector, one count each
EACH_GROUP = "*"


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

    def group_list(self, groups: tuple[str, ...]) -> list[str]:
        """The group sets of the table for a sector with these groups (``*`` = each group)."""
        return [x for g in self.groups for x in (groups if g == EACH_GROUP else (g,))]

    def year_list(self, years: list[int]) -> list[int]:
        return {"alle": list(years), "basisjaar": [years[-1]],
                "eerste_en_laatste": sorted({years[0], years[-1]})}[self.years]


#: every table of observed client counts that a build publishes (declared once; the layers, tables
#: and the public forecast refer to these ids)
PUBLISHED_TABLES: tuple[PublishedTable, ...] = (
    PublishedTable("clienten", False, "alle", (CLIENTS,), ("alle",), 10.0,
                   "gemeentenlaag (cliënten, cliënten per 1.000 inwoners van 75+, groei), zorggebruik.csv, "
                   "catalogus en /api"),
    PublishedTable("basisjaar_per_groep", False, "basisjaar", (EACH_GROUP, CLIENTS), PLACES, 1.0,
                   "prognose_tekort.csv/.xlsx (cliënten thuis en intramuraal in het basisjaar) en de openbare "
                   "prognose (aandeel thuis per gemeente), zorglagen (aandeel thuis)"),
    PublishedTable("regio_per_groep", True, "eerste_en_laatste", (EACH_GROUP,), PLACES, 1.0,
                   "aannames van de prognose (aandeel thuis in de regio en de groei ervan)"),
    # the forecast's usage rates per (pooled) age band imply the region's clients per group and
    # year; the pools hold at least the threshold each (geo.forecast.pooled_usage_rates)
    PublishedTable("regio_per_groep_per_jaar", True, "alle", (EACH_GROUP,), ("alle",), 1.0,
                   "de openbare prognose (gebruik per leeftijdsklasse in de regio)"),
)


@dataclass
class ClientCube:
    """Observed clients of one sector per gemeente, year, group and place of care (confidential).

    ``values[m, j, g, p]`` with ``m`` over :attr:`areas`, ``j`` over
    :attr:`years`, ``g`` over :attr:`groups` (default the V&V groups) and
    ``p`` over :data:`PLACES`; :attr:`sets` are its group sets (:func:`group_sets`).
    """

    areas: list[str]
    years: list[int]
    values: np.ndarray
    sector: Sector = _VV

    def __post_init__(self):
        self.values = np.asarray(self.values, dtype=float)
        self._area = {a: k for k, a in enumerate(self.areas)}
        self._year = {y: k for k, y in enumerate(self.years)}
        self.groups = self.sector.group_ids
        self.sets = group_sets(self.sector)

    def group_index(self, gset: str) -> list[int]:
        return [self.groups.index(x) for x in self.sets[gset]]

    def value(self, key: Key) -> float:
        """The exact count of a cell key."""
        area, year, gset, pset = key
        g = self.group_index(gset)
        p = [PLACES.index(x) for x in PLACE_SETS[pset]]
        block = self.values[:, self._year[year]] if area == REGION else self.values[self._area[area], self._year[year]]
        return float(block[..., g, :][..., p].sum())


def client_cube(clients: pd.DataFrame, gemeenten, years, sector: Sector | None = None) -> ClientCube:
    """The client cube of one sector (default V&V) of the region's gemeenten from the client input
    (other gemeenten left out).

    Parameters
    ----------
    clients
        ``jaar``, ``gemeentecode``, ``zorgprofiel``, ``leveringsvorm``, ``aantal_clienten`` and
        optionally ``sector`` (the sector id; without it every row is the sector's).
    """
    sector = sector or _VV
    areas, years = list(gemeenten), sorted(int(y) for y in years)
    c = clients[clients["gemeentecode"].isin(areas) & clients["jaar"].isin(years)]
    if "sector" in c.columns:
        c = c[c["sector"] == sector.id]
    groups = sector.group_ids
    values = np.zeros((len(areas), len(years), len(groups), len(PLACES)))
    if len(c):
        m = pd.Index(areas).get_indexer(c["gemeentecode"])
        j = pd.Index(years).get_indexer(c["jaar"].astype(int))
        g = pd.Index(groups).get_indexer(c["zorgprofiel"].map(sector.group_of))
        p = np.where(c["leveringsvorm"].isin(HOME_LEVERINGSVORMEN), 0, 1)
        ok = (m >= 0) & (j >= 0) & (g >= 0)
        np.add.at(values, (m[ok], j[ok], g[ok], p[ok]), c["aantal_clienten"].to_numpy(float)[ok])
    return ClientCube(areas, years, values, sector)


def count_cells(areas, year: int, sets=None) -> list[Key]:
    """Every count of one year: each area and the region x group set x place set."""
    return [(a, year, gs, ps) for a, gs, ps in product([*areas, REGION], sets or GROUP_SETS, PLACE_SETS)]


def published_cells(areas, years, tables=PUBLISHED_TABLES, groups: tuple[str, ...] = GROUPS) -> dict[Key, str]:
    """The published counts: cell key -> the id of the (first) table that shows it."""
    out: dict[Key, str] = {}
    for t in tables:
        for year in t.year_list(list(years)):
            for a, gs, ps in product([REGION] if t.region_only else [*areas, REGION], t.group_list(groups), t.places):
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
    """The published counts of one year as equality rows over the year's cube cells ``x >= 0``.

    Row ``i`` is ``keys[i]``: while it is shown, the sum of its cells equals its exact value; a
    hidden (suppressed) row constrains nothing. :meth:`bounds` gives the smallest and largest
    value a count can take given the shown rows. The engines: :class:`_HighsBlock` (highspy: a
    reduced model per year, re-solved warm) and :class:`_ScipyBlock` (scipy's ``linprog``, a new LP
    over every shown row per bound, as before issue 13: the reference, and the fallback where
    highspy is missing).
    """

    def __init__(self, cube: ClientCube, year: int, keys=()):
        self.cube, self.year = cube, year
        self.n_areas = len(cube.areas)
        self.x = cube.values[:, cube._year[year]].reshape(-1)  # (m, g, p) flattened
        self.n = self.x.size
        self.keys: list[Key] = list(keys)
        self.rows = [self.support(k) for k in self.keys]
        self.values = np.array([float(self.x[r].sum()) for r in self.rows])
        self.shown = np.ones(len(self.keys), dtype=bool)
        self.lengths = np.array([len(r) for r in self.rows], dtype=int)
        indptr = np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)
        index = np.concatenate(self.rows) if self.rows else np.zeros(0, dtype=np.int64)
        #: the rows as a sparse 0/1 matrix (rows x cells)
        self.matrix = csr_matrix((np.ones(index.size), index, indptr), shape=(len(self.rows), self.n))
        self.cells_of = np.zeros(self.n, dtype=int)  # how many shown rows hold each cell
        for r in self.rows:
            self.cells_of[r] += 1

    def support(self, key: Key) -> np.ndarray:
        area, _, gset, pset = key
        gs = self.cube.group_index(gset)
        ps = [PLACES.index(p) for p in PLACE_SETS[pset]]
        ms = range(self.n_areas) if area == REGION else [self.cube._area[area]]
        n_groups = len(self.cube.groups)
        return np.array([(m * n_groups + g) * len(PLACES) + p for m in ms for g in gs for p in ps], dtype=int)

    def parts(self, i: int) -> np.ndarray:
        """The rows whose cells all lie in row ``i``'s (``i`` too)."""
        overlap = self.matrix @ self.matrix[i].toarray().ravel()
        return np.flatnonzero(overlap == self.lengths)

    def hide(self, i: int) -> None:
        """Suppress row ``i`` for good."""
        if self.shown[i]:
            self.shown[i] = False
            self.cells_of[self.rows[i]] -= 1

    def uncovered(self, cols: np.ndarray) -> bool:
        """Whether a cell of ``cols`` lies under no shown row: then nothing bounds it (nor the count)
        from above (exact: that cell can grow alone, every shown row unchanged)."""
        return bool((self.cells_of[cols] == 0).any())

    def bounds(self, cols: np.ndarray, hidden=(), binding_below: float | None = None):
        """Smallest and largest value of the sum of cells ``cols`` given the shown rows except
        ``hidden`` and cells >= 0; and, where the two lie less than ``binding_below`` apart (and
        nothing is hidden), for each of the two LPs the indices of the rows that bind it (non-zero
        dual)."""
        raise NotImplementedError


class _ScipyBlock(_YearBlock):
    """Each bound a fresh ``scipy.optimize.linprog`` (HiGHS behind scipy's checks and conversions)."""

    def _one(self, cols, sign: float, hidden=()):
        """The optimum of ``sign`` times the count (inf where unbounded) and the binding rows."""
        SOLVES["lp"] += 1
        hidden = set(hidden)
        active = [i for i in range(len(self.keys)) if self.shown[i] and i not in hidden]
        c = np.zeros(self.n)
        c[cols] = sign
        if active:
            rows = [self.rows[i] for i in active]
            data = np.concatenate([np.ones(len(r)) for r in rows])
            indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])])
            a = csr_matrix((data, np.concatenate(rows), indptr), shape=(len(rows), self.n))
            values = self.values[active]
        else:
            a, values = None, None
        from scipy.optimize import linprog  # here: scipy.optimize costs 0.35 s to import, the highs engine needs none

        res = linprog(c, A_eq=a, b_eq=values, bounds=(0, None), method="highs")
        if res.status == 3:  # unbounded: the count can be as large as you like
            return np.inf, []
        if res.status != 0:
            raise DisclosureError(f"controle van {self.year} mislukt: {res.message}")
        marg = np.asarray(res.eqlin.marginals) if a is not None else np.zeros(0)
        return sign * res.fun, [active[i] for i in np.flatnonzero(np.abs(marg) > 1e-9)]

    def bounds(self, cols, hidden=(), binding_below=None):
        lo, b_lo = self._one(cols, 1.0, hidden)
        hi, b_hi = self._one(cols, -1.0, hidden)
        return (lo, hi), [b_lo, b_hi]


#: HiGHS options of the models: no presolve (so that a re-solve starts from the last basis), the
#: primal simplex (a new objective leaves the last basis primal feasible: few iterations), one
#: thread (the LPs are small: a thread pool costs far more than it gains, more so on a busy machine)
HIGHS_OPTIONS = {"output_flag": False, "presolve": "off", "solver": "simplex", "simplex_strategy": 4,
                 "threads": 1}
#: for the duals that choose the complements: a solve from scratch (presolve, dual simplex), so the
#: rows found do not depend on the bases of earlier solves
DUAL_OPTIONS = {"presolve": "on", "simplex_strategy": 1}
#: LP optima this close to an integer are that integer (the counts are whole numbers; warm starts
#: can leave rounding noise)
SNAP = 1e-9
#: a dual this far from 0 makes its row binding
DUAL_TOL = 1e-9
#: how many LP solutions :class:`_Reduced` keeps, and what counts as 0 in them
POINTS, POINT_TOL = 16, 1e-9


def _snap(v: float) -> float:
    if not np.isfinite(v):
        return float(v)
    r = round(v)
    return float(r) if abs(v - r) <= SNAP * max(1.0, abs(v)) else float(v)


class _Lp:
    """One HiGHS model: columns ``y >= 0``, equality rows given as a CSR 0/1 matrix and their right-hand
    sides, an objective that is +1 or -1 on some columns and 0 elsewhere; solved again and again
    from the last basis. A row can be freed (bounds -inf..inf) and fixed again."""

    def __init__(self, a: csr_matrix, rhs: np.ndarray):
        h = _Highs()
        for name, value in HIGHS_OPTIONS.items():
            h.setOptionValue(name, value)
        m, n = a.shape
        h.addVars(n, np.zeros(n), np.full(n, np.inf))
        if m:
            h.addRows(m, rhs, rhs, a.nnz, a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32),
                      np.ones(a.nnz))
        self.h, self.rhs = h, np.asarray(rhs, dtype=float)
        self._cost = np.zeros(0, dtype=np.int32)  # the columns with a non-zero cost now

    def copy(self) -> "_Lp":
        """The same model and basis in a new HiGHS instance."""
        other = _Lp.__new__(_Lp)
        h = _Highs()
        for name, value in HIGHS_OPTIONS.items():
            h.setOptionValue(name, value)
        h.passModel(self.h.getModel())
        basis = self.h.getBasis()
        if basis.valid:
            h.setBasis(basis)
        other.h, other.rhs, other._cost = h, self.rhs.copy(), self._cost.copy()
        return other

    def extend(self, cols: csc_matrix, rows: csr_matrix, rhs_at: np.ndarray, rhs: np.ndarray,
               new_rhs: np.ndarray) -> None:
        """Add columns (``cols``: their entries in the existing rows), then rows (``rows``: over every
        column, the new ones included) with right-hand sides ``new_rhs``, and set the right-hand
        sides of the existing rows ``rhs_at`` to ``rhs``. The basis stays valid (new columns at 0,
        new rows basic): the next solve starts from it."""
        h = self.h
        n = cols.shape[1]
        if n:
            h.addCols(n, np.zeros(n), np.zeros(n), np.full(n, np.inf), cols.nnz,
                      cols.indptr[:-1].astype(np.int32), cols.indices.astype(np.int32), np.ones(cols.nnz))
        if rhs_at.size:
            h.changeRowsBounds(rhs_at.size, rhs_at.astype(np.int32), rhs, rhs)
        self.rhs = self.rhs.copy()
        self.rhs[rhs_at] = rhs
        m = rows.shape[0]
        if m:
            h.addRows(m, new_rhs, new_rhs, rows.nnz, rows.indptr[:-1].astype(np.int32),
                      rows.indices.astype(np.int32), np.ones(rows.nnz))
            self.rhs = np.concatenate([self.rhs, new_rhs])

    def free(self, i: int) -> None:
        self.h.changeRowBounds(int(i), -np.inf, np.inf)

    def free_rows(self, rows: np.ndarray) -> None:
        self.h.changeRowsBounds(rows.size, rows.astype(np.int32), np.full(rows.size, -np.inf),
                                np.full(rows.size, np.inf))

    def fix(self, i: int) -> None:
        self.h.changeRowBounds(int(i), self.rhs[i], self.rhs[i])

    def _objective(self, cols: np.ndarray, sign: float) -> None:
        h = self.h
        if self._cost.size:
            h.changeColsCost(self._cost.size, self._cost, np.zeros(self._cost.size))
        self._cost = np.asarray(cols, dtype=np.int32)
        h.changeColsCost(self._cost.size, self._cost, np.full(self._cost.size, sign))

    def optimum(self, cols: np.ndarray, sign: float) -> float:
        """The smallest (``sign`` +1) or largest (-1) value of ``sum(y[cols])``; inf where unbounded."""
        SOLVES["lp"] += 1
        self._objective(cols, sign)
        h = self.h
        h.run()
        status = h.getModelStatus()
        if status not in (_Status.kOptimal, _Status.kUnbounded):
            h.clearSolver()  # a warm start gone wrong (numerically): once more from scratch
            h.run()
            status = h.getModelStatus()
        if status == _Status.kOptimal:
            return sign * h.getObjectiveValue()
        if status == _Status.kUnbounded and sign < 0:
            return np.inf  # the count can be as large as you like
        raise DisclosureError(f"controle mislukt: {h.modelStatusToString(status)}")

    def duals(self, cols: np.ndarray, sign: float) -> np.ndarray:
        """Row duals ``pi`` (reduced costs ``c - A'pi``) at the optimum of ``sign * sum(y[cols])``
        (bounded), from a solve from scratch (:data:`DUAL_OPTIONS`)."""
        SOLVES["lp"] += 1
        h = self.h
        self._objective(cols, sign)
        for name, value in DUAL_OPTIONS.items():
            h.setOptionValue(name, value)
        h.clearSolver()
        h.run()
        for name in DUAL_OPTIONS:
            h.setOptionValue(name, HIGHS_OPTIONS[name])
        if h.getModelStatus() != _Status.kOptimal:
            raise DisclosureError(f"controle mislukt: {h.modelStatusToString(h.getModelStatus())}")
        return np.asarray(h.getSolution().row_dual)


class _Fixing:
    """The cells that shown rows fix, round by round (see :class:`_Reduced`, 1): ``free`` (not fixed),
    ``fixer`` (the row that fixed each fixed cell), ``rounds`` (the cells fixed in each round) and
    ``n_free`` (each row's free cells; 0 for a row not shown)."""

    def __init__(self, a: csr_matrix, shown: np.ndarray):
        n = a.shape[1]
        free = np.ones(n)
        ar = np.arange(n, dtype=float)
        self.fixer = np.full(n, -1, dtype=np.int64)
        self.rounds: list[np.ndarray] = []
        while True:
            n_free = a @ free
            ready = np.flatnonzero(shown & (n_free == 1))
            if not ready.size:
                break
            cell = np.rint((a @ (ar * free))[ready]).astype(np.int64)  # the free cell of each such row
            cell, first = np.unique(cell, return_index=True)
            self.fixer[cell] = ready[first]
            free[cell] = 0.0
            self.rounds.append(cell)
        self.free = free.astype(bool)
        self.n_free = np.where(shown, n_free, 0)


class _Reduced:
    """The LP of a year block given a set of shown rows, with what they fix taken out.

    Exact reductions (each keeps every count's smallest and largest value):

    1. *Fixed cells.* A shown row with a single cell not yet fixed fixes that cell (the row's value
       minus the fixed ones), and so on, round by round (the differencing an attacker does). A
       fixed cell can only take its true value (the truth satisfies every row), so it leaves the LP
       as a constant.
    2. *Redundant rows.* A shown row whose cells are all fixed holds for every solution: left out.
       The rows left (*remaining*) hold two free cells or more.
    3. *Loose cells.* A free cell under no remaining row lies under no shown row at all (a shown row
       with one free cell would have fixed it): a count holding one is unbounded above; the cell
       can be 0.
    4. *Merged cells.* Free cells under the same remaining rows (e.g. thuis and intramuraal of a
       group in a year that shows only their sum, or "overig" of every gemeente where only the
       region's total is shown) enter every row alike, so only their sum ``y`` matters: one column.
       To *maximise* a count all of ``y`` can go to a cell of the count (cost 1 where the class
       meets the count); to *minimise* it, all of ``y`` to a cell outside it (cost 1 only where the
       class lies wholly inside the count).

    Two more exact short cuts: the optimum of an objective (a set of classes) is remembered until
    the LP changes (thuis, intramuraal and both of a group whose places merged share it); and a
    minimum is 0 without an LP where one of the last :data:`POINTS` minimising solutions (still
    feasible: rows are only ever freed, and the model extended with the true values) holds none
    of the count's classes. Suppressing rows later extends the model (:meth:`extend`) rather than
    reducing again.

    :meth:`binding` turns the duals of the reduced LP back into duals of the full LP (the
    eliminated rows in reverse order of fixing), so the rows found bind the full LP.
    """

    def __init__(self, block: "_YearBlock", shown: np.ndarray, fixing: "_Fixing | None" = None):
        a, x = block.matrix, block.x
        n = a.shape[1]
        fixing = fixing or _Fixing(a, shown)
        self.set_fixing(fixing)
        free, n_free = fixing.free, fixing.n_free
        self.rows = np.flatnonzero(shown & (n_free >= 2))  # the remaining rows (block row numbers)
        sub = a[self.rows]
        self.a_rows = sub  # remaining rows over every cell (for the duals)
        cells = np.flatnonzero(free)
        col = sub[:, cells].tocsc()
        col.sort_indices()
        count = np.diff(col.indptr)
        self.class_of = np.full(n, -1, dtype=np.int64)
        k = 0
        if col.nnz:
            covered = count > 0
            width = int(count.max())
            sig = np.full((cells.size, width), -1, dtype=np.int64)
            pos = np.arange(col.nnz) - np.repeat(col.indptr[:-1], count)
            sig[np.repeat(np.arange(cells.size), count), pos] = col.indices
            _, cls = np.unique(sig[covered], axis=0, return_inverse=True)
            cls = cls.reshape(-1)
            self.class_of[cells[covered]] = cls
            k = int(cls.max()) + 1
            member = csr_matrix((np.ones(cls.size), (np.flatnonzero(covered), cls)), shape=(cells.size, k))
            lp_a = (col.tocsr() @ member).tocsr()
            lp_a.data[:] = 1.0
            lp_a.sort_indices()
            self.lp = _Lp(lp_a, col.tocsr() @ x[cells])
        else:
            self.lp = None
        self.size = np.bincount(self.class_of[self.class_of >= 0], minlength=k)
        self.x = x
        self._pos = {int(r): i for i, r in enumerate(self.rows)}
        self._memo: dict = {}
        self._freed = np.zeros(len(self.rows), dtype=bool)  # rows of the LP suppressed since
        self._temporary = 0  # rows freed for a "without c"
        self._points = np.zeros((POINTS, k))  # the last solutions found (of the LP as it is, or was)
        self._n_points = self._next = 0

    def set_fixing(self, fixing: _Fixing) -> None:
        """Take the fixing of other shown rows that fix the same cells (the LP stays as it is)."""
        self.free, self.fixer, self.rounds = fixing.free, fixing.fixer, fixing.rounds
        self.fixers = frozenset(self.fixer[~self.free].tolist())

    def extend(self, block: "_YearBlock", shown: np.ndarray, fixing: _Fixing) -> None:
        """Make this the model of fewer shown rows (``shown``, ``fixing`` theirs) without starting over:
        rows not shown any more are freed; cells fixed here but free there become columns of their
        own (in the remaining rows that hold them; merging them is not needed for exactness); rows
        that held only fixed cells here and hold two free cells there are added; the right-hand
        sides take in the cells set free. Fewer rows fix fewer cells, and an added row holds no cell
        free here, so the classes stay as they are; every solution kept stays feasible with the
        true values in the new columns."""
        a, x = block.matrix, block.x
        gone = np.flatnonzero(~shown[self.rows] & ~self._freed)
        if gone.size:
            self.lp.free_rows(gone)  # no longer shown
            self._freed = self._freed.copy()
            self._freed[gone] = True
        new = np.flatnonzero(fixing.free & ~self.free)
        mark = np.zeros(a.shape[1])
        mark[new] = 1.0
        touched = np.flatnonzero(shown & (fixing.n_free >= 2) & (a @ mark > 0))  # rows that hold a new cell
        pos = np.array([self._pos.get(r, -1) for r in touched.tolist()], dtype=np.int64)
        kept, added = pos >= 0, touched[pos < 0]
        sub = a[touched][:, new]
        covered = np.diff(sub.tocsc().indptr) > 0
        k, m = len(self.size), len(self.rows)
        n_new = int(covered.sum())
        col_id = np.full(new.size, -1, dtype=np.int64)
        col_id[covered] = k + np.arange(n_new)
        sub = sub[:, np.flatnonzero(covered)].tocoo()
        in_kept = kept[sub.row]
        cols = csc_matrix((sub.data[in_kept], (pos[sub.row[in_kept]], sub.col[in_kept])), shape=(m, n_new))
        cols.sort_indices()
        where = np.cumsum(~kept) - 1  # row of each added one among the added
        extra = csr_matrix((sub.data[~in_kept], (where[sub.row[~in_kept]], k + sub.col[~in_kept])),
                           shape=(added.size, k + n_new))
        extra.sort_indices()
        gain = np.zeros(touched.size)  # what the cells set free add to each row's right-hand side
        np.add.at(gain, sub.row, x[new[covered]][sub.col])
        self.lp.extend(cols, extra, pos[kept], self.lp.rhs[pos[kept]] + gain[kept], gain[~kept])
        self.set_fixing(fixing)
        self.class_of = self.class_of.copy()
        self.class_of[new] = col_id
        self.size = np.concatenate([self.size, np.ones(n_new, dtype=self.size.dtype)])
        self._pos = {**self._pos, **{r: m + i for i, r in enumerate(added.tolist())}}
        self.rows = np.concatenate([self.rows, added])
        self._freed = np.concatenate([self._freed, np.zeros(added.size, dtype=bool)])
        if added.size:
            self.a_rows = vstack([self.a_rows, a[added]]).tocsr()
        self._memo = {}
        points = np.zeros((POINTS, len(self.size)))
        points[:, :k] = self._points
        points[:, k:] = x[new[covered]]
        self._points = points

    def without(self, block: "_YearBlock", shown: np.ndarray, fixing: _Fixing) -> "_Reduced":
        """A copy of this model made the model of fewer shown rows (:meth:`extend`); this one stays."""
        if self.lp is None:  # nothing to start from
            return _Reduced(block, shown, fixing)
        other = copy.copy(self)
        other.lp = self.lp.copy()
        other._temporary = 1  # nothing remembered, no solutions kept
        other.extend(block, shown, fixing)
        return other

    def position(self, row: int) -> int | None:
        """The row's number in the reduced LP (None: it was eliminated)."""
        return self._pos.get(int(row))

    def _objective(self, cols: np.ndarray):
        fixed = ~self.free[cols]
        const = float(self.x[cols[fixed]].sum())
        cls = self.class_of[cols[~fixed]]
        unbounded = bool((cls < 0).any())
        cls, n_in = np.unique(cls[cls >= 0], return_counts=True)
        return const, unbounded, cls[n_in == self.size[cls]], cls

    def optimum(self, cls: np.ndarray, sign: float) -> float:
        """The LP optimum of ``sign`` times the sum of the classes ``cls``; remembered until the LP
        changes (counts with the same classes, such as thuis, intramuraal and both of a group whose
        places merged, share their LPs)."""
        if not cls.size:
            return 0.0
        key = (sign, cls.tobytes())
        v = None if self._temporary else self._memo.get(key)
        if v is not None:
            SOLVES["remembered"] += 1
            return v
        if sign > 0 and self._n_points and (self._points[:self._n_points][:, cls].sum(axis=1) <= POINT_TOL).any():
            # a solution found before (still feasible: rows are only ever freed) has none of the count
            # here, and the count is >= 0: that is its minimum
            SOLVES["zero_by_point"] += 1
            v = 0.0
        else:
            v = self.lp.optimum(cls, sign)
            if sign > 0 and not self._temporary:
                self._points[self._next] = self.lp.h.getSolution().col_value
                self._next = (self._next + 1) % len(self._points)
                self._n_points = min(self._n_points + 1, len(self._points))
        if not self._temporary:
            self._memo[key] = v
        return v

    def drop_row(self, pos: int) -> None:
        """Free a row for good (a suppression): every solution found stays feasible."""
        self.lp.free(pos)
        self._freed = self._freed.copy()
        self._freed[pos] = True
        self._memo.clear()

    def free_row(self, pos: int) -> None:
        """Free a row until :meth:`fix_row` (meanwhile nothing is remembered)."""
        self.lp.free(pos)
        self._temporary += 1

    def fix_row(self, pos: int) -> None:
        self.lp.fix(pos)
        self._temporary -= 1

    def bounds(self, cols: np.ndarray) -> tuple[float, float]:
        const, unbounded, whole, meets = self._objective(cols)
        lo = const + self.optimum(whole, 1.0)
        hi = np.inf if unbounded else const + self.optimum(meets, -1.0)
        return _snap(lo), _snap(hi)

    def binding(self, block: "_YearBlock", cols: np.ndarray, sign: float) -> list[int]:
        """The rows (block row numbers) with a non-zero dual at the optimum of ``sign`` times the count
        in the full LP (bounded): the reduced LP's duals, then those of the rows that fixed cells,
        round by round backwards, each making its cell's reduced cost 0 (a fixer row holds only
        fixed cells, of its own round or earlier, so it leaves the free cells' reduced costs alone)."""
        _, _, whole, meets = self._objective(cols)
        obj = whole if sign > 0 else meets
        pi = self.lp.duals(obj, sign) if obj.size else np.zeros(len(self.rows))
        pi[~block.shown[self.rows]] = 0.0  # rows suppressed since the reduction (free: no dual)
        c = np.zeros(block.n)
        c[cols] = sign
        d = c - self.a_rows.T @ pi  # reduced costs in the full LP so far
        out = [int(r) for r in self.rows[np.abs(pi) > DUAL_TOL]]
        at = block.matrix_t
        for cell in reversed(self.rounds):
            p = d[cell]
            nz = np.abs(p) > DUAL_TOL
            if not nz.any():
                continue
            rows = self.fixer[cell[nz]]
            out += rows.tolist()
            d -= at[:, rows] @ p[nz]
        return out


class _HighsBlock(_YearBlock):
    """The year's LPs in HiGHS (highspy): one reduced model (:class:`_Reduced`) of the shown rows,
    re-solved warm for count after count (only the objective changes). A suppression frees its
    row where that row is in the model; where it fixed cells that no other row fixes, the model
    is extended with them (:meth:`_Reduced.extend`); a redundant row changes nothing. "Without
    ``c``" frees ``c``'s row for the two solves, or, where ``c`` fixed cells, solves an extended
    copy (:meth:`_Reduced.without`)."""

    def __init__(self, cube: ClientCube, year: int, keys=()):
        super().__init__(cube, year, keys)
        self.matrix_t = self.matrix.T.tocsr()
        self._red: _Reduced | None = None

    def reduced(self) -> _Reduced:
        if self._red is None:
            SOLVES["reductions"] += 1
            self._red = _Reduced(self, self.shown.copy())
        return self._red

    def hide(self, i: int) -> None:
        if not self.shown[i]:
            return
        super().hide(i)
        red = self._red
        if red is not None:
            pos = red.position(i)
            if pos is not None:
                red.drop_row(pos)  # a remaining row: the reduction holds without it
            elif i in red.fixers:  # it fixed a cell: fix again
                fixing = _Fixing(self.matrix, self.shown)
                if np.array_equal(fixing.free, red.free):
                    red.set_fixing(fixing)  # other rows fix the same cells: the LP stays
                elif red.lp is None:
                    self._red = _Reduced(self, self.shown.copy(), fixing)
                else:
                    SOLVES["extensions"] += 1
                    red.extend(self, self.shown.copy(), fixing)
            # else a redundant row: nothing changes

    def bounds(self, cols, hidden=(), binding_below=None):
        red = self.reduced()
        hidden = [i for i in hidden if self.shown[i]]
        if any(i in red.fixers for i in hidden):
            shown = self.shown.copy()
            shown[hidden] = False
            fixing = _Fixing(self.matrix, shown)
            same = np.array_equal(fixing.free, red.free)  # other rows fix the same cells
        else:
            same = True
        if same:
            freed = [p for p in map(red.position, hidden) if p is not None]
            for p in freed:
                red.free_row(p)
            try:
                lo, hi = red.bounds(cols)
            finally:
                for p in freed:
                    red.fix_row(p)
        else:
            SOLVES["extensions"] += 1
            lo, hi = red.without(self, shown, fixing).bounds(cols)
        bind = []
        if binding_below is not None and hi - lo < binding_below and not hidden:
            bind = [red.binding(self, cols, sign) if np.isfinite(v) else [] for sign, v in ((1.0, lo), (-1.0, hi))]
        return (lo, hi), bind


#: which LP engine :func:`protect` and :func:`audit` use by default: ``"highs"`` (highspy) or
#: ``"scipy"`` (where highspy is missing)
ENGINE = "highs" if _Highs is not None else "scipy"
_ENGINES = {"highs": _HighsBlock, "scipy": _ScipyBlock}
#: how many LPs the engines solved (diagnostics: the benchmark reads and resets it)
SOLVES: Counter = Counter()


def _block(engine: str | None, cube: ClientCube, year: int, keys) -> _YearBlock:
    name = engine or ENGINE
    if name == "highs" and _Highs is None:
        raise ValueError("de LP-engine 'highs' vraagt het pakket highspy")
    try:
        return _ENGINES[name](cube, year, keys)
    except KeyError:
        raise ValueError(f"onbekende LP-engine {name!r} (kies uit {', '.join(_ENGINES)})") from None


def protect(cube: ClientCube, base_year: int, threshold: int = 10, min_range: float | None = None,
            tables=PUBLISHED_TABLES, *, engine: str | None = None) -> Disclosure:
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
    engine
        The LP engine: ``"highs"`` or ``"scipy"`` (default :data:`ENGINE`); both give the same
        ranges, and the same suppressions unless an LP has more than one optimal dual.

    Returns
    -------
    Disclosure
    """
    min_range = float(threshold if min_range is None else min_range)
    years = list(cube.years)
    if base_year != years[-1]:
        raise ValueError("het basisjaar moet het laatste jaar van de kubus zijn")
    pub_table = published_cells(cube.areas, years, tables, cube.groups)
    cost_of = {t.id: t.cost for t in tables}
    published = {k: True for k in pub_table}
    primary: set[Key] = set()
    secondary: set[Key] = set()
    bounds: dict[Key, tuple[float, float]] = {}
    for year in years:
        keys = [k for k in pub_table if k[1] == year]
        block = _block(engine, cube, year, keys)
        row = {k: i for i, k in enumerate(keys)}
        cells = {k: frozenset(block.rows[i].tolist()) for i, k in enumerate(keys)}
        values = dict(zip(keys, block.values.tolist()))
        for k in keys:
            if values[k] < threshold:
                published[k] = False
                primary.add(k)
                block.hide(row[k])
        support = {k: block.support(k) for k in count_cells(cube.areas, year, cube.sets)}
        count = {k: float(block.x[c].sum()) for k, c in support.items()}
        sensitive = sorted((k for k in support if count[k] < threshold), key=lambda k: (count[k], k))

        def cost(k: Key) -> float:
            return cost_of[pub_table[k]] * (REGION_COST if k[0] == REGION else 1.0) * (values[k] + 1.0)

        parts: dict[Key, list[Key]] = {}

        def parts_of(b: Key) -> list[Key]:
            if b not in parts:
                parts[b] = [keys[i] for i in block.parts(row[b])]
            return parts[b]

        for s in sensitive:
            cols = support[s]
            if block.uncovered(cols):  # part of it lies under no shown count: it can be as large as you like
                bounds[s] = (0.0, float("inf"))
                continue
            target = frozenset(cols.tolist())
            while True:
                (lo, hi), binding = block.bounds(cols, binding_below=min_range)
                if hi - lo >= min_range:
                    bounds[s] = (lo, hi)
                    break
                pick = _complement(s, target, lo, hi, [keys[i] for b in binding for i in b], keys, published,
                                   cells, cost,
                                   lambda hidden: block.bounds(cols, [row[k] for k in hidden])[0],
                                   min_range, parts_of)
                published[pick] = False
                secondary.add(pick)
                block.hide(row[pick])
    # the ranges found on the way only widen as more counts are suppressed, so they still hold
    return Disclosure(threshold=threshold, min_range=min_range, cube=cube, base_year=base_year,
                      published=published, primary=primary, secondary=secondary, bounds=bounds)


#: how many candidate complements are tried per step (the cheapest first)
MAX_TRIES = 12


def _complement(s: Key, target: frozenset[int], lo: float, hi: float, binding: list[Key], keys, published,
                cells: dict[Key, frozenset[int]], cost, bounds_without, min_range: float, parts_of=None) -> Key:
    """The shown count to suppress next for the sensitive count ``s``.

    ``parts_of(b)``: the published counts whose cells all lie in ``b``'s (default: found in ``cells``).

    Candidates are the shown counts that bind the attack (non-zero LP duals)
    and the parts of a binding total that lie outside ``s`` (its siblings).
    The cheapest candidate that alone protects ``s`` wins; else the one that
    widens ``s``'s range most per unit of cost; else the cheapest.
    """
    if parts_of is None:
        def parts_of(b):
            return [k for k in keys if cells[k] <= cells[b]]
    bind = set(binding)
    cands = set(bind)
    for b in bind:
        cands |= {k for k in parts_of(b) if published[k] and k not in bind and not (target & cells[k])}
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


def audit(d: Disclosure, *, engine: str | None = None) -> dict[Key, tuple[float, float]]:
    """The (smallest, largest) value of every sensitive count given the counts ``d`` shows.

    ``engine`` as in :func:`protect`.

    Raises
    ------
    DisclosureError
        When a sensitive count's range is narrower than ``d.min_range``.
    """
    out: dict[Key, tuple[float, float]] = {}
    for year in d.cube.years:
        block = _block(engine, d.cube, year, [k for k, ok in d.published.items() if ok and k[1] == year])
        for s in count_cells(d.cube.areas, year, d.cube.sets):
            cols = block.support(s)
            if block.x[cols].sum() >= d.threshold:
                continue
            (lo, hi), _ = block.bounds(cols)
            if hi - lo < d.min_range:
                raise DisclosureError(f"het aantal {s} ligt vast tussen {lo:g} en {hi:g}")
            out[s] = (lo, hi)
    return out
