"""One-year survival probabilities per 5-year age band (the life table of the cohort method).

The cohort method (:mod:`geo.cohort`) needs, for every 5-year band, the
probability that a person in that band is still alive one year later. The
default below is an approximation of the Dutch period life table for 2022,
men and women together, condensed to the CBS 5-year bands:

* source: CBS StatLine 37360ned "Levensverwachting; geslacht, leeftijd (per
  jaar en periode van vijf jaren)", sterftekans (one-year probability of
  death ``q``) per single year of age, 2022;
* per band: 1 - the mean ``q`` over the ages of the band, weighted roughly by
  the 2022 population of men and women (more women at high ages); the open
  band 95+ uses the observed ratio of deaths aged 95+ to the population aged
  95+ (about 0.30);
* rounded to four decimals (two or three for the oldest bands).

These are **approximate** values, good enough for ageing a population by 5-year
bands over 17 years (the error they cause is small next to migration, which
the scaling to the published totals absorbs). They are not official CBS
figures. An analyst who wants the exact table, or one for a later year,
supplies ``overlevingskansen.csv`` (columns ``leeftijd_van;overlevingskans``,
one row per band 0, 5, ..., 95) and the build reads it with
:func:`survival_from_table`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ages import AGE_BANDS

#: where the default table comes from; recorded in the build's outputs
DEFAULT_SOURCE = ("standaard: overlevingskansen Nederland 2022, mannen en vrouwen samen, per 5-jaarsklasse "
                  "(benadering op basis van CBS StatLine 37360ned)")
#: where a table read from a file is said to come from
FILE_SOURCE = "invoerbestand overlevingskansen"

#: lower bound of the band -> probability of surviving one more year (approximate, NL 2022)
DEFAULT_SURVIVAL: dict[int, float] = {
    0: 0.9992,   # infant mortality ~3.5 per 1000 in year 0, ~0.1 per 1000 at 1-4
    5: 0.9999,
    10: 0.9999,
    15: 0.9998,
    20: 0.9997,
    25: 0.9997,
    30: 0.9996,
    35: 0.9994,
    40: 0.9991,
    45: 0.9985,
    50: 0.9976,
    55: 0.9961,
    60: 0.9938,
    65: 0.9900,
    70: 0.9835,
    75: 0.9710,
    80: 0.9450,
    85: 0.8950,
    90: 0.8150,
    95: 0.7000,
}


def default_survival() -> pd.Series:
    """The default one-year survival probability per band (see the module docstring).

    Returns
    -------
    pandas.Series
        Indexed by ``leeftijd_van`` (0, 5, ..., 95), named ``overlevingskans``;
        ``attrs["bron"]`` says where it comes from.
    """
    s = pd.Series(DEFAULT_SURVIVAL, name="overlevingskans", dtype=float)
    s.index.name = "leeftijd_van"
    s.attrs["bron"] = DEFAULT_SOURCE
    return s


def survival_from_table(table: pd.DataFrame, source: str = FILE_SOURCE) -> pd.Series:
    """A replacement life table from a table with ``leeftijd_van`` and ``overlevingskans``.

    Parameters
    ----------
    table
        One row per 5-year band 0, 5, ..., 95 (every band exactly once);
        ``overlevingskans`` is the probability (0 < p <= 1) that a person in
        the band is alive one year later. Numbers given as text may use a
        decimal comma (``0,9996``).
    source
        Recorded as ``attrs["bron"]`` (e.g. the file name).

    Returns
    -------
    pandas.Series
        As :func:`default_survival`.

    Raises
    ------
    ValueError
        With a Dutch message naming the band, when a band is missing, doubled,
        unknown, or its probability is not a number in (0, 1].
    """
    for col in ("leeftijd_van", "overlevingskans"):
        if col not in table.columns:
            raise ValueError(f"overlevingskansen: kolom '{col}' ontbreekt")
    bands = pd.to_numeric(table["leeftijd_van"].astype(str).str.strip(), errors="coerce")
    p = table["overlevingskans"]
    if not pd.api.types.is_numeric_dtype(p):
        p = pd.to_numeric(p.astype(str).str.strip().str.replace(",", ".", regex=False), errors="coerce")
    p = p.astype(float)
    unknown = ~bands.isin(AGE_BANDS)
    if unknown.any():
        raise ValueError(f"overlevingskansen: '{table['leeftijd_van'][unknown].iloc[0]}' is geen ondergrens "
                         "van een 5-jaarsklasse (0, 5, ..., 95)")
    doubled = bands.duplicated()
    if doubled.any():
        raise ValueError(f"overlevingskansen: leeftijdsklasse {int(bands[doubled].iloc[0])} komt dubbel voor")
    missing = sorted(set(AGE_BANDS) - set(bands.astype(int)))
    if missing:
        raise ValueError("overlevingskansen: leeftijdsklasse(n) ontbreken: " + ", ".join(map(str, missing)))
    bad = ~((p > 0) & (p <= 1))  # also true for NaN
    if bad.any():
        raise ValueError(f"overlevingskansen: leeftijdsklasse {int(bands[bad].iloc[0])}: "
                         f"'{table['overlevingskans'][bad].iloc[0]}' is geen kans tussen 0 en 1")
    s = pd.Series(p.to_numpy(float), index=pd.Index(bands.astype(int).to_numpy(), name="leeftijd_van"),
                  name="overlevingskans").sort_index()
    s.attrs["bron"] = source
    return s


def check_survival(survival: pd.Series) -> np.ndarray:
    """The probabilities as an array in band order, after checking they lie in (0, 1]."""
    v = survival.sort_index().to_numpy(float)
    if not np.all((v > 0) & (v <= 1)):
        raise ValueError("overlevingskansen moeten tussen 0 en 1 liggen")
    return v
