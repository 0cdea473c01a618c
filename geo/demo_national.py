"""Deterministic generator of a fictional country ("Demoland") for the build benchmarks.

``wz demo --scale national`` writes a country-sized input in the formats of the regional demo
(:mod:`geo.demo`, whose tables and constants it reuses): about 342 gemeenten, 3,300 wijken,
460,000 PC6 areas, 8 million addresses, 2,500 care locations of the three Wlz sectors and their
clients, population and projection in 5-year bands and SES-WOA in the StatLine layout.
``--scale S`` (0 < S <= 1) gives a country scaled down in inhabitants, addresses and area (at
least :data:`MIN_GEMEENTEN` gemeenten), for CI.

Everything is invented. Codes: ``GM9001``.. ``GM9342`` (CBS has only issued gemeentecodes below
2000 so far: new gemeenten after a herindeling get the next free 19xx code; the regional demo's
``GM99xx`` stay apart), wijken ``WK9001xx``; names are made from syllables. The country lies on
an invented outline of 35,000 km² centred on Amersfoort in RD New (x 58-257 km, y 353-584 km,
inside the RD bounds), so it overlaps the real Netherlands on a base map: only its size is real.

Speed: the geometry and the draws are vectorised with numpy and shapely 2 (loops run over
gemeenten, never over addresses or PC6), and the CSV files are written a column at a
time by ``geo.csvout``, byte for byte what pandas' ``to_csv`` would write. Every random
draw comes from ``numpy.random.default_rng([seed, stream])``, so the same seed and scale give the
same bytes on every run.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from .ages import AGE_BANDS
from .demo import (BAND_TREND, BASE_PROFILE, CARE_RATE, CLIENT_COLUMNS, COMPASS, GGZ_HOME_AT_LOCATION,
                   GGZ_HOME_BY_BAND, GGZ_HOME_SPLIT, GGZ_KINDS, GGZ_MIX, GGZ_OCCUPIED, GGZ_RATE,
                   GZ_HOME_AT_LOCATION, GZ_HOME_BY_BAND, GZ_HOME_SPLIT, GZ_KINDS, GZ_LVG_BY_BAND, GZ_MIX,
                   GZ_OCCUPIED, GZ_RATE, GZ_ZG_BY_BAND, HOME_SPLIT, LEVERINGSVORMEN, OBSERVED_YEARS,
                   PROJECTION_YEARS, RD_NEW, SEGMENT_CODES, SEGMENT_SHARES, VV_KINDS, VV_NAMES, WOMEN_SHARE,
                   ZZP_MIX, DemoRegion, _band_shares, _letter_pairs, _place_columns, _sessions, band_profile_mix)
from .sectors import default_sectors

SEED = 2040
REGION_NAME = "Demoland"
#: the whole country (``--scale national``)
N_GEMEENTEN = 342
INHABITANTS = 17_500_000
AREA_KM2 = 35_000.0
#: a scaled-down country keeps at least this many gemeenten (smaller ones)
MIN_GEMEENTEN = 20
MAX_SCALE = 1.0
#: the first gemeentecode: GM9001 .. GM9342
FIRST_CODE = 9001
CENTRE = (155_000.0, 463_000.0)
#: the outline is stretched north-south like the Netherlands
ASPECT = (0.88, 1.12)
#: rank-size curve of the Dutch gemeenten (rank, inhabitants), interpolated in log-log
RANK_SIZE = ((1, 900_000), (2, 650_000), (3, 550_000), (4, 360_000), (10, 190_000), (30, 110_000),
             (60, 70_000), (100, 48_000), (200, 27_000), (300, 15_000), (342, 5_000))
#: wijken per gemeente: 2 + one per this many inhabitants, 3 to 99 (a wijkcode has two digits)
INHABITANTS_PER_WIJK = 6_500
#: addresses per PC6 (each wijk one of these) and PC6 per PC4, first PC4
PC6_SIZES = (17, 18)
PC6_PER_PC4 = 120
FIRST_PC4 = 1000
#: places per care location (the number of locations per gemeente follows from its intramural
#: clients); V&V locations of the whole country are larger than the regional demo's
PLACES_PER_LOCATION = {"vv": 80, "gz": 100, "ggz": 60}
COVER = {"vv": (0.72, 1.12), "gz": (0.7, 1.1), "ggz": (0.7, 1.1)}
OCCUPIED = {"vv": 0.93, "gz": GZ_OCCUPIED, "ggz": GGZ_OCCUPIED}
HOME_AT_LOCATION = {"vv": 2.5, "gz": GZ_HOME_AT_LOCATION, "ggz": GGZ_HOME_AT_LOCATION}
KINDS = {"vv": VV_KINDS, "gz": GZ_KINDS, "ggz": GGZ_KINDS}
#: numbers of the random streams (``default_rng([seed, stream])``)
(STREAM_GEOMETRY, STREAM_ADDRESSES, STREAM_POPULATION, STREAM_SES, STREAM_VV, STREAM_GZ, STREAM_GGZ,
 STREAM_LOCATIONS, STREAM_NAMES) = range(1, 10)

#: syllables of the gemeente and provider names: first part, link, last part
NAME_HEADS = ("Al", "Bram", "Dijker", "Elster", "Fenne", "Gors", "Hoogwer", "Kamper", "Linde", "Meer",
              "Noorder", "Ouwer", "Pelder", "Ravens", "Stave", "Terve", "Uffel", "Velder", "Werve", "Zande",
              "Brakke", "Drossel", "Emmer", "Gelre", "Harsel", "Korne", "Molder", "Nerve", "Olden", "Prinse",
              "Ruige", "Slede", "Tijne", "Vronen", "Wiele", "Zwane", "Beeke", "Dorne", "Eke", "Haver",
              "Klinke", "Lutter", "Marke", "Nijle", "Oole", "Rijpe", "Spare", "Twelle", "Vrede", "Wouwe")
NAME_LINKS = ("", "n", "r", "s", "l")
NAME_TAILS = ("vaart", "lo", "woude", "haven", "wijk", "laar", "wervel", "stede", "vliet", "dam",
              "um", "velde", "monde", "broek", "horst", "hoven", "zijl", "rade", "kerke", "dijk",
              "veen", "meer", "sum", "werd", "burcht", "holt", "wolde", "loo", "sel", "terp")
PROVIDER_KINDS = {"V&V": ("Zorggroep", "Stichting", "Woonzorg", "Zorgkring", "Zorgcentra"),
                  "GZ": ("Stichting", "Zorgnetwerk", "Stichting Kompas"),
                  "GGZ": ("GGZ", "Stichting", "Beschermd Wonen")}
PROVIDERS_PER_SECTOR = {"V&V": 90, "GZ": 30, "GGZ": 25}


def parse_scale(text: str | float) -> float:
    """``"national"`` (or ``"nationaal"``) is 1; else a number with ``.`` or ``,``, 0 < scale <= 1.

    >>> parse_scale("national"), parse_scale("0,05")
    (1.0, 0.05)
    """
    if isinstance(text, str) and text.strip().lower() in ("national", "nationaal", "land"):
        return 1.0
    try:
        scale = float(str(text).replace(",", "."))
    except ValueError:
        raise ValueError(f"schaal '{text}' is geen getal; gebruik 'national' of een getal tussen 0 en 1 "
                         "(bijvoorbeeld 0.05)") from None
    if not (0 < scale <= MAX_SCALE) or not math.isfinite(scale):
        raise ValueError(f"schaal {text} ligt niet tussen 0 en {MAX_SCALE:g}; gebruik 'national' of bijvoorbeeld 0.05")
    return scale


def generate_national(scale: float = 1.0, seed: int = SEED) -> DemoRegion:
    """Generate the fictional country (or a scaled-down one); the same scale and seed give the same tables.

    Parameters
    ----------
    scale
        1 for the whole country; a smaller one scales inhabitants, addresses and area
        (and the gemeenten, down to :data:`MIN_GEMEENTEN`).
    seed
        Seed of every random stream.
    """
    scale = parse_scale(scale)
    n_gem = max(MIN_GEMEENTEN, int(round(N_GEMEENTEN * scale)))
    geo_rng = np.random.default_rng([seed, STREAM_GEOMETRY])
    outline = _outline(AREA_KM2 * 1e6 * scale, geo_rng)
    seeds = _lloyd(outline, _uniform_in(outline, n_gem, geo_rng), iterations=2)
    gem_geoms = _clean(_voronoi(seeds, outline))
    sizes = _gemeente_sizes(n_gem, INHABITANTS * scale, geo_rng)
    codes = [f"GM{FIRST_CODE + i:04d}" for i in range(n_gem)]
    names, spare_names = _names(n_gem, np.random.default_rng([seed, STREAM_NAMES]))
    gemeenten = gpd.GeoDataFrame({"statcode": codes, "statnaam": names, "geometry": gem_geoms}, crs=RD_NEW)

    addr, wijken = _addresses_and_wijken(gemeenten, sizes, np.random.default_rng([seed, STREAM_ADDRESSES]))
    addresses, pc6 = _postcode_tables(addr)
    population, projection, tilt = _population(wijken, gemeenten, np.random.default_rng([seed, STREAM_POPULATION]))
    ses = _ses(wijken, gemeenten, tilt, np.random.default_rng([seed, STREAM_SES]))
    clients, intramural = _clients(population, ses, gemeenten, seed)
    locations = _locations(gemeenten, addr, addresses, intramural, spare_names,
                           np.random.default_rng([seed, STREAM_LOCATIONS]))
    return DemoRegion(
        gemeenten=gemeenten, wijken=wijken[["statcode", "statnaam", "geometry"]].reset_index(drop=True),
        addresses=addresses, pc6=pc6, population=population, projection=projection, clients=clients,
        locations=locations, ses=ses, sessions=_sessions(gemeenten),
    )


# --- geometry -----------------------------------------------------------------

def _outline(area_m2: float, rng: np.random.Generator) -> shapely.Polygon:
    """A star-shaped outline with a wavy coast of ``area_m2`` around :data:`CENTRE`."""
    a = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    freq = np.array([2, 3, 5, 9, 17, 31])
    amp = np.array([0.09, 0.06, 0.035, 0.02, 0.012, 0.006])
    ph = rng.uniform(0, 2 * np.pi, len(freq))
    r = 1 + (amp[:, None] * np.sin(freq[:, None] * a + ph[:, None])).sum(axis=0)
    xy = np.column_stack([ASPECT[0] * r * np.cos(a), ASPECT[1] * r * np.sin(a)])
    k = math.sqrt(area_m2 / shapely.Polygon(xy).area)
    return shapely.Polygon(np.round(np.asarray(CENTRE) + k * xy, 2))


def _uniform_in(geom, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniform in ``geom`` (rejection from its bounding box)."""
    shapely.prepare(geom)
    x0, y0, x1, y1 = geom.bounds
    parts, got = [], 0
    while got < n:
        cand = rng.uniform((x0, y0), (x1, y1), size=(max(2 * (n - got), 64), 2))
        cand = cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])]
        parts.append(cand)
        got += len(cand)
    return np.vstack(parts)[:n]


