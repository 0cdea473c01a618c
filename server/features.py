"""OGC API - Features (Part 1: Core, GeoJSON) for the published layers, under ``/ogc``.

``features_router(build_of)`` returns an ``APIRouter`` that the application includes with
``app.include_router(features_router(build_of))``. The tree sits under its own prefix, apart from
``/api`` and ``/tiles``; QGIS ("OGC API - Features" / WFS3 connection) takes ``http://host:port/ogc``
as its base URL.

* ``/ogc``                                   landing page (links: self, service-desc, conformance, data)
* ``/ogc/conformance``                       core, geojson, oas30
* ``/ogc/collections``                       one collection per vector layer the caller may see
* ``/ogc/collections/{id}``                  one collection
* ``/ogc/collections/{id}/items``            features: ``bbox``, ``limit``, ``offset``, ``f=json|csv``
* ``/ogc/collections/{id}/items/{featureId}`` one feature

Query parameters are read as strings and checked here, so a wrong value is a 400 with a Dutch
message (never FastAPI's 422). Coordinates are WGS84 longitude/latitude (CRS84). A ``bbox`` selects
features whose geometry intersects the box (a shapely STRtree per layer, built once).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from .access import PUBLIC_ONLY, LayerAccess
from .errors import BadRequest, BuildMissing, NotFound

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
CSV = "text/csv"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
COORD_DECIMALS = 7          # about 1 cm: enough for the map, a third smaller than full precision
CSV_COORD_DECIMALS = 6
CSV_DECIMAL = ","           # the ';'-separated CSV is for Excel with Dutch settings: decimal comma

_DIGITS = re.compile(r"^\d{1,9}$")
_ITEM_PARAMS = ("f", "bbox", "limit", "offset")

_ITEMS_PARAMETERS = [
    {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
     "description": "Alleen objecten die dit kader snijden: minx,miny,maxx,maxy in WGS84 (lengte, breedte).",
     "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
    {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
     "description": f"Hoeveel objecten per pagina (1 tot en met {MAX_LIMIT}).",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
    {"name": "offset", "in": "query", "required": False, "style": "form", "explode": False,
     "description": "Hoeveel objecten over te slaan (volg liever de link 'next').",
     "schema": {"type": "integer", "minimum": 0, "default": 0}},
    {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
     "description": "Formaat: json (GeoJSON) of csv (puntkomma-gescheiden, voor Excel).",
     "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}},
]
_F_PARAMETER = [{"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
                 "description": "Formaat: json.", "schema": {"type": "string", "enum": ["json"], "default": "json"}}]
_ERRORS = {400: {"description": "ongeldige parameter"}, 404: {"description": "niet gevonden"},
           503: {"description": "nog geen build"}}


def _default_build_of(request: Request):
    """The build of the app's ``BuildManager`` (``app.state.builds``), or a fixed ``app.state.build``."""
    builds = getattr(request.app.state, "builds", None)
    if builds is not None:
        return builds.build_for(request.scope)
    build = getattr(request.app.state, "build", None)
    if build is None:
        raise BuildMissing("er is nog geen build; draai eerst 'wz build'")
    return build


def _request_base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _json_bytes(doc) -> bytes:
    import json

    return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _answer(doc, media_type: str = JSON) -> Response:
    return Response(content=_json_bytes(doc), media_type=media_type)


