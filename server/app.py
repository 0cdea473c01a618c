"""The FastAPI application: ``create_app(settings)`` serves one published build."""

from __future__ import annotations

import hmac
import json
import re
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse

from .errors import (BadRequest, BuildMissing, Forbidden, NotFound, RangeNotSatisfiable, Unauthorized,
                     install_handlers)
from .features import features_router, json_value
from .settings import ServerSettings
from .tiles import TileArchive

_LAYER_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_INT = re.compile(r"^\d{1,8}$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}$")
_Y = re.compile(r"^(\d{1,8})(?:\.(pbf|mvt))?$")
MVT_TYPE = "application/vnd.mapbox-vector-tile"


@dataclass
class Build:
    """A published build opened once: catalog, tile archives, gemeente label points."""

    folder: Path
    catalog: dict
    layers: dict[str, dict]
    archives: dict[str, TileArchive]
    gemeenten: list[dict] = field(default_factory=list)
    _frames: dict = field(default_factory=dict)

    def features(self, layer: str):
        """The layer's features in WGS84 as a GeoDataFrame (read from the GeoPackage once, then cached).

        The index is the feature id used by the API: the layer's ``id_field`` value.
        """
        if layer not in self._frames:
            import pyogrio

            spec = self.layers[layer]
            gpkg = self.folder / spec["gpkg"]
            gdf = pyogrio.read_dataframe(gpkg, layer=layer).to_crs("EPSG:4326")
            key = spec["id_field"]
            ids = gdf[key].astype(str)
            if ids.duplicated().any():  # e.g. gap_2040: one row per gemeente x group
                ids = ids + "-" + gdf.groupby(key).cumcount().add(1).astype(str)
            gdf.index = ids.to_numpy()
            gdf.index.name = "id"
            self._frames[layer] = gdf
        return self._frames[layer]

    def table_rows(self, name: str, code: str) -> list[dict]:
        """Rows of one gemeente from a public table of the build (read once); [] when the build has none."""
        key = f"_table_{name}"
        if key not in self._frames:
            import pandas as pd

            path = self.folder / name
            self._frames[key] = (pd.read_csv(path, sep=";", decimal=",", dtype={"gemeentecode": str},
                                             encoding="utf-8-sig") if path.exists() else None)
        table = self._frames[key]
        if table is None:
            return []
        rows = table[table["gemeentecode"] == code]
        return [{k: json_value(v) for k, v in r.items()} for r in rows.to_dict("records")]

    def close(self) -> None:
        for a in self.archives.values():
            a.close()


def open_build(folder: Path) -> Build | None:
    """Open the build in ``folder``; None when nothing has been built there yet."""
    folder = Path(folder)
    catalog_path = folder / "catalog.json"
    if not catalog_path.exists():
        return None
    folder = folder.resolve()
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
    layers = {l["id"]: l for l in catalog["layers"]}
    archives = {lid: TileArchive(folder / "tiles" / f"{lid}.pmtiles") for lid in layers}
    build = Build(folder=folder, catalog=catalog, layers=layers, archives=archives)
    if "gemeenten" in layers:
        build.gemeenten = _gemeente_points(build.features("gemeenten"))
    return build


def _gemeente_points(gdf) -> list[dict]:
    """Name, a point inside and the bounds of every gemeente (from the WGS84 features)."""
    points = gdf.geometry.representative_point()
    out = []
    for code, name, pt, geom in zip(gdf["gemeentecode"], gdf["gemeentenaam"], points, gdf.geometry):
        out.append({"gemeentecode": code, "gemeentenaam": name,
                    "label_point": [round(pt.x, 6), round(pt.y, 6)],
                    "bbox": [round(v, 6) for v in geom.bounds]})
    return out


def comparison(value, region, decimals: int) -> str | None:
    """'hoger', 'lager' or 'gelijk' than the region, compared as shown (rounded to ``decimals``)."""
    if value is None or region is None:
        return None
    a, b = round(float(value), decimals), round(float(region), decimals)
    return "hoger" if a > b else "lager" if a < b else "gelijk"