def _voronoi(points: np.ndarray, clip) -> np.ndarray:
    """Voronoi cells of ``points`` (distinct) clipped to ``clip``, in the points' order."""
    frame = shapely.box(*clip.bounds).buffer(50_000)
    if shapely.geos_version >= (3, 12, 0):
        vor = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame, ordered=True)
        cells = shapely.get_parts(vor)
    else:  # older GEOS: find each point's cell
        parts = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame))
        ip, ic = shapely.STRtree(parts).query(shapely.points(points), predicate="intersects")
        first = pd.Series(ic, index=ip).groupby(level=0).first()
        cells = parts[first.reindex(range(len(points))).to_numpy().astype(int)]
    return shapely.intersection(cells, clip)


def _lloyd(clip, pts: np.ndarray, iterations: int) -> np.ndarray:
    """Move each point to the centroid of its cell (a point whose centroid falls outside stays)."""
    for _ in range(iterations):
        c = shapely.centroid(_voronoi(pts, clip))
        cx, cy = shapely.get_x(c), shapely.get_y(c)
        ok = np.isfinite(cx) & np.isfinite(cy)
        ok[ok] = shapely.contains_xy(clip, cx[ok], cy[ok])
        pts = np.where(ok[:, None], np.column_stack([cx, cy]), pts)
    return pts


