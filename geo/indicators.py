"""Area indicators: inhabitants, 75+ share, SES, stedelijkheid, growth (care use per sector: ``geo.care``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ages import BANDS_75_PLUS



def classify_by_limits(values, limits) -> pd.Series:
    """Class 1..len(limits)+1 of each value: below ``limits[0]`` is 1, at or above ``limits[-1]`` the last.

    Missing values stay missing.
    """
    v = pd.Series(np.atleast_1d(np.asarray(values, dtype=float)))
    cls = pd.Series(np.searchsorted(np.asarray(limits, float), v.to_numpy(), side="right") + 1,
                    index=v.index).astype("Int64")
    cls[v.isna()] = pd.NA
    return cls


def growth_class(growth_pct, limits=(0.0, 5.0, 10.0, 15.0)) -> pd.Series:
    """Five classes of growth in toewijzingen (1 = lowest growth, 5 = highest)."""
    return classify_by_limits(growth_pct, limits)


def ses_group(score, limits=(-0.2, -0.067, 0.067, 0.2)) -> pd.Series:
    """Five SES-WOA groups (1 = lowest status, 5 = highest)."""
    return classify_by_limits(score, limits)


def inhabitants_and_75plus(population: pd.DataFrame, year: int) -> pd.DataFrame:
    """Inhabitants, inhabitants aged 75+ and their share (percent) per regiocode in one year."""
    p = population[population["jaar"] == year]
    total = p.groupby("regiocode")["inwoners"].sum()
    old = p[p["leeftijd_van"].isin(BANDS_75_PLUS)].groupby("regiocode")["inwoners"].sum()
    old = old.reindex(total.index, fill_value=0)
    share = (100.0 * old / total.where(total > 0)).astype(float)
    return pd.DataFrame({"inwoners": total, "inwoners_75plus": old, "aandeel_75plus": share})


def growth_pct(first, last):
    """Growth from ``first`` to ``last`` in percent; missing where ``first`` is zero."""
    first = pd.Series(first, dtype=float)
    last = pd.Series(last, dtype=float)
    return 100.0 * (last - first) / first.where(first > 0)


def mean_by_area(values: pd.Series, area: pd.Series) -> pd.Series:
    """Mean of per-address values per area code."""
    return pd.Series(np.asarray(values, float)).groupby(np.asarray(area)).mean()


def mean_by_position(values, positions: np.ndarray, codes: pd.Series) -> pd.Series:
    """Mean of per-address values per area, the areas given by position in ``codes`` (-1: none);
    areas without addresses are left out, as :func:`mean_by_area` leaves them out."""
    positions = np.asarray(positions)
    values = np.asarray(values, float)
    keep = (positions >= 0) & ~np.isnan(values)  # as a groupby mean: empty values do not count
    n = len(codes)
    total = np.bincount(positions[keep], weights=values[keep], minlength=n)
    count = np.bincount(positions[keep], minlength=n)
    has = count > 0
    return pd.Series(total[has] / count[has], index=np.asarray(codes)[has])


def weighted_mean(values: pd.Series, weights: pd.Series, groups: pd.Series) -> pd.Series:
    """Weighted mean of ``values`` per group, ignoring missing values."""
    df = pd.DataFrame({"v": np.asarray(values, float), "w": np.asarray(weights, float), "g": np.asarray(groups)})
    df = df.dropna(subset=["v", "w"])
    df["vw"] = df["v"] * df["w"]
    s = df.groupby("g")[["vw", "w"]].sum()
    return s["vw"] / s["w"].where(s["w"] > 0)
