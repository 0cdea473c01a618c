"""The geoprocessing chain on validated inputs: geocode, indicators per area, forecast and gap."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import care, forecast, indicators
from .disclosure import REGION, Disclosure, client_cube, protect
from .geocode import geocode_locations, geocode_report
from .errors import InputError
from .io import Inputs
from .lifetable import survival_from_table
from .regions import wijken_by_code
from .sectors import DEFAULT_SECTOR, Sector, sectors_of
from .urbanity import STEDELIJKHEID_LABELS, DensityGrid, address_density_raster, stedelijkheid_class


@dataclass
class SectorResults:
    """Everything one sector's layers and tables are built from."""

    sector: Sector
    #: per gemeente: the care figures of the sector (code, name, clients, rates, locations, gap, forecast)
    care: pd.DataFrame
    #: the region's value of each care figure, by the same definitions
    region: dict
    #: clients and usage rate per gemeente (and the region) and observed year
    care_use: pd.DataFrame
    #: demand, places and gap per gemeente x group in the target year (the map's scenario)
    gap: pd.DataFrame
    #: the region's clients per group and observed year, and their shares (the zorgzwaarte chart)
    severity: pd.DataFrame
    #: which published client counts of the sector are shown
    disclosure: Disclosure
    #: the public forecast (rests on shown counts only)
    forecast: forecast.ScenarioForecast
    #: the forecast on every exact count (confidential: only for the internal table)
    forecast_exact: forecast.ScenarioForecast


@dataclass
class Results:
    """Everything the layers are built from."""

    gemeenten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    locaties: gpd.GeoDataFrame
    region: dict
    geocoding: dict
    region_values: dict = field(default_factory=dict)
    oad_grid: DensityGrid | None = None
    #: per sector id, in the declaration's order: the sectors the client file has rows of
    sectors: dict[str, SectorResults] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: notes that name confidential client figures (for the analyst, never in a public report)
    internal_notes: list[str] = field(default_factory=list)

    def disclosure_of(self, sector_id: str | None) -> Disclosure | None:
        """The disclosure control of a sector (None for a sector without client data)."""
        r = self.sectors.get(sector_id) if sector_id else None
        return r.disclosure if r is not None else None


#: points per block of the exact test: bounds its memory (a shapely point is ~100 bytes)
POINT_BLOCK = 1_000_000
#: cells of the area raster of :func:`assign_points_to_areas` along the longer side of the areas'
#: extent: about 1.4 x the square root of the number of points (a cell per two points, about as
#: much raster as points), at most this many (16 million cells, 80 MB)
AREA_GRID_CELLS = 4000


def assign_points_to_areas(x, y, areas: gpd.GeoDataFrame, grid_cells: int | None = None) -> np.ndarray:
    """Code (``statcode``) of the area each point lies in; None outside every area.

    A point on a shared border goes to the first area in the table's order (the rule of
    :func:`assign_points_exact`, which this gives for every point). Most points need no
    geometry at all: the areas are burnt into a raster (the first area in the table's order
    burnt last, so it wins where areas overlap), their outlines too, with every cell an outline
    touches, widened by one cell; a point in a cell that no outline comes near lies wholly inside
    (or outside) the area of that cell. Only the points in outline cells get the exact test.
    Measured on 8 million addresses: ``python scripts/bench_areas.py --inputs DIR``.
    """
    return _codes(areas, area_positions(x, y, areas, grid_cells))


