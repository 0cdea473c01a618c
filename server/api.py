"""The viewer's API: the forecast for one year and scenario pair, one gemeente's figures beside the
region's, its forecast tables as CSV and Excel, the areas for the search box, and the public downloads.

``ViewerApi(build_of).register_routes(app)`` adds the routes (the contract is docs/viewer-api.md):

* ``/api/sectoren``                              the sectors of the build with their groups (from the declaration)
* ``/api/prognose?sector=&jaar=&vraag=&levering=`` every gemeente and the region for one sector, year and scenario
* ``/api/gemeenten``                             gemeenten with a point inside each
* ``/api/gemeenten/{code}?sector=&jaar=&vraag=&levering=`` one gemeente: indicators, gap, forecast, series
* ``/api/gemeenten/{code}/prognose.csv|.xlsx?sector=`` its rows (and the region's) of the public forecast table
* ``/api/gebieden``                              gemeenten and wijken with a point and bounds, for search
* ``/downloads/{file}``                          the public files the catalog lists, as attachments

Privacy: every figure is computed from the public files of the build only (``prognose_tekort.csv``,
``zorggebruik.csv``, the gemeenten and wijken layers of ``wonenzorg.gpkg``, ``catalog.json``),
never from an ``*_intern`` file. An empty (suppressed) value stays null, and so does every figure
computed from one: a sum over groups that includes an empty value is null, never a partial sum.
The structures derived from the tables are built once per build (``Build.derived``), so a build
switch serves fresh figures.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import FileResponse

from layers.gebiedsanalyse import slug as file_slug

from .access import is_public
from .errors import BadRequest, NotFound
from .features import json_value

FORECAST_FILE = "prognose_tekort.csv"
CARE_USE_FILE = "zorggebruik.csv"
REGION = "regio"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CODE = re.compile(r"^GM\d{4}$")
_DOWNLOAD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")

#: the measures of one area, year and scenario pair: answer key -> column of the public table
GROUP_MEASURES = {
    "vraag": "clienten_intramuraal",
    "plaatsen": "plaatsen_nu",
    "tekort": "tekort",
    "clienten": "clienten_totaal",
    "extra_thuis": "extra_thuis",
    "extra_intramuraal": "extra_intramuraal",
}

def shown(value) -> int | None:
    """A count or percentage as the viewer shows it: a whole number, halves away from zero
    (as Excel's ROUND and JavaScript's ``Intl.NumberFormat`` do); None for an empty value.

    Examples
    --------
    >>> shown(2.5), shown(-2.5), shown(0.49), shown(float("nan")), shown(None)
    (3, -3, 0, None, None)
    """
    if value is None:
        return None
    x = float(value)
    if not math.isfinite(x):
        return None
    x = round(x, 6)  # 12.4999999 from summing two-decimal figures is 12.5
    n = math.floor(abs(x) + 0.5)
    return int(n) if x >= 0 else -int(n)


def comparison(value, region, decimals: int) -> str | None:
    """'hoger', 'lager' or 'gelijk' than the region, compared as shown (rounded to ``decimals``)."""
    if value is None or region is None:
        return None
    a, b = round(float(value), decimals), round(float(region), decimals)
    return "hoger" if a > b else "lager" if a < b else "gelijk"


@dataclass(frozen=True)
class Scenario:
    """One target year with one demand and one leveringsvorm scenario."""

    jaar: int
    vraag: str
    levering: int

    def as_dict(self) -> dict:
        return {"jaar": self.jaar, "vraag": self.vraag, "levering": self.levering}


def sectors_of_build(build) -> list[dict]:
    """The sectors of a build as its catalog declares them (the first is the default)."""
    return [s for s in build.catalog.get("sectors", []) if isinstance(s, dict) and s.get("id")]


def sector_param(build, request: Request) -> dict:
    """The sector a request asks for (``?sector=`` by id or code); the build's first where it asks none."""
    sectors = sectors_of_build(build)
    if not sectors:
        raise NotFound("deze build heeft geen cliëntgegevens per sector")
    asked = _param(request, "sector")
    if asked is None:
        return sectors[0]
    for s in sectors:
        if asked.lower() in (s["id"], str(s.get("code", "")).lower()):
            return s
    raise BadRequest("sector moet een van de sectoren " + _or([s["id"] for s in sectors]) + " zijn")


