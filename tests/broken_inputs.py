"""A corpus of broken inputs: each case breaks one thing in a fresh copy of the demo inputs.

Every case says what the user must be told: the file, the row and the column
(where they mean something), and Dutch fragments that name the cause. The
expectations come from the case itself (the row it changed, the limit it
crossed), never from the code under test. ``tests/test_broken_inputs.py``
runs each case through ``wz build``.

Row numbers count the header as row 1, as a spreadsheet does; for GeoJSON
and GeoPackage features the first feature is "regel 2", as the readers say.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl

SES_SCORE = "SES-WOA/Totaalscore/Gemiddelde score (Getal)"
SES_HOUSEHOLDS = "Particuliere huishoudens (Aantal)"
SES_CODE = "Regiocode (gemeente, wijk, buurt) (code)"


@dataclass(frozen=True)
class Case:
    """One broken input and what ``wz build`` must say about it."""

    name: str
    mutate: Callable[[Path], None]
    file: str
    row: int | Callable[[Path], int] | None
    column: str | None
    text: tuple[str, ...]

    def expected_row(self, folder: Path) -> int | None:
        """The row the message must name (some cases compute it from the file they changed)."""
        return self.row(folder) if callable(self.row) else self.row


# --- plain-text helpers (independent of the code under test) ------------------------------------

def lines(folder: Path, name: str) -> list[str]:
    return (folder / name).read_text(encoding="utf-8").split("\n")


def write_lines(folder: Path, name: str, rows: list[str]) -> None:
    (folder / name).write_text("\n".join(rows), encoding="utf-8")


def header_index(row: str, column: str, sep: str = ";") -> int:
    return [c.strip().strip('"') for c in row.split(sep)].index(column)


def set_cell(name: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set one cell of a ``;``-separated file (row 1 is the header)."""
    def mutate(folder: Path) -> None:
        rows = lines(folder, name)
        k = header_index(rows[0], column)
        fields = rows[row - 1].split(";")
        fields[k] = value
        rows[row - 1] = ";".join(fields)
        write_lines(folder, name, rows)
    return mutate