def area_positions(x, y, areas: gpd.GeoDataFrame, grid_cells: int | None = None) -> np.ndarray:
    """As :func:`assign_points_to_areas`, the area's position in the table (-1 outside every area)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    geoms = np.asarray(areas.geometry.values, dtype=object)
    if grid_cells is None:
        grid_cells = int(np.clip(1.4 * np.sqrt(len(x)), 16, AREA_GRID_CELLS))
    return _area_index(x, y, geoms, grid_cells)


def assign_points_exact(x, y, areas: gpd.GeoDataFrame, block: int = POINT_BLOCK) -> np.ndarray:
    """Code (``statcode``) of the area each point intersects, the first in the table's order; None
    outside every area. An STRtree of the areas gives the candidates whose box holds a point, and
    ``intersects_xy`` on the prepared area decides; the points go through in blocks."""
    geoms = np.asarray(areas.geometry.values, dtype=object)
    return _codes(areas, _area_index_exact(np.asarray(x, float), np.asarray(y, float), geoms, block))


def _codes(areas: gpd.GeoDataFrame, index: np.ndarray) -> np.ndarray:
    """Area codes of area positions (-1: None), in one take."""
    return np.append(areas["statcode"].to_numpy(dtype=object), None)[index]


def _area_index(x: np.ndarray, y: np.ndarray, geoms: np.ndarray, grid_cells: int) -> np.ndarray:
    from affine import Affine
    from rasterio import features
    from scipy import ndimage

    found = np.full(len(x), -1, dtype=np.int64)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(x) == 0 or not usable.any():
        return found
    x0, y0, x1, y1 = shapely.total_bounds(geoms[usable])
    cell = max(x1 - x0, y1 - y0, 1.0) / grid_cells
    x0, y1 = x0 - 2 * cell, y1 + 2 * cell
    width = int(np.ceil((x1 + 2 * cell - x0) / cell))
    height = int(np.ceil((y1 - (y0 - 2 * cell)) / cell))
    transform = Affine(cell, 0.0, x0, 0.0, -cell, y1)
    order = np.flatnonzero(usable)[::-1]  # the first area burnt last: it wins where areas overlap
    index = features.rasterize(((geoms[k], int(k)) for k in order), out_shape=(height, width),
                               transform=transform, fill=-1, dtype="int32", all_touched=False)
    outline = features.rasterize(((shapely.boundary(geoms[k]), 1) for k in order), out_shape=(height, width),
                                 transform=transform, fill=0, dtype="uint8", all_touched=True)
    outline = ndimage.binary_dilation(outline, structure=np.ones((3, 3), bool))
    fx = (x - x0) / cell
    fy = (y1 - y) / cell
    inside = (fx >= 0) & (fx < width) & (fy >= 0) & (fy < height)  # NaN compares false: outside
    flat = np.where(inside, fy, 0).astype(np.int64) * width + np.where(inside, fx, 0).astype(np.int64)
    near = inside & outline.ravel()[flat]
    sure = inside & ~near
    found[sure] = index.ravel()[flat[sure]]
    exact = np.flatnonzero(near)
    if len(exact):
        found[exact] = _area_index_exact(x[exact], y[exact], geoms)
    return found


def _area_index_exact(x: np.ndarray, y: np.ndarray, geoms: np.ndarray, block: int = POINT_BLOCK) -> np.ndarray:
    geoms = geoms.copy()
    shapely.prepare(geoms)
    tree = shapely.STRtree(geoms)
    found = np.full(len(x), -1, dtype=np.int64)
    for lo in range(0, len(x), block):
        bx, by = x[lo:lo + block], y[lo:lo + block]
        ip, ia = tree.query(shapely.points(bx, by))
        hit = shapely.intersects_xy(geoms[ia], bx[ip], by[ip])
        ip, ia = ip[hit], ia[hit]
        order = np.lexsort((ia, ip))  # per point, the first area in the table's order
        ip, ia = ip[order], ia[order]
        first = np.r_[True, ip[1:] != ip[:-1]] if len(ip) else np.zeros(0, bool)
        found[lo + ip[first]] = ia[first]
    return found


def compute(inputs: Inputs) -> Results:
    """Run every step of the geoprocessing on validated inputs."""
    s = inputs.settings
    years = s.observed_years
    first, last = years[0], years[-1]
    notes: list[str] = list(inputs.notes)

    gem = inputs.gemeenten.copy()
    wijk = inputs.wijken.copy()
    # a wijk belongs to the gemeente its code names (WK0344xx -> GM0344), whatever its outline
    wijk = wijken_by_code(wijk, gem)
    outside = wijk.attrs.get("buiten_regio", [])
    if outside:
        notes.append(f"{len(outside)} wijk(en) horen bij een gemeente buiten de regio en zijn weggelaten")
        wijk = wijk[~wijk["statcode"].isin(outside)]

    # --- addresses: OAD per address, averaged per area
    addr = inputs.addresses
    oad, grid = address_density_raster(addr["x"], addr["y"], s.oad_radius_m)
    # positions, not codes: 8 million area codes as Python strings cost seconds to group
    in_wijk = area_positions(addr["x"], addr["y"], wijk)
    in_gem = area_positions(addr["x"], addr["y"], gem)
    outside = int((in_gem < 0).sum())
    if outside:
        notes.append(f"{outside} adres(sen) liggen buiten de gemeentegrenzen en tellen niet mee in de OAD")
    oad_gem = indicators.mean_by_position(oad, in_gem, gem["statcode"])
    oad_wijk = indicators.mean_by_position(oad, in_wijk, wijk["statcode"])

    # --- population
    pop_last = indicators.inhabitants_and_75plus(inputs.population, last)
    pop_first = indicators.inhabitants_and_75plus(inputs.population, first)

    # --- SES-WOA: the file's own gemeente rows where present, else a household-weighted mean
    ses = inputs.ses.set_index("regiocode")
    ses_w = ses.reindex(wijk["statcode"])
    ses_gem_calc = indicators.weighted_mean(ses_w["ses_woa"], ses_w["huishoudens"].fillna(1.0),
                                            wijk["gemeentecode"].to_numpy())
    ses_gem = ses["ses_woa"].reindex(gem["statcode"]).fillna(ses_gem_calc.reindex(gem["statcode"]))

    # --- locations: placed on their PC6, in a gemeente; whether each counts by its sector's rule
    declared = sectors_of(s)
    loc = geocode_locations(inputs.locations, inputs.pc6)
    report = geocode_report(loc)
    placed = loc.geometry.notna() & ~loc.geometry.is_empty
    loc["gemeentecode"] = None
    loc.loc[placed, "gemeentecode"] = assign_points_to_areas(
        loc.geometry[placed].x, loc.geometry[placed].y, gem)
    off_map = placed & loc["gemeentecode"].isna()
    if off_map.any():
        notes.append(f"{int(off_map.sum())} locatie(s) liggen buiten de regio")
    loc["telt_mee"] = False
    for sec in declared:
        loc["telt_mee"] |= care.counting_locations(loc, sec)

    codes = gem["statcode"]
    out = gem.rename(columns={"statcode": "gemeentecode", "statnaam": "gemeentenaam"})
    # nullable whole numbers: an area without population rows (reported by geo.completeness) stays empty
    out["inwoners"] = pd.array(pop_last["inwoners"].reindex(codes).to_numpy(), dtype="Int64")
    out["inwoners_75plus"] = pd.array(pop_last["inwoners_75plus"].reindex(codes).to_numpy(), dtype="Int64")
    out["aandeel_75plus"] = pop_last["aandeel_75plus"].reindex(codes).to_numpy()
    out["ses_woa"] = ses_gem.to_numpy()
    out["ses_groep"] = indicators.ses_group(out["ses_woa"], s.ses_group_limits).to_numpy()
    out["oad"] = oad_gem.reindex(codes).to_numpy()
    out["stedelijkheid"] = stedelijkheid_class(out["oad"], s.stedelijkheid_limits).to_numpy()
    out["stedelijkheid_label"] = out["stedelijkheid"].map(STEDELIJKHEID_LABELS)

    # --- per sector: care use, disclosure control, forecast and gap
    survival = (survival_from_table(inputs.survival, source=s.life_table_file)
                if inputs.survival is not None else None)
    present = set(inputs.clients["sector"]) if "sector" in inputs.clients.columns else {DEFAULT_SECTOR}
    sector_results: dict[str, SectorResults] = {}
    forecast_notes: dict[str, list[str]] = {}
    for sec in declared:
        if sec.id not in present:
            continue
        r = _sector(inputs, sec, gem, loc, placed, survival)
        sector_results[sec.id] = r
        for note in r.forecast.notes:
            forecast_notes.setdefault(note, []).append(sec.short)
    # a note that holds for several sectors (e.g. a gemeente without a projection) is given once
    notes += [f"{', '.join(shorts)}: {note}" if len(sector_results) > 1 else note
              for note, shorts in forecast_notes.items()]

    w = wijk.rename(columns={"statcode": "wijkcode", "statnaam": "wijknaam"})
    names = dict(zip(gem["statcode"], gem["statnaam"]))
    w["gemeentenaam"] = w["gemeentecode"].map(names)
    w["inwoners"] = pd.array(pop_last["inwoners"].reindex(w["wijkcode"]).to_numpy(), dtype="Int64")
    w["inwoners_75plus"] = pd.array(pop_last["inwoners_75plus"].reindex(w["wijkcode"]).to_numpy(), dtype="Int64")
    w["aandeel_75plus"] = pop_last["aandeel_75plus"].reindex(w["wijkcode"]).to_numpy()
    w["ses_woa"] = ses["ses_woa"].reindex(w["wijkcode"]).to_numpy()
    w["ses_groep"] = indicators.ses_group(w["ses_woa"], s.ses_group_limits).to_numpy()
    w["oad"] = oad_wijk.reindex(w["wijkcode"]).to_numpy()
    w["stedelijkheid"] = stedelijkheid_class(w["oad"], s.stedelijkheid_limits).to_numpy()
    w["stedelijkheid_label"] = w["stedelijkheid"].map(STEDELIJKHEID_LABELS)

    loc_out = loc[placed].copy()
    loc_out["gemeentenaam"] = loc_out["gemeentecode"].map(names)
    place_cols = [c for sec in declared for c in sec.place_columns.values()]
    for col in place_cols:
        loc_out[col] = loc_out[col].astype(int)
    loc_out["plaatsen_totaal"] = loc_out[place_cols].sum(axis=1)

    region_values = {
        "gemeenten": _region_row(out, inputs, oad[in_gem >= 0], s),
        "wijken": _region_row(w, inputs, oad[in_wijk >= 0], s),
    }
    region = {
        "naam": s.region_name,
        "inwoners": int(out["inwoners"].sum()),
        "aandeel_75plus": float(100.0 * out["inwoners_75plus"].sum() / out["inwoners"].sum()),
    }
    return Results(gemeenten=out.reset_index(drop=True), wijken=w.reset_index(drop=True),
                   locaties=loc_out.reset_index(drop=True), region=region, geocoding=report,
                   region_values=region_values, oad_grid=grid, sectors=sector_results, notes=notes,
                   internal_notes=list(inputs.internal_notes))


def _sector(inputs: Inputs, sec: Sector, gem: gpd.GeoDataFrame, loc: gpd.GeoDataFrame, placed,
            survival) -> SectorResults:
    """One sector's care figures per gemeente, its disclosure control, forecasts and gap."""
    s = inputs.settings
    years = s.observed_years
    first, last = years[0], years[-1]
    codes = list(gem["statcode"])
    clients = care.sector_clients(inputs.clients, sec)
    n = care.clients_per_year(clients, sec, codes, years)
    disclosure = protect(client_cube(clients, codes, years, sec), last, s.privacy_min_count,
                         s.privacy_min_range or None)

    places = forecast.places_by_gemeente(loc[placed], sector=sec)
    run = dict(end_year=max(s.target_year, *s.forecast_target_years), growth_factors=s.home_share_growth_factors,
               survival=survival, gemeenten=codes, sector=sec, method=s.forecast_method,
               home_share_growth=s.home_share_growth or None)
    try:
        fc_exact = forecast.scenario_forecast(clients, inputs.population, inputs.projection, places, years, **run)
        fc = forecast.scenario_forecast(clients, inputs.population, inputs.projection, places, years,
                                        publication=publication_of(disclosure, s.privacy_min_count), **run)
    except ValueError as exc:
        raise InputError(inputs.files.get("prognose", "bevolkingsprognose.csv").name, str(exc)) from None
    headline = (s.target_year, s.headline_demand_scenario, s.headline_leveringsvorm_scenario)
    groups = list(sec.group_ids)
    demand = (forecast.wide_by_group(fc.table, "clienten_intramuraal", *headline, sector=sec)
              .reindex(codes).fillna(0.0))
    places = places.reindex(index=codes, columns=groups, fill_value=0.0)
    gap = forecast.gap_by_zzp_group(demand, places, sector=sec).reindex(codes, fill_value=0.0)
    gap_table = forecast.gap_long(demand, places, s.target_year, sector=sec)
    gap_table.insert(0, "sector", sec.id)
    clients_target = (forecast.wide_by_group(fc.table, "clienten_totaal", *headline, sector=sec)
                      .reindex(codes)[list(sec.client_groups)].sum(axis=1))

    ref_last = care.reference_population(inputs.population, last, sec.rate_min_age).reindex(codes)
    ref_first = care.reference_population(inputs.population, first, sec.rate_min_age).reindex(codes)
    home = care.home_and_total(clients, sec, codes, last)
    segments = care.other_sector_clients(clients, sec, codes, last)
    counted = care.counting_locations(loc, sec) & placed
    loc_count = loc[counted].groupby("gemeentecode").size().reindex(codes, fill_value=0)

    c = pd.DataFrame({"gemeentecode": codes, "gemeentenaam": list(gem["statnaam"])})
    c["clienten"] = n[last].to_numpy()
    c["clienten_begin"] = n[first].to_numpy()
    c["gebruik"] = sec.rate_per * c["clienten"] / ref_last.where(ref_last > 0).to_numpy()
    c["gebruik_begin"] = sec.rate_per * c["clienten_begin"] / ref_first.where(ref_first > 0).to_numpy()
    c["groei_gebruik"] = indicators.growth_pct(c["gebruik_begin"], c["gebruik"]).to_numpy()
    c["groei_toewijzingen"] = indicators.growth_pct(c["clienten_begin"], c["clienten"]).to_numpy()
    c["groei_klasse"] = indicators.growth_class(c["groei_toewijzingen"], s.growth_class_limits_pct).to_numpy()
    c["aandeel_thuis"] = (100.0 * home["thuis"] / home["totaal"].where(home["totaal"] > 0)).to_numpy()
    c["aantal_locaties"] = loc_count.to_numpy()
    c["locaties_per_1000_clienten"] = 1000.0 * c["aantal_locaties"] / c["clienten"].where(c["clienten"] > 0)
    c["aandeel_sectorvreemd"] = care.share_other_sector(segments, s.privacy_min_count).to_numpy()
    for g in groups:
        c[f"vraag_{g}"] = demand[g].to_numpy()
        c[f"plaatsen_{g}"] = places[g].to_numpy()
        c[f"tekort_{g}"] = gap[g].to_numpy()
    c["tekort_totaal"] = gap[groups].sum(axis=1).to_numpy()
    c["prognose_clienten"] = clients_target.to_numpy()
    c["nieuwe_clienten"] = c["prognose_clienten"] - c["clienten"]
    c["prognose_groei"] = indicators.growth_pct(c["clienten"], c["prognose_clienten"]).to_numpy()

    pops = {y: care.reference_population(inputs.population, y, sec.rate_min_age).reindex(codes) for y in years}
    care_use = _care_use(sec, n, pops, years)
    seg_region = segments.sum()
    region = {"clienten": float(n[last].sum()), "clienten_begin": float(n[first].sum())}
    ref_total = {y: float(pops[y].sum()) for y in years}
    if ref_total[last]:
        region["gebruik"] = sec.rate_per * region["clienten"] / ref_total[last]
    if ref_total[first]:
        region["gebruik_begin"] = sec.rate_per * region["clienten_begin"] / ref_total[first]
    if region.get("gebruik_begin"):
        region["groei_gebruik"] = 100.0 * (region["gebruik"] / region["gebruik_begin"] - 1)
    if region["clienten_begin"]:
        region["groei_toewijzingen"] = 100.0 * (region["clienten"] - region["clienten_begin"]) / region["clienten_begin"]
        region["groei_klasse"] = int(indicators.growth_class([region["groei_toewijzingen"]],
                                                             s.growth_class_limits_pct).iloc[0])
    if home["totaal"].sum():
        region["aandeel_thuis"] = 100.0 * float(home["thuis"].sum()) / float(home["totaal"].sum())
    region["aantal_locaties"] = float(counted.sum())
    if region["clienten"]:
        region["locaties_per_1000_clienten"] = 1000.0 * region["aantal_locaties"] / region["clienten"]
    share = care.share_other_sector(pd.DataFrame([seg_region]), s.privacy_min_count).iloc[0]
    if not pd.isna(share):
        region["aandeel_sectorvreemd"] = float(share)
    for col in c.columns:
        if col.startswith(("vraag_", "plaatsen_", "tekort_")) or col in ("prognose_clienten", "nieuwe_clienten"):
            region[col] = float(c[col].sum())
    if region["clienten"] and "prognose_clienten" in region:
        region["prognose_groei"] = 100.0 * (region["prognose_clienten"] - region["clienten"]) / region["clienten"]
    return SectorResults(sector=sec, care=c, region=region, care_use=care_use, gap=gap_table,
                         severity=_severity(sec, disclosure), disclosure=disclosure, forecast=fc,
                         forecast_exact=fc_exact)