class ForecastTable:
    """The public forecast of one sector of a build (``prognose_tekort.csv``), held as one array per
    measure indexed [area, demand scenario, leveringsvorm scenario, year, group], so that one year and
    scenario pair is a slice.

    ``base_clients`` holds each area's observed clients of the sector's client groups in the base
    year as published: the ``zorg_<sector>`` layer's ``clienten`` and the region's value in the
    catalog (None where empty).
    """

    def __init__(self, table: pd.DataFrame, meta: dict, base_clients: dict[str, float | None],
                 sector: dict | None = None):
        self.meta = meta
        self.sector = sector or {"id": None, "groups": meta.get("groups", []),
                                 "client_groups": meta.get("client_groups")}
        if "sector" in table.columns and self.sector.get("id"):
            table = table[table["sector"].astype(str) == self.sector["id"]]
        self.years = [int(y) for y in meta["years"]]
        self.demand = [str(s["id"]) for s in meta["demand_scenarios"]]
        self.levering = [int(s["id"]) for s in meta["leveringsvorm_scenarios"]]
        self.groups = [str(g["id"]) for g in self.sector["groups"]]
        head = meta.get("headline", {})
        self.headline = Scenario(int(head.get("jaar", meta.get("target_year", self.years[-1]))),
                                 str(head.get("vraag", self.demand[len(self.demand) // 2])),
                                 int(head.get("levering", self.levering[0])))
        codes = [c for c in dict.fromkeys(table["gemeentecode"].astype(str)) if c != REGION]
        self.areas = codes + [REGION]
        self._area = {c: k for k, c in enumerate(self.areas)}
        clients = [g for g in (self.sector.get("client_groups") or self.groups) if g in self.groups]
        self._client_groups = np.array([self.groups.index(g) for g in clients], dtype=int)
        self._base = [base_clients.get(c) for c in self.areas]
        self._values = self._arrays(table)

    def _arrays(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        keys = [table["gemeentecode"].astype(str).map(self._area),
                table["vraagscenario"].astype(str).map({s: k for k, s in enumerate(self.demand)}),
                pd.to_numeric(table["leveringsvormscenario"], errors="coerce").map(
                    {s: k for k, s in enumerate(self.levering)}),
                pd.to_numeric(table["jaar"], errors="coerce").map({y: k for k, y in enumerate(self.years)}),
                table["groep_id"].astype(str).map({g: k for k, g in enumerate(self.groups)})]
        known = np.logical_and.reduce([k.notna().to_numpy() for k in keys])
        index = tuple(k[known].astype(int).to_numpy() for k in keys)
        shape = (len(self.areas), len(self.demand), len(self.levering), len(self.years), len(self.groups))
        out = {}
        for column in dict.fromkeys(GROUP_MEASURES.values()):
            values = np.full(shape, np.nan)  # a cell without a row stays empty
            if column in table.columns:
                values[index] = pd.to_numeric(table[column], errors="coerce").to_numpy(float)[known]
            out[column] = values
        return out

    @classmethod
    def of_build(cls, build, sector: dict) -> ForecastTable | None:
        """The public forecast of one sector of the build, or None when the build has none (or its
        catalog does not describe it)."""
        table = build.table(FORECAST_FILE)
        meta = build.catalog.get("forecast")
        layer = sector.get("layer", f"zorg_{sector['id']}")
        if table is None or not meta or not sector.get("groups") or layer not in build.layers:
            return None  # a build from before the catalog declared its sectors: build it again
        base: dict[str, float | None] = {}
        spec = build.layers[layer]
        if is_public(spec):
            frame = build.features(layer)
            if "clienten" in frame.columns:
                base = {str(c): json_value(v) for c, v in frame["clienten"].items()}
            base[REGION] = json_value(spec.get("region_values", {}).get("clienten"))
        return cls(table, meta, base, sector)

    # --- parameters ---------------------------------------------------------------------------
    def scenario(self, request: Request) -> Scenario:
        """The year and scenario pair a request asks for; the catalog's headline where it asks none."""
        jaar, vraag, levering = (_param(request, n) for n in ("jaar", "vraag", "levering"))
        h = self.headline
        if jaar is not None:
            if not re.fullmatch(r"[0-9]{4}", jaar) or int(jaar) not in self.years:
                raise BadRequest(f"jaar moet een jaar van {self.years[0]} tot en met {self.years[-1]} zijn")
        if vraag is not None and vraag not in self.demand:
            raise BadRequest(f"vraag moet een van de vraagscenario's {_or(self.demand)} zijn")
        if levering is not None:
            if not re.fullmatch(r"[0-9]{1,2}", levering) or int(levering) not in self.levering:
                raise BadRequest(f"levering moet een van de leveringsvormscenario's {_or(self.levering)} zijn")
        return Scenario(int(jaar) if jaar is not None else h.jaar, vraag if vraag is not None else h.vraag,
                        int(levering) if levering is not None else h.levering)

    # --- answers --------------------------------------------------------------------------------
    def has(self, area: str) -> bool:
        return area in self._area

    def measures(self, area: str, sc: Scenario) -> dict:
        """M of the contract: the area's figures per group and its totals, rounded as shown."""
        a = self._area[area]
        cell = (a, self.demand.index(sc.vraag), self.levering.index(sc.levering), self.years.index(sc.jaar))
        group = {key: self._values[col][cell] for key, col in GROUP_MEASURES.items()}
        clients = float(group["clienten"][self._client_groups].sum())  # NaN if any group is empty
        gap = float(group["tekort"].sum())
        base = self._base[a]
        new = clients - base if base is not None else math.nan
        growth = 100.0 * (clients - base) / base if base else math.nan
        out = {k: [shown(v) for v in group[k]] for k in ("vraag", "plaatsen", "tekort")}
        out["tekort_totaal"] = shown(gap)
        out["clienten"] = [shown(v) for v in group["clienten"]]
        out.update(prognose_clienten=shown(clients), nieuwe_clienten=shown(new), prognose_groei=shown(growth))
        out.update({k: [shown(v) for v in group[k]] for k in ("extra_thuis", "extra_intramuraal")})
        return out

    def overview(self, sc: Scenario) -> dict:
        """Every gemeente and the region for one year and scenario pair (``/api/prognose``)."""
        return {"sector": self.sector.get("id"), **sc.as_dict(), "groepen": list(self.groups),
                "gemeenten": {c: self.measures(c, sc) for c in self.areas if c != REGION},
                "regio": self.measures(REGION, sc)}

    def series(self, area: str, levering: int) -> dict:
        """The area's clients of the client groups per year in every demand scenario (the band)."""
        clients = self._values["clienten_totaal"][self._area[area], :, self.levering.index(levering)]
        totals = clients[..., self._client_groups].sum(axis=-1)  # [demand, year]; NaN stays NaN
        return {"jaren": list(self.years), **{s: [shown(v) for v in totals[k]] for k, s in enumerate(self.demand)}}


def _param(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"parameter '{name}' mag maar een keer voorkomen")
    return values[0] if values else None


def _or(values) -> str:
    words = [str(v) for v in values]
    return ", ".join(words[:-1]) + " of " + words[-1] if len(words) > 1 else "".join(words)


def forecast_of(build, sector: dict | None = None) -> ForecastTable | None:
    """The build's indexed public forecast of one sector (default the first), made once per build."""
    sectors = sectors_of_build(build)
    if sector is None:
        if not sectors:
            return None
        sector = sectors[0]
    return build.derived(f"forecast:{sector['id']}", lambda b: ForecastTable.of_build(b, sector))


def areas_of(build) -> list[dict]:
    """Gemeenten and wijken with their names, a point inside and their bounds (``/api/gebieden``)."""
    def make(b) -> list[dict]:
        out = [{"code": g["gemeentecode"], "naam": g["gemeentenaam"], "niveau": "gemeente",
                "gemeentecode": g["gemeentecode"], "gemeentenaam": g["gemeentenaam"],
                "label_point": g["label_point"], "bbox": g["bbox"]} for g in b.gemeenten]
        spec = b.layers.get("wijken")
        if spec is not None and is_public(spec):
            frame = b.features("wijken")
            points = frame.geometry.representative_point()
            for code, name, gem, gem_name, pt, geom in zip(frame["wijkcode"], frame["wijknaam"], frame["gemeentecode"],
                                                           frame["gemeentenaam"], points, frame.geometry):
                out.append({"code": str(code), "naam": json_value(name), "niveau": "wijk",
                            "gemeentecode": str(gem), "gemeentenaam": json_value(gem_name),
                            "label_point": [round(pt.x, 6), round(pt.y, 6)],
                            "bbox": [round(v, 6) for v in geom.bounds]})
        return out

    return build.derived("gebieden", make)


def warm(build) -> None:
    """Derive this API's per-build structures before the build is served."""
    for sector in sectors_of_build(build):
        forecast_of(build, sector)
    areas_of(build)


#: the scenario parameters as the OpenAPI document describes them (read and checked by ``scenario``)
_JAAR = Query(None, description="Doeljaar (standaard het doeljaar van de kaart; zie forecast.years in de catalogus)")
_VRAAG = Query(None, description="Vraagscenario: min, midden of max (standaard dat van de kaart)")
_LEVERING = Query(None, description="Leveringsvormscenario: 1, 2, 3 of 4 (standaard dat van de kaart)")
_SECTOR = Query(None, description="Sector: vv, gz of ggz (zie /api/sectoren; standaard de eerste sector van de build)")


class ViewerApi:
    """The routes of the viewer's API.

    ``build_of(request)`` gives the request's build (one per request, see ``BuildManager.build_for``);
    swap it for a fixed build in a test.
    """

    def __init__(self, build_of: Callable[[Request], object]):
        self.build_of = build_of

    # --- dependencies -----------------------------------------------------------------------------
    def forecast(self, build, request: Request) -> ForecastTable:
        fc = forecast_of(build, sector_param(build, request))
        if fc is None:
            raise NotFound("deze build heeft geen prognose")
        return fc

    @staticmethod
    def gemeente_row(build, code: str):
        """The gemeente's row of the (public) gemeenten layer, or the 400/404 of a wrong code."""
        if not _CODE.match(code):
            raise BadRequest("een gemeentecode heeft de vorm GM0344")
        spec = build.layers.get("gemeenten")
        frame = build.features("gemeenten") if spec is not None and is_public(spec) else None
        if frame is None or code not in frame.index:
            raise NotFound(f"gemeente {code} komt niet voor in deze build")
        return frame.loc[code]

    # --- answers ------------------------------------------------------------------------------------
    @staticmethod
    def _indicators(spec: dict, row, region: dict) -> list[dict]:
        out = []
        for f in spec["fields"]:
            if f["name"] in ("gemeentecode", "gemeentenaam") or f.get("group"):  # the groups: under "tekort"
                continue
            value = json_value(row[f["name"]]) if f["name"] in row.index else None
            reg = json_value(region.get(f["name"]))
            # only fields declared comparable (rates, shares, growth, scores) get the higher/lower cue
            out.append({"field": f["name"], "alias": f["alias"], "unit": f["unit"], "value": value,
                        "region": reg, "kind": f.get("kind"),
                        "comparison": comparison(value, reg, f["decimals"]) if f.get("comparable") else None,
                        "leeswijzer": f.get("leeswijzer")})
        return out

    @staticmethod
    def _downloads(code: str, sector: dict | None) -> list[dict]:
        """The gemeente's forecast files: every sector, or the one the request asked for."""
        if sector is None:
            return [{"title": "Cijfers van deze gemeente (CSV)", "href": f"/api/gemeenten/{code}/prognose.csv"},
                    {"title": "Cijfers van deze gemeente (Excel)", "href": f"/api/gemeenten/{code}/prognose.xlsx"}]
        q, short = f"?sector={sector['id']}", sector.get("short", sector["id"])
        return [{"title": f"Cijfers {short} van deze gemeente (CSV)", "href": f"/api/gemeenten/{code}/prognose.csv{q}"},
                {"title": f"Cijfers {short} van deze gemeente (Excel)",
                 "href": f"/api/gemeenten/{code}/prognose.xlsx{q}"},
                {"title": "Cijfers van alle sectoren (CSV)", "href": f"/api/gemeenten/{code}/prognose.csv"}]

    def gemeente_facts(self, build, code: str, request: Request) -> dict:
        """Everything the API tells about one gemeente in one sector (public figures only)."""
        row = self.gemeente_row(build, code)
        sector = sector_param(build, request)
        indicators = self._indicators(build.layers["gemeenten"], row,
                                      build.layers["gemeenten"].get("region_values", {}))
        layer = sector.get("layer", f"zorg_{sector['id']}")
        spec = build.layers.get(layer)
        care = build.features(layer) if spec is not None and is_public(spec) else None
        crow = care.loc[code] if care is not None and code in care.index else pd.Series(dtype=object)
        region = spec.get("region_values", {}) if spec is not None else {}
        if spec is not None:
            indicators += self._indicators(spec, crow, region)
        gap = [{"zzp_groep": g["label"], "groep_id": g["id"], "vraag": json_value(crow.get(f"vraag_{g['id']}")),
                "plaatsen": json_value(crow.get(f"plaatsen_{g['id']}")),
                "tekort": json_value(crow.get(f"tekort_{g['id']}")),
                "tekort_regio": json_value(region.get(f"tekort_{g['id']}"))} for g in sector.get("groups", [])]
        use = [r for r in build.table_rows(CARE_USE_FILE, code) if r.get("sector") in (None, sector["id"])]
        use_region = [r for r in build.table_rows(CARE_USE_FILE, REGION) if r.get("sector") in (None, sector["id"])]
        facts = {"gemeentecode": code, "gemeentenaam": row["gemeentenaam"], "regio": build.catalog.get("region"),
                 "sector": sector["id"], "sectoren": [s["id"] for s in sectors_of_build(build)],
                 "doeljaar": build.catalog.get("target_year"), "indicatoren": indicators, "tekort": gap,
                 "tekort_totaal": json_value(crow.get("tekort_totaal")),
                 "zorggebruik": use, "zorggebruik_regio": use_region}
        fc = forecast_of(build, sector)
        if fc is None or not fc.has(code):
            return {**facts, "scenario": None, "prognose": None, "regio_prognose": None, "reeks": None, "regio_reeks": None,
                    "downloads": []}
        sc = fc.scenario(request)
        # M's "vraag" is the demand per group (as in /api/prognose), so inside "prognose" the demand
        # scenario is "vraagscenario" (the public table's name); "scenario" repeats the asked pair as
        # /api/prognose names it
        asked = {"jaar": sc.jaar, "vraagscenario": sc.vraag, "levering": sc.levering}
        return {**facts, "scenario": sc.as_dict(), "prognose": {**asked, **fc.measures(code, sc)},
                "regio_prognose": fc.measures(REGION, sc),
                "reeks": fc.series(code, sc.levering), "regio_reeks": fc.series(REGION, sc.levering),
                "downloads": self._downloads(code, sector if _param(request, "sector") is not None else None),
                # the session pack opens in the browser (HTML) or as a PDF, it is not a download
                "gebiedsanalyse": [{"title": "Gebiedsanalyse voor de sessie (afdrukbaar)",
                                    "href": f"/api/gemeenten/{code}/report"},
                                   {"title": "Gebiedsanalyse als PDF", "href": f"/api/gemeenten/{code}/report.pdf"}]}

    def gemeente_table(self, build, code: str, request: Request) -> tuple[pd.DataFrame, str]:
        """The gemeente's and the region's rows of the public forecast table (every sector, or the one
        ``?sector=`` asks), and a Dutch file name."""
        row = self.gemeente_row(build, code)
        asked = _param(request, "sector")
        sector = sector_param(build, request)
        self.forecast(build, request)
        table = build.table(FORECAST_FILE)
        rows = table[table["gemeentecode"].astype(str).isin([code, REGION])]
        suffix = ""
        if asked is not None and "sector" in rows.columns:
            rows, suffix = rows[rows["sector"].astype(str) == sector["id"]], f"_{sector['id']}"
        return rows, f"prognose_tekort_{file_slug(str(row['gemeentenaam']))}_{code}{suffix}"

    @staticmethod
    def explanation(build) -> pd.DataFrame | None:
        """The explanation sheet of the build's full workbook (columns, assumptions, privacy), read once."""
        def make(b):
            path = b.folder / "prognose_tekort.xlsx"
            try:
                return pd.read_excel(path, sheet_name="Toelichting")
            except (OSError, ValueError, KeyError):
                return None

        return build.derived("toelichting", make)

    def download(self, build, name: str) -> FileResponse:
        """A public file the catalog lists for download; anything else is unknown."""
        listed = {d.get("file") for d in build.catalog.get("downloads", []) if isinstance(d, dict)}
        internal = {l.get("gpkg") for l in build.catalog.get("layers", []) if not is_public(l)}
        unknown = NotFound(f"geen download '{name[:64]}'; zie de lijst 'downloads' in /api/catalog")
        if (name not in listed or not _DOWNLOAD_NAME.match(name) or "intern" in name.lower()
                or name in internal):
            raise unknown
        folder = build.folder.resolve()
        target = (folder / name).resolve()
        if target.parent != folder or not target.is_file():
            raise unknown
        return FileResponse(target, filename=name, content_disposition_type="attachment")

    # --- routes ---------------------------------------------------------------------------------------
    def register_routes(self, app: FastAPI) -> None:
        """Add one route per endpoint to ``app``."""
        build_of = self.build_of

        @app.get("/api/prognose", summary="Prognose en tekort van elke gemeente en de regio voor een jaar en "
                 "scenario, afgerond zoals de viewer ze toont", responses={400: {}, 404: {}})
        def prognose(request: Request, sector: str | None = _SECTOR, jaar: str | None = _JAAR,
                     vraag: str | None = _VRAAG, levering: str | None = _LEVERING) -> dict:
            fc = self.forecast(build_of(request), request)
            return fc.overview(fc.scenario(request))

        @app.get("/api/sectoren", summary="De sectoren van de build met hun zorgprofielen en groepen")
        def sectoren(request: Request) -> list[dict]:
            return sectors_of_build(build_of(request))

        @app.get("/api/gemeenten", summary="Gemeenten met een punt binnen de gemeente en hun omvang")
        def gemeenten(request: Request) -> list[dict]:
            return build_of(request).gemeenten

        @app.get("/api/gemeenten/{code}", summary="Cijfers van een gemeente naast die van de regio, met tekort, "
                 "prognose voor een jaar en scenario en de reeks tot het doeljaar", responses={400: {}, 404: {}})
        def gemeente(code: str, request: Request, sector: str | None = _SECTOR, jaar: str | None = _JAAR,
                     vraag: str | None = _VRAAG, levering: str | None = _LEVERING) -> dict:
            return self.gemeente_facts(build_of(request), code, request)

        @app.get("/api/gemeenten/{code}/prognose.csv", summary="Prognose en tekort van een gemeente en de regio, "
                 "elk jaar en scenario (CSV voor Excel)",
                 responses={200: {"content": {"text/csv": {}}}, 400: {}, 404: {}})
        def gemeente_csv(code: str, request: Request, sector: str | None = _SECTOR) -> Response:
            from layers.tables import write_csv_nl

            rows, name = self.gemeente_table(build_of(request), code, request)
            buf = io.BytesIO()
            write_csv_nl(rows, buf)
            return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})

        @app.get("/api/gemeenten/{code}/prognose.xlsx", summary="Prognose en tekort van een gemeente en de regio, "
                 "elk jaar en scenario (Excel)", responses={200: {"content": {XLSX_TYPE: {}}}, 400: {}, 404: {}})
        def gemeente_xlsx(code: str, request: Request, sector: str | None = _SECTOR) -> Response:
            from layers.tables import write_xlsx

            build = build_of(request)
            rows, name = self.gemeente_table(build, code, request)
            sheets = {"Prognose en tekort": rows}
            text = self.explanation(build)
            if text is not None:
                sheets["Toelichting"] = text
            buf = io.BytesIO()
            write_xlsx(buf, sheets)
            return Response(buf.getvalue(), media_type=XLSX_TYPE,
                            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})

        @app.get("/api/gebieden", summary="Gemeenten en wijken met een punt en hun omvang, voor het zoeken")
        def gebieden(request: Request) -> list[dict]:
            return areas_of(build_of(request))

        @app.get("/downloads/{file}", summary="Een openbaar bestand van de build (zie downloads in de catalogus)",
                 responses={200: {"content": {"application/octet-stream": {}}}, 404: {}})
        def download(file: str, request: Request) -> FileResponse:
            return self.download(build_of(request), file)
