"""Deterministic generator of the fictional demo region ("Demoregio").

Everything here is invented: gemeente names, codes (GM99xx, which CBS never
uses), postcodes, people and care locations. The region lies in the
IJsselmeer on purpose, so that nobody mistakes it for a real place when it is
drawn over a real base map. The generator returns tables; ``geo.io`` writes
them in the same file formats that real inputs come in.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon

from .ages import AGE_BANDS
from .sectors import default_sectors

RD_NEW = "EPSG:28992"
SEED = 2040
#: numbers of the separate random streams (``default_rng([seed, stream])``): the provider segments
#: of the V&V clients, the GZ and GGZ clients, and the GZ/GGZ places of the locations. They never
#: touch the main stream, so the V&V figures are the same draws they were before the sectors came.
STREAM_VV_SEGMENT, STREAM_GZ, STREAM_GGZ, STREAM_LOCATIONS = 1, 2, 3, 4
OBSERVED_YEARS = (2020, 2021, 2022, 2023)
PROJECTION_YEARS = (2025, 2030, 2035, 2040)
CENTRE = (152_000.0, 540_000.0)

GEMEENTE_NAMES = (
    "Aldervaart", "Brammelo", "Dijkerwoud", "Elsterhaven", "Fennewijk",
    "Gorslaar", "Hoogwervel", "Kampervaart", "Lindelo", "Meerstede",
    "Noordervliet", "Oudewervel", "Pelderdam", "Ravenswoude", "Stavelum",
    "Tervelde", "Uffelvaart", "Veldermonde", "Wervelbroek", "Zandelo",
)
COMPASS = ("Oost", "Noordoost", "Noord", "Noordwest", "West", "Zuidwest", "Zuid", "Zuidoost")

#: Dutch population 2020 by five-year band, in thousands (rounded; shape only)
BASE_PROFILE = np.array(
    [870, 900, 960, 1050, 1100, 1130, 1080, 1030, 1040, 1200,
     1290, 1270, 1130, 1020, 960, 660, 470, 280, 110, 30], dtype=float
)
#: yearly growth factor of each band: the ageing wave of the baby boom
BAND_TREND = np.array(
    [0.996, 0.996, 0.996, 0.997, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
     1.0, 1.0, 1.002, 1.006, 1.008, 1.015, 1.03, 1.03, 1.028, 1.03]
)
#: share of women per band
WOMEN_SHARE = np.array([0.49] * 13 + [0.51, 0.52, 0.55, 0.58, 0.64, 0.70, 0.78])
#: V&V Wlz clients per inhabitant by band (steep rise with age)
CARE_RATE = np.array(
    [0] * 10 + [0.0006, 0.0012, 0.0024, 0.005, 0.011, 0.030, 0.078, 0.18, 0.33, 0.50]
)
#: the V&V zorgprofielen (ZZP_MIX below gives their shares, in this order)
ZORGPROFIELEN = default_sectors().get("vv").profiles
ZZP_MIX = np.array([0.08, 0.46, 0.20, 0.17, 0.07, 0.015, 0.005])
LEVERINGSVORMEN = ("intramuraal", "VPT", "MPT", "PGB")
HOME_SPLIT = np.array([0.22, 0.50, 0.28])  # VPT, MPT, PGB within care at home

#: contract segment of the provider (sector_aanbieder) by the client's sector, in the order V&V, GZ, GGZ:
#: most clients are cared for in their own sector, a few percent by a provider of another
#: (sectorvreemde zorg; published for GZ: 96.7 % at GZ, 3.1 % at V&V, 0.3 % at GGZ providers)
SEGMENT_CODES = ("V&V", "GZ", "GGZ")
SEGMENT_SHARES = {
    "V&V": np.array([0.985, 0.012, 0.003]),
    "GZ": np.array([0.031, 0.966, 0.003]),
    "GGZ": np.array([0.010, 0.040, 0.950]),
}
#: GZ: Wlz clients per inhabitant by the sector's age band (0-18, 19-23, 24-34, 35-49, 50-64, 65+);
#: about 6-7 per 1,000 inhabitants of all ages, a young profile
GZ_RATE = np.array([0.0029, 0.0097, 0.0091, 0.0079, 0.0078, 0.0039])
#: GZ zorgprofiel mix (VG ~65 %, LVG incl. SGLVG ~17 %, LG ~15 %, ZG ~3 %; heavier VG3-VG7 common)
GZ_MIX = {
    "VG1": 0.010, "VG2": 0.030, "VG3": 0.105, "VG4": 0.105, "VG5": 0.105, "VG6": 0.105, "VG7": 0.090,
    "VG8": 0.015,
    "LG1": 0.010, "LG2": 0.015, "LG3": 0.012, "LG4": 0.020, "LG5": 0.018, "LG6": 0.030, "LG7": 0.020,
    "LVG1": 0.015, "LVG2": 0.025, "LVG3": 0.045, "LVG4": 0.055, "LVG5": 0.028, "SGLVG": 0.015,
    "ZGaud1": 0.002, "ZGaud2": 0.003, "ZGaud3": 0.003, "ZGaud4": 0.002,
    "ZGvis1": 0.003, "ZGvis2": 0.005, "ZGvis3": 0.006, "ZGvis4": 0.004, "ZGvis5": 0.002,
}
#: per GZ age band: how much more (or less) common the LVG and ZG profiles are than in GZ_MIX
#: (LVG is a profile of the young, ZG of the old)
GZ_LVG_BY_BAND = np.array([2.2, 2.2, 1.1, 0.6, 0.3, 0.15])
GZ_ZG_BY_BAND = np.array([0.5, 0.6, 0.7, 0.9, 1.1, 1.3])
#: share at home (VPT+MPT+PGB) added per GZ age band (children live with their parents)
GZ_HOME_BY_BAND = np.array([0.28, 0.10, 0.0, -0.06, -0.10, -0.14])
GZ_HOME_SPLIT = np.array([0.15, 0.35, 0.50])  # VPT, MPT, PGB
#: GGZ: Wlz clients per inhabitant by the sector's age band (0-17, 18-29, 30-44, 45-64, 65+);
#: about 15 per 10,000 inhabitants of all ages
GGZ_RATE = np.array([0.00003, 0.00090, 0.00177, 0.00200, 0.00123])
#: GGZ zorgprofiel mix (GGZ-W ~55 %, GGZ-B ~45 %)
GGZ_MIX = {"GGZ-W1": 0.10, "GGZ-W2": 0.20, "GGZ-W3": 0.25,
           "GGZ-B3": 0.08, "GGZ-B4": 0.12, "GGZ-B5": 0.13, "GGZ-B6": 0.08, "GGZ-B7": 0.04}
GGZ_HOME_BY_BAND = np.array([0.20, 0.05, 0.0, -0.02, -0.05])
GGZ_HOME_SPLIT = np.array([0.30, 0.30, 0.40])  # VPT, MPT, PGB
#: older spellings written on a handful of GZ rows, as older exports have them (the importer
#: normalises them with a report): (year, declared profile, spelling); each goes on the first
#: GZ row of that year and profile, in the table's order
MESSY_GZ_CODES = (
    (2020, "VG3", "3VG"),
    (2020, "LG5", "ZZP 5 LG"),
    (2021, "VG4", "VG 4"),
    (2021, "LVG2", "lvg 2"),
    (2022, "ZGvis3", "ZG vis 3"),
    (2023, "VG7", "ZZP VG7"),
)

VV_NAMES = (
    "De Linde", "Het Anker", "De Eik", "Rozenhof", "Het Baken", "De Wilgen",
    "Zonnehof", "De Meerkoet", "Lindehuis", "De Ooievaar", "Beukenhof",
    "De Vijverhof", "Het Veerhuis", "De Heideroos", "Kastanjehof", "De Dijkhof",
    "Het Molenhuis", "De Horst", "Vlinderhof", "De Kreek", "Het Tij", "De Boei",
)
VV_KINDS = ("Woonzorgcentrum", "Verpleeghuis", "Zorgcentrum", "Kleinschalig wonen")
GZ_KINDS = ("Woonvoorziening", "Woongroep")
GGZ_KINDS = ("Beschermd wonen", "GGZ-woonlocatie")
PROVIDERS = {
    "V&V": ("Zorggroep Noorderwiek", "Stichting Dijkzorg", "Woonzorg Meerkoet",
            "Zorgkring Brammelo", "Stichting Tijzorg"),
    "GZ": ("Stichting Kompasdraad", "Zorgnetwerk Vaartland"),
    "GGZ": ("GGZ Wiekslag", "Stichting Baakzorg"),
}


@dataclass
class DemoRegion:
    """Every input table of the demo region, before writing."""

    gemeenten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    addresses: pd.DataFrame
    pc6: pd.DataFrame
    population: pd.DataFrame
    projection: pd.DataFrame
    clients: pd.DataFrame
    locations: pd.DataFrame
    ses: pd.DataFrame
    sessions: pd.DataFrame | None = None


#: where the demo's gemeenten stand in the programme (fictional), by position in GEMEENTE_NAMES
_SESSION_STEPS = (
    ("kennismaking geweest", "2026-02-10", "sessie plannen met woningcorporaties en zorgaanbieders", "wethouder wonen"),
    ("sessie gepland", "2026-04-14", "gebiedsanalyse rondsturen", "beleidsadviseur wonen"),
    ("eerste sessie gehad", "2026-01-20", "woonzorgvisie schrijven", "beleidsadviseur zorg"),
    ("woonzorgvisie in de maak", "2025-11-05", "afwegingskader nieuwbouw bespreken", "projectleider gemeente"),
    ("tweede sessie gehad, afspraken vastgelegd", "2025-09-30", "voortgang volgen in het najaar", "wethouder zorg"),
)


def _sessions(gemeenten: gpd.GeoDataFrame) -> pd.DataFrame:
    """Session progress of two thirds of the demo's gemeenten (the rest have not started)."""
    rows = []
    for k, code in enumerate(gemeenten["statcode"]):
        if k % 3 == 2:
            continue
        status, datum, step, role = _SESSION_STEPS[k % len(_SESSION_STEPS)]
        rows.append({"gemeentecode": code, "status": status, "datum": datum, "volgende_stap": step,
                     "contactpersoon_rol": role})
    return pd.DataFrame(rows)