def _polygonal(geom):
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _clean(geoms: np.ndarray) -> np.ndarray:
    """Snapped to 1 cm, valid, polygonal."""
    g = shapely.set_precision(np.asarray(geoms), 0.01)
    bad = ~shapely.is_valid(g)
    if bad.any():
        g[bad] = shapely.make_valid(g[bad])
    kinds = shapely.get_type_id(g)
    for k in np.flatnonzero((kinds != 3) & (kinds != 6)):  # not Polygon / MultiPolygon: a few at most
        g[k] = _polygonal(g[k])
    return g


def _interior_point(geom) -> np.ndarray:
    c = geom.centroid
    if not geom.contains(c):
        c = geom.representative_point()
    return np.array([c.x, c.y])


def _gemeente_sizes(n: int, total: float, rng: np.random.Generator) -> np.ndarray:
    """Inhabitants of ``n`` gemeenten along :data:`RANK_SIZE` (spread over its ranks), in random order."""
    ranks = (np.arange(n) + 0.5) * N_GEMEENTEN / n
    log_r = np.log([r for r, _ in RANK_SIZE])
    log_s = np.log([s for _, s in RANK_SIZE])
    sizes = np.exp(np.interp(np.log(ranks), log_r, log_s)) * rng.lognormal(0.0, 0.08, n)
    sizes *= total / sizes.sum()
    return np.round(sizes).astype(np.int64)[rng.permutation(n)]


def _names(n: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """``n`` gemeente names from syllables, and spare names (for providers), all distinct."""
    heads, links, tails = np.meshgrid(np.arange(len(NAME_HEADS)), np.arange(len(NAME_LINKS)),
                                      np.arange(len(NAME_TAILS)), indexing="ij")
    combos = np.column_stack([heads.ravel(), links.ravel(), tails.ravel()])[rng.permutation(heads.size)]
    out, seen = [], set()
    for h, lk, t in combos:
        name = NAME_HEADS[h] + NAME_LINKS[lk] + NAME_TAILS[t]
        low = name.lower()
        if low in seen or any(low[i] == low[i + 1] == low[i + 2] for i in range(len(low) - 2)):
            continue
        if NAME_LINKS[lk] and not NAME_HEADS[h].endswith("e"):  # Linde-n-wijk, not Uffel-l-holt
            continue
        seen.add(low)
        out.append(name)
        if len(out) == n + 400:
            break
    return out[:n], out[n:]


# --- addresses, wijken, postcodes ------------------------------------------------

def _draw_inside(geom, n: int, draw) -> np.ndarray:
    """``n`` whole-metre points of ``draw(m)`` (m candidates) that lie in the prepared ``geom``; the batches
    follow the share of candidates that fell inside so far."""
    got, have, tried, inside = [], 0, 0, 0
    while have < n:
        share = max(inside / tried, 0.02) if tried else 0.8
        m = max(int(1.2 * (n - have) / share), 64)
        cand = np.round(draw(m))
        cand = cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])]
        tried, inside = tried + m, inside + len(cand)
        got.append(cand)
        have += len(cand)
    return np.vstack(got)[:n] if got else np.empty((0, 2))