def gemeente_facts(build: Build, code: str) -> dict:
    """Everything the API tells about one gemeente (public figures only)."""
    if not re.fullmatch(r"GM\d{4}", code):
        raise BadRequest("een gemeentecode heeft de vorm GM0344")
    frame = build.features("gemeenten")
    if code not in frame.index:
        raise NotFound(f"gemeente {code} komt niet voor in deze build")
    spec = build.layers["gemeenten"]
    row = frame.loc[code]
    region = spec.get("region_values", {})
    indicators = []
    for f in spec["fields"]:
        if f["name"] in ("gemeentecode", "gemeentenaam") or f["name"].startswith(("vraag_", "plaatsen_", "tekort_")):
            continue
        value = json_value(row[f["name"]])
        reg = json_value(region.get(f["name"]))
        rate = f["type"] == "float" and not f["name"].startswith("inwoners")
        indicators.append({"field": f["name"], "alias": f["alias"], "unit": f["unit"], "value": value,
                           "region": reg, "comparison": comparison(value, reg, f["decimals"]) if rate else None,
                           "leeswijzer": f.get("leeswijzer")})
    groups = [("zzp4", "ZZP 4"), ("zzp5_7", "ZZP 5-7"), ("zzp6_8", "ZZP 6-8"), ("overig", "overig")]
    gap = [{"zzp_groep": label, "vraag": json_value(row[f"vraag_{g}"]), "plaatsen": json_value(row[f"plaatsen_{g}"]),
            "tekort": json_value(row[f"tekort_{g}"]), "tekort_regio": json_value(region.get(f"tekort_{g}"))}
           for g, label in groups]
    return {"gemeentecode": code, "gemeentenaam": row["gemeentenaam"], "regio": build.catalog.get("region"),
            "doeljaar": build.catalog.get("target_year"), "indicatoren": indicators, "tekort": gap,
            "tekort_totaal": json_value(row["tekort_totaal"]),
            "zorggebruik": build.table_rows("zorggebruik.csv", code),
            "zorggebruik_regio": build.table_rows("zorggebruik.csv", "regio"),
            "prognose": build.table_rows("prognose_tekort.csv", code)}


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The map server for the build in ``settings.build_dir``."""
    settings = settings or ServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.build = open_build(settings.build_dir)
        yield
        if app.state.build is not None:
            app.state.build.close()

    app = FastAPI(title="Wonen en Zorg 2040 - kaartserver", version="0.1.0", lifespan=lifespan,
                  description="Vectortegels, lagencatalogus en gemeentecijfers van een build.")
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "HEAD"],
                       allow_headers=["*"],
                       expose_headers=["ETag", "Content-Length", "Content-Range", "Accept-Ranges"])
    install_handlers(app)

    def build_of(request: Request) -> Build:
        build = request.app.state.build
        if build is None:
            raise BuildMissing(f"er is nog geen build in {settings.build_dir}; draai eerst 'wz build'")
        return build

    def authorized(request: Request) -> bool:
        """Whether the request carries the configured bearer token (compared in constant time)."""
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if not settings.token or scheme.lower() != "bearer" or not given:
            return False
        return hmac.compare_digest(given.strip().encode(), settings.token.encode())

    def layer_of(build: Build, layer: str, request: Request) -> dict:
        """The layer's catalog entry; internal layers only with a valid token (401 without, 403 wrong)."""
        if not _LAYER_ID.match(layer) or layer not in build.layers:
            raise NotFound(f"onbekende laag '{layer[:64]}'")
        spec = build.layers[layer]
        if not spec.get("public", True):
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if not given.strip():
                raise Unauthorized(f"laag '{layer}' is vertrouwelijk: een sleutel (Bearer-token) is nodig",
                                   headers={"WWW-Authenticate": 'Bearer realm="wonenzorg"'})
            if not authorized(request):
                raise Forbidden(f"de sleutel geeft geen toegang tot laag '{layer}'")
        return spec

    def visible_layers(build: Build, request: Request) -> list[dict]:
        ok = authorized(request)
        return [l for l in build.layers.values() if l.get("public", True) or ok]

    @app.get("/health", summary="Gezondheid van de server")
    def health(request: Request) -> JSONResponse:
        build = request.app.state.build
        if build is None:
            return JSONResponse({"status": "geen build", "layers": []}, status_code=503)
        return JSONResponse({"status": "ok", "layers": sorted(l["id"] for l in visible_layers(build, request))})

    @app.get("/api/catalog", summary="Catalogus van de lagen met hun velden, legenda en leeswijzer")
    def catalog(request: Request) -> dict:
        build = build_of(request)
        cat = dict(build.catalog)
        cat["layers"] = [{**l, "tiles": f"/tiles/{l['id']}/{{z}}/{{x}}/{{y}}.pbf",
                          "tilejson": f"/tiles/{l['id']}.json", "pmtiles": f"/tiles/{l['id']}.pmtiles"}
                         for l in visible_layers(build, request)]
        return cat

    @app.get("/api/legend", summary="Legenda's per laag")
    def legend(request: Request) -> dict:
        build = build_of(request)
        return {l["id"]: l["legend"] for l in visible_layers(build, request)}

    @app.get("/api/style.json", summary="MapLibre-stijl van de lagen (zoals de viewer ze kleurt)")
    def style(request: Request) -> dict:
        from layers.maplibre import style_json

        build = build_of(request)
        return style_json({**build.catalog, "layers": visible_layers(build, request)}, str(request.base_url))

    @app.get("/api/gemeenten", summary="Gemeenten met een punt binnen de gemeente en hun omvang")
    def gemeenten(request: Request) -> list[dict]:
        return build_of(request).gemeenten

    @app.get("/api/gemeenten/{code}", summary="Cijfers van een gemeente naast die van de regio, "
             "met prognose en tekort per ZZP-groep voor elk jaar en scenario")
    def gemeente(code: str, request: Request) -> dict:
        build = build_of(request)
        return gemeente_facts(build, code)

    @app.get("/tiles/{layer}.json", summary="TileJSON 3.0 van een laag")
    def tilejson(layer: str, request: Request) -> dict:
        build = build_of(request)
        spec = layer_of(build, layer, request)
        arch = build.archives[layer]
        base = str(request.base_url).rstrip("/")
        w, s, e, n = arch.bounds
        return {
            "tilejson": "3.0.0", "name": spec["title"], "description": spec.get("description", ""),
            "attribution": build.catalog.get("attribution", ""), "scheme": "xyz",
            "tiles": [f"{base}/tiles/{layer}/{{z}}/{{x}}/{{y}}.pbf"],
            "minzoom": arch.minzoom, "maxzoom": arch.maxzoom, "bounds": [w, s, e, n],
            "center": [(w + e) / 2, (s + n) / 2, max(arch.minzoom, min(10, arch.maxzoom))],
            "vector_layers": [{"id": layer, "description": spec.get("description", ""),
                               "minzoom": arch.minzoom, "maxzoom": arch.maxzoom,
                               "fields": {f["name"]: f["alias"] for f in spec["fields"]}}],
        }

    @app.get("/tiles/{layer}/{z}/{x}/{y}", summary="Vectortegel (Mapbox Vector Tile)",
             responses={200: {"content": {MVT_TYPE: {}}}, 204: {"description": "lege tegel"},
                        304: {"description": "niet gewijzigd"}, 400: {}, 404: {}})
    async def tile(layer: str, z: str, x: str, y: str, request: Request) -> Response:
        build = build_of(request)
        layer_of(build, layer, request)
        m = _Y.match(y)
        if not (_INT.match(z) and _INT.match(x) and m):
            raise BadRequest("tegeladres moet de vorm /tiles/{laag}/{z}/{x}/{y}.pbf hebben met gehele getallen")
        zi, xi, yi = int(z), int(x), int(m.group(1))
        if zi > 30 or xi >= 2 ** zi or yi >= 2 ** zi:
            raise BadRequest(f"tegel {zi}/{xi}/{yi} bestaat niet (x en y moeten kleiner zijn dan 2^z)")
        arch = build.archives[layer]
        if not (arch.minzoom <= zi <= arch.maxzoom):
            raise NotFound(f"laag '{layer}' heeft tegels van zoomniveau {arch.minzoom} tot {arch.maxzoom}")
        loc = arch.locate(zi, xi, yi)
        headers = {"Cache-Control": f"public, max-age={settings.tile_max_age}"}
        if loc is None:  # not stored: empty inside the layer's area, unknown outside it
            if not arch.intersects(zi, xi, yi):
                raise NotFound(f"tegel {zi}/{xi}/{yi} ligt buiten het gebied van laag '{layer}'")
            return Response(status_code=204, headers=headers)
        etag = f'"{arch.etag_base}-{loc[0]:x}-{loc[1]:x}"'
        headers["ETag"] = etag
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        if arch.gzip:
            headers["Content-Encoding"] = "gzip"
        return Response(content=arch.read(*loc), media_type=MVT_TYPE, headers=headers)

    @app.get("/tiles/{layer}.pmtiles", summary="PMTiles-archief (HTTP Range)",
                   responses={200: {"content": {"application/vnd.pmtiles": {}}}, 206: {"description": "deel"},
                              304: {}, 401: {}, 403: {}, 404: {}, 416: {}})
    async def archive(layer: str, request: Request) -> Response:
        build = build_of(request)
        layer_of(build, layer, request)
        arch = build.archives[layer]
        size = arch.size
        etag = f'"{arch.etag_base}"'
        headers = {"Accept-Ranges": "bytes", "ETag": etag, "Cache-Control": f"public, max-age={settings.tile_max_age}"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        rng = request.headers.get("range")
        if_range = request.headers.get("if-range")
        if rng and (if_range is None or if_range == etag):
            span = parse_range(rng, size)
            if span is None:
                raise RangeNotSatisfiable(f"bereik '{rng[:64]}' valt buiten het archief van {size} bytes",
                                          headers={"Content-Range": f"bytes */{size}", **headers})
            if span != (0, size - 1) or size == 0:
                start, end = span
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
                body = b"" if request.method == "HEAD" else arch.read(start, end - start + 1)
                headers["Content-Length"] = str(end - start + 1)
                return Response(content=body, status_code=206, media_type="application/vnd.pmtiles",
                                headers=headers)
        headers["Content-Length"] = str(size)
        body = b"" if request.method == "HEAD" else arch.read(0, size)
        return Response(content=body, media_type="application/vnd.pmtiles", headers=headers)

    app.add_api_route("/tiles/{layer}.pmtiles", archive, methods=["HEAD"], include_in_schema=False)

    app.include_router(features_router(build_of))  # OGC API - Features under /ogc (ends with a catch-all route)

    static_dir = Path(settings.static_dir)
    npm_packages = _npm_dependencies(static_dir)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        page = static_dir / "index.html"
        if not page.is_file():
            raise NotFound(f"de viewer ontbreekt ({page})")
        return FileResponse(page, media_type="text/html")

    @app.get("/vendor/{package}/{path:path}", include_in_schema=False)
    def vendor(package: str, path: str) -> FileResponse:
        if package not in npm_packages:
            raise NotFound(f"geen pakket '{package[:64]}'")
        if "\x00" in path or "\\" in path:
            raise NotFound("bestand niet gevonden")
        root = (static_dir / "node_modules" / package).resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise NotFound("bestand niet gevonden")
        return FileResponse(target)

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> FileResponse:
        """Only the viewer's own top-level files; packages are served under /vendor."""
        if not _FILE_NAME.match(name):
            raise NotFound("bestand niet gevonden")
        target = (static_dir / name).resolve()
        if target.parent != static_dir.resolve() or not target.is_file():
            raise NotFound("bestand niet gevonden")
        return FileResponse(target)

    return app


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte span of a single HTTP Range; None when unsatisfiable.

    Several ranges, or a malformed header, are answered with the whole file
    (``(0, size - 1)``), which HTTP allows.
    """
    m = _RANGE.match(header.strip().replace(" ", ""))
    if not m or (not m.group(1) and not m.group(2)):
        return (0, size - 1) if size else None
    first, last = m.group(1), m.group(2)
    if not first:  # suffix: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            return None
        return max(size - n, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or (last and end < start):
        return None
    return start, min(end, size - 1)


def _npm_dependencies(static_dir: Path) -> set[str]:
    try:
        pkg = json.loads((static_dir / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return set(pkg.get("dependencies", {}))


def app_from_env() -> FastAPI:
    """Factory for uvicorn: settings from ``WZ_*`` environment variables."""
    return create_app(ServerSettings())
