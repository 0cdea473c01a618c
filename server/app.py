"""The FastAPI application: ``create_app(settings)`` serves the published build and follows new ones."""

from __future__ import annotations

import json
import re
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from . import api
from .access import LayerAccess, is_public
from .builds import Build, BuildLeases, BuildManager, open_build  # noqa: F401 - Build, open_build: public API
from .compression import Compression
from .errors import BadRequest, BuildMissing, NotFound, RangeNotSatisfiable, install_handlers
from .fasttiles import TileFastPath, tiles_of
from .features import features_router
from .headers import ResponseHeaders
from .reports import ReportRoutes
from .settings import ServerSettings

_INT = re.compile(r"^\d{1,8}$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}$")
_Y = re.compile(r"^(\d{1,8})(?:\.(pbf|mvt))?$")
MVT_TYPE = "application/vnd.mapbox-vector-tile"


#: /docs without any CDN: Swagger UI from npm (static/node_modules, served under /vendor), its
#: start script a file of its own (static/docs.js), so the Content-Security-Policy needs no inline script
DOCS_HTML = """<!DOCTYPE html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Wonen en Zorg 2040 - API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/vendor/swagger-ui-dist/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/vendor/swagger-ui-dist/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""


class MapServer(FastAPI):
    """The FastAPI app with the tile fast path in front: every ``/tiles/`` request reaches
    :class:`server.fasttiles.TileFastPath` first, which answers the common ones and hands the rest on."""

    tile_fast_path: TileFastPath | None = None

    async def __call__(self, scope, receive, send) -> None:
        fast = self.tile_fast_path
        if fast is not None and scope["type"] == "http" and scope["path"].startswith("/tiles/"):
            await fast(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: ServerSettings | None = None, tile_fast_path: bool = True) -> FastAPI:
    """The map server for the build in ``settings.build_dir``, switching to each newly published one.

    ``tile_fast_path`` False leaves :class:`server.fasttiles.TileFastPath` out: every tile request then
    goes through the routes (the reference the fast path is tested against).
    """
    settings = settings or ServerSettings()
    access = LayerAccess(settings.token)
    warmers = [api.warm]
    if tile_fast_path:
        warmers.append(lambda build: tiles_of(build, access, settings.tile_max_age))
    builds = BuildManager(settings.build_dir, settings.reload_interval, warmers=warmers)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        builds.start()
        yield
        builds.stop()

    app = MapServer(title="Wonen en Zorg 2040 - kaartserver", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="Vectortegels, lagencatalogus en gemeentecijfers van een build.")
    app.state.builds = builds
    cors = dict(allow_origins=settings.cors_origins, allow_methods=["GET", "HEAD"], allow_headers=["*"],
                expose_headers=["ETag", "Content-Length", "Content-Range", "Accept-Ranges"])
    app.add_middleware(CORSMiddleware, **cors)
    if settings.compress:  # inside ResponseHeaders, which makes a private answer's Cache-Control "private, no-store"
        app.add_middleware(Compression, vendor_max_age=settings.vendor_max_age)
    app.add_middleware(BuildLeases)
    app.add_middleware(ResponseHeaders, trusted_hosts=settings.trusted_hosts(),
                       wildcard_cors="*" in settings.cors_origins)
    if tile_fast_path:  # in front of everything: the common tile answers skip routing and middleware
        app.tile_fast_path = TileFastPath(partial(FastAPI.__call__, app), builds=builds, access=access,
                                          max_age=settings.tile_max_age, trusted_hosts=settings.trusted_hosts(),
                                          wildcard_cors="*" in settings.cors_origins, cors=cors)
    install_handlers(app)

    def build_of(request: Request) -> Build:
        """The request's build: one per request, kept until its answer has been sent."""
        return builds.build_for(request.scope)

    def link_base(request: Request) -> str:
        """Base of absolute links: ``WZ_PUBLIC_URL``, or the request's (trusted) host."""
        return settings.public_url or str(request.base_url).rstrip("/")

    @app.get("/health", summary="Gezondheid van de server")
    def health(request: Request) -> JSONResponse:
        try:
            build = build_of(request)
        except BuildMissing as exc:
            return JSONResponse({"status": "geen build", "detail": exc.detail, "layers": []}, status_code=503)
        return JSONResponse({"status": "ok", "build": build.version, "built_at": build.catalog.get("built_at"),
                             "layers": sorted(l["id"] for l in access.visible(build, request))})

    @app.get("/api/catalog", summary="Catalogus van de lagen met hun velden, legenda en leeswijzer")
    def catalog(request: Request) -> dict:
        build = build_of(request)
        cat = dict(build.catalog)
        cat["layers"] = [{**l, "tiles": f"/tiles/{l['id']}/{{z}}/{{x}}/{{y}}.pbf",
                          "tilejson": f"/tiles/{l['id']}.json", "pmtiles": f"/tiles/{l['id']}.pmtiles"}
                         for l in access.visible(build, request)]
        return cat

    @app.get("/api/legend", summary="Legenda's per laag")
    def legend(request: Request) -> dict:
        build = build_of(request)
        return {l["id"]: l["legend"] for l in access.visible(build, request)}

    @app.get("/api/style.json", summary="MapLibre-stijl van de lagen (zoals de viewer ze kleurt)")
    def style(request: Request) -> dict:
        from layers.maplibre import style_json

        build = build_of(request)  # public layers only, whatever the token: a style is shared freely
        return style_json({**build.catalog, "layers": [l for l in build.layers.values() if is_public(l)]},
                          link_base(request) + "/")

    # the viewer's API: forecast per year and scenario, gemeenten, areas for search, downloads
    # the session packs: rendered on request from the build's public files, cached outside every build
    cache = settings.report_cache or Path(settings.build_dir).parent / f".{Path(settings.build_dir).name}-rapporten"
    ReportRoutes(build_of, cache).register_routes(app)
    api.ViewerApi(build_of).register_routes(app)

    @app.get("/tiles/{layer}.json", summary="TileJSON 3.0 van een laag")
    def tilejson(layer: str, request: Request) -> dict:
        build = build_of(request)
        spec = access.layer(build, layer, request)
        arch = build.archives[layer]
        base = link_base(request)
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
        access.layer(build, layer, request)
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
                        304: {}, 404: {}, 416: {}})
    async def archive(layer: str, request: Request) -> Response:
        build = build_of(request)
        access.layer(build, layer, request)
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

    # OGC API - Features under /ogc (ends with a catch-all route); the same access rule and links
    app.include_router(features_router(build_of, access=access, link_base=link_base))

    static_dir = Path(settings.static_dir)
    npm_packages = _npm_dependencies(static_dir)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def index() -> FileResponse:
        page = static_dir / "index.html"
        if not page.is_file():
            raise NotFound(f"de viewer ontbreekt ({page})")
        return FileResponse(page, media_type="text/html")

    @app.get("/docs", include_in_schema=False, name="api_docs")
    def api_docs() -> HTMLResponse:
        """Swagger UI of the OpenAPI document, entirely from this server."""
        return HTMLResponse(DOCS_HTML)

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


def log_to_stderr() -> None:
    """The server's own log lines (build switches, refused builds) on stderr, one line each."""
    import logging
    import sys

    logger = logging.getLogger("wonenzorg")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s wz[%(process)d] %(message)s", "%Y-%m-%d %H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def app_from_env() -> FastAPI:
    """Factory for uvicorn (one call per worker process): settings from ``WZ_*`` environment variables."""
    log_to_stderr()
    return create_app(ServerSettings())