def _sample_addresses(geom, centre: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Whole-metre address points inside ``geom``: a dense main kernel, villages, a sparse countryside."""
    shapely.prepare(geom)
    n_rural = int(n * rng.uniform(0.10, 0.18))
    n_town = n - n_rural
    inner = geom.buffer(-800)
    villages: list[np.ndarray] = []
    n_villages = int(rng.integers(1, 5))
    if inner.area > 0:
        for p in _uniform_in(inner, 40, rng):
            if np.hypot(*(p - centre)) > 2500 and all(np.hypot(*(p - v)) > 2000 for v in villages):
                villages.append(p)
            if len(villages) == n_villages:
                break
    weights = np.array([0.72] + [0.28 / max(len(villages), 1)] * len(villages))
    counts = rng.multinomial(n_town, weights / weights.sum())
    parts = []
    for k_centre, k_n in zip([centre] + villages, counts):
        sigma = 250 + 4.5 * np.sqrt(k_n)
        parts.append(_draw_inside(geom, int(k_n), lambda m, c=k_centre, s=sigma: rng.normal(c, s, size=(m, 2))))
    x0, y0, x1, y1 = geom.bounds
    parts.append(_draw_inside(geom, n_rural, lambda m: rng.uniform((x0, y0), (x1, y1), size=(m, 2))))
    return np.vstack(parts).astype(np.int32)


def _wijk_seeds(pts: np.ndarray, centre: np.ndarray, n_w: int, rng: np.random.Generator) -> np.ndarray:
    """Seeds of the wijken: the centre and a few k-means steps on a sample of the addresses
    (so wijken are smaller where the addresses are dense); distinct, the centre first."""
    sample = pts[rng.choice(len(pts), size=min(len(pts), 60 * n_w + 500), replace=False)].astype(float)
    n_w = max(1, min(n_w, len(sample)))
    seeds = np.vstack([centre[None, :], sample[rng.choice(len(sample), n_w - 1, replace=False)]])
    for _ in range(4):
        lab = cKDTree(seeds).query(sample)[1]
        cnt = np.bincount(lab, minlength=n_w)
        mx = np.bincount(lab, weights=sample[:, 0], minlength=n_w)
        my = np.bincount(lab, weights=sample[:, 1], minlength=n_w)
        new = np.column_stack([mx, my]) / np.maximum(cnt, 1)[:, None]
        seeds = np.where((cnt > 0)[:, None], new, seeds)
        seeds[0] = centre
    seeds = np.round(seeds, 2)
    _, first = np.unique(seeds, axis=0, return_index=True)
    return seeds[np.sort(first)]


def _addresses_and_wijken(gemeenten: gpd.GeoDataFrame, sizes: np.ndarray, rng: np.random.Generator):
    """Addresses of every gemeente, its wijken, and each address's PC6 (as PC4 number and letter pair).

    Per wijk the addresses are ordered in a serpentine over 150 m strips (which keeps a PC6
    compact) and cut into PC6 areas of 17 or 18 addresses, 120 PC6 per PC4; the PC4 numbers
    count up from :data:`FIRST_PC4` in the order of the wijkcodes. Returns the address arrays
    (in that order) and the wijken.
    """
    xs, ys, pc4s, pairs, huis, gem_start = [], [], [], [], [], [0]
    wijk_rows = []
    pc4_next = FIRST_PC4
    for g, (code, name, geom) in enumerate(zip(gemeenten["statcode"], gemeenten["statnaam"], gemeenten.geometry)):
        n_inh = int(sizes[g])
        centre = _interior_point(geom)
        n_addr = max(50, int(round(n_inh / rng.uniform(2.05, 2.3))))
        pts = _sample_addresses(geom, centre, n_addr, rng)
        n_w = int(np.clip(round(n_inh / INHABITANTS_PER_WIJK) + 2, 3, 99))
        seeds = _wijk_seeds(pts, centre, n_w, rng)
        label = cKDTree(seeds).query(pts, workers=-1)[1]
        cnt = np.bincount(label, minlength=len(seeds))
        if (cnt == 0).any():  # a seed without addresses: drop it (no address changes wijk)
            keep = np.flatnonzero(cnt > 0)
            remap = np.full(len(seeds), -1)
            remap[keep] = np.arange(len(keep))
            seeds, label, cnt = seeds[keep], remap[label], cnt[keep]
        wgeoms = _clean(_voronoi(seeds, geom)) if len(seeds) > 1 else np.array([geom], dtype=object)
        # serpentine order within each wijk
        strip = pts[:, 1] // 150
        key = np.where(strip % 2 == 0, pts[:, 0], -pts[:, 0])
        order = np.lexsort((key, strip, label))
        pts, label = pts[order], label[order]
        size6 = np.asarray(PC6_SIZES)[rng.integers(len(PC6_SIZES), size=len(seeds))]
        start_w = np.cumsum(cnt) - cnt
        rank = np.arange(len(pts)) - start_w[label]
        local6 = rank // size6[label]
        n6 = -(-cnt // size6)
        n4 = -(-n6 // PC6_PER_PC4)
        pc4_w = pc4_next + np.cumsum(n4) - n4
        pc4_next += int(n4.sum())
        xs.append(pts[:, 0])
        ys.append(pts[:, 1])
        pc4s.append((pc4_w[label] + local6 // PC6_PER_PC4).astype(np.int16))
        pairs.append((local6 % PC6_PER_PC4).astype(np.int16))
        huis.append((rank % size6[label] * 2 + 1).astype(np.int32))
        gem_start.append(gem_start[-1] + len(pts))
        cent = shapely.centroid(wgeoms)
        angle = np.arctan2(shapely.get_y(cent) - centre[1], shapely.get_x(cent) - centre[0])
        base = np.array(COMPASS, dtype=object)[np.round(angle / (np.pi / 4)).astype(int) % 8]
        base[0] = "Centrum"
        for j in range(len(seeds)):
            wijk_rows.append((f"WK{code[2:]}{j:02d}", base[j], code, g, int(cnt[j]), wgeoms[j]))
    if pc4_next > 10_000:
        raise ValueError(f"demo_national: {pc4_next - FIRST_PC4} PC4-gebieden passen niet in 1000-9999")
    wijken = gpd.GeoDataFrame(wijk_rows, columns=["statcode", "_base", "gemeentecode", "_gem", "_adressen",
                                                  "geometry"], crs=RD_NEW)
    k = wijken.groupby("gemeentecode", sort=False).cumcount()
    used = wijken.groupby(["gemeentecode", "_base"], sort=False).cumcount() + 1
    label_txt = np.where(used == 1, wijken["_base"], wijken["_base"] + " " + used.astype(str))
    wijken["statnaam"] = ["Wijk " + f"{a:02d} " + b for a, b in zip(k, label_txt)]
    addr = {"x": np.concatenate(xs), "y": np.concatenate(ys), "pc4": np.concatenate(pc4s),
            "pair": np.concatenate(pairs), "huisnummer": np.concatenate(huis), "gem_start": np.array(gem_start)}
    return addr, wijken


def _postcode_tables(addr: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The address table (postcode as a categorical of the PC6 codes) and the PC6 table."""
    code = addr["pc4"].astype(np.int64) * PC6_PER_PC4 + addr["pair"]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    counts = np.diff(np.r_[starts, len(code)])
    pc4 = addr["pc4"][starts].astype(np.int64)
    letters = np.array(_letter_pairs()[:PC6_PER_PC4], dtype="U2")
    postcodes = np.char.add(pc4.astype("U4"), letters[addr["pair"][starts]])
    if (np.diff(code[starts]) <= 0).any():
        raise AssertionError("demo_national: PC6 codes are not in ascending order")
    x_sum = np.add.reduceat(addr["x"].astype(np.int64), starts)
    y_sum = np.add.reduceat(addr["y"].astype(np.int64), starts)
    pc6 = pd.DataFrame({"postcode": postcodes.astype(object), "aantal_adressen": counts,
                        "x": np.round(x_sum / counts, 1), "y": np.round(y_sum / counts, 1)})
    which = np.repeat(np.arange(len(starts), dtype=np.int32), counts)
    addresses = pd.DataFrame({
        "postcode": pd.Categorical.from_codes(which, categories=pd.Index(postcodes.astype(object))),
        "huisnummer": addr["huisnummer"], "x": addr["x"], "y": addr["y"]})
    return addresses, pc6


# --- people -------------------------------------------------------------------

def _long(counts: np.ndarray, codes: list[str], years) -> pd.DataFrame:
    """Population rows from counts (year x area x 5-year band), sorted by peildatum, band, code."""
    n_y, n_a, n_b = counts.shape
    order = np.argsort(np.asarray(codes, dtype=object), kind="stable")
    c = counts.transpose(0, 2, 1)[:, :, order]  # year, band, area
    women = np.round(c * WOMEN_SHARE[None, :, None]).astype(np.int64)
    lower = np.repeat(np.asarray(AGE_BANDS), n_a)
    return pd.DataFrame({
        "peildatum": np.repeat(np.array([f"{y}-01-01" for y in years], dtype=object), n_b * n_a),
        "regiocode": np.tile(np.asarray(codes, dtype=object)[order], n_y * n_b),
        "leeftijd_van": np.tile(lower, n_y), "leeftijd_tot": np.tile(lower + 5, n_y),
        "mannen": (c - women).reshape(-1), "vrouwen": women.reshape(-1)})


def _population(wijken, gemeenten, rng):
    """Population by 5-year band: wijken and gemeenten (observed years), gemeenten (projection)."""
    n_w, n_g = len(wijken), len(gemeenten)
    gi = wijken["_gem"].to_numpy()
    ages_mid = np.asarray(AGE_BANDS) + 2.5
    gem_tilt = rng.normal(0.0, 0.18, n_g)
    total = np.round(wijken["_adressen"].to_numpy() * rng.uniform(2.0, 2.35, n_w)).astype(np.int64)
    tilt = gem_tilt[gi] + rng.normal(0, 0.10, n_w)
    profile = BASE_PROFILE[None, :] * np.exp(tilt[:, None] * (ages_mid - 40) / 40)
    base = rng.multinomial(total, profile / profile.sum(axis=1, keepdims=True)).astype(float)
    t = np.arange(len(OBSERVED_YEARS))
    noise = rng.normal(1.0, 0.01, (len(t), n_w, len(AGE_BANDS)))
    wk = np.round(base[None] * BAND_TREND[None, None, :] ** t[:, None, None] * noise).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, gi[1:] != gi[:-1]])
    gm = np.add.reduceat(wk, starts, axis=1)  # wijken come per gemeente, in the gemeenten's order
    codes = list(gemeenten["statcode"]) + list(wijken["statcode"])
    population = _long(np.concatenate([gm, wk], axis=1), codes, OBSERVED_YEARS)
    mod = rng.normal(1.0, 0.004, (n_g, len(AGE_BANDS)))
    steps = np.asarray(PROJECTION_YEARS) - OBSERVED_YEARS[-1]
    proj = np.round(gm[-1][None].astype(float) * (BAND_TREND[None, None, :] * mod[None]) ** steps[:, None, None])
    projection = _long(proj.astype(np.int64), list(gemeenten["statcode"]), PROJECTION_YEARS)
    return population, projection, tilt