def _severity(sec: Sector, d: Disclosure) -> pd.DataFrame:
    """The region's clients per group of the sector and observed year, as far as they are shown, and
    each group's share of the year's clients (only where every group of the year is shown).

    These are the counts of the published table ``regio_per_groep_per_jaar``, so they add nothing to
    what the disclosure control has already checked.
    """
    rows = []
    for year in d.cube.years:
        keys = [(REGION, year, g, "alle") for g in sec.group_ids]
        values = [d.value(k) for k in keys]
        total = float(np.sum(values)) if not np.isnan(values).any() else np.nan
        for g, v in zip(sec.groups, values):
            rows.append({"sector": sec.id, "jaar": year, "groep_id": g.id, "zzp_groep": g.label,
                         "clienten": v, "aandeel": 100.0 * v / total if total else np.nan})
    return pd.DataFrame(rows)


def publication_of(disclosure: Disclosure, min_count: int) -> forecast.Publication:
    """What the public forecast may use: the base-year and region counts that are shown."""
    d, base_year = disclosure, disclosure.base_year
    base = frozenset((m, g) for m in d.cube.areas for g in d.cube.groups
                     if d.shown((m, base_year, g, "thuis")) and d.shown((m, base_year, g, "intramuraal")))
    region = frozenset((y, g) for y in d.cube.years for g in d.cube.groups
                       if d.shown((REGION, y, g, "thuis")) and d.shown((REGION, y, g, "intramuraal")))
    return forecast.Publication(min_count=min_count, base=base, region=region)