def set_cells(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        for m in mutations:
            m(folder)
    return mutate


def edit_lines(name: str, fn: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        write_lines(folder, name, fn(lines(folder, name)))
    return mutate


def map_column(name: str, column: str, fn: Callable[[str], str]) -> Callable[[Path], None]:
    """Apply ``fn`` to one column of every data row of a ``;``-separated file."""
    def change(rows: list[str]) -> list[str]:
        k = header_index(rows[0], column)
        out = [rows[0]]
        for r in rows[1:]:
            if r:
                f = r.split(";")
                f[k] = fn(f[k])
                r = ";".join(f)
            out.append(r)
        return out
    return edit_lines(name, change)


def write_bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / name).write_bytes(data)
    return mutate


def last_data_row(name: str) -> Callable[[Path], int]:
    """Row number of the last non-empty line (header = 1)."""
    def row(folder: Path) -> int:
        rows = lines(folder, name)
        return max(i for i, r in enumerate(rows, start=1) if r.strip())
    return row


def find_row(name: str, *starts: str) -> Callable[[Path], int]:
    """Row number (header = 1) of the first line that starts with ``starts[0]``, or the n-th of several."""
    def row(folder: Path) -> int:
        found = [i for i, r in enumerate(lines(folder, name), start=1) if r.startswith(starts[0])]
        return found[len(starts) - 1]
    return row


def append_settings(text: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        p = folder / "instellingen.toml"
        p.write_text(p.read_text(encoding="utf-8") + text + "\n", encoding="utf-8")
    return mutate


def set_setting(key: str, value: str) -> Callable[[Path], None]:
    """Give one setting in the folder's instellingen.toml a new value (replacing its line, if any)."""
    def mutate(folder: Path) -> None:
        p = folder / "instellingen.toml"
        rows = [r for r in p.read_text(encoding="utf-8").split("\n") if not r.startswith(f"{key} =")]
        p.write_text("\n".join(rows) + f"\n{key} = {value}\n", encoding="utf-8")
    return mutate


# --- structured helpers -----------------------------------------------------------------------

def edit_geojson(name: str, fn: Callable[[dict], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        doc = json.loads((folder / name).read_text(encoding="utf-8"))
        fn(doc)
        (folder / name).write_text(json.dumps(doc), encoding="utf-8")
    return mutate


def map_coordinates(doc: dict, fn) -> None:
    def walk(c):
        if isinstance(c[0], (int, float)):
            return list(fn(c[0], c[1]))
        return [walk(x) for x in c]
    for f in doc["features"]:
        f["geometry"]["coordinates"] = walk(f["geometry"]["coordinates"])


def to_wgs84(doc: dict) -> None:
    from pyproj import Transformer

    t = Transformer.from_crs(28992, 4326, always_xy=True)
    map_coordinates(doc, lambda x, y: t.transform(x, y))


def csv_to_xlsx(name: str, then: Callable[[openpyxl.worksheet.worksheet.Worksheet], None] | None = None):
    """Replace a ``;``-separated table by an Excel workbook of the same name (numbers as numbers)."""
    def number(text: str):
        try:
            return int(text)
        except ValueError:
            return text

    def mutate(folder: Path) -> None:
        rows = [r.split(";") for r in lines(folder, name) if r]
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(rows[0])
        for r in rows[1:]:
            ws.append([number(v) for v in r])
        if then is not None:
            then(ws)
        wb.save(folder / (Path(name).stem + ".xlsx"))
        (folder / name).unlink()
    return mutate


def truncate(name: str, fraction: float) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[:int(len(data) * fraction)])
    return mutate


def to_wijkbuurtkaart(gemeenten: Callable | None = None, after: Callable[[Path], None] | None = None):
    """Bring the boundaries as a CBS wijk- en buurtkaart GeoPackage instead of the two GeoJSON files.

    ``gemeenten`` may change the gemeenten layer before it is written, ``after`` the written file.
    """
    def mutate(folder: Path) -> None:
        import geopandas as gpd

        gem = gpd.read_file(folder / "gemeenten.geojson").rename(columns={"statcode": "gemeentecode",
                                                                          "statnaam": "gemeentenaam"})
        wijk = gpd.read_file(folder / "wijken.geojson").rename(columns={"statcode": "wijkcode",
                                                                        "statnaam": "wijknaam"})
        gem["water"] = "NEE"
        if gemeenten is not None:
            gem = gemeenten(gem)
        gpkg = folder / "wijkenbuurten_2023_v1.gpkg"
        gem.to_file(gpkg, layer="gemeenten", driver="GPKG")
        wijk.to_file(gpkg, layer="wijken", driver="GPKG")
        (folder / "gemeenten.geojson").unlink()
        (folder / "wijken.geojson").unlink()
        if after is not None:
            after(gpkg)
    return mutate


def life_table(value_row4: str) -> Callable[[Path], None]:
    """An own life table (``life_table_file``) with one value replaced on row 4."""
    def mutate(folder: Path) -> None:
        rows = ["leeftijd_van;overlevingskans"] + [f"{b};0,99" for b in range(0, 100, 5)]
        rows[3] = f"10;{value_row4}"
        write_lines(folder, "overlevingskansen.csv", rows)
        set_setting("life_table_file", '"overlevingskansen.csv"')(folder)
    return mutate


def totals_projection(then: Callable[[list[str]], list[str]] | None = None) -> Callable[[Path], None]:
    """The projection as totals per gemeente (``peildatum;regiocode;inwoners``), summed here by hand."""
    def mutate(folder: Path) -> None:
        rows = lines(folder, "bevolkingsprognose.csv")
        totals: dict[tuple[str, str], int] = {}
        for r in rows[1:]:
            if r:
                f = r.split(";")
                totals[(f[0], f[1])] = totals.get((f[0], f[1]), 0) + int(f[4]) + int(f[5])
        out = ["peildatum;regiocode;inwoners"] + [f"{d};{c};{n}" for (d, c), n in sorted(totals.items())]
        write_lines(folder, "bevolkingsprognose.csv", then(out) if then else out)
    return mutate


def recode(old: str, new: str) -> Callable[[str], str]:
    return lambda v: v.replace(old, new, 1)


def shift_x(name: str, dx: float) -> Callable[[Path], None]:
    return map_column(name, "x", lambda v: str(float(v) + dx))


def drop_rows(name: str, keep: Callable[[str], bool]) -> Callable[[Path], None]:
    return edit_lines(name, lambda rows: [rows[0]] + [r for r in rows[1:] if keep(r)])


# --- the corpus ---------------------------------------------------------------------------------

C, B, P, L, A, X, S = ("wlz_clienten.csv", "bevolking.csv", "bevolkingsprognose.csv", "zorglocaties.csv",
                       "adressen.csv", "pc6.csv", "ses_woa.csv")


def _ses_cell(row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set one (quoted) field of the StatLine export."""
    def mutate(folder: Path) -> None:
        raw = (folder / S).read_bytes().decode("utf-8")
        rows = raw.split("\r\n")
        k = header_index(rows[0].lstrip("\ufeff"), column)
        fields = rows[row - 1].split(";")
        fields[k] = f'"{value}"'
        rows[row - 1] = ";".join(fields)
        (folder / S).write_bytes("\r\n".join(rows).encode("utf-8"))
    return mutate


CASES: list[Case] = [
    # --- plausibility: every figure within its limit, written as a plain number -------------------
    Case("clienten_aantal_enorm", set_cell(C, 5, "aantal_clienten", "99999999999999999999"),
         C, 5, "aantal_clienten", ("groter dan 10.000", "max_clients_per_row")),
    Case("clienten_aantal_exponent", set_cell(C, 5, "aantal_clienten", "1e3"),
         C, 5, "aantal_clienten", ("wetenschappelijke notatie",)),
    Case("clienten_aantal_negatief", set_cell(C, 6, "aantal_clienten", "-3"),
         C, 6, "aantal_clienten", ("-3 is kleiner dan 0",)),
    Case("clienten_aantal_nan", set_cell(C, 7, "aantal_clienten", "NaN"),
         C, 7, "aantal_clienten", ("'NaN' is geen getal",)),
    Case("clienten_aantal_oneindig", set_cell(C, 8, "aantal_clienten", "inf"),
         C, 8, "aantal_clienten", ("'inf' is geen getal",)),
    Case("clienten_aantal_decimaalpunt", set_cell(C, 9, "aantal_clienten", "2.5"),
         C, 9, "aantal_clienten", ("'2.5' is geen geheel getal",)),
    # GM9901 has 7,107 inhabitants in 2023 (summed by hand from bevolking.csv); 8,000 clients in one row
    Case("clienten_meer_dan_inwoners",
         lambda f: set_cell(C, find_row(C, "2023;GM9901;")(f), "aantal_clienten", "8000")(f),
         C, find_row(C, "2023;GM9901;"), "aantal_clienten", ("GM9901", "in 2023", "meer dan haar 7.107 inwoners")),
    Case("clienten_jaar_onmogelijk", set_cell(C, 5, "jaar", "20230"),
         C, 5, "jaar", ("20230 is groter dan 2.100",)),
    Case("bevolking_aantal_enorm", set_cell(B, 5, "mannen", "99999999999999999999"),
         B, 5, "mannen", ("groter dan 2.000.000", "max_inhabitants")),
    Case("bevolking_aantal_negatief", set_cell(B, 7, "vrouwen", "-1"),
         B, 7, "vrouwen", ("-1 is kleiner dan 0",)),
    # two bands of GM9901 in 2020 with 1,000,000 men each: the second row crosses the 2,000,000 limit
    Case("bevolking_gebied_samen_te_groot",
         set_cells(set_cell(B, 2, "mannen", "1000000"),
                   lambda f: set_cell(B, find_row(B, "2020-01-01;GM9901;5;")(f), "mannen", "1000000")(f)),
         B, find_row(B, "2020-01-01;GM9901;5;"), "mannen",
         ("GM9901", "samen meer dan 2.000.000 inwoners", "max_inhabitants")),
    Case("bevolking_datum_bestaat_niet", set_cell(B, 5, "peildatum", "2023-13-45"),
         B, 5, "peildatum", ("'2023-13-45' is geen bestaande datum",)),
    Case("bevolking_klasse_past_niet", set_cell(B, 4, "leeftijd_tot", "7"),
         B, 4, "leeftijd_tot", ("geen 5-jaarsklasse",)),
    Case("prognose_aantal_enorm", set_cell(P, 3, "vrouwen", "12345678901"),
         P, 3, "vrouwen", ("12345678901 is groter dan 2.000.000",)),
    Case("prognose_totalen_te_groot", totals_projection(
        lambda rows: [rows[0], rows[1].rsplit(";", 1)[0] + ";3000000", *rows[2:]]),
         P, 2, "inwoners", ("3000000 is groter dan 2.000.000",)),
    Case("locatie_plaatsen_enorm", set_cell(L, 2, "plaatsen_zzp4", "50000"),
         L, 2, "plaatsen_zzp4", ("50000 is groter dan 2.000", "max_places_per_location")),
    Case("locatie_clienten_negatief", set_cell(L, 3, "clienten_vpt_mpt", "-2"),
         L, 3, "clienten_vpt_mpt", ("-2 is kleiner dan 0",)),
    Case("pc6_adressen_enorm", set_cell(X, 10, "aantal_adressen", "123456"),
         X, 10, "aantal_adressen", ("123456 is groter dan 5.000", "max_addresses_per_pc6")),
    Case("pc6_x_nan", set_cell(X, 4, "x", "nan"), X, 4, "x", ("'nan' is geen getal",)),
    Case("adres_x_buiten_nederland", set_cell(A, 5, "x", "9999999"),
         A, 5, "x", ("9999999 is groter dan 300.000", "RD-coördinaat in Nederland")),
    Case("adres_in_graden", set_cells(set_cell(A, 6, "x", "5.12"), set_cell(A, 6, "y", "52.09")),
         A, 6, "y", ("kleiner dan 289.000", "lengte- of breedtegraad (WGS84)")),
    Case("adres_y_oneindig", set_cell(A, 8, "y", "inf"), A, 8, "y", ("'inf' is geen getal",)),
    Case("adres_huisnummer_enorm", set_cell(A, 9, "huisnummer", "1234567"),
         A, 9, "huisnummer", ("1234567 is groter dan 99.999",)),
    Case("ses_score_oneindig", _ses_cell(3, SES_SCORE, "     inf"), S, 3, SES_SCORE, ("'inf' is geen getal",)),
    Case("ses_score_onmogelijk", _ses_cell(4, SES_SCORE, "  42.000"), S, 4, SES_SCORE, ("42.000 is groter dan 3",)),
    Case("ses_huishoudens_negatief", _ses_cell(5, SES_HOUSEHOLDS, "      -5"),
         S, 5, SES_HOUSEHOLDS, ("-5 is kleiner dan 0",)),
    Case("ses_huishoudens_enorm", _ses_cell(6, SES_HOUSEHOLDS, "99999999999"),
         S, 6, SES_HOUSEHOLDS, ("groter dan 1.000.000", "max_households")),
    Case("overlevingskans_nan", life_table("nan"), "overlevingskansen.csv", 4, "overlevingskans",
         ("'nan' is geen getal",)),
    Case("overlevingskans_boven_een", life_table("1,5"), "overlevingskansen.csv", 4, "overlevingskans",
         ("1,5 is groter dan 1",)),
    Case("instelling_grens_nul", set_setting("max_clients_per_row", "0"), "instellingen.toml", None, None,
         ("'max_clients_per_row'", "van 1 tot en met 1.000.000.000")),
    Case("instellingen_geen_toml", append_settings("max_inhabitants = "), "instellingen.toml", None, None,
         ("geen geldige TOML",)),

    # --- identity: a key that repeats names both rows -------------------------------------------------
    Case("locatie_id_dubbel", lambda f: set_cell(L, 4, "locatie_id", lines(f, L)[2].split(";")[0])(f),
         L, 4, "locatie_id", ("komt dubbel voor", "op regel 3 en op regel 4")),
    Case("pc6_postcode_dubbel", lambda f: set_cell(X, 6, "postcode", lines(f, X)[4].split(";")[0])(f),
         X, 6, "postcode", ("komt dubbel voor", "op regel 5 en op regel 6")),
    Case("bevolking_regel_dubbel", edit_lines(B, lambda r: r[:10] + [r[1]] + r[10:]),
         B, 11, "peildatum, regiocode, leeftijd_van", ("komt dubbel voor", "op regel 2 en op regel 11")),
    Case("bevolking_sleutel_dubbel_ander_aantal",
         edit_lines(B, lambda r: r[:3] + [r[1].rsplit(";", 2)[0] + ";1;2"] + r[3:]),
         B, 4, "peildatum, regiocode, leeftijd_van", ("op regel 2 en op regel 4",)),
    Case("prognose_regel_dubbel", edit_lines(P, lambda r: r[:5] + [r[2]] + r[5:]),
         P, 6, "peildatum, regiocode, leeftijd_van", ("op regel 3 en op regel 6",)),
    Case("prognose_totalen_dubbel", totals_projection(lambda r: r[:4] + [r[1]] + r[4:]),
         P, 5, "peildatum, regiocode", ("op regel 2 en op regel 5",)),
    # row 2 is 2020;GM9901;V&V;55-59;VV5;intramuraal;V&V: the same after normalising "vv", "55 - 59 jaar" and
    # "ZZP 5 VV"
    Case("clienten_dubbel_na_normaliseren",
         edit_lines(C, lambda r: [x for x in r if x] + ["2020;GM9901;vv;55 - 59 jaar;ZZP 5 VV;Intramuraal;V&V;4"]),
         C, last_data_row(C), "jaar, gemeentecode, leeftijdsklasse, zorgprofiel, leveringsvorm",
         ("dezelfde combinatie", "op regel 2 en op regel")),
    Case("ses_regiocode_dubbel",
         lambda f: _ses_cell(5, SES_CODE, (f / S).read_bytes().decode("utf-8").split("\r\n")[3]
                             .split(";")[2].strip('"').strip())(f),
         S, 5, "regiocode", ("komt dubbel voor", "op regel 4 en op regel 5")),
    Case("gemeente_code_dubbel",
         edit_geojson("gemeenten.geojson", lambda d: d["features"][2]["properties"].update(
             statcode=d["features"][1]["properties"]["statcode"])),
         "gemeenten.geojson", 4, "statcode", ("GM9902", "op regel 3 en op regel 4")),
    Case("wijk_code_dubbel",
         edit_geojson("wijken.geojson", lambda d: d["features"][7]["properties"].update(
             statcode=d["features"][0]["properties"]["statcode"])),
         "wijken.geojson", 9, "statcode", ("komt dubbel voor", "op regel 2 en op regel 9")),
    Case("wijkbuurtkaart_code_dubbel",
         to_wijkbuurtkaart(gemeenten=lambda g: g.assign(gemeentecode=[*g["gemeentecode"][:5], "GM9902",
                                                                      *g["gemeentecode"][6:]])),
         "wijkenbuurten_2023_v1.gpkg (laag gemeenten)", 7, "gemeentecode", ("op regel 3 en op regel 7",)),
    Case("overlevingstafel_klasse_dubbel", set_cells(life_table("0,99"), set_cell("overlevingskansen.csv", 5,
                                                                                    "leeftijd_van", "10")),
         "overlevingskansen.csv", 5, "leeftijd_van", ("op regel 4 en op regel 5",)),
    Case("xlsx_locatie_id_dubbel",
         csv_to_xlsx(L, lambda ws: ws.cell(row=6, column=1, value=ws.cell(row=2, column=1).value)),
         "zorglocaties.xlsx", 6, "locatie_id", ("op regel 2 en op regel 6",)),

    # --- the files must describe the same region: refused when nothing can be used ----------------
    Case("geen_adres_binnen_gemeenten", shift_x(A, 120_000), A, None, "x, y",
         ("geen enkel adres ligt binnen de gemeentegrenzen",)),
    Case("geen_locatie_te_plaatsen", map_column(L, "postcode", lambda v: "9999ZZ"), L, None, "postcode",
         ("geen enkele locatie kan worden geplaatst",)),
    Case("geen_clienten_in_regio", map_column(C, "gemeentecode", recode("GM99", "GM98")), C, None, "gemeentecode",
         ("geen enkele cliëntregel voor de gemeenten",)),
    Case("geen_bevolking_in_regio", map_column(B, "regiocode", lambda v: v.replace("GM99", "GM98")
                                               .replace("WK99", "WK98")), B, None, "regiocode",
         ("geen enkele gemeente van gemeenten.geojson heeft inwoners in 2023",)),
    Case("geen_prognose_in_regio", map_column(P, "regiocode", recode("GM99", "GM98")), P, None, "regiocode",
         ("geen enkele regel voor een gemeente",)),
    Case("geen_ses_in_regio", lambda f: (f / S).write_bytes((f / S).read_bytes().replace(b'"GM99', b'"GM98')
                                                           .replace(b'"WK99', b'"WK98')),
         S, None, "regiocode", ("geen enkele regel voor een gemeente of wijk",)),
    Case("geen_wijk_in_regio", edit_geojson("wijken.geojson", lambda d: [
        f["properties"].update(statcode=f["properties"]["statcode"].replace("WK99", "WK98")) for f in d["features"]]),
         "wijken.geojson", None, "statcode", ("geen enkele wijk hoort bij een gemeente",)),
    Case("prognose_zonder_basisbevolking", drop_rows(B, lambda r: not r.startswith("2023-01-01;GM9903;")),
         B, None, "regiocode", ("gemeente GM9903 heeft geen inwoners in 2023", "bevolkingsprognose")),

    # --- the cause, not a symptom further down: encoding, cut off, empty, CRS ----------------------
    Case("csv_utf16", lambda f: (f / C).write_bytes((f / C).read_text(encoding="utf-8").encode("utf-16")),
         C, None, None, ("UTF-16",)),
    Case("csv_is_excel", lambda f: csv_to_xlsx(L)(f) or (f / "zorglocaties.xlsx").rename(f / L),
         L, None, None, ("geen tekst maar een zip-archief", "zorglocaties.xlsx")),
    Case("csv_binair", write_bytes(X, b"postcode;aantal\x00\x01\x02\xff\xfe" * 50), X, None, None, ("nul-bytes",)),
    # the last line keeps its first three fields, the third cut short: 3 of 4 fields, column 'y' missing
    Case("csv_afgebroken", edit_lines(A, lambda r: [x for x in r if x][:-1] + [
        ";".join([x for x in r if x][-1].split(";")[:3])[:-2]]),
         A, last_data_row(A), "y", ("de laatste regel heeft 3 van de 4 velden", "afgebroken")),
    Case("csv_regel_te_kort", edit_lines(X, lambda r: r[:99] + [r[99].rsplit(";", 1)[0]] + r[100:]),
         X, 100, "y", ("3 velden, verwacht 4",)),
    Case("csv_regel_te_lang", edit_lines(C, lambda r: r[:6] + [r[6] + ";7"] + r[7:]),
         C, 7, None, ("9 velden, verwacht 8",)),
    Case("csv_leeg", write_bytes(B, b""), B, None, None, ("het bestand is leeg",)),
    Case("csv_alleen_kopregel", edit_lines(C, lambda r: r[:1]), C, None, None, ("alleen de kopregel",)),
    Case("csv_kolom_dubbel", edit_lines(L, lambda r: [r[0].replace("zorgaanbieder", "naam")] + r[1:]),
         L, 1, "naam", ("staat twee keer in de kopregel",)),
    Case("geojson_afgebroken", truncate("gemeenten.geojson", 0.5), "gemeenten.geojson", None, None,
         ("afgebroken",)),
    Case("geojson_leeg", write_bytes("gemeenten.geojson", b""), "gemeenten.geojson", None, None,
         ("het bestand is leeg",)),
    Case("geojson_geen_json", write_bytes("wijken.geojson", b"<html><body>Not found</body></html>"),
         "wijken.geojson", None, None, ("geen geldige JSON",)),
    Case("geojson_onbekend_crs", edit_geojson("gemeenten.geojson", lambda d: d["crs"]["properties"].update(
        name="urn:ogc:def:crs:EPSG::99999")), "gemeenten.geojson", None, None,
         ("onbekend coördinatenstelsel", "EPSG::99999")),
    Case("geojson_rd_zonder_crs", edit_geojson("gemeenten.geojson", lambda d: d.pop("crs")),
         "gemeenten.geojson", None, None, ("meters in RD New", "geen crs-lid")),
    Case("geojson_graden_met_rd_crs", edit_geojson("wijken.geojson", to_wgs84), "wijken.geojson", None, None,
         ("de coördinaten zijn graden",)),
    Case("geojson_buiten_nederland", edit_geojson("gemeenten.geojson", lambda d: map_coordinates(
        d, lambda x, y: (x + 400_000, y))), "gemeenten.geojson", 2, "geometry", ("liggen niet in Nederland",)),
    Case("geojson_lengte_breedte_verwisseld", edit_geojson("gemeenten.geojson", lambda d: (
        to_wgs84(d), d.pop("crs"), map_coordinates(d, lambda x, y: (y, x)))), "gemeenten.geojson", None, None,
         ("verwisseld",)),
    Case("geojson_zonder_gebieden", edit_geojson("wijken.geojson", lambda d: d.update(features=[])),
         "wijken.geojson", None, None, ("bevat geen gebieden",)),
    Case("geojson_punt_in_plaats_van_vlak", edit_geojson("gemeenten.geojson", lambda d: d["features"][4].update(
        geometry={"type": "Point", "coordinates": [150000.0, 540000.0]})),
         "gemeenten.geojson", 6, "geometry", ("is een Point, geen vlak",)),
    Case("xlsx_afgebroken", lambda f: (csv_to_xlsx(L)(f), truncate("zorglocaties.xlsx", 0.6)(f)),
         "zorglocaties.xlsx", None, None, ("afgebroken of beschadigd",)),
    Case("xlsx_is_tekst", lambda f: (f / L).rename(f / "zorglocaties.xlsx"), "zorglocaties.xlsx", None, None,
         ("geen Excel-werkmap",)),
    Case("xlsx_aantal_enorm", csv_to_xlsx(L, lambda ws: ws.cell(row=3, column=16, value=50000)),  # clienten_intramuraal
         "zorglocaties.xlsx", 3, "clienten_intramuraal", ("50000 is groter dan 2.000",)),
    Case("wijkbuurtkaart_afgebroken", to_wijkbuurtkaart(after=lambda gpkg: gpkg.write_bytes(
        gpkg.read_bytes()[:int(gpkg.stat().st_size * 0.6)])), "wijkenbuurten_2023_v1.gpkg", None, None,
         ("afgebroken",)),
    Case("wijkbuurtkaart_geen_sqlite", to_wijkbuurtkaart(after=lambda gpkg: gpkg.write_bytes(b"gemeentecode;naam\n")),
         "wijkenbuurten_2023_v1.gpkg", None, None, ("geen GeoPackage",)),
    Case("wijkbuurtkaart_buiten_nederland",
         to_wijkbuurtkaart(gemeenten=lambda g: g.set_geometry(g.geometry.translate(0, -400_000))),
         "wijkenbuurten_2023_v1.gpkg (laag gemeenten)", 2, "geom", ("liggen niet in Nederland",)),
    Case("ses_afgebroken", lambda f: (f / S).write_bytes((f / S).read_bytes().rstrip(b"\r\n")[:-14]),
         S, last_data_row(S), None, ("de laatste regel heeft", "afgebroken")),
    Case("ses_alleen_kopregel", lambda f: (f / S).write_bytes((f / S).read_bytes().split(b"\r\n")[0] + b"\r\n"),
         S, None, None, ("alleen de kopregel",)),

    # --- too large for this machine: refused before the large files are read ------------------------
    Case("geheugen_invoer_te_groot", set_setting("memory_limit_mb", "100"), A, None, None,
         ("past niet in het geheugen", "memory_limit_mb")),
    # one address in the far south-west corner of RD New: the OAD grid would span 7,000 x 11,000 cells
    Case("geheugen_raster_te_groot", set_cells(set_cell(A, 3, "x", "-6000"), set_cell(A, 3, "y", "290000"),
                                               set_setting("memory_limit_mb", "1000")),
         A, None, "x, y", ("het raster van de omgevingsadressendichtheid", "-6.000")),
]