def generate_demo(seed: int = SEED) -> DemoRegion:
    """Generate the whole demo region; the same seed gives the same tables.

    Parameters
    ----------
    seed
        Seed of the random generator.
    """
    rng = np.random.default_rng(seed)
    region = _region_outline(rng)
    gem_geoms = _partition(region, 20, rng, iterations=4)
    sizes = _gemeente_sizes(rng)
    gem_rows, wijk_rows, addr_parts, kernels = [], [], [], []
    for i, (geom, n_inh) in enumerate(zip(gem_geoms, sizes)):
        code = f"GM{9901 + i:04d}"
        name = GEMEENTE_NAMES[i]
        gem_rows.append({"statcode": code, "statnaam": name, "geometry": geom})
        centre = _interior_point(geom)
        n_addr = int(round(n_inh / rng.uniform(2.05, 2.3)))
        pts, main_centre = _sample_addresses(geom, centre, n_addr, rng)
        addr_parts.append(pd.DataFrame({"x": pts[:, 0], "y": pts[:, 1], "gemeentecode": code}))
        kernels.append(main_centre)
        n_wijk = int(np.clip(round(n_inh / 9000) + 2, 3, 14))
        for j, wgeom in enumerate(_wijk_partition(geom, main_centre, n_wijk, rng)):
            wijk_rows.append({"statcode": f"WK{9901 + i:04d}{j:02d}", "geometry": wgeom,
                              "gemeentecode": code, "_centre": main_centre})
    gemeenten = gpd.GeoDataFrame(gem_rows, crs=RD_NEW)
    wijken = gpd.GeoDataFrame(wijk_rows, crs=RD_NEW)
    wijken["statnaam"] = _wijk_names(wijken)
    wijken = wijken[["statcode", "statnaam", "gemeentecode", "geometry"]]

    addresses = pd.concat(addr_parts, ignore_index=True)
    addresses = _assign_wijk(addresses, wijken)
    addresses, pc6 = _assign_postcodes(addresses, wijken)

    population, projection, wijk_ses = _population(wijken, addresses, gemeenten, rng)
    ses = _ses_table(wijken, gemeenten, addresses, wijk_ses, rng)
    clients = _clients(population, ses, rng, seed)
    locations = _locations(gemeenten, addresses, clients, rng, seed)
    return DemoRegion(
        gemeenten=gemeenten, wijken=wijken[["statcode", "statnaam", "geometry"]],
        addresses=addresses[["postcode", "huisnummer", "x", "y"]], pc6=pc6,
        population=population, projection=projection, clients=clients,
        locations=locations, ses=ses, sessions=_sessions(gemeenten),
    )


