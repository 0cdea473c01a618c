"""The geoprocessing chain on validated inputs: geocode, indicators per area, forecast and gap."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import forecast, indicators
from .disclosure import REGION, Disclosure, client_cube, protect
from .geocode import geocode_locations, geocode_report
from .errors import InputError
from .io import Inputs
from .lifetable import survival_from_table
from .regions import wijken_by_code
from .urbanity import STEDELIJKHEID_LABELS, DensityGrid, address_density_raster, stedelijkheid_class


@dataclass
class Results:
    """Everything the layers are built from."""

    gemeenten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    locaties: gpd.GeoDataFrame
    gap: pd.DataFrame
    region: dict
    geocoding: dict
    care_use: pd.DataFrame | None = None
    region_values: dict = field(default_factory=dict)
    oad_grid: DensityGrid | None = None
    forecast: forecast.ScenarioForecast | None = None
    notes: list[str] = field(default_factory=list)
    #: which published client counts are shown (small counts and their complements suppressed)
    disclosure: Disclosure | None = None
    #: the forecast on every exact count (confidential: only for the internal table)
    forecast_exact: forecast.ScenarioForecast | None = None
    #: notes that name confidential client figures (for the analyst, never in a public report)
    internal_notes: list[str] = field(default_factory=list)


def assign_points_to_areas(x, y, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Code (``statcode``) of the area each point lies in; None outside every area.

    A point on a shared border goes to the first area in the table's order.
    """
    pts = shapely.points(np.asarray(x, float), np.asarray(y, float))
    tree = shapely.STRtree(areas.geometry.values)
    ip, ia = tree.query(pts, predicate="intersects")
    first = pd.Series(ia, index=ip).groupby(level=0).first()
    codes = np.full(len(pts), None, dtype=object)
    codes[first.index.to_numpy()] = areas["statcode"].to_numpy()[first.to_numpy()]
    return codes


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
    addr_wijk = assign_points_to_areas(addr["x"], addr["y"], wijk)
    addr_gem = assign_points_to_areas(addr["x"], addr["y"], gem)
    outside = int(pd.isna(addr_gem).sum())
    if outside:
        notes.append(f"{outside} adres(sen) liggen buiten de gemeentegrenzen en tellen niet mee in de OAD")
    oad_gem = indicators.mean_by_area(oad[~pd.isna(addr_gem)], addr_gem[~pd.isna(addr_gem)])
    oad_wijk = indicators.mean_by_area(oad[~pd.isna(addr_wijk)], addr_wijk[~pd.isna(addr_wijk)])

    # --- population
    pop_last = indicators.inhabitants_and_75plus(inputs.population, last)
    pop_first = indicators.inhabitants_and_75plus(inputs.population, first)

    # --- SES-WOA: the file's own gemeente rows where present, else a household-weighted mean
    ses = inputs.ses.set_index("regiocode")
    ses_w = ses.reindex(wijk["statcode"])
    ses_gem_calc = indicators.weighted_mean(ses_w["ses_woa"], ses_w["huishoudens"].fillna(1.0),
                                            wijk["gemeentecode"].to_numpy())
    ses_gem = ses["ses_woa"].reindex(gem["statcode"]).fillna(ses_gem_calc.reindex(gem["statcode"]))

    # --- care use: clients ZZP 4-8 (PGB included), as the regioanalyse counts them; the profiles
    # outside ZZP 4-8 only per group, so that "all minus ZZP 4-8" never publishes a small count
    _, vv48 = indicators.client_totals(inputs.clients, years)
    vv48 = vv48.reindex(gem["statcode"], fill_value=0)
    growth = indicators.growth_pct(vv48[first], vv48[last])
    disclosure = protect(client_cube(inputs.clients, list(gem["statcode"]), years), last,
                         s.privacy_min_count, s.privacy_min_range or None)

    # --- locations
    loc = geocode_locations(inputs.locations, inputs.pc6)
    report = geocode_report(loc)
    placed = loc.geometry.notna() & ~loc.geometry.is_empty
    loc["gemeentecode"] = None
    loc.loc[placed, "gemeentecode"] = assign_points_to_areas(
        loc.geometry[placed].x, loc.geometry[placed].y, gem)
    off_map = placed & loc["gemeentecode"].isna()
    if off_map.any():
        notes.append(f"{int(off_map.sum())} locatie(s) liggen buiten de regio")
    counts_as_location = ((loc["clienten_intramuraal"] >= s.location_min_intramural)
                          | (loc["clienten_vpt_mpt"] >= s.location_min_home))
    loc["telt_mee"] = counts_as_location
    counted_vv = placed & counts_as_location & (loc["sector"] == "V&V")
    loc_count = loc[counted_vv].groupby("gemeentecode").size()

    # --- forecast and gap: every year, demand scenario and leveringsvorm scenario
    places = forecast.places_by_gemeente(loc[placed])
    survival = (survival_from_table(inputs.survival, source=s.life_table_file)
                if inputs.survival is not None else None)
    run = dict(end_year=max(s.target_year, *s.forecast_target_years), growth_factors=s.home_share_growth_factors,
               survival=survival, gemeenten=list(gem["statcode"]))
    try:
        fc_exact = forecast.scenario_forecast(inputs.clients, inputs.population, inputs.projection, places,
                                              years, **run)
        fc = forecast.scenario_forecast(inputs.clients, inputs.population, inputs.projection, places, years,
                                        publication=publication_of(disclosure, s.privacy_min_count), **run)
    except ValueError as exc:
        raise InputError(inputs.files.get("prognose", "bevolkingsprognose.csv").name, str(exc)) from None
    notes += fc.notes
    headline = (s.target_year, s.headline_demand_scenario, s.headline_leveringsvorm_scenario)
    demand = forecast.wide_by_group(fc.table, "clienten_intramuraal", *headline).reindex(gem["statcode"]).fillna(0.0)
    places = places.reindex(gem["statcode"], fill_value=0.0)
    gap = forecast.gap_by_zzp_group(demand, places).reindex(gem["statcode"], fill_value=0.0)
    gap_table = forecast.gap_long(demand, places, s.target_year)
    clients_target = (forecast.wide_by_group(fc.table, "clienten_totaal", *headline).reindex(gem["statcode"])
                      [list(indicators.ZZP_GROUPS_4_TO_8)].sum(axis=1))

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
    out["vv_clienten"] = vv48[last].to_numpy()
    out["vv_clienten_begin"] = vv48[first].to_numpy()
    old_first = pop_first["inwoners_75plus"].reindex(codes).to_numpy().astype(float)
    out["clienten_per_1000_75plus"] = (1000.0 * vv48[last].to_numpy()
                                       / out["inwoners_75plus"].where(out["inwoners_75plus"] > 0))
    out["clienten_per_1000_75plus_begin"] = 1000.0 * vv48[first].to_numpy() / np.where(old_first > 0, old_first, np.nan)
    out["groei_clienten_per_1000"] = indicators.growth_pct(out["clienten_per_1000_75plus_begin"],
                                                           out["clienten_per_1000_75plus"]).to_numpy()
    out["groei_toewijzingen"] = growth.to_numpy()
    out["groei_klasse"] = indicators.growth_class(out["groei_toewijzingen"], s.growth_class_limits_pct).to_numpy()
    out["aantal_locaties"] = loc_count.reindex(codes, fill_value=0).to_numpy()
    out["locaties_per_1000_clienten"] = 1000.0 * out["aantal_locaties"] / out["vv_clienten"].where(out["vv_clienten"] > 0)
    for g in forecast.ZZP_GROUPS:
        out[f"vraag_{g}"] = demand[g].to_numpy()
        out[f"plaatsen_{g}"] = places[g].to_numpy()
        out[f"tekort_{g}"] = gap[g].to_numpy()
    out["tekort_totaal"] = gap.sum(axis=1).to_numpy()
    out["prognose_clienten"] = clients_target.to_numpy()
    out["nieuwe_clienten"] = out["prognose_clienten"] - out["vv_clienten"]
    out["prognose_groei"] = indicators.growth_pct(out["vv_clienten"], out["prognose_clienten"]).to_numpy()

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
    for g in forecast.ZZP_GROUPS:
        loc_out[forecast.PLACE_COLUMNS[g]] = loc_out[forecast.PLACE_COLUMNS[g]].astype(int)
    loc_out["plaatsen_totaal"] = loc_out[[forecast.PLACE_COLUMNS[g] for g in forecast.ZZP_GROUPS]].sum(axis=1)

    care_use = _care_use(inputs, vv48, years)
    region_values = {
        "gemeenten": _region_row(out, inputs, oad[~pd.isna(addr_gem)], s, loc[counted_vv], care_use),
        "wijken": _region_row(w, inputs, oad[~pd.isna(addr_wijk)], s, None, care_use),
    }
    region = {
        "naam": s.region_name,
        "inwoners": int(out["inwoners"].sum()),
        "aandeel_75plus": float(100.0 * out["inwoners_75plus"].sum() / out["inwoners"].sum()),
        "vv_clienten": int(vv48[last].sum()),
        "groei_toewijzingen": float(indicators.growth_pct([vv48[first].sum()], [vv48[last].sum()]).iloc[0]),
        "tekort_totaal": float(gap.to_numpy().sum()),
        "tekort_per_groep": {forecast.GROUP_LABELS[g]: float(gap[g].sum()) for g in forecast.ZZP_GROUPS},
    }
    return Results(gemeenten=out.reset_index(drop=True), wijken=w.reset_index(drop=True),
                   locaties=loc_out.reset_index(drop=True), gap=gap_table, region=region,
                   geocoding=report, care_use=care_use, region_values=region_values,
                   oad_grid=grid, forecast=fc, notes=notes, disclosure=disclosure, forecast_exact=fc_exact,
                   internal_notes=list(inputs.internal_notes))


