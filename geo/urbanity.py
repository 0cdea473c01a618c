"""Omgevingsadressendichtheid (OAD) and the CBS stedelijkheid classes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

#: Dutch CBS labels of stedelijkheid classes 1..5
STEDELIJKHEID_LABELS = {
    1: "zeer sterk stedelijk",
    2: "sterk stedelijk",
    3: "matig stedelijk",
    4: "weinig stedelijk",
    5: "niet stedelijk",
}


def address_density(x: np.ndarray, y: np.ndarray, radius_m: float = 1000.0) -> np.ndarray:
    """OAD of each address: addresses within ``radius_m`` (itself included) per km2 of the circle.

    This is the CBS definition: the count in a 1 km circle divided by the
    circle's area (pi km2). Coordinates in metres (RD New).
    """
    pts = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    if len(pts) == 0:
        return np.zeros(0)
    tree = cKDTree(pts)
    counts = tree.query_ball_point(pts, r=radius_m, return_length=True)
    area_km2 = np.pi * (radius_m / 1000.0) ** 2
    return np.asarray(counts, float) / area_km2


def stedelijkheid_class(oad, limits=(2500.0, 1500.0, 1000.0, 500.0)):
    """CBS stedelijkheid class 1 (zeer sterk stedelijk) .. 5 (niet stedelijk) of an OAD.

    ``oad >= limits[0]`` is class 1, ``limits[1] <= oad < limits[0]`` class 2, and so
    on; below ``limits[3]`` class 5. Missing values stay missing (pandas ``<NA>``).
    """
    values = pd.Series(np.atleast_1d(np.asarray(oad, dtype=float)))
    cls = pd.Series(5, index=values.index, dtype="Int64")
    for k, limit in reversed(list(enumerate(limits, start=1))):
        cls[values >= limit] = k
    cls[values.isna()] = pd.NA
    return cls if np.ndim(oad) else cls.iloc[0]