# --- geometry -----------------------------------------------------------------

def _region_outline(rng: np.random.Generator) -> Polygon:
    a = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    ph = rng.uniform(0, 2 * np.pi, 3)
    r = 19_000 * (1 + 0.10 * np.sin(2 * a + ph[0]) + 0.06 * np.sin(3 * a + ph[1])
                  + 0.03 * np.sin(5 * a + ph[2]))
    xy = np.column_stack([CENTRE[0] + 1.15 * r * np.cos(a), CENTRE[1] + 0.95 * r * np.sin(a)])
    return Polygon(np.round(xy, 2))


def _uniform_in(geom, n: int, rng: np.random.Generator) -> np.ndarray:
    x0, y0, x1, y1 = geom.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        cand = rng.uniform((x0, y0), (x1, y1), size=(max(2 * n, 64), 2))
        out = np.vstack([out, cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])]])
    return out[:n]


def _cells(points: np.ndarray, clip) -> list:
    """Voronoi cells of the points clipped to ``clip``, in the points' order."""
    vor = shapely.voronoi_polygons(MultiPoint(points), extend_to=clip.buffer(10_000))
    cells = list(vor.geoms)
    tree = shapely.STRtree(cells)
    out = []
    for p in points:
        hits = tree.query(Point(p), predicate="intersects")
        out.append(cells[int(hits[0])].intersection(clip))
    return out


def _partition(geom, n: int, rng: np.random.Generator, iterations: int, fixed=None) -> list:
    pts = _uniform_in(geom, n, rng)
    if fixed is not None:
        pts[0] = fixed
    for _ in range(iterations):
        cells = _cells(pts, geom)
        pts = np.array([[c.centroid.x, c.centroid.y] for c in cells])
        if fixed is not None:
            pts[0] = fixed
    return [_clean(c) for c in _cells(pts, geom)]


def _clean(geom):
    geom = shapely.set_precision(geom, 0.01)
    return shapely.make_valid(geom) if not geom.is_valid else geom


def _interior_point(geom) -> np.ndarray:
    c = geom.centroid
    if not geom.contains(c):
        c = geom.representative_point()
    return np.array([c.x, c.y])


def _gemeente_sizes(rng: np.random.Generator) -> list[int]:
    sizes = [int(rng.integers(105_000, 120_000))]
    sizes += [int(rng.integers(30_000, 46_000)) for _ in range(4)]
    sizes += [int(rng.integers(7_000, 21_000)) for _ in range(15)]
    order = rng.permutation(20)
    return [sizes[k] for k in order]


def _sample_addresses(geom, centre, n: int, rng: np.random.Generator):
    """Address points: dense town kernels, a sparse countryside."""
    n_rural = int(n * rng.uniform(0.10, 0.18))
    n_town = n - n_rural
    villages = []
    n_villages = int(rng.integers(1, 4))
    for p in _uniform_in(geom.buffer(-800), 40, rng) if geom.buffer(-800).area > 0 else []:
        if np.hypot(*(p - centre)) > 2500 and all(np.hypot(*(p - v)) > 2000 for v in villages):
            villages.append(p)
        if len(villages) == n_villages:
            break
    weights = np.array([0.72] + [0.28 / max(len(villages), 1)] * len(villages))
    weights /= weights.sum()
    counts = rng.multinomial(n_town, weights)
    parts = []
    for k_centre, k_n in zip([centre] + villages, counts):
        sigma = 250 + 4.5 * np.sqrt(k_n)
        got = np.empty((0, 2))
        while len(got) < k_n:
            cand = rng.normal(k_centre, sigma, size=(max(k_n, 16), 2))
            cand = cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])]
            got = np.vstack([got, cand])
        parts.append(got[:k_n])
    parts.append(_uniform_in(geom, n_rural, rng))
    return np.round(np.vstack(parts)), centre


def _wijk_partition(geom, centre, n: int, rng: np.random.Generator) -> list:
    return _partition(geom, n, rng, iterations=2, fixed=centre)


def _wijk_names(wijken: gpd.GeoDataFrame) -> list[str]:
    names = []
    for code, group in wijken.groupby("gemeentecode", sort=False):
        used: dict[str, int] = {}
        for k, (_, row) in enumerate(group.iterrows()):
            if k == 0:
                base = "Centrum"
            else:
                c = row.geometry.centroid
                dx, dy = c.x - row["_centre"][0], c.y - row["_centre"][1]
                base = COMPASS[int(round(np.arctan2(dy, dx) / (np.pi / 4))) % 8]
            used[base] = used.get(base, 0) + 1
            label = base if used[base] == 1 else f"{base} {used[base]}"
            names.append(f"Wijk {k:02d} {label}")
    return names


