"""Five-year age bands as CBS publishes them (0-4 .. 90-94, 95+), and their regrouping into other bands.

The population always comes in these bands; a sector's client counts may come in
bands of their own (GZ 0-18, 19-23, ...): :func:`regroup_bands` brings the
population into them.
"""

from __future__ import annotations

#: lower bound of every age band, in years; the last band is open (95 and over)
AGE_BANDS: tuple[int, ...] = tuple(range(0, 100, 5))

#: lower bounds of the bands that make up "75 and over"
BANDS_75_PLUS: tuple[int, ...] = tuple(b for b in AGE_BANDS if b >= 75)


def band_label(lower: int) -> str:
    """Dutch label of an age band, e.g. ``'75-79'`` or ``'95+'``."""
    if lower == AGE_BANDS[-1]:
        return f"{lower}+"
    return f"{lower}-{lower + 4}"


def band_weights(bounds) -> dict[int, dict[int, float]]:
    """How each 5-year band is spread over other age bands (e.g. a sector's), given by their lower bounds.

    A closed band ``b .. b+4`` goes to every target band in proportion to the
    years it shares with it (its inhabitants are taken to be spread evenly over
    the five years); the open band 95+ goes wholly into the last target band
    (whose lower bound is at most 95). The bounds must rise, start at 0 and
    lie at or below 95: a boundary above 95 would cut the open band 95+.

    Returns
    -------
    dict
        5-year band -> {target band: fraction}; the fractions of a band add up to 1.

    Examples
    --------
    The GZ bands 0-18, 19-23, 24-34, 35-49, 50-64 and 65+: four of the five
    years of 15-19 are 15-18, the fifth (19) belongs to 19-23.

    >>> w = band_weights((0, 19, 24, 35, 50, 65))
    >>> w[15], w[20], w[95]
    ({0: 0.8, 19: 0.2}, {19: 0.8, 24: 0.2}, {65: 1.0})
    >>> band_weights(AGE_BANDS)[80]
    {80: 1.0}
    """
    bounds = _check_bounds(bounds)
    out: dict[int, dict[int, float]] = {}
    for b in AGE_BANDS:
        if b == AGE_BANDS[-1]:
            out[b] = {bounds[-1]: 1.0}
            continue
        shares = {}
        for k, lo in enumerate(bounds):
            hi = bounds[k + 1] if k + 1 < len(bounds) else None
            years = min(b + 5, hi if hi is not None else b + 5) - max(b, lo)
            if years > 0:
                shares[lo] = years / 5
        out[b] = shares
    return out


def _check_bounds(bounds) -> tuple[int, ...]:
    try:
        bounds = tuple(int(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"leeftijdsklassen: ondergrenzen moeten gehele getallen zijn, niet {bounds!r}") from None
    if not bounds or bounds[0] != 0 or list(bounds) != sorted(set(bounds)):
        raise ValueError(f"leeftijdsklassen {list(bounds)}: de ondergrenzen moeten oplopen en bij 0 beginnen")
    if bounds[-1] > AGE_BANDS[-1]:
        raise ValueError(f"leeftijdsklassen {list(bounds)}: een grens boven {AGE_BANDS[-1]} kan niet, want de "
                         f"bevolking komt in de open klasse {AGE_BANDS[-1]}+")
    return bounds


def regroup_bands(table, bounds, value: str = "inwoners"):
    """A table in 5-year bands (0-4 .. 90-94, 95+) regrouped into other age bands, e.g. a sector's.

    Every 5-year band is spread over the target bands with :func:`band_weights`
    (in proportion to the years it shares with each; 95+ wholly into the last
    target band) and the parts are added up per target band.

    Parameters
    ----------
    table
        A DataFrame with ``leeftijd_van`` (a 5-year band of :data:`AGE_BANDS`),
        the numbers in ``value`` and any key columns (``jaar``, ``regiocode``,
        ...): every other column is a key.
    bounds
        Lower bounds of the target bands (rising, from 0, none above 95).
    value
        The column to spread (default ``inwoners``).

    Returns
    -------
    pandas.DataFrame
        The same columns, one row per key and target band that receives
        something (a target band no 5-year band of the table reaches is left
        out), sorted by the keys and the band; ``value`` as float.

    Examples
    --------
    Inhabitants of a gemeente in 5-year bands 0-4 .. 20-24 into the GZ bands:
    0-18 = 0-4 + 5-9 + 10-14 + 4/5 of 15-19 = 100 + 100 + 100 + 40 = 340;
    19-23 = 1/5 of 15-19 + 4/5 of 20-24 = 10 + 80 = 90; 24-34 gets 1/5 of 20-24 = 20.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"regiocode": "GM0001", "leeftijd_van": [0, 5, 10, 15, 20],
    ...                   "inwoners": [100, 100, 100, 50, 100]})
    >>> regroup_bands(t, (0, 19, 24, 35, 50, 65))
      regiocode  leeftijd_van  inwoners
    0    GM0001             0     340.0
    1    GM0001            19      90.0
    2    GM0001            24      20.0
    """
    import pandas as pd

    weights = band_weights(bounds)
    bands = pd.to_numeric(table["leeftijd_van"], errors="coerce")
    bad = ~bands.isin(AGE_BANDS)
    if bad.any():
        raise ValueError(f"bevolking: leeftijdsklasse {table['leeftijd_van'][bad].iloc[0]!r} is geen 5-jaarsklasse "
                         f"(verwacht {AGE_BANDS[0]}, {AGE_BANDS[1]}, .., {AGE_BANDS[-1]})")
    keys = [c for c in table.columns if c not in ("leeftijd_van", value)]
    w = pd.DataFrame([(b, t, f) for b, to in weights.items() for t, f in to.items()],
                     columns=["_van", "_naar", "_deel"])
    parts = table.assign(_van=bands.astype(int).to_numpy()).merge(w, on="_van", how="inner")
    parts[value] = parts[value].astype(float) * parts["_deel"]
    out = (parts.groupby(keys + ["_naar"], as_index=False, dropna=False)[value].sum()
           .rename(columns={"_naar": "leeftijd_van"}))
    out["leeftijd_van"] = out["leeftijd_van"].astype(int)
    return out[list(table.columns)].reset_index(drop=True)