def _ses(wijken, gemeenten, tilt, rng) -> pd.DataFrame:
    """SES-WOA per gemeente and wijk as in a StatLine export: each gemeente's row, then its wijken."""
    n_w = len(wijken)
    gi = wijken["_gem"].to_numpy()
    hh = np.round(wijken["_adressen"].to_numpy() * 0.96, -2).astype(np.int64)
    offset = rng.normal(0, 0.10, len(gemeenten))
    score = np.round(-0.25 * tilt + offset[gi] + rng.normal(0, 0.12, n_w), 3)
    score[rng.choice(n_w, size=max(1, n_w // 400), replace=False)] = np.nan
    ok = ~np.isnan(score)
    w_sum = np.bincount(gi[ok], weights=hh[ok] * score[ok], minlength=len(gemeenten))
    h_sum = np.bincount(gi[ok], weights=hh[ok], minlength=len(gemeenten))
    gm_score = np.round(w_sum / np.maximum(h_sum, 1), 3)
    gm_hh = np.bincount(gi, weights=hh, minlength=len(gemeenten)).astype(np.int64)
    gm = pd.DataFrame({"perioden": "2019", "naam": gemeenten["statnaam"].to_numpy(),
                       "regiocode": gemeenten["statcode"].to_numpy(), "huishoudens": gm_hh, "ses_woa": gm_score,
                       "_g": np.arange(len(gemeenten)), "_k": -1})
    wk = pd.DataFrame({"perioden": "2019", "naam": wijken["statnaam"].to_numpy(),
                       "regiocode": wijken["statcode"].to_numpy(), "huishoudens": hh, "ses_woa": score,
                       "_g": gi, "_k": np.arange(n_w)})
    out = pd.concat([gm, wk], ignore_index=True).sort_values(["_g", "_k"], kind="stable")
    return out.drop(columns=["_g", "_k"]).reset_index(drop=True)


# --- clients ------------------------------------------------------------------

def _five_year(population: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Inhabitants per gemeente x observed year x 5-year band."""
    gm = population[population["regiocode"].str.startswith("GM")]
    inh = (gm["mannen"] + gm["vrouwen"]).to_numpy()
    g = pd.Index(codes).get_indexer(gm["regiocode"])
    y = pd.Index([f"{yr}-01-01" for yr in OBSERVED_YEARS]).get_indexer(gm["peildatum"])
    b = gm["leeftijd_van"].to_numpy() // 5
    out = np.zeros((len(codes), len(OBSERVED_YEARS), len(AGE_BANDS)), dtype=np.int64)
    out[g, y, b] = inh
    return out


def _rows(counts: np.ndarray, sector, band_labels, profiles, codes) -> pd.DataFrame:
    """Client rows from counts (gemeente x year x band x profile x leveringsvorm x segment), non-zero cells
    in that order."""
    g, y, b, p, lv, s = np.nonzero(counts)
    n = counts[g, y, b, p, lv, s]
    return pd.DataFrame({
        "jaar": np.asarray(OBSERVED_YEARS)[y], "gemeentecode": np.asarray(codes, dtype=object)[g],
        "sector": sector.code, "leeftijdsklasse": np.asarray(band_labels, dtype=object)[b],
        "zorgprofiel": np.asarray(profiles, dtype=object)[p], "leveringsvorm": np.asarray(LEVERINGSVORMEN, dtype=object)[lv],
        "sector_aanbieder": np.asarray(SEGMENT_CODES, dtype=object)[s], "aantal_clienten": n.astype(np.int64)})


def _clients(population, ses, gemeenten, seed: int):
    """Wlz clients of the three sectors (rows in blocks V&V, GZ, GGZ; within a block by gemeente, year,
    band, profile, leveringsvorm, segment), and per sector the intramural clients of the last observed
    year per gemeente x group (for the locations)."""
    declared = default_sectors()
    codes = list(gemeenten["statcode"])
    inh5 = _five_year(population, codes)
    ses_gm = ses.set_index("regiocode")["ses_woa"].reindex(codes).astype(float).fillna(0.0).to_numpy()
    n_g, n_y = len(codes), len(OBSERVED_YEARS)
    t = np.arange(n_y)
    frames, intramural = [], {}

    # V&V: Poisson per gemeente x year x band, spread over zorgprofiel x leveringsvorm (as geo.demo)
    vv = declared.get("vv")
    rng = np.random.default_rng([seed, STREAM_VV])
    factor = np.exp(-0.6 * ses_gm + rng.normal(0, 0.06, n_g))
    growth = rng.uniform(0.99, 1.05, n_g)
    home = rng.uniform(0.28, 0.40, n_g)[:, None] + rng.uniform(0.006, 0.018, n_g)[:, None] * t[None, :]
    lam = inh5 * CARE_RATE[None, None, :] * factor[:, None, None] * growth[:, None, None] ** t[None, :, None]
    n = rng.poisson(lam)
    lv_p = np.concatenate([(1 - home)[..., None], home[..., None] * HOME_SPLIT], axis=-1)  # (g, y, 4)
    cell_p = (ZZP_MIX[None, None, :, None] * lv_p[:, :, None, :]).reshape(n_g, n_y, -1)
    cells = rng.multinomial(n, cell_p[:, :, None, :])  # (g, y, band, 28)
    split = rng.multinomial(cells, SEGMENT_SHARES["V&V"])  # (g, y, band, 28, 3)
    counts = split.reshape(n_g, n_y, len(AGE_BANDS), len(ZZP_MIX), 4, len(SEGMENT_CODES))
    frames.append(_rows(counts, vv, [vv.band_label(b) for b in vv.age_bands], vv.profiles, codes))
    intramural["vv"] = _intramural_by_group(counts, vv)

    specs = {
        "gz": dict(stream=STREAM_GZ, rate=GZ_RATE, mix=GZ_MIX, home_range=(0.39, 0.45), home_by_band=GZ_HOME_BY_BAND,
                   home_split=GZ_HOME_SPLIT, growth_range=(1.010, 1.028), turnover=0.06, ses_weight=0.3,
                   size_weight=0.0, mix_by_band={"LVG": GZ_LVG_BY_BAND, "SGLVG": GZ_LVG_BY_BAND, "ZG": GZ_ZG_BY_BAND}),
        "ggz": dict(stream=STREAM_GGZ, rate=GGZ_RATE, mix=GGZ_MIX, home_range=(0.20, 0.27),
                    home_by_band=GGZ_HOME_BY_BAND, home_split=GGZ_HOME_SPLIT, growth_range=(1.0, 1.035),
                    turnover=0.12, ses_weight=0.8, size_weight=0.2, mix_by_band={}),
    }
    for sid, spec in specs.items():
        sec = declared.get(sid)
        counts = _sector_counts(sec, inh5, ses_gm, np.random.default_rng([seed, spec.pop("stream")]), **spec)
        frames.append(_rows(counts, sec, [sec.band_label(b) for b in sec.age_bands], sec.profiles, codes))
        intramural[sid] = _intramural_by_group(counts, sec)
    return pd.concat(frames, ignore_index=True)[CLIENT_COLUMNS], intramural


def _intramural_by_group(counts: np.ndarray, sec) -> np.ndarray:
    """Intramural clients of the last observed year per gemeente x group of the sector."""
    per_profile = counts[:, -1, :, :, 0, :].sum(axis=(1, 3))  # (g, profile)
    groups = list(sec.group_ids)
    of = sec.group_of
    out = np.zeros((counts.shape[0], len(groups)), dtype=np.int64)
    for k, p in enumerate(sec.profiles):
        out[:, groups.index(of[p])] += per_profile[:, k]
    return out


def _sector_counts(sector, inh5, ses_gm, rng, *, rate, mix, home_range, home_by_band, home_split, growth_range,
                   turnover, ses_weight, size_weight, mix_by_band) -> np.ndarray:
    """Clients of GZ or GGZ per gemeente x year x sector band x profile x leveringsvorm x segment, vectorised
    over gemeenten and bands: the model of :func:`geo.demo._sector_clients` (Poisson first year, then a
    binomial turnover and a Poisson inflow that keeps the expectation on the trend)."""
    profiles = sector.profiles
    band_mix = band_profile_mix(sector, mix, mix_by_band)
    inh = inh5.astype(float) @ _band_shares(sector.age_bands)  # (g, y, sector band)
    n_g, n_y, n_b = inh.shape
    first = inh5[:, 0, :].sum(axis=1).astype(float)
    size = (first / np.median(first)) ** size_weight
    size /= (size * first).sum() / first.sum()  # the country's rate stays ``rate``, big cities or not
    factor = np.exp(-ses_weight * ses_gm + rng.normal(0, 0.07, n_g)) * size
    growth = rng.uniform(*growth_range, n_g)
    home_base = rng.uniform(*home_range, n_g)
    home_step = rng.uniform(0.002, 0.008, n_g)
    out = np.zeros((n_g, n_y, n_b, len(profiles), 4, len(SEGMENT_CODES)), dtype=np.int64)
    n_prev = np.zeros((n_g, n_b), dtype=np.int64)
    lam_prev = np.zeros((n_g, n_b))
    for t in range(n_y):
        lam = inh[:, t, :] * rate[None, :] * factor[:, None] * growth[:, None] ** t
        if t == 0:
            n = rng.poisson(lam)
        else:
            n = n_prev - rng.binomial(n_prev, turnover) + rng.poisson(np.maximum(lam - (1 - turnover) * lam_prev, 0.0))
        n_prev, lam_prev = n, lam
        home = np.clip(home_base[:, None] + home_step[:, None] * t + home_by_band[None, :], 0.02, 0.95)
        lv_p = np.concatenate([(1 - home)[..., None], home[..., None] * home_split], axis=-1)  # (g, b, 4)
        cell_p = (band_mix[None, :, :, None] * lv_p[:, :, None, :]).reshape(n_g, n_b, -1)
        cells = rng.multinomial(n, cell_p)
        split = rng.multinomial(cells, SEGMENT_SHARES[sector.code])
        out[:, t] = split.reshape(n_g, n_b, len(profiles), 4, len(SEGMENT_CODES))
    return out


# --- care locations -------------------------------------------------------------

def _locations(gemeenten, addr, addresses, intramural, spare_names, rng) -> pd.DataFrame:
    """Care locations of the three sectors, per gemeente and sector: the places of each group are its
    intramural clients in the last observed year x a cover, spread over about one location per
    :data:`PLACES_PER_LOCATION` places (V&V at least one per gemeente; GZ and GGZ none where less than
    half a location is needed); each at a random address of the gemeente."""
    declared = default_sectors()
    place_cols = _place_columns(declared)
    pools = {}
    for k, (code, kinds) in enumerate(PROVIDER_KINDS.items()):
        pick = spare_names[k::len(PROVIDER_KINDS)][:PROVIDERS_PER_SECTOR[code]]
        pools[code] = [f"{kinds[j % len(kinds)]} {nm}" for j, nm in enumerate(pick)]
    postcodes = addresses["postcode"].cat.categories.to_numpy()
    pc_codes = addresses["postcode"].cat.codes.to_numpy()
    starts = addr["gem_start"]
    cols: dict[str, list] = {k: [] for k in ("g", "sector", "kind", "name", "provider", "at", "intra", "home")}
    places_of = {c: [] for c in place_cols}
    for g in range(len(gemeenten)):
        for sec in declared:
            target = np.round(intramural[sec.id][g] * rng.uniform(*COVER[sec.id])).astype(np.int64)
            n = int(round(target.sum() / PLACES_PER_LOCATION[sec.id]))
            if sec.id == "vv":
                n = max(1, n)
            if n == 0:
                continue
            weights = rng.gamma(1.3, 1.0, size=(n, len(target)))
            places = np.zeros((n, len(target)), dtype=np.int64)
            for j, t in enumerate(target):
                if t:
                    places[:, j] = rng.multinomial(t, weights[:, j] / weights[:, j].sum())
            small = places.sum(axis=1) < 4  # no location of a handful of places: top it up
            places[small, -1] += 4 - places[small].sum(axis=1)
            cols["g"].append(np.full(n, g))
            cols["sector"].append(np.full(n, declared.ids.index(sec.id)))
            cols["at"].append(rng.integers(starts[g], starts[g + 1], size=n))
            cols["kind"].append(rng.integers(len(KINDS[sec.id]), size=n))
            cols["name"].append(rng.integers(len(VV_NAMES), size=n))
            cols["provider"].append(rng.integers(len(pools[sec.code]), size=n))
            cols["intra"].append(rng.binomial(places.sum(axis=1), OCCUPIED[sec.id]))
            cols["home"].append(rng.poisson(HOME_AT_LOCATION[sec.id], size=n))
            mine = {sec.place_columns[gid]: j for j, gid in enumerate(sec.group_ids)}
            for c in place_cols:
                places_of[c].append(places[:, mine[c]] if c in mine else np.zeros(n, dtype=np.int64))
    a = {k: np.concatenate(v) for k, v in cols.items()}
    secs = list(declared)
    plaats = gemeenten["statnaam"].to_numpy()[a["g"]]
    naam = [f"{KINDS[secs[s].id][k]} {VV_NAMES[m]} {p}" for s, k, m, p in zip(a["sector"], a["kind"], a["name"], plaats)]
    df = pd.DataFrame({
        "naam": naam,
        "zorgaanbieder": [pools[secs[s].code][k] for s, k in zip(a["sector"], a["provider"])],
        "postcode": postcodes[pc_codes[a["at"]]], "huisnummer": addr["huisnummer"][a["at"]].astype(np.int64),
        "plaats": plaats, "sector": np.array([s.code for s in secs], dtype=object)[a["sector"]],
        **{c: np.concatenate(v) for c, v in places_of.items()},
        "clienten_intramuraal": a["intra"], "clienten_vpt_mpt": a["home"]})
    dup = df.groupby("naam", sort=False).cumcount()
    df["naam"] = np.where(dup == 0, df["naam"], df["naam"] + " " + (dup + 1).astype(str))
    df.insert(0, "locatie_id", [f"L{k + 1:05d}" for k in range(len(df))])
    return df


# --- writing --------------------------------------------------------------------

def write_national(region: DemoRegion, folder: Path, settings=None) -> list[Path]:
    """Write the country as input files with :func:`geo.io.write_demo` (CSV written a column at a
    time, ``geo.csvout``); the same region gives the same bytes."""
    from .io import write_demo

    return write_demo(region, folder, settings or national_settings())


def national_settings():
    """The settings written with the country: those of the demo, with the country's name."""
    from .settings import Settings

    return Settings(region_name=REGION_NAME)


def summary(region: DemoRegion) -> dict:
    """Counts of the generated tables (for ``wz demo`` and the benchmarks)."""
    c = region.clients
    return {"gemeenten": len(region.gemeenten), "wijken": len(region.wijken), "pc6": len(region.pc6),
            "adressen": len(region.addresses), "zorglocaties": len(region.locations),
            "inwoners": int(region.population.loc[
                (region.population["peildatum"] == f"{OBSERVED_YEARS[-1]}-01-01")
                & region.population["regiocode"].str.startswith("GM"), ["mannen", "vrouwen"]].to_numpy().sum()),
            "clientregels": {s: int((c["sector"] == s).sum()) for s in SEGMENT_CODES}}


DEFAULT_OUT = Path("data/demoland")


def _dutch_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def run_cli(scale_text: str, out: Path | None = None) -> int:
    """``wz demo --scale national|S [--out DIR]``: generate and write the country, with Dutch messages."""
    import sys
    import time

    try:
        scale = parse_scale(scale_text)
    except ValueError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    out = Path(out) if out else DEFAULT_OUT
    what = "heel het land" if scale == 1 else f"schaal {scale:g}".replace(".", ",")
    t0 = time.monotonic()
    print(f"{REGION_NAME} ({what}) genereren in {out} ...", flush=True)
    region = generate_national(scale)
    t1 = time.monotonic()
    files = write_national(region, out)
    n = summary(region)
    size = sum(p.stat().st_size for p in files)
    print(f"Gegenereerd in {t1 - t0:.1f} s, geschreven in {time.monotonic() - t1:.1f} s: "
          f"{_dutch_int(n['gemeenten'])} gemeenten, {_dutch_int(n['wijken'])} wijken, {_dutch_int(n['pc6'])} PC6, "
          f"{_dutch_int(n['adressen'])} adressen, {_dutch_int(n['inwoners'])} inwoners, "
          f"{_dutch_int(n['zorglocaties'])} zorglocaties, cliëntregels "
          + ", ".join(f"{s} {_dutch_int(k)}" for s, k in n["clientregels"].items()), flush=True)
    print(f"Klaar in {time.monotonic() - t0:.1f} s: {len(files)} bestanden, {size / 2**20:.1f} MB "
          f"({', '.join(p.name for p in files)})")
    return 0