def publication_of(disclosure: Disclosure, min_count: int) -> forecast.Publication:
    """What the public forecast may use: the base-year and region counts that are shown."""
    d, base_year = disclosure, disclosure.base_year
    base = frozenset((m, g) for m in d.cube.areas for g in forecast.ZZP_GROUPS
                     if d.shown((m, base_year, g, "thuis")) and d.shown((m, base_year, g, "intramuraal")))
    region = frozenset((y, g) for y in d.cube.years for g in forecast.ZZP_GROUPS
                       if d.shown((REGION, y, g, "thuis")) and d.shown((REGION, y, g, "intramuraal")))
    return forecast.Publication(min_count=min_count, base=base, region=region)


def _care_use(inputs: Inputs, vv48: pd.DataFrame, years) -> pd.DataFrame:
    """Clients ZZP 4-8 and clients per 1,000 inhabitants aged 75+ per gemeente and year, with a region row."""
    rows = []
    for year in years:
        pop = indicators.inhabitants_and_75plus(inputs.population, year)["inwoners_75plus"]
        pop = pop[pop.index.str.startswith("GM")]
        for code in vv48.index:
            n, p = int(vv48.at[code, year]), float(pop.get(code, 0))
            rows.append({"gemeentecode": code, "jaar": year, "clienten_zzp4_8": n,
                         "inwoners_75plus": p, "per_1000_75plus": 1000.0 * n / p if p else np.nan})
        n, p = int(vv48[year].sum()), float(pop.reindex(vv48.index).sum())
        rows.append({"gemeentecode": "regio", "jaar": year, "clienten_zzp4_8": n, "inwoners_75plus": p,
                     "per_1000_75plus": 1000.0 * n / p if p else np.nan})
    return pd.DataFrame(rows)


