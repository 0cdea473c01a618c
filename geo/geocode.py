"""Geocoding of care locations to postcode-6 (PC6) centroids."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

RD_NEW = "EPSG:28992"

_POSTCODE = re.compile(r"^([1-9]\d{3})[\s-]*([A-Za-z]{2})$")

#: outcome of geocoding one location (Dutch, users read these)
EXACT = "PC6"
PC4 = "PC4 (benadering)"
UNKNOWN = "postcode onbekend"
INVALID = "ongeldige postcode"
MISSING = "geen postcode"


def normalise_postcode(text: object) -> str | None:
    """Normalise a Dutch postcode to ``1234AB``; None when it is not a valid postcode.

    ``'3511 ab'``, ``' 3511AB '`` and ``'3511-AB'`` all give ``'3511AB'``.
    Letter pairs SA, SD and SS are not issued by PostNL and count as invalid.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    m = _POSTCODE.match(str(text).strip())
    if not m:
        return None
    letters = m.group(2).upper()
    if letters in ("SA", "SD", "SS"):
        return None
    return m.group(1) + letters


def pc4_centroids(pc6: pd.DataFrame) -> pd.DataFrame:
    """Centroid of every PC4: the mean of its addresses, from PC6 centroids weighted by address count."""
    df = pc6.assign(pc4=pc6["postcode"].str[:4],
                    wx=pc6["x"] * pc6["aantal_adressen"], wy=pc6["y"] * pc6["aantal_adressen"])
    g = df.groupby("pc4")[["wx", "wy", "aantal_adressen"]].sum()
    g = g[g["aantal_adressen"] > 0]
    return pd.DataFrame({"x": g["wx"] / g["aantal_adressen"], "y": g["wy"] / g["aantal_adressen"]})


def geocode_locations(locations: pd.DataFrame, pc6: pd.DataFrame) -> gpd.GeoDataFrame:
    """Place each location at the centroid of its PC6, else of its PC4 (flagged).

    Every location keeps its own record, also when several share a PC6.

    Parameters
    ----------
    locations
        Table with a ``postcode`` column.
    pc6
        PC6 centroids: ``postcode``, ``aantal_adressen``, ``x``, ``y`` (RD New).

    Returns
    -------
    geopandas.GeoDataFrame
        The locations with ``postcode`` normalised, ``postcode_invoer`` as given,
        ``geocodering`` (the outcome) and a point geometry (empty where not placed).
    """
    pc6_xy = pc6.set_index("postcode")[["x", "y"]]
    pc4_xy = pc4_centroids(pc6)
    out = locations.copy()
    out["postcode_invoer"] = ["" if p is None or (not isinstance(p, str) and pd.isna(p)) else str(p)
                              for p in out["postcode"]]
    norm = [normalise_postcode(p) for p in out["postcode_invoer"]]
    xs, ys, status = [], [], []
    for raw, code in zip(out["postcode_invoer"], norm):
        if code is None:
            status.append(MISSING if not raw.strip() else INVALID)
            xs.append(np.nan)
            ys.append(np.nan)
        elif code in pc6_xy.index:
            status.append(EXACT)
            xs.append(pc6_xy.at[code, "x"])
            ys.append(pc6_xy.at[code, "y"])
        elif code[:4] in pc4_xy.index:
            status.append(PC4)
            xs.append(pc4_xy.at[code[:4], "x"])
            ys.append(pc4_xy.at[code[:4], "y"])
        else:
            status.append(UNKNOWN)
            xs.append(np.nan)
            ys.append(np.nan)
    out["postcode"] = [c if c is not None else "" for c in norm]
    out["geocodering"] = status
    geom = [None if np.isnan(x) else shapely.Point(x, y) for x, y in zip(xs, ys)]
    return gpd.GeoDataFrame(out, geometry=geom, crs=RD_NEW)


def geocode_report(geocoded: gpd.GeoDataFrame) -> dict:
    """Counts per outcome and every location not placed exactly, with the reason."""
    counts = geocoded["geocodering"].value_counts().to_dict()
    total = len(geocoded)
    exact = int(counts.get(EXACT, 0))
    placed = exact + int(counts.get(PC4, 0))
    not_exact = geocoded[geocoded["geocodering"] != EXACT]
    return {
        "totaal": total,
        "per_uitkomst": {k: int(v) for k, v in counts.items()},
        "exact_pc6": exact,
        "geplaatst": placed,
        "match_rate_pc6": exact / total if total else 0.0,
        "niet_exact": [
            {"locatie_id": str(r.locatie_id), "naam": str(r.naam), "postcode_invoer": str(r.postcode_invoer),
             "uitkomst": str(r.geocodering)}
            for r in not_exact.itertuples(index=False)
        ],
    }