def _assign_wijk(addresses: pd.DataFrame, wijken: gpd.GeoDataFrame) -> pd.DataFrame:
    tree = shapely.STRtree(wijken.geometry.values)
    pts = shapely.points(addresses["x"].to_numpy(), addresses["y"].to_numpy())
    idx_pt, idx_w = tree.query(pts, predicate="intersects")
    first = pd.Series(idx_w, index=idx_pt).groupby(level=0).first().reindex(range(len(pts)))
    inside = first.notna().to_numpy()  # rounding to whole metres can push a point off the outer edge
    out = addresses[inside].copy()
    out["wijkcode"] = wijken["statcode"].to_numpy()[first[inside].to_numpy().astype(int)]
    out["gemeentecode"] = "GM" + out["wijkcode"].str[2:6]
    return out


def _letter_pairs() -> list[str]:
    letters = [c for c in string.ascii_uppercase]
    return [a + b for a in letters for b in letters if a + b not in {"SA", "SD", "SS"}]


def _assign_postcodes(addresses: pd.DataFrame, wijken: gpd.GeoDataFrame):
    """Group addresses into PC6 areas of ~18 addresses and PC4 areas per wijk."""
    pairs = _letter_pairs()
    pc4 = 4100
    chunks = []
    for code in wijken["statcode"]:
        part = addresses[addresses["wijkcode"] == code].copy()
        # serpentine order over 150 m strips keeps a PC6 spatially compact
        strip = (part["y"] // 150).astype(int)
        key = np.where(strip % 2 == 0, part["x"], -part["x"])
        part = part.assign(_s=strip, _k=key).sort_values(["_s", "_k"], kind="stable")
        n6 = int(np.ceil(len(part) / 18))
        pc6_idx = np.arange(len(part)) // 18
        n4 = int(np.ceil(n6 / 120))
        pcs = []
        for k in range(n6):
            pc4_k = pc4 + k // 120
            pcs.append(f"{pc4_k}{pairs[k % 120]}")
        pc4 += n4
        part["postcode"] = np.array(pcs, dtype=object)[pc6_idx] if n6 else []
        part["huisnummer"] = part.groupby("postcode").cumcount() * 2 + 1
        chunks.append(part.drop(columns=["_s", "_k"]))
    out = pd.concat(chunks, ignore_index=True)
    out["x"] = out["x"].astype(int)
    out["y"] = out["y"].astype(int)
    pc6 = (out.groupby("postcode", sort=True)
           .agg(aantal_adressen=("x", "size"), x=("x", "mean"), y=("y", "mean"))
           .reset_index())
    pc6["x"] = pc6["x"].round(1)
    pc6["y"] = pc6["y"].round(1)
    return out, pc6


# --- people -------------------------------------------------------------------

def _population(wijken, addresses, gemeenten, rng):
    """Population by band for wijken and gemeenten (observed), gemeenten (projected)."""
    n_addr = addresses.groupby("wijkcode").size()
    ages_mid = np.array(AGE_BANDS) + 2.5
    gem_tilt = {c: rng.normal(0.0, 0.18) for c in gemeenten["statcode"]}
    rows, wijk_ses = [], {}
    gem_obs: dict[str, np.ndarray] = {}
    for _, w in wijken.iterrows():
        n = int(n_addr.get(w["statcode"], 0))
        total = int(round(n * rng.uniform(2.0, 2.35)))
        tilt = gem_tilt[w["gemeentecode"]] + rng.normal(0, 0.10)
        profile = BASE_PROFILE * np.exp(tilt * (ages_mid - 40) / 40)
        base = rng.multinomial(total, profile / profile.sum()).astype(float)
        wijk_ses[w["statcode"]] = -0.25 * tilt
        for t, year in enumerate(OBSERVED_YEARS):
            noise = rng.normal(1.0, 0.01, len(AGE_BANDS))
            counts = np.round(base * BAND_TREND ** t * noise).astype(int)
            rows.append((year, w["statcode"], counts))
            key = (year, w["gemeentecode"])
            gem_obs[key] = gem_obs.get(key, 0) + counts
    for (year, code), counts in gem_obs.items():
        rows.append((year, code, counts))
    population = _long_population(rows)
    proj_rows = []
    for code in gemeenten["statcode"]:
        last = gem_obs[(OBSERVED_YEARS[-1], code)].astype(float)
        mod = rng.normal(1.0, 0.004, len(AGE_BANDS))
        for year in PROJECTION_YEARS:
            counts = np.round(last * (BAND_TREND * mod) ** (year - OBSERVED_YEARS[-1])).astype(int)
            proj_rows.append((year, code, counts))
    projection = _long_population(proj_rows)
    return population, projection, wijk_ses


def _long_population(rows) -> pd.DataFrame:
    recs = []
    for year, code, counts in rows:
        women = np.round(counts * WOMEN_SHARE).astype(int)
        for b, lower in enumerate(AGE_BANDS):
            recs.append((f"{year}-01-01", code, lower, lower + 5, int(counts[b] - women[b]), int(women[b])))
    df = pd.DataFrame(recs, columns=["peildatum", "regiocode", "leeftijd_van", "leeftijd_tot", "mannen", "vrouwen"])
    return df.sort_values(["peildatum", "leeftijd_van", "regiocode"], kind="stable").reset_index(drop=True)


def _ses_table(wijken, gemeenten, addresses, wijk_ses, rng) -> pd.DataFrame:
    """SES-WOA per wijk and gemeente as in a StatLine export (households, score)."""
    n_addr = addresses.groupby("wijkcode").size()
    recs = []
    names = dict(zip(gemeenten["statcode"], gemeenten["statnaam"]))
    suppressed = set(rng.choice(wijken["statcode"].to_numpy(), size=1, replace=False))
    for code, group in wijken.groupby(wijken["statcode"].str[2:6], sort=True):
        gm = f"GM{code}"
        offset = rng.normal(0, 0.10)
        w_recs = []
        for _, w in group.iterrows():
            hh = int(round(n_addr.get(w["statcode"], 0) * 0.96, -2))
            score = round(float(wijk_ses[w["statcode"]] + offset + rng.normal(0, 0.12)), 3)
            if w["statcode"] in suppressed:
                score = None
            w_recs.append(("2019", w["statnaam"], w["statcode"], hh, score))
        valid = [(r[3], r[4]) for r in w_recs if r[4] is not None]
        gm_score = round(sum(h * s for h, s in valid) / max(sum(h for h, _ in valid), 1), 3)
        recs.append(("2019", names[gm], gm, sum(r[3] for r in w_recs), gm_score))
        recs.extend(w_recs)
    return pd.DataFrame(recs, columns=["perioden", "naam", "regiocode", "huishoudens", "ses_woa"])


def _vv_clients(population: pd.DataFrame, ses: pd.DataFrame, rng) -> pd.DataFrame:
    """Wlz V&V clients per gemeente x band x zorgprofiel x leveringsvorm x year (the main stream)."""
    gm = population[population["regiocode"].str.startswith("GM")].copy()
    gm["jaar"] = gm["peildatum"].str[:4].astype(int)
    gm["inwoners"] = gm["mannen"] + gm["vrouwen"]
    ses_gm = ses.set_index("regiocode")["ses_woa"]
    recs = []
    for code in sorted(gm["regiocode"].unique()):
        factor = float(np.exp(-0.6 * (ses_gm.get(code) or 0.0) + rng.normal(0, 0.06)))
        growth = rng.uniform(0.99, 1.05)
        home_base = rng.uniform(0.28, 0.40)
        home_step = rng.uniform(0.006, 0.018)
        part = gm[gm["regiocode"] == code]
        for t, year in enumerate(OBSERVED_YEARS):
            home = home_base + home_step * t
            lv_p = np.concatenate([[1 - home], home * HOME_SPLIT])
            cell_p = np.outer(ZZP_MIX, lv_p).ravel()
            yr = part[part["jaar"] == year].set_index("leeftijd_van")["inwoners"]
            for b, lower in enumerate(AGE_BANDS):
                lam = yr.get(lower, 0) * CARE_RATE[b] * factor * growth ** t
                if lam <= 0:
                    continue
                counts = rng.multinomial(rng.poisson(lam), cell_p)
                for k, c in enumerate(counts):
                    if c:
                        recs.append((year, code, _band_text(lower), ZORGPROFIELEN[k // 4],
                                     LEVERINGSVORMEN[k % 4], int(c)))
    return pd.DataFrame(recs, columns=["jaar", "gemeentecode", "leeftijdsklasse", "zorgprofiel",
                                       "leveringsvorm", "aantal_clienten"])


CLIENT_COLUMNS = ["jaar", "gemeentecode", "sector", "leeftijdsklasse", "zorgprofiel", "leveringsvorm",
                  "sector_aanbieder", "aantal_clienten"]


def _clients(population: pd.DataFrame, ses: pd.DataFrame, rng, seed: int = SEED) -> pd.DataFrame:
    """Wlz clients of the three sectors per year x gemeente x sector x band x zorgprofiel x
    leveringsvorm x provider segment (``sector_aanbieder``).

    V&V takes its counts from the main stream ``rng``, exactly as before the sectors came (only
    its split over the provider segments is drawn, from a stream of its own); GZ and GGZ come
    from streams of their own too. The rows come in blocks: V&V, GZ, GGZ.
    """
    vv = _vv_clients(population, ses, rng)
    vv = _split_segments(vv.assign(sector="V&V"), "V&V",
                         np.random.default_rng([seed, STREAM_VV_SEGMENT]))
    declared = default_sectors()
    gz = _sector_clients(declared.get("gz"), population, ses, np.random.default_rng([seed, STREAM_GZ]),
                         rate=GZ_RATE, mix=GZ_MIX, home_range=(0.39, 0.45), home_by_band=GZ_HOME_BY_BAND,
                         home_split=GZ_HOME_SPLIT, growth_range=(1.010, 1.028), turnover=0.06, ses_weight=0.3,
                         size_weight=0.0, mix_by_band={"LVG": GZ_LVG_BY_BAND, "SGLVG": GZ_LVG_BY_BAND,
                                                       "ZG": GZ_ZG_BY_BAND})
    gz = _messy_codes(gz)
    ggz = _sector_clients(declared.get("ggz"), population, ses, np.random.default_rng([seed, STREAM_GGZ]),
                          rate=GGZ_RATE, mix=GGZ_MIX, home_range=(0.20, 0.27), home_by_band=GGZ_HOME_BY_BAND,
                          home_split=GGZ_HOME_SPLIT, growth_range=(1.0, 1.035), turnover=0.12, ses_weight=0.8,
                          size_weight=0.2, mix_by_band={})
    return pd.concat([vv, gz, ggz], ignore_index=True)[CLIENT_COLUMNS]


def _split_segments(cells: pd.DataFrame, sector_code: str, rng) -> pd.DataFrame:
    """Each cell's clients over the provider segments (a multinomial, in the order V&V, GZ, GGZ):
    one row per segment with clients, the segments of a cell next to each other."""
    split = rng.multinomial(cells["aantal_clienten"].to_numpy(np.int64), SEGMENT_SHARES[sector_code])
    cell, seg = np.nonzero(split)  # row-major: the cells' order, within a cell the segments' order
    out = cells.iloc[cell].reset_index(drop=True)
    out["sector_aanbieder"] = np.array(SEGMENT_CODES, dtype=object)[seg]
    out["aantal_clienten"] = split[cell, seg].astype(int)
    return out[CLIENT_COLUMNS]


def _band_shares(bands: tuple[int, ...]) -> np.ndarray:
    """Matrix (5-year band x sector band) of the share of a 5-year band's inhabitants in each of a
    sector's age bands: the years they share, inhabitants spread evenly over the band's 5 years
    (the last, open 5-year band counts as 95-99)."""
    uppers = list(bands[1:]) + [10_000]
    out = np.zeros((len(AGE_BANDS), len(bands)))
    for i, a in enumerate(AGE_BANDS):
        for j, (lo, hi) in enumerate(zip(bands, uppers)):
            out[i, j] = max(0, min(a + 5, hi) - max(a, lo)) / 5
    return out


def _sector_clients(sector, population, ses, rng, *, rate, mix, home_range, home_by_band, home_split,
                    growth_range, turnover, ses_weight, size_weight, mix_by_band) -> pd.DataFrame:
    """Clients of a sector other than V&V in the sector's own age bands, from its own stream.

    Expected clients per gemeente, year and band are the inhabitants of the band (from the 5-year
    bands, :func:`_band_shares`) x ``rate`` x a gemeente factor (SES, and for GGZ the size of the
    gemeente: people move to the city for beschermd wonen) x a slow yearly growth. The clients of
    a band persist from year to year: the first year is a Poisson number, each next year loses a
    binomial ``turnover`` share and gains a Poisson inflow that keeps the expectation on the trend
    (so the trend is not drowned in yearly noise). Each year's clients are spread over zorgprofiel
    x leveringsvorm with a multinomial.
    """
    unknown = set(mix) - set(sector.profiles)
    if unknown:
        raise ValueError(f"demo: zorgprofiel(en) {sorted(unknown)} not declared for {sector.code}")
    profiles = sector.profiles
    band_mix = band_profile_mix(sector, mix, mix_by_band)
    labels = [sector.band_label(b) for b in sector.age_bands]
    shares = _band_shares(sector.age_bands)

    gm = population[population["regiocode"].str.startswith("GM")].copy()
    gm["jaar"] = gm["peildatum"].str[:4].astype(int)
    gm["inwoners"] = gm["mannen"] + gm["vrouwen"]
    ses_gm = ses.set_index("regiocode")["ses_woa"]
    first_year = gm[gm["jaar"] == OBSERVED_YEARS[0]].groupby("regiocode")["inwoners"].sum()
    typical = float(first_year.median())
    recs = []
    for code in sorted(gm["regiocode"].unique()):
        factor = float(np.exp(-ses_weight * (ses_gm.get(code) or 0.0) + rng.normal(0, 0.07))
                       * (first_year[code] / typical) ** size_weight)
        growth = rng.uniform(*growth_range)
        home_base = rng.uniform(*home_range)
        home_step = rng.uniform(0.002, 0.008)
        part = gm[gm["regiocode"] == code]
        n_prev, lam_prev = np.zeros(len(labels), dtype=np.int64), np.zeros(len(labels))
        for t, year in enumerate(OBSERVED_YEARS):
            five = part[part["jaar"] == year].set_index("leeftijd_van")["inwoners"].reindex(AGE_BANDS, fill_value=0)
            inhabitants = five.to_numpy(float) @ shares
            for b, label in enumerate(labels):
                home = float(np.clip(home_base + home_step * t + home_by_band[b], 0.02, 0.95))
                lv_p = np.concatenate([[1 - home], home * home_split])
                cell_p = np.outer(band_mix[b], lv_p).ravel()
                lam = inhabitants[b] * rate[b] * factor * growth ** t
                if t == 0:
                    n = int(rng.poisson(lam))
                else:
                    stay = n_prev[b] - int(rng.binomial(n_prev[b], turnover))
                    n = stay + int(rng.poisson(max(lam - (1 - turnover) * lam_prev[b], 0.0)))
                n_prev[b], lam_prev[b] = n, lam
                counts = rng.multinomial(n, cell_p)
                for k in np.flatnonzero(counts):
                    recs.append((year, code, sector.code, label, profiles[k // 4], LEVERINGSVORMEN[k % 4],
                                 "", int(counts[k])))
    cells = pd.DataFrame(recs, columns=CLIENT_COLUMNS)
    return _split_segments(cells, sector.code, rng)


def _messy_codes(gz: pd.DataFrame) -> pd.DataFrame:
    """Write :data:`MESSY_GZ_CODES` on the first GZ row of each (year, profile)."""
    gz = gz.copy()
    for year, profile, spelling in MESSY_GZ_CODES:
        hit = np.flatnonzero(((gz["jaar"] == year) & (gz["zorgprofiel"] == profile)).to_numpy())
        gz.loc[gz.index[hit[0]], "zorgprofiel"] = spelling
    return gz


def band_profile_mix(sector, mix: dict, mix_by_band: dict) -> np.ndarray:
    """The share of each profile per age band of a sector (rows sum to 1): the overall ``mix``, with
    families of profiles (a prefix) more or less common in some bands (``mix_by_band``)."""
    profiles = sector.profiles
    base_mix = np.array([mix.get(p, 0.0) for p in profiles])
    band_mix = np.tile(base_mix, (len(sector.age_bands), 1))
    for prefix, factors in sorted(mix_by_band.items(), key=lambda kv: len(kv[0])):
        cols = [k for k, p in enumerate(profiles) if p.startswith(prefix)]
        band_mix[:, cols] = base_mix[cols] * np.asarray(factors)[:, None]
    return band_mix / band_mix.sum(axis=1, keepdims=True)


def _band_text(lower: int) -> str:
    return f"{lower}+" if lower == AGE_BANDS[-1] else f"{lower}-{lower + 4}"


# --- care locations -------------------------------------------------------------

#: GZ and GGZ locations: places per location (about: the number of locations per gemeente follows
#: from its intramural clients), the share of places taken by intramural clients and the mean
#: number of VPT/MPT clients at a location
GZ_PLACES_PER_LOCATION, GZ_OCCUPIED, GZ_HOME_AT_LOCATION = 28, 0.93, 1.5
GGZ_PLACES_PER_LOCATION, GGZ_OCCUPIED, GGZ_HOME_AT_LOCATION = 25, 0.90, 0.8
#: small GGZ homes that test the GGZ location rule (a location counts when at least 3 GGZ clients
#: share its postcode): each case is the (intramural, VPT/MPT) clients of its locations and where
#: they are: "pair" = all at one new postcode, "beside_large" = at the postcode of a large GGZ
#: location, "alone" = each at a postcode of its own
SMALL_GGZ_CASES = (
    (((1, 0), (1, 1)), "pair"),        # 1 + 2 = 3 together: both count, neither would alone
    (((1, 0), (0, 1)), "pair"),        # 1 + 1 = 2 together: neither counts
    (((1, 0),), "beside_large"),       # counts thanks to the large location beside it
    (((1, 1),), "alone"),              # 1 + 1 = 2: does not count
)


def _place_columns(declared) -> list[str]:
    """``plaatsen_<group>`` of every group of every sector, in the declaration's order."""
    return [col for sec in declared for col in sec.place_columns.values()]


def _locations(gemeenten, addresses, clients, rng, seed: int = SEED) -> pd.DataFrame:
    """Care locations of the three sectors.

    V&V locations, and the number, names, providers and addresses of the GZ and GGZ locations
    drawn here before the sectors came, still come from the main stream ``rng`` (the same draws,
    so every V&V location is as it was). The places and clients of GZ and GGZ locations, and the
    GZ and GGZ locations the sectors' clients need besides, come from a stream of their own
    (:func:`_sector_locations`); the latter are added after the others.
    """
    declared = default_sectors()
    vv = declared.get("vv")
    vv_groups = vv.group_ids
    place_cols = _place_columns(declared)
    vv_clients = clients[clients["sector"] == vv.code]
    last = vv_clients[(vv_clients["jaar"] == OBSERVED_YEARS[-1]) & (vv_clients["leveringsvorm"] == "intramuraal")]
    last = last.assign(groep=last["zorgprofiel"].map(vv.group_of))
    intra = last.pivot_table(index="gemeentecode", columns="groep", values="aantal_clienten",
                             aggfunc="sum", fill_value=0)
    names = dict(zip(gemeenten["statcode"], gemeenten["statnaam"]))
    recs = []
    used_names: set[str] = set()
    for code in gemeenten["statcode"]:
        addr = addresses[addresses["gemeentecode"] == code]
        cover = rng.uniform(0.72, 1.12)
        target = {g: int(round(intra.loc[code].get(g, 0) * cover)) if code in intra.index else 0
                  for g in vv_groups}
        n_vv = max(1, int(round(sum(target.values()) / 26)))
        weights = rng.gamma(1.2, 1.0, size=(n_vv, len(vv_groups)))
        places = np.zeros((n_vv, len(vv_groups)), dtype=int)
        for g, key in enumerate(target):
            if target[key]:
                places[:, g] = rng.multinomial(target[key], weights[:, g] / weights[:, g].sum())
        n_gz = int(rng.poisson(max(len(addr) / 9000, 0.6)))
        n_ggz = int(rng.poisson(max(len(addr) / 16000, 0.3)))
        sectors = ["V&V"] * n_vv + ["GZ"] * n_gz + ["GGZ"] * n_ggz
        for k, sector in enumerate(sectors):
            # GZ and GGZ: these draws only keep the main stream as it was; their places and
            # clients are set by _sector_locations
            total = int(places[k].sum()) if sector == "V&V" else int(rng.integers(6, 40))
            a = addr.iloc[int(rng.integers(len(addr)))]
            kinds = {"V&V": VV_KINDS, "GZ": GZ_KINDS, "GGZ": GGZ_KINDS}[sector]
            name = f"{kinds[int(rng.integers(len(kinds)))]} {VV_NAMES[int(rng.integers(len(VV_NAMES)))]}"
            if name in used_names:
                name = f"{name} {names[code]}"
            used_names.add(name)
            provider = PROVIDERS[sector][int(rng.integers(len(PROVIDERS[sector])))]
            rec = {"naam": name, "zorgaanbieder": provider, "postcode": a["postcode"],
                   "huisnummer": int(a["huisnummer"]), "plaats": names[code], "sector": sector}
            rec.update(dict.fromkeys(place_cols, 0))
            if sector == "V&V":
                rec.update({vv.place_columns[g]: int(places[k][j]) for j, g in enumerate(vv_groups)})
            rec["clienten_intramuraal"] = int(rng.binomial(total, 0.93)) if total else 0
            rec["clienten_vpt_mpt"] = int(rng.poisson(2.5 if sector == "V&V" else 1.0))
            rec["_gemeente"] = code
            recs.append(rec)
    recs = _sector_locations(recs, gemeenten, addresses, clients, used_names, declared,
                             np.random.default_rng([seed, STREAM_LOCATIONS]))
    df = pd.DataFrame(recs).drop(columns="_gemeente")
    df.insert(0, "locatie_id", [f"L{k + 1:04d}" for k in range(len(df))])
    # the blemishes real exports have: odd postcode spelling, unknown PC6, a typo, a shared PC6
    pcs = df["postcode"].tolist()
    pcs[3] = f"{pcs[3][:4]} {pcs[3][4:].lower()}"
    pcs[7] = f" {pcs[7]} "
    pcs[11] = f"{pcs[11][:4]}-{pcs[11][4:]}"
    pcs[15] = f"{pcs[15][:4]}ZZ"
    pcs[19] = f"{pcs[19][:4]}ZY"
    pcs[23] = f"{pcs[23][:4]}{pcs[23][5:]}"  # one letter lost: invalid
    pcs[27] = pcs[26]
    df["postcode"] = pcs
    df.loc[27, "huisnummer"] = int(df.loc[26, "huisnummer"]) + 2
    df.loc[27, "plaats"] = df.loc[26, "plaats"]
    return df


def _sector_locations(recs, gemeenten, addresses, clients, used_names, declared, rng) -> list[dict]:
    """Places and clients of the GZ and GGZ locations, and the locations the sectors need besides.

    Per gemeente and sector the places of each group are its intramural clients in the last
    observed year x a cover of 0.7-1.1, spread over the gemeente's locations of the sector; a
    gemeente gets locations added until they hold about :data:`GZ_PLACES_PER_LOCATION` /
    :data:`GGZ_PLACES_PER_LOCATION` places each (a gemeente that needs less than half a
    location gets none: its clients live in a neighbour's). Then the small GGZ homes of
    :data:`SMALL_GGZ_CASES`. Every draw comes from ``rng``; new locations come after ``recs``.
    """
    names = dict(zip(gemeenten["statcode"], gemeenten["statnaam"]))
    place_cols = _place_columns(declared)
    last = clients[(clients["jaar"] == OBSERVED_YEARS[-1]) & (clients["leveringsvorm"] == "intramuraal")]
    recs = list(recs)
    extra: list[dict] = []
    addresses_of = dict(tuple(addresses.groupby("gemeentecode", sort=False)))

    def new_location(code, sector_code, kinds, addr_row=None):
        addr = addresses_of[code]
        a = addr_row if addr_row is not None else addr.iloc[int(rng.integers(len(addr)))]
        name = f"{kinds[int(rng.integers(len(kinds)))]} {VV_NAMES[int(rng.integers(len(VV_NAMES)))]}"
        for candidate in (name, f"{name} {names[code]}", *(f"{name} {names[code]} {n}" for n in range(2, 99))):
            if candidate not in used_names:
                name = candidate
                break
        used_names.add(name)
        provider = PROVIDERS[sector_code][int(rng.integers(len(PROVIDERS[sector_code])))]
        rec = {"naam": name, "zorgaanbieder": provider, "postcode": a["postcode"],
               "huisnummer": int(a["huisnummer"]), "plaats": names[code], "sector": sector_code,
               **dict.fromkeys(place_cols, 0), "clienten_intramuraal": 0, "clienten_vpt_mpt": 0,
               "_gemeente": code}
        extra.append(rec)
        return rec

    per_sector = {"gz": (GZ_KINDS, GZ_PLACES_PER_LOCATION, GZ_OCCUPIED, GZ_HOME_AT_LOCATION),
                  "ggz": (GGZ_KINDS, GGZ_PLACES_PER_LOCATION, GGZ_OCCUPIED, GGZ_HOME_AT_LOCATION)}
    for code in gemeenten["statcode"]:
        for sid, (kinds, per_location, occupied, home_mean) in per_sector.items():
            sec = declared.get(sid)
            mine = [r for r in recs if r["_gemeente"] == code and r["sector"] == sec.code]
            here = last[(last["sector"] == sec.code) & (last["gemeentecode"] == code)]
            by_group = here["zorgprofiel"].map(sec.normalise_profile).map(sec.group_of)
            intra = here.groupby(by_group)["aantal_clienten"].sum()
            cover = rng.uniform(0.7, 1.1)
            target = [int(round(intra.get(g, 0) * cover)) for g in sec.group_ids]
            n = max(len(mine), int(round(sum(target) / per_location)) if sum(target) else 0)
            mine += [new_location(code, sec.code, kinds) for _ in range(n - len(mine))]
            if not mine:
                continue
            weights = rng.gamma(1.5, 1.0, size=(len(mine), len(target)))
            places = np.zeros((len(mine), len(target)), dtype=int)
            for g, t in enumerate(target):
                if t:
                    places[:, g] = rng.multinomial(t, weights[:, g] / weights[:, g].sum())
            for k, rec in enumerate(mine):
                if places[k].sum() < 4:  # no location of a handful of places: top it up
                    places[k, -1] += 4 - places[k].sum()
                for g, gid in enumerate(sec.group_ids):
                    rec[sec.place_columns[gid]] = int(places[k, g])
                rec["clienten_intramuraal"] = int(rng.binomial(int(places[k].sum()), occupied))
                rec["clienten_vpt_mpt"] = int(rng.poisson(home_mean))
    # the small GGZ homes, in gemeenten with a large GGZ location not among the first 28 rows
    # (whose postcodes get the blemishes)
    ggz = declared.get("ggz")
    w_col = ggz.place_columns[ggz.group_ids[0]]
    every = recs + extra
    large = [r for k, r in enumerate(every) if r["sector"] == ggz.code and k >= 28
             and r["clienten_intramuraal"] + r["clienten_vpt_mpt"] >= 10]
    picks = rng.choice(len(large), size=len(SMALL_GGZ_CASES), replace=len(large) < len(SMALL_GGZ_CASES)) \
        if large else []
    hosts = [large[int(k)] for k in picks]
    for (homes, where), host in zip(SMALL_GGZ_CASES, hosts):
        code = host["_gemeente"]
        addr = addresses_of[code]
        if where == "beside_large":
            pcs = [host["postcode"]] * len(homes)
        elif where == "pair":
            pcs = [addr.iloc[int(rng.integers(len(addr)))]["postcode"]] * len(homes)
        else:
            pcs = [addr.iloc[int(k)]["postcode"] for k in rng.integers(len(addr), size=len(homes))]
        taken = {(host["postcode"], host["huisnummer"])}
        for (intramural, home), pc in zip(homes, pcs):
            same = addr[addr["postcode"] == pc]
            free = same[[(pc, int(h)) not in taken for h in same["huisnummer"]]]
            a = (free if len(free) else same).iloc[int(rng.integers(len(free) or len(same)))]
            taken.add((pc, int(a["huisnummer"])))
            rec = new_location(code, ggz.code, ("GGZ-woonlocatie",), a)
            rec[w_col] = max(intramural, 1)
            rec["clienten_intramuraal"] = intramural
            rec["clienten_vpt_mpt"] = home
    return recs + extra