def _region_row(areas: pd.DataFrame, inputs: Inputs, oad: np.ndarray, s, locations, care_use) -> dict:
    """The region's value of every indicator of a layer, by the same definitions as per area."""
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
    if "vv_clienten" not in areas:
        return r
    first, last = float(areas["vv_clienten_begin"].sum()), float(areas["vv_clienten"].sum())
    r["vv_clienten"], r["vv_clienten_begin"] = last, first
    if first:
        r["groei_toewijzingen"] = 100.0 * (last - first) / first
        r["groei_klasse"] = int(indicators.growth_class([r["groei_toewijzingen"]], s.growth_class_limits_pct).iloc[0])
    region = care_use[care_use["gemeentecode"] == "regio"].set_index("jaar")["per_1000_75plus"]
    r["clienten_per_1000_75plus"] = float(region[s.observed_years[-1]])
    r["clienten_per_1000_75plus_begin"] = float(region[s.observed_years[0]])
    r["groei_clienten_per_1000"] = 100.0 * (r["clienten_per_1000_75plus"] / r["clienten_per_1000_75plus_begin"] - 1)
    r["aantal_locaties"] = float(len(locations))
    if last:
        r["locaties_per_1000_clienten"] = 1000.0 * r["aantal_locaties"] / last
    for col in areas.columns:
        if col.startswith(("vraag_", "plaatsen_", "tekort_")) or col in ("prognose_clienten", "nieuwe_clienten"):
            r[col] = float(areas[col].sum())
    if last and "prognose_clienten" in r:
        r["prognose_groei"] = 100.0 * (r["prognose_clienten"] - last) / last
    return r
