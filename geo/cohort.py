"""Cohort ageing: inhabitants per 5-year band from a base year and projected totals.

Public regional forecasts (PBL/CBS, provinces) often give only the total number
of inhabitants per gemeente. The care forecast needs them per age band. This
module derives the bands by ageing the base year's cohorts forward one year at
a time and scaling every year to the given total:

1. **Split.** In the base year each 5-year band is split evenly over its five
   single years of age (band 80-84 with 500 people: 100 aged 80, 100 aged
   81, ...). The open band 95+ stays one group.
2. **Survival.** Everybody is alive one year later with the probability
   ``p_b`` of their band (the life table, :mod:`geo.lifetable`).
3. **Ageing.** Every single-year cohort of survivors moves up one year of age;
   the survivors aged 94 join the 95+ group, which keeps its own survivors.
   In the first year this is exactly "one fifth of each band moves to the
   next band"; after that each cohort is followed on its own.
4. **Births.** ``B`` newborns enter age 0 every year, constant: one fifth of
   band 0-4 in the base year (the size of one year's cohort of young
   children).
5. **Scaling.** Every age is multiplied by the same factor so that the
   population adds up to the given total of that year:
   ``P'_a = A_a x T / sum(A)``. Migration and any difference between the
   real and the assumed births are thereby spread over all ages in proportion
   to their size.
6. **Bands.** The single years are added up to 5-year bands again.

Why single years and not "each year one fifth of every band moves up": that
shortcut assumes every year anew that the ages are spread evenly within each
band. Over 17 years it smears the baby-boom wave over the bands and, because
the 90-94 band is in reality weighted towards 90, it pushes far too many
people into 95+ (twice the true number in a simulation with a known answer).
Following the single-year cohorts only assumes an even spread once, in the
base year.

Why scaling and not "births make up the difference": scaling is what the issue
asks, keeps every age non-negative when a gemeente shrinks, and lets the
published total count for the old ages as well. Its weakness: when a gemeente
grows by young newcomers, the old ages get a share of that growth too.

The functions are pure; arrays are ``(gemeenten, ages)`` or
``(gemeenten, bands)`` in ascending order, the last one open.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .lifetable import check_survival


def split_bands(bands: np.ndarray, width: int = 5) -> np.ndarray:
    """Spread each closed band evenly over its ``width`` single years; the open last band stays one group.

    ``(..., n_bands) -> (..., width x (n_bands - 1) + 1)``.
    """
    bands = np.asarray(bands, dtype=float)
    closed = np.repeat(bands[..., :-1] / width, width, axis=-1)
    return np.concatenate([closed, bands[..., -1:]], axis=-1)


def join_bands(ages: np.ndarray, width: int = 5) -> np.ndarray:
    """Add single years up to bands again: the inverse of :func:`split_bands`."""
    ages = np.asarray(ages, dtype=float)
    n_closed = (ages.shape[-1] - 1) // width
    closed = ages[..., :-1].reshape(ages.shape[:-1] + (n_closed, width)).sum(axis=-1)
    return np.concatenate([closed, ages[..., -1:]], axis=-1)


def age_one_year(ages: np.ndarray, survival: np.ndarray, births: np.ndarray | float = 0.0) -> np.ndarray:
    """One year on for single-year cohorts (steps 2-4 above, no scaling).

    Parameters
    ----------
    ages
        Inhabitants per single year of age, the last entry the open group,
        shape ``(gemeenten, ages)`` or ``(ages,)``.
    survival
        One-year survival probability per entry of ``ages``, shape ``(ages,)``.
    births
        Newborns entering age 0, per gemeente (or one number).

    Returns
    -------
    numpy.ndarray
        The population one year later, same shape.
    """
    s = np.asarray(ages, dtype=float) * np.asarray(survival, dtype=float)
    out = np.zeros_like(s)
    out[..., 1:] = s[..., :-1]          # everybody one year older
    out[..., -1] += s[..., -1]          # the open group keeps its own survivors
    out[..., 0] = births
    return out


def age_cohorts(base: np.ndarray, survival: np.ndarray, totals: np.ndarray | None,
                births: np.ndarray | None = None, width: int = 5, years: int | None = None) -> np.ndarray:
    """Age the base population year by year, scaling each year to its total.

    Parameters
    ----------
    base
        Inhabitants per band in the base year, shape ``(gemeenten, bands)``.
    survival
        One-year survival per band, shape ``(bands,)``.
    totals
        The given total per gemeente for each following year, shape
        ``(years, gemeenten)``: row 0 is base year + 1, and so on. None: no
        scaling (then ``years`` says how many years).
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
    n_gem = base.shape[0]
    if totals is None:
        totals_arr = np.full((int(years or 0), n_gem), np.nan)
    else:
        totals_arr = np.asarray(totals, dtype=float).reshape(-1, n_gem)
    survival = np.asarray(survival, dtype=float)
    survival_ages = np.concatenate([np.repeat(survival[:-1], width), survival[-1:]])  # p_b for every age
    if births is None:
        births = base[:, 0] / width
    out = np.empty((totals_arr.shape[0] + 1,) + base.shape)
    out[0] = base
    ages = split_bands(base, width)
    for k, total in enumerate(totals_arr, start=1):
        ages = age_one_year(ages, survival_ages, births)
        if totals is not None:
            s = ages.sum(axis=1)
            empty = (s <= 0) & (total > 0)
            if empty.any():
                raise ValueError(f"cohortmethode: gemeente nummer {int(np.flatnonzero(empty)[0]) + 1} heeft "
                                 "geen inwoners in het basisjaar, maar wel een totaal in de prognose")
            factor = np.divide(total, s, out=np.zeros_like(s), where=s > 0)
            ages = ages * factor[:, None]
        out[k] = join_bands(ages, width)
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
