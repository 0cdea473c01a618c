"""Areas to regions: gemeenten to zorgkantoorregio's by largest overlap, wijken to gemeenten by code."""

from __future__ import annotations

import difflib
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import InputError

RD_NEW = "EPSG:28992"

#: a CBS wijk code: ``WK`` + the 4 digits of its gemeente + 2 digits
WIJK_CODE = re.compile(r"WK(\d{4})\d{2}")


def _rd_geometries(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """The geometries of ``gdf`` in RD New, invalid ones made valid (a frame without CRS is taken as RD New)."""
    if gdf.crs is not None and not gdf.crs.equals(RD_NEW):
        gdf = gdf.to_crs(RD_NEW)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return geoms


def assign_to_regions(areas: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> pd.Series:
    """The region each area overlaps most, by area in RD New (EPSG:28992).

    Generalised boundaries overlap their neighbours or leave slivers, so an
    area is given to the region that holds the largest part of its surface,
    not to the region that contains its centroid. Areas that share no surface
    with any region (merely touching a border is not sharing) get None.

    Parameters
    ----------
    areas
        The areas to assign (e.g. gemeenten), with a ``statcode`` column.
    regions
        The regions (e.g. zorgkantoorregio's), with a ``statcode`` column.
        Both frames are reprojected to RD New; a frame without CRS is taken
        to be in RD New already. Invalid polygons are made valid first.

    Returns
    -------
    pandas.Series
        Indexed by the areas' ``statcode`` in their order, the ``statcode``
        of the region with the largest overlap, or None. On an exact tie the
        region listed first in ``regions`` wins.
    """
    area_geoms = _rd_geometries(areas)
    region_geoms = _rd_geometries(regions)
    region_codes = regions["statcode"].to_numpy(dtype=object)
    result = np.full(len(area_geoms), None, dtype=object)
    if len(area_geoms) and len(region_geoms):
        tree = shapely.STRtree(region_geoms)
        ia, ir = tree.query(area_geoms, predicate="intersects")
        if len(ia):
            overlap = shapely.area(shapely.intersection(area_geoms[ia], region_geoms[ir]))
            pairs = pd.DataFrame({"area": ia, "region": ir, "overlap": overlap})
            pairs = pairs[pairs["overlap"] > 0]
            # largest overlap first; on a tie the region listed first
            pairs = pairs.sort_values(["area", "overlap", "region"], ascending=[True, False, True],
                                      kind="stable")
            best = pairs.drop_duplicates("area")
            result[best["area"].to_numpy()] = region_codes[best["region"].to_numpy()]
    return pd.Series(result, index=pd.Index(areas["statcode"].to_numpy(), name="statcode"),
                     name="regiocode", dtype=object)


def _find_region(regions: gpd.GeoDataFrame, region: str, source: str) -> int:
    """Position in ``regions`` of the region given by code or name (case-insensitive)."""
    wanted = str(region).strip().casefold()
    codes = regions["statcode"].astype(str).str.strip().str.casefold()
    names = regions["statnaam"].astype(str).str.strip().str.casefold()
    for column in (codes, names):
        hits = np.flatnonzero(column.to_numpy() == wanted)
        if len(hits):
            return int(hits[0])
    known = sorted(regions["statnaam"].astype(str).str.strip())
    close = difflib.get_close_matches(str(region).strip(), known, n=1, cutoff=0.6)
    hint = f" (bedoelt u '{close[0]}'?)" if close else ""
    raise InputError(source, f"onbekende regio '{region}'{hint}; bekende regio's: {', '.join(known)}")


def gemeenten_of_region(gemeenten: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, region: str,
                        source: str = "zorgkantoorregio's") -> gpd.GeoDataFrame:
    """The gemeenten whose largest overlap is the given region.

    Parameters
    ----------
    gemeenten
        The gemeenten, with ``statcode``.
    regions
        The regions, with ``statcode`` and ``statnaam``.
    region
        The region's code (``ZK23``) or name (``Utrecht``), both case-insensitive.
    source
        The name of the regions' input, used in the error message.

    Returns
    -------
    geopandas.GeoDataFrame
        The gemeenten's rows in their original order and CRS (index reset);
        ``attrs["regiocode"]`` and ``attrs["regionaam"]`` name the region.

    Raises
    ------
    geo.errors.InputError
        When no region has that code or name; the message lists the known names.
    """
    pos = _find_region(regions, region, source)
    code = regions["statcode"].iloc[pos]
    assigned = assign_to_regions(gemeenten, regions)
    out = gemeenten[(assigned == code).to_numpy()].reset_index(drop=True)
    out.attrs["regiocode"] = str(code)
    out.attrs["regionaam"] = str(regions["statnaam"].iloc[pos])
    return out


def wijken_by_code(wijken: gpd.GeoDataFrame, gemeenten: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give each wijk the gemeente its code names (``WK034401`` -> ``GM0344``).

    The code, not the geometry, decides: generalised wijk boundaries may lie
    partly in a neighbouring gemeente.

    Parameters
    ----------
    wijken
        The wijken, with ``statcode``.
    gemeenten
        The gemeenten of the region, with ``statcode``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``wijken`` with a ``gemeentecode`` column; nothing is left
        out. ``attrs["buiten_regio"]`` lists the codes of the wijken whose
        gemeente is not among ``gemeenten``.

    Raises
    ------
    geo.errors.InputError
        When a ``statcode`` is not a wijk code.
    """
    codes = wijken["statcode"].astype(str).str.strip()
    matched = codes.str.extract(WIJK_CODE.pattern, expand=False)
    bad = ~codes.str.fullmatch(WIJK_CODE.pattern)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("wijken", f"'{codes.iloc[i]}' is geen wijkcode als WK034401",
                         row=i + 2, column="statcode")
    out = wijken.copy()
    out["gemeentecode"] = ("GM" + matched).to_numpy()
    outside = ~out["gemeentecode"].isin(set(gemeenten["statcode"].astype(str).str.strip()))
    out.attrs = {**wijken.attrs, "buiten_regio": codes[outside.to_numpy()].tolist()}
    return out