def _care_use(sec: Sector, n: pd.DataFrame, pops: dict, years) -> pd.DataFrame:
    """Clients of the sector's client groups and their usage rate per gemeente and year, with a region row."""
    rows = []
    unit = sec.texts.get("rate", "")
    for year in years:
        pop = pops[year]
        for code in n.index:
            k, p = int(n.at[code, year]), float(pop.get(code, 0) or 0)
            rows.append({"sector": sec.id, "gemeentecode": code, "jaar": year, "clienten": k,
                         "referentiebevolking": p, "gebruik": sec.rate_per * k / p if p else np.nan,
                         "eenheid": unit})
        k, p = int(n[year].sum()), float(pop.sum())
        rows.append({"sector": sec.id, "gemeentecode": "regio", "jaar": year, "clienten": k, "referentiebevolking": p,
                     "gebruik": sec.rate_per * k / p if p else np.nan, "eenheid": unit})
    return pd.DataFrame(rows)


def _region_row(areas: pd.DataFrame, inputs: Inputs, oad: np.ndarray, s) -> dict:
    """The region's value of every indicator of an area layer, by the same definitions as per area."""
    r: dict = {"inwoners": float(areas["inwoners"].sum()), "inwoners_75plus": float(areas["inwoners_75plus"].sum())}
    if r["inwoners"]:
        r["aandeel_75plus"] = 100.0 * r["inwoners_75plus"] / r["inwoners"]
    code_col = "wijkcode" if "wijkcode" in areas else "gemeentecode"
    hh = inputs.ses.set_index("regiocode")["huishoudens"].reindex(areas[code_col]).to_numpy(dtype=float)
    score = areas["ses_woa"].to_numpy(dtype=float)
    ok = ~np.isnan(score) & ~np.isnan(hh)
    if ok.any() and hh[ok].sum() > 0:
        r["ses_woa"] = float(np.average(score[ok], weights=hh[ok]))
        r["ses_groep"] = int(indicators.ses_group([r["ses_woa"]], s.ses_group_limits).iloc[0])
    if len(oad):
        r["oad"] = float(np.mean(oad))
        r["stedelijkheid"] = int(stedelijkheid_class([r["oad"]], s.stedelijkheid_limits).iloc[0])
        r["stedelijkheid_label"] = STEDELIJKHEID_LABELS[r["stedelijkheid"]]
    return r