def json_value(v):
    """A property value as plain JSON: NaN/NA/NaT -> None, numpy scalars -> Python numbers."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, (datetime, date, pd.Timestamp)):
        return v.isoformat()
    if isinstance(v, np.generic):
        return json_value(v.item())
    return str(v)


def _param(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"parameter '{name}' mag maar een keer voorkomen")
    return values[0] if values else None


def _format(request: Request, allowed: tuple[str, ...]) -> str:
    f = _param(request, "f")
    if f is None or f == "":
        return "json"
    f = f.lower()
    if f == "geojson" and "json" in allowed:
        return "json"
    if f not in allowed:
        raise BadRequest(f"onbekend formaat f={f[:20]!r}; kies uit: {', '.join(allowed)}")
    return f


def parse_limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not _DIGITS.match(text.strip()):
        raise BadRequest(f"limit moet een geheel getal van 1 tot en met {MAX_LIMIT} zijn, niet {text[:20]!r}")
    n = int(text)
    if not 1 <= n <= MAX_LIMIT:
        raise BadRequest(f"limit moet tussen 1 en {MAX_LIMIT} liggen (gevraagd: {n})")
    return n


def parse_offset(text: str | None) -> int:
    if text is None:
        return 0
    if not _DIGITS.match(text.strip()):
        raise BadRequest(f"offset moet een geheel getal van 0 of meer zijn, niet {text[:20]!r}")
    return int(text)


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``minx,miny,maxx,maxy`` (or six numbers with heights) in WGS84; None when absent."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) not in (4, 6):
        raise BadRequest("bbox moet vier getallen zijn: minx,miny,maxx,maxy (lengte- en breedtegraden in WGS84)")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise BadRequest(f"bbox bevat iets dat geen getal is: {text[:80]!r}") from None
    if not all(math.isfinite(v) for v in nums):
        raise BadRequest("bbox moet eindige getallen bevatten")
    minx, miny, maxx, maxy = (nums[0], nums[1], nums[2], nums[3]) if len(nums) == 4 else \
        (nums[0], nums[1], nums[3], nums[4])
    if minx > maxx or miny > maxy:
        raise BadRequest("bbox is omgekeerd: minx moet kleiner zijn dan maxx en miny kleiner dan maxy")
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        raise BadRequest("bbox valt buiten WGS84: lengtegraden van -180 tot 180, breedtegraden van -90 tot 90")
    return minx, miny, maxx, maxy


def _properties(frame, names: list[str]) -> list[dict]:
    columns = [frame[n].tolist() if n in frame.columns else [None] * len(frame) for n in names]
    return [{n: json_value(v) for n, v in zip(names, row)} for row in zip(*columns)] if names else [{}] * len(frame)


def _geometries(frame) -> list[dict | None]:
    geoms = np.asarray(frame.geometry.values, dtype=object)
    rounded = shapely.transform(geoms, lambda c: np.round(c, COORD_DECIMALS))
    return [None if g is None or g.is_empty else shapely.geometry.mapping(g) for g in rounded]


def _features(frame, names: list[str]) -> list[dict]:
    return [{"type": "Feature", "id": str(fid), "geometry": geom, "properties": props}
            for fid, geom, props in zip(frame.index, _geometries(frame), _properties(frame, names))]


def _csv(frame, names: list[str]) -> bytes:
    data = {n: (frame[n] if n in frame.columns else pd.Series([None] * len(frame), index=frame.index))
            for n in names}
    table = pd.DataFrame(data, index=frame.index)
    points = shapely.point_on_surface(np.asarray(frame.geometry.values, dtype=object))
    table["lon"] = np.round(shapely.get_x(points), CSV_COORD_DECIMALS)
    table["lat"] = np.round(shapely.get_y(points), CSV_COORD_DECIMALS)
    text = table.to_csv(sep=";", index=False, decimal=CSV_DECIMAL, lineterminator="\r\n")
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


def features_router(build_of: Callable[[Request], object] | None = None, access: LayerAccess = PUBLIC_ONLY,
                    link_base: Callable[[Request], str] = _request_base) -> APIRouter:
    """The OGC API - Features endpoints under ``/ogc``.

    ``build_of(request)`` gives the request's ``Build`` (and raises ``BuildMissing`` when there is
    none); by default the app's ``BuildManager``. ``access`` decides which layers the request may
    see (default: public ones only); ``link_base(request)`` is the base of absolute links
    (the trusted ``WZ_PUBLIC_URL`` or the request's checked ``Host``).
    """
    build_of = build_of or _default_build_of
    router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])

    def url(request: Request, name: str, query: dict | None = None, **path) -> str:
        href = link_base(request) + str(request.app.url_path_for(name, **path))
        if query:
            href += "?" + urlencode(query, safe=",")
        return href

    def public_layers(build, request: Request) -> list[dict]:
        """The collections this request may see (internal layers only with the token)."""
        return access.visible(build, request)

    def layer_of(build, collection_id: str, request: Request) -> dict:
        return access.layer(build, collection_id, request, what="collectie")

    def field_names(spec: dict) -> list[str]:
        return [f["name"] for f in spec.get("fields", [])]

    def collection_doc(request: Request, build, spec: dict) -> dict:
        cid = spec["id"]
        bounds = spec.get("bounds")
        if not bounds:
            bounds = [float(v) for v in build.features(cid).total_bounds]
        return {
            "id": cid,
            "title": spec.get("title", cid),
            "description": spec.get("description", ""),
            "itemType": "feature",
            "crs": [CRS84],
            "extent": {"spatial": {"bbox": [[round(float(v), 7) for v in bounds]], "crs": CRS84}},
            "links": [
                {"href": url(request, "ogc_collection", collectionId=cid), "rel": "self", "type": JSON,
                 "title": f"Collectie {spec.get('title', cid)}"},
                {"href": url(request, "ogc_items", collectionId=cid), "rel": "items", "type": GEOJSON,
                 "title": "Objecten als GeoJSON"},
                {"href": url(request, "ogc_items", {"f": "csv"}, collectionId=cid), "rel": "items", "type": CSV,
                 "title": "Objecten als CSV (puntkomma-gescheiden, voor Excel)"},
            ],
        }

    @router.get("", name="ogc_landing", summary="OGC API - Features: startpagina",
                openapi_extra={"parameters": _F_PARAMETER}, responses=_ERRORS)
    def landing(request: Request) -> Response:
        _format(request, ("json",))
        build = build_of(request)
        links = [
            {"href": url(request, "ogc_landing"), "rel": "self", "type": JSON, "title": "Deze startpagina"},
            {"href": url(request, "ogc_conformance"), "rel": "conformance", "type": JSON,
             "title": "Ondersteunde OGC-conformiteitsklassen"},
            {"href": url(request, "ogc_collections"), "rel": "data", "type": JSON,
             "title": "De lagen (collecties)"},
        ]
        app = request.app
        if app.openapi_url:
            links.insert(1, {"href": link_base(request) + app.openapi_url, "rel": "service-desc",
                             "type": OPENAPI_JSON, "title": "Beschrijving van de API (OpenAPI 3.0)"})
        docs = app.docs_url or next((r.path for r in app.routes if getattr(r, "name", None) == "api_docs"), None)
        if docs:
            links.insert(2, {"href": link_base(request) + docs, "rel": "service-doc",
                             "type": "text/html", "title": "Documentatie van de API"})
        title = build.catalog.get("title", "Wonen en Zorg 2040")
        return _answer({
            "title": f"{title} - OGC API Features",
            "description": "De openbare kaartlagen als OGC API - Features (GeoJSON in WGS84). "
                           "Voeg in QGIS een verbinding 'WFS / OGC API - Features' toe met deze URL.",
            "attribution": build.catalog.get("attribution", ""),
            "links": links,
        })

    @router.get("/", include_in_schema=False)
    def landing_slash(request: Request) -> Response:
        return landing(request)

    @router.get("/conformance", name="ogc_conformance", summary="OGC API - Features: conformiteitsklassen",
                openapi_extra={"parameters": _F_PARAMETER}, responses=_ERRORS)
    def conformance(request: Request) -> Response:
        _format(request, ("json",))
        return _answer({"conformsTo": CONFORMANCE})

    @router.get("/collections", name="ogc_collections", summary="OGC API - Features: de lagen",
                openapi_extra={"parameters": _F_PARAMETER}, responses=_ERRORS)
    def collections(request: Request) -> Response:
        _format(request, ("json",))
        build = build_of(request)
        return _answer({
            "links": [{"href": url(request, "ogc_collections"), "rel": "self", "type": JSON, "title": "De lagen"}],
            "collections": [collection_doc(request, build, spec) for spec in public_layers(build, request)],
        })

    @router.get("/collections/{collectionId}", name="ogc_collection", summary="OGC API - Features: een laag",
                openapi_extra={"parameters": _F_PARAMETER}, responses=_ERRORS)
    def collection(collectionId: str, request: Request) -> Response:
        _format(request, ("json",))
        build = build_of(request)
        return _answer(collection_doc(request, build, layer_of(build, collectionId, request)))

    @router.get("/collections/{collectionId}/items", name="ogc_items",
                summary="OGC API - Features: objecten van een laag (GeoJSON of CSV)",
                openapi_extra={"parameters": _ITEMS_PARAMETERS},
                responses={200: {"content": {GEOJSON: {}, CSV: {}}}, **_ERRORS})
    def items(collectionId: str, request: Request) -> Response:
        fmt = _format(request, ("json", "csv"))
        bbox_text = _param(request, "bbox")
        bbox = parse_bbox(bbox_text)
        limit = parse_limit(_param(request, "limit"))
        offset = parse_offset(_param(request, "offset"))
        build = build_of(request)
        spec = layer_of(build, collectionId, request)
        frame = build.features(collectionId)
        if bbox is None:
            positions = np.arange(len(frame))
        else:
            hits = build.spatial_index(collectionId).query(shapely.box(*bbox), predicate="intersects")
            positions = np.sort(hits)
        matched = len(positions)
        page = frame.iloc[positions[offset:offset + limit]]
        names = field_names(spec)

        if fmt == "csv":
            return Response(content=_csv(page, names), media_type=f"{CSV}; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{collectionId}.csv"'})

        def page_url(start: int, f: str = "json") -> str:
            query = {}
            if f != "json":
                query["f"] = f
            if bbox_text is not None:
                query["bbox"] = bbox_text
            query["limit"] = limit
            if start:
                query["offset"] = start
            return url(request, "ogc_items", query, collectionId=collectionId)

        links = [
            {"href": page_url(offset), "rel": "self", "type": GEOJSON, "title": "Deze pagina"},
            {"href": page_url(offset, "csv"), "rel": "alternate", "type": CSV, "title": "Deze pagina als CSV"},
            {"href": url(request, "ogc_collection", collectionId=collectionId), "rel": "collection", "type": JSON,
             "title": spec.get("title", collectionId)},
        ]
        if offset + len(page) < matched:
            links.append({"href": page_url(offset + limit), "rel": "next", "type": GEOJSON,
                          "title": "Volgende pagina"})
        if offset > 0:
            links.append({"href": page_url(max(0, offset - limit)), "rel": "prev", "type": GEOJSON,
                          "title": "Vorige pagina"})
        return _answer({
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": len(page),
            "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "links": links,
            "features": _features(page, names),
        }, GEOJSON)

    @router.get("/collections/{collectionId}/items/{featureId}", name="ogc_item",
                summary="OGC API - Features: een object", openapi_extra={"parameters": _F_PARAMETER},
                responses={200: {"content": {GEOJSON: {}}}, **_ERRORS})
    def item(collectionId: str, featureId: str, request: Request) -> Response:
        _format(request, ("json",))
        build = build_of(request)
        spec = layer_of(build, collectionId, request)
        frame = build.features(collectionId)
        matches = np.flatnonzero(frame.index == featureId)
        if len(matches) == 0:
            raise NotFound(f"laag '{collectionId}' heeft geen object met id '{featureId[:64]}'")
        feature = _features(frame.iloc[matches[:1]], field_names(spec))[0]
        feature["links"] = [
            {"href": url(request, "ogc_item", collectionId=collectionId, featureId=featureId), "rel": "self",
             "type": GEOJSON, "title": "Dit object"},
            {"href": url(request, "ogc_collection", collectionId=collectionId), "rel": "collection", "type": JSON,
             "title": spec.get("title", collectionId)},
        ]
        return _answer(feature, GEOJSON)

    @router.get("/{rest:path}", include_in_schema=False)
    def not_found(rest: str, request: Request) -> Response:
        """Anything else under /ogc: a Dutch 404; a trailing slash is sent to the address without it."""
        if rest.endswith("/") and rest.strip("/"):
            target = request.url.path.rstrip("/")  # relative: never a link built from the Host header
            if request.url.query:
                target += "?" + request.url.query
            return RedirectResponse(target, status_code=307)
        raise NotFound(f"onbekend adres /ogc/{rest[:64]}; begin bij /ogc")

    return router
