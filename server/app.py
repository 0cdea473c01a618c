"""The FastAPI application: ``create_app(settings)`` serves one published build."""

from __future__ import annotations

import json
import re
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse

from .errors import BadRequest, BuildMissing, NotFound, install_handlers
from .settings import ServerSettings
from .tiles import TileArchive

_LAYER_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_INT = re.compile(r"^\d{1,8}$")
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
    layers = {l["id"]: l for l in catalog["layers"] if l.get("public", True)}
    archives = {lid: TileArchive(folder / "tiles" / f"{lid}.pmtiles") for lid in layers}
    return Build(folder=folder, catalog=catalog, layers=layers, archives=archives,
                 gemeenten=_gemeente_points(folder / "wonenzorg.gpkg"))


def _gemeente_points(gpkg: Path) -> list[dict]:
    """Name, a point inside and the bounds of every gemeente, in WGS84."""
    import pyogrio

    if not gpkg.exists():
        return []
    gdf = pyogrio.read_dataframe(gpkg, layer="gemeenten", columns=["gemeentecode", "gemeentenaam"])
    points = gdf.geometry.representative_point().to_crs("EPSG:4326")
    wgs = gdf.to_crs("EPSG:4326")
    out = []
    for code, name, pt, geom in zip(gdf["gemeentecode"], gdf["gemeentenaam"], points, wgs.geometry):
        out.append({"gemeentecode": code, "gemeentenaam": name,
                    "label_point": [round(pt.x, 6), round(pt.y, 6)],
                    "bbox": [round(v, 6) for v in geom.bounds]})
    return out


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
                       allow_headers=["*"], expose_headers=["ETag", "Content-Length"])
    install_handlers(app)

    def build_of(request: Request) -> Build:
        build = request.app.state.build
        if build is None:
            raise BuildMissing(f"er is nog geen build in {settings.build_dir}; draai eerst 'wz build'")
        return build

    def layer_of(build: Build, layer: str) -> dict:
        if not _LAYER_ID.match(layer) or layer not in build.layers:
            raise NotFound(f"onbekende laag '{layer[:64]}'")
        return build.layers[layer]

    @app.get("/health", summary="Gezondheid van de server")
    def health(request: Request) -> JSONResponse:
        build = request.app.state.build
        if build is None:
            return JSONResponse({"status": "geen build", "layers": []}, status_code=503)
        return JSONResponse({"status": "ok", "layers": sorted(build.layers)})

    @app.get("/api/catalog", summary="Catalogus van de lagen met hun velden, legenda en leeswijzer")
    def catalog(request: Request) -> dict:
        build = build_of(request)
        cat = dict(build.catalog)
        cat["layers"] = [{**l, "tiles": f"/tiles/{l['id']}/{{z}}/{{x}}/{{y}}.pbf",
                          "tilejson": f"/tiles/{l['id']}.json"} for l in build.layers.values()]
        return cat

    @app.get("/api/legend", summary="Legenda's per laag")
    def legend(request: Request) -> dict:
        build = build_of(request)
        return {lid: l["legend"] for lid, l in build.layers.items()}

    @app.get("/api/style.json", summary="MapLibre-stijl van de lagen (zoals de viewer ze kleurt)")
    def style(request: Request) -> dict:
        from layers.maplibre import style_json

        return style_json(build_of(request).catalog, str(request.base_url))

    @app.get("/api/gemeenten", summary="Gemeenten met een punt binnen de gemeente en hun omvang")
    def gemeenten(request: Request) -> list[dict]:
        return build_of(request).gemeenten

    @app.get("/tiles/{layer}.json", summary="TileJSON 3.0 van een laag")
    def tilejson(layer: str, request: Request) -> dict:
        build = build_of(request)
        spec = layer_of(build, layer)
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
        layer_of(build, layer)
        m = _Y.match(y)
        if not (_INT.match(z) and _INT.match(x) and m):
            raise BadRequest("tegeladres moet de vorm /tiles/{laag}/{z}/{x}/{y}.pbf hebben met gehele getallen")
        zi, xi, yi = int(z), int(x), int(m.group(1))
        if zi > 30 or xi >= 2 ** zi or yi >= 2 ** zi:
            raise BadRequest(f"tegel {zi}/{xi}/{yi} bestaat niet (x en y moeten kleiner zijn dan 2^z)")
        arch = build.archives[layer]
        if not (arch.minzoom <= zi <= arch.maxzoom):
            raise NotFound(f"laag '{layer}' heeft tegels van zoomniveau {arch.minzoom} tot {arch.maxzoom}")
        if not arch.intersects(zi, xi, yi):
            raise NotFound(f"tegel {zi}/{xi}/{yi} ligt buiten het gebied van laag '{layer}'")
        loc = arch.locate(zi, xi, yi)
        headers = {"Cache-Control": f"public, max-age={settings.tile_max_age}"}
        if loc is None:
            return Response(status_code=204, headers=headers)
        etag = f'"{arch.etag_base}-{loc[0]:x}-{loc[1]:x}"'
        headers["ETag"] = etag
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        if arch.gzip:
            headers["Content-Encoding"] = "gzip"
        return Response(content=arch._bytes(*loc), media_type=MVT_TYPE, headers=headers)

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
        root = (static_dir / "node_modules" / package).resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise NotFound("bestand niet gevonden")
        return FileResponse(target)

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> FileResponse:
        """Only the viewer's own top-level files; packages are served under /vendor."""
        target = (static_dir / name).resolve()
        if target.parent != static_dir.resolve() or not target.is_file() or name.startswith("."):
            raise NotFound("bestand niet gevonden")
        return FileResponse(target)

    return app


def _npm_dependencies(static_dir: Path) -> set[str]:
    try:
        pkg = json.loads((static_dir / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return set(pkg.get("dependencies", {}))


def app_from_env() -> FastAPI:
    """Factory for uvicorn: settings from ``WZ_*`` environment variables."""
    return create_app(ServerSettings())
