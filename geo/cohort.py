"""Cohort ageing: inhabitants per 5-year band from a base year and projected totals.

Public regional forecasts (PBL/CBS, provinces) often give only the total number
of inhabitants per gemeente. The care forecast needs them per age band. This
module derives the bands by ageing the base year's bands forward one year at a
time and scaling every year to the given total:

1. **Survival.** Everybody in band *b* is alive one year later with
   probability ``p_b`` (the life table, :mod:`geo.lifetable`):
   ``S_b = P_b * p_b``.
2. **Moving up.** Within a 5-year band the ages are taken to be spread evenly,
   so one fifth of the survivors has a birthday that takes them into the next
   band; four fifths stay. The open band (95+) keeps all its survivors:

   ``A_0 = 4/5 * S_0 + B``, ``A_b = 4/5 * S_b + 1/5 * S_(b-1)`` and for the
   last band ``A_95 = S_95 + 1/5 * S_90``.
3. **Births.** ``B``, the newborns entering band 0-4, is constant: one fifth
   of band 0-4 in the base year (the size of one year's cohort of young
   children).
4. **Scaling.** Every band is multiplied by the same factor so that the bands
   add up to the given total of that year: ``P'_b = A_b * T / sum(A)``.
   Migration and any difference between the real and the assumed births are
   thereby spread over all bands in proportion to their size.

Step 4 is the choice between "births make up the difference" and "scale every
band": scaling is what the issue asks, keeps every band non-negative when a
gemeente shrinks, and lets the published total count for the old bands as well.
Its weakness: when a gemeente grows by young newcomers, the old bands get a
share of that growth too.

The functions are pure; arrays are ``(gemeenten, bands)`` and bands are in
ascending order, the last one open.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .lifetable import check_survival


def age_one_year(pop: np.ndarray, survival: np.ndarray, births: np.ndarray | float = 0.0,
                 width: int = 5) -> np.ndarray:
    """Age a population by one year (steps 1-3 above, no scaling).

    Parameters
    ----------
    pop
        Inhabitants, shape ``(gemeenten, bands)`` (or ``(bands,)``).
    survival
        One-year survival probability per band, shape ``(bands,)``.
    births
        Newborns entering the first band, per gemeente (or one number).
    width
        Width of a band in years: ``1/width`` of the survivors moves up.

    Returns
    -------
    numpy.ndarray
        The population one year later, same shape as ``pop``.
    """
    pop = np.asarray(pop, dtype=float)
    s = pop * np.asarray(survival, dtype=float)
    up = s / width
    out = s - up                       # 4/5 stay in their band
    out[..., 1:] += up[..., :-1]        # 1/5 of the band below moves in
    out[..., -1] += up[..., -1]         # the open band keeps its own survivors
    out[..., 0] += births
    return out


def age_cohorts(base: np.ndarray, survival: np.ndarray, totals: np.ndarray,
                births: np.ndarray | None = None, width: int = 5) -> np.ndarray:
    """Age the base population year by year, scaling each year to its total.

    Parameters
    ----------
    base
        Inhabitants per band in the base year, shape ``(gemeenten, bands)``.
    survival
        One-year survival per band, shape ``(bands,)``.
    totals
        The given total per gemeente for each following year, shape
        ``(years, gemeenten)``: row 0 is base year + 1, and so on.
    births
        Newborns per gemeente per year; default one fifth (``1/width``) of the
        first band in the base year.
    width
        Width of a band in years.

    Returns
    -------
    numpy.ndarray
        Shape ``(years + 1, gemeenten, bands)``; index 0 is the base year
        itself (unchanged), index k is base year + k, whose bands add up to
        ``totals[k-1]``.

    Raises
    ------
    ValueError
        When a gemeente has no inhabitants left to scale but a positive total.
    """
    base = np.atleast_2d(np.asarray(base, dtype=float))
    totals = np.asarray(totals, dtype=float).reshape(-1, base.shape[0])
    survival = np.asarray(survival, dtype=float)
    if births is None:
        births = base[:, 0] / width
    out = np.empty((totals.shape[0] + 1,) + base.shape)
    out[0] = base
    pop = base
    for k, total in enumerate(totals, start=1):
        aged = age_one_year(pop, survival, births, width)
        s = aged.sum(axis=1)
        empty = (s <= 0) & (total > 0)
        if empty.any():
            raise ValueError(f"cohortmethode: gemeente nummer {int(np.flatnonzero(empty)[0]) + 1} heeft geen "
                             "inwoners in het basisjaar, maar wel een totaal in de prognose")
        factor = np.divide(total, s, out=np.zeros_like(s), where=s > 0)
        pop = aged * factor[:, None]
        out[k] = pop
    return out


def cohort_population(base: pd.DataFrame, totals: pd.DataFrame, base_year: int,
                      survival: pd.Series) -> pd.DataFrame:
    """Inhabitants per gemeente, band and year from the base year's bands and yearly totals.

    Parameters
    ----------
    base
        The base year: ``gemeentecode``, ``leeftijd_van``, ``inwoners``.
    totals
        ``jaar``, ``gemeentecode``, ``inwoners``: the total for **every** year
        from ``base_year + 1`` to the last year wanted (interpolate first).
    base_year
        The year of ``base``.
    survival
        One-year survival per band (index ``leeftijd_van``): the bands of the
        result. Bands must be evenly spaced (5 years); the last one is open.

    Returns
    -------
    pandas.DataFrame
        ``jaar``, ``gemeentecode``, ``leeftijd_van``, ``inwoners`` (floats) for
        the base year and every year in ``totals``, for the gemeenten in
        ``totals``.

    Raises
    ------
    ValueError
        When a gemeente of ``totals`` is missing from ``base``, a year is
        missing between the base year and the last year, a band of ``base``
        has no survival probability, or the bands are not evenly spaced.
    """
    survival = survival.sort_index()
    bands = survival.index.to_numpy(int)
    steps = np.diff(bands)
    if len(bands) < 2 or not np.all(steps == steps[0]):
        raise ValueError("cohortmethode: de leeftijdsklassen moeten even breed zijn")
    width = int(steps[0])
    unknown = sorted(set(base["leeftijd_van"].astype(int)) - set(bands))
    if unknown:
        raise ValueError(f"cohortmethode: geen overlevingskans voor leeftijdsklasse {unknown[0]}")
    wide_t = totals.pivot_table(index="jaar", columns="gemeentecode", values="inwoners", aggfunc="sum")
    years = wide_t.index.to_numpy(int)
    if len(years) and not np.array_equal(years, np.arange(base_year + 1, base_year + 1 + len(years))):
        raise ValueError(f"cohortmethode: de totalen moeten elk jaar na {base_year} geven, "
                         f"gevonden: {', '.join(map(str, years))}")
    codes = list(wide_t.columns)
    missing = sorted(set(codes) - set(base["gemeentecode"]))
    if missing:
        raise ValueError(f"cohortmethode: gemeente {missing[0]} ontbreekt in de bevolking van {base_year}")
    if wide_t.isna().any().any():
        raise ValueError("cohortmethode: niet elke gemeente heeft in elk jaar een totaal")
    wide_b = (base.pivot_table(index="gemeentecode", columns="leeftijd_van", values="inwoners",
                               aggfunc="sum", fill_value=0.0)
              .reindex(index=codes, columns=bands, fill_value=0.0))
    arr = age_cohorts(wide_b.to_numpy(float), check_survival(survival), wide_t.to_numpy(float),
                      width=width)
    all_years = np.concatenate([[base_year], years])
    n_y, n_g, n_b = arr.shape
    return pd.DataFrame({
        "jaar": np.repeat(all_years, n_g * n_b),
        "gemeentecode": np.tile(np.repeat(np.asarray(codes, dtype=object), n_b), n_y),
        "leeftijd_van": np.tile(bands, n_y * n_g),
        "inwoners": arr.ravel(),
    })
