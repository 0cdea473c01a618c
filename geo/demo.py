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

RD_NEW = "EPSG:28992"
SEED = 2040
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
ZORGPROFIELEN = ("VV4", "VV5", "VV6", "VV7", "VV8", "VV9", "VV10")
ZZP_MIX = np.array([0.08, 0.46, 0.20, 0.17, 0.07, 0.015, 0.005])
LEVERINGSVORMEN = ("intramuraal", "VPT", "MPT", "PGB")
HOME_SPLIT = np.array([0.22, 0.50, 0.28])  # VPT, MPT, PGB within care at home

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
    clients = _clients(population, ses, rng)
    locations = _locations(gemeenten, addresses, clients, rng)
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


def _clients(population: pd.DataFrame, ses: pd.DataFrame, rng) -> pd.DataFrame:
    """Wlz V&V clients per gemeente x band x zorgprofiel x leveringsvorm x year."""
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


def _band_text(lower: int) -> str:
    return f"{lower}+" if lower == AGE_BANDS[-1] else f"{lower}-{lower + 4}"


# --- care locations -------------------------------------------------------------

GROUP_OF_PROFILE = {"VV4": "zzp4", "VV5": "zzp5_7", "VV7": "zzp5_7", "VV6": "zzp6_8",
                    "VV8": "zzp6_8", "VV9": "overig", "VV10": "overig"}
PLACE_COLUMNS = ("plaatsen_zzp4", "plaatsen_zzp5_7", "plaatsen_zzp6_8", "plaatsen_overig")


def _locations(gemeenten, addresses, clients, rng) -> pd.DataFrame:
    last = clients[(clients["jaar"] == OBSERVED_YEARS[-1]) & (clients["leveringsvorm"] == "intramuraal")]
    last = last.assign(groep=last["zorgprofiel"].map(GROUP_OF_PROFILE))
    intra = last.pivot_table(index="gemeentecode", columns="groep", values="aantal_clienten",
                             aggfunc="sum", fill_value=0)
    names = dict(zip(gemeenten["statcode"], gemeenten["statnaam"]))
    recs = []
    used_names: set[str] = set()
    for code in gemeenten["statcode"]:
        addr = addresses[addresses["gemeentecode"] == code]
        cover = rng.uniform(0.72, 1.12)
        target = {g: int(round(intra.loc[code].get(g, 0) * cover)) if code in intra.index else 0
                  for g in ("zzp4", "zzp5_7", "zzp6_8", "overig")}
        n_vv = max(1, int(round(sum(target.values()) / 26)))
        weights = rng.gamma(1.2, 1.0, size=(n_vv, 4))
        places = np.zeros((n_vv, 4), dtype=int)
        for g, key in enumerate(target):
            if target[key]:
                places[:, g] = rng.multinomial(target[key], weights[:, g] / weights[:, g].sum())
        n_gz = int(rng.poisson(max(len(addr) / 9000, 0.6)))
        n_ggz = int(rng.poisson(max(len(addr) / 16000, 0.3)))
        sectors = ["V&V"] * n_vv + ["GZ"] * n_gz + ["GGZ"] * n_ggz
        for k, sector in enumerate(sectors):
            if sector == "V&V":
                p = places[k]
            else:
                p = np.array([0, 0, 0, int(rng.integers(6, 40))])
            a = addr.iloc[int(rng.integers(len(addr)))]
            kinds = {"V&V": VV_KINDS, "GZ": GZ_KINDS, "GGZ": GGZ_KINDS}[sector]
            name = f"{kinds[int(rng.integers(len(kinds)))]} {VV_NAMES[int(rng.integers(len(VV_NAMES)))]}"
            if name in used_names:
                name = f"{name} {names[code]}"
            used_names.add(name)
            total = int(p.sum())
            provider = PROVIDERS[sector][int(rng.integers(len(PROVIDERS[sector])))]
            recs.append({
                "naam": name, "zorgaanbieder": provider, "postcode": a["postcode"],
                "huisnummer": int(a["huisnummer"]), "plaats": names[code], "sector": sector,
                "plaatsen_zzp4": int(p[0]), "plaatsen_zzp5_7": int(p[1]),
                "plaatsen_zzp6_8": int(p[2]), "plaatsen_overig": int(p[3]),
                "clienten_intramuraal": int(rng.binomial(total, 0.93)) if total else 0,
                "clienten_vpt_mpt": int(rng.poisson(2.5 if sector == "V&V" else 1.0)),
            })
    df = pd.DataFrame(recs)
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
