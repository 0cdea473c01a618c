"""Disclosure control applied to what a build publishes: fields, region values and tables.

Which counts are shown is decided once, in ``geo.disclosure.protect`` (primary and secondary
suppression over every published table together). Here each public figure that rests on observed
client counts (a field's ``rests_on``) is left empty wherever one of those counts is suppressed.
Every public output (tiles, GeoPackage, OGC API, ``/api``, catalog, CSV/XLSX) is written from the
frames and tables these functions return, so it cannot show what they leave out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.disclosure import REGION, Disclosure, Key
from geo.settings import Settings

from .spec import CountRef, FieldSpec


def count_key(ref: CountRef, area: str, settings: Settings, year: int | None = None) -> Key:
    """The ``geo.disclosure`` cell key of a reference for one area (and the row's year for ``"jaar"``)."""
    if ref.year == "eerste":
        year = settings.observed_years[0]
    elif ref.year == "laatste":
        year = settings.observed_years[-1]
    elif year is None:
        raise ValueError("een verwijzing naar 'jaar' heeft het jaar van de rij nodig")
    return (area, int(year), ref.group, ref.place)


def shown_mask(fields, frame: pd.DataFrame, disclosure: Disclosure, settings: Settings,
               area_column: str) -> dict[str, np.ndarray]:
    """Per field that rests on client counts: True where every count it rests on is shown."""
    areas = frame[area_column].astype(str).to_numpy()
    years = frame["jaar"].to_numpy() if "jaar" in frame.columns else [None] * len(frame)
    out = {}
    for f in fields:
        if not f.rests_on or f.name not in frame.columns:
            continue
        out[f.name] = np.array([all(disclosure.shown(count_key(r, a, settings, y)) for r in f.rests_on)
                                for a, y in zip(areas, years)], dtype=bool)
    return out


def suppress_fields(frame: pd.DataFrame, fields, disclosure: Disclosure | None, settings: Settings,
                    area_column: str) -> pd.DataFrame:
    """A copy of ``frame`` with every field that rests on a suppressed count left empty.

    Integer fields become nullable (``Int64``) so that an empty value stays empty.
    Without a ``disclosure`` (no client data) every such field is left empty.
    """
    out = frame.copy()
    if disclosure is None:
        masks = {f.name: np.zeros(len(out), bool) for f in fields if f.rests_on and f.name in out.columns}
    else:
        masks = shown_mask(fields, out, disclosure, settings, area_column)
    for name, shown in masks.items():
        col = out[name]
        if pd.api.types.is_integer_dtype(col) or pd.api.types.is_bool_dtype(col):
            out[name] = col.astype("Int64").where(shown, pd.NA)
        else:
            out[name] = col.astype(float).where(shown, np.nan)
    return out


def public_region_values(fields: tuple[FieldSpec, ...], values: dict, disclosure: Disclosure | None,
                         settings: Settings) -> dict:
    """The region's value of each declared field, left out where it rests on a suppressed count."""
    out = {}
    for f in fields:
        if f.name not in values:
            continue
        if f.rests_on and (disclosure is None or not all(
                disclosure.shown(count_key(r, REGION, settings)) for r in f.rests_on)):
            continue
        v = values[f.name]
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        out[f.name] = v
    return out
