"""Tests of geo.io and geo.settings: input contracts, error messages, file formats, StatLine and settings."""

from __future__ import annotations

import dataclasses
import math

import openpyxl
import pandas as pd
import pytest

from geo.errors import InputError, SettingsError
from geo.io import CONTRACTS, read_ses_statline, read_table
from geo.settings import Settings, load_settings

CLIENT_HEADER = "jaar;gemeentecode;leeftijdsklasse;zorgprofiel;leveringsvorm;aantal_clienten"
GOOD_ROWS = [
    "2023;GM0344;80-84;VV5;intramuraal;12",
    "2023;GM0344;85-89;VV6;VPT;3",
    "2023;GM0356;90-94;VV7;PGB;7",
]


def write(tmp_path, name: str, lines: list[str], encoding: str = "utf-8") -> object:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


# --- clienten: one good file ----------------------------------------------------------

def test_clienten_reads(tmp_path):
    df = read_table(write(tmp_path, "wlz_clienten.csv", [CLIENT_HEADER] + GOOD_ROWS), CONTRACTS["clienten"])
    assert list(df.columns) == [c.name for c in CONTRACTS["clienten"]]
    assert df["aantal_clienten"].tolist() == [12, 3, 7]
    assert df["jaar"].tolist() == [2023, 2023, 2023]
    assert df["gemeentecode"].tolist() == ["GM0344", "GM0344", "GM0356"]


# --- clienten: each error is one InputError naming file, row and column ---------------

def _with(row: int, field: int, value: str) -> list[str]:
    """The good file with data row ``row`` (1-based) field ``field`` replaced."""
    rows = [r.split(";") for r in GOOD_ROWS]
    rows[row - 1][field] = value
    return [CLIENT_HEADER] + [";".join(r) for r in rows]


@pytest.mark.parametrize("lines, regel, kolom, text", [
    # a non-number on data row 3: header is regel 1, so data row 3 is regel 4
    (_with(3, 5, "drie"), 4, "aantal_clienten", "'drie'"),
    (_with(2, 5, "-2"), 3, "aantal_clienten", "kleiner dan 0"),
    (_with(1, 5, "2,5"), 2, "aantal_clienten", "geen geheel getal"),
    (_with(2, 5, ""), 3, "aantal_clienten", "leeg"),
    (_with(3, 1, "GM344"), 4, "gemeentecode", "'GM344'"),
    (_with(1, 1, ""), 2, "gemeentecode", "leeg"),
    (_with(2, 0, "1985"), 3, "jaar", "1985"),
    (_with(1, 0, "twintig"), 2, "jaar", "'twintig'"),
    # a blank line is a row of its own in a spreadsheet and in an editor: the bad value is on regel 4
    ([CLIENT_HEADER, GOOD_ROWS[0], "", "2023;GM0344;80-84;VV5;intramuraal;x"], 4, "aantal_clienten", "'x'"),
])
def test_clienten_error_names_file_row_column(tmp_path, lines, regel, kolom, text):
    path = write(tmp_path, "wlz_clienten.csv", lines)
    with pytest.raises(InputError) as exc:
        read_table(path, CONTRACTS["clienten"])
    msg = str(exc.value)
    assert "wlz_clienten.csv" in msg
    assert f"regel {regel}" in msg
    assert f"kolom '{kolom}'" in msg
    assert text in msg
    assert (exc.value.file, exc.value.row, exc.value.column) == ("wlz_clienten.csv", regel, kolom)


@pytest.mark.parametrize("missing", ["aantal_clienten", "gemeentecode", "jaar"])
def test_clienten_missing_column_is_named(tmp_path, missing):
    header = CLIENT_HEADER.split(";")
    k = header.index(missing)
    lines = [";".join(f for i, f in enumerate(r.split(";")) if i != k) for r in [CLIENT_HEADER] + GOOD_ROWS]
    with pytest.raises(InputError) as exc:
        read_table(write(tmp_path, "wlz_clienten.csv", lines), CONTRACTS["clienten"])
    msg = str(exc.value)
    assert "wlz_clienten.csv" in msg
    assert "regel 1" in msg
    assert f"kolom '{missing}'" in msg
    assert exc.value.column == missing


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as exc:
        read_table(tmp_path / "wlz_clienten.csv", CONTRACTS["clienten"])
    assert "wlz_clienten.csv" in str(exc.value)


def test_header_case_and_spaces_are_ignored(tmp_path):
    header = " Jaar ;GemeenteCode;leeftijdsklasse;ZORGPROFIEL;leveringsvorm;Aantal_Clienten"
    df = read_table(write(tmp_path, "c.csv", [header] + GOOD_ROWS), CONTRACTS["clienten"])
    assert df["aantal_clienten"].tolist() == [12, 3, 7]


# --- formats: separators, decimal marks, encodings, Excel -------------------------------

PC6_VALUES = pd.DataFrame({
    "postcode": ["3511AB", "3512CD", "3513EF"],
    "aantal_adressen": [12, 1234, 0],
    "x": [136000.5, 136100.0, -0.25],
    "y": [455000.25, 455100.75, 456000.0],
})


@pytest.mark.parametrize("lines, encoding", [
    (["postcode,aantal_adressen,x,y",
      "3511AB,12,136000.5,455000.25",
      "3512CD,1234,136100,455100.75",
      "3513EF,0,-0.25,456000"], "utf-8"),
    (["postcode;aantal_adressen;x;y",
      "3511AB;12;136000,5;455000,25",
      "3512CD;1234;136100;455100,75",
      "3513EF;0;-0,25;456000"], "cp1252"),
    (["\ufeffpostcode;aantal_adressen;x;y",  # UTF-8 with BOM, as Excel saves "CSV UTF-8"
      "3511AB;12;136000,5;455000,25",
      "3512CD;1234;136100;455100,75",
      "3513EF;0;-0,25;456000"], "utf-8"),
], ids=["comma-point", "semicolon-decimal-comma-cp1252", "semicolon-bom"])
def test_csv_dialects_read_the_same(tmp_path, lines, encoding):
    df = read_table(write(tmp_path, "pc6.csv", lines, encoding), CONTRACTS["pc6"])
    assert df["postcode"].tolist() == PC6_VALUES["postcode"].tolist()
    assert df["aantal_adressen"].tolist() == PC6_VALUES["aantal_adressen"].tolist()
    assert df["x"].tolist() == pytest.approx(PC6_VALUES["x"].tolist())
    assert df["y"].tolist() == pytest.approx(PC6_VALUES["y"].tolist())


LOC_HEADER = ("locatie_id;naam;zorgaanbieder;postcode;huisnummer;plaats;sector;plaatsen_zzp4;"
              "plaatsen_zzp5_7;plaatsen_zzp6_8;plaatsen_overig;clienten_intramuraal;clienten_vpt_mpt")


def test_windows_1252_names(tmp_path):
    lines = [LOC_HEADER,
             "L1;Zorgcentrum Bethanië;Stichting Zoë;3511AB;12;Utrecht;V&V;4;20;10;0;30;2",
             "L2;Huize Ré;;;;Café-dorp;GZ;0;0;0;5;5;0"]
    path = write(tmp_path, "zorglocaties.csv", lines, encoding="cp1252")
    assert "ë".encode("cp1252") in path.read_bytes()  # really Windows-1252, not UTF-8
    df = read_table(path, CONTRACTS["locaties"])
    assert df["naam"].tolist() == ["Zorgcentrum Bethanië", "Huize Ré"]
    assert df["zorgaanbieder"].tolist() == ["Stichting Zoë", ""]
    assert df["plaats"].tolist() == ["Utrecht", "Café-dorp"]
    assert df["plaatsen_zzp5_7"].tolist() == [20, 0]


def _xlsx(path, header: list[str], rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_xlsx_reads_the_same_as_csv(tmp_path):
    xlsx = tmp_path / "pc6.xlsx"
    _xlsx(xlsx, list(PC6_VALUES.columns), PC6_VALUES.astype(object).values.tolist())
    csv = write(tmp_path, "pc6.csv", ["postcode;aantal_adressen;x;y",
                                      "3511AB;12;136000,5;455000,25",
                                      "3512CD;1234;136100;455100,75",
                                      "3513EF;0;-0,25;456000"])
    from_xlsx = read_table(xlsx, CONTRACTS["pc6"])
    from_csv = read_table(csv, CONTRACTS["pc6"])
    pd.testing.assert_frame_equal(from_xlsx, from_csv)
    assert from_xlsx["x"].tolist() == pytest.approx([136000.5, 136100.0, -0.25])


def test_xlsx_clienten_error_names_row(tmp_path):
    xlsx = tmp_path / "wlz_clienten.xlsx"
    rows = [[2023, "GM0344", "80-84", "VV5", "intramuraal", 12],
            [2023, "GM0344", "85-89", "VV6", "VPT", "veel"]]
    _xlsx(xlsx, CLIENT_HEADER.split(";"), rows)
    with pytest.raises(InputError) as exc:
        read_table(xlsx, CONTRACTS["clienten"])
    msg = str(exc.value)
    assert "wlz_clienten.xlsx" in msg and "regel 3" in msg and "kolom 'aantal_clienten'" in msg


# --- SES-WOA StatLine export ----------------------------------------------------------

STATLINE_HEADER = ('"Perioden";"Wijken en buurten";"Regiocode (gemeente, wijk, buurt) (code)";'
                   '"Particuliere huishoudens (Aantal)";"SES-WOA/Totaalscore/Gemiddelde score (Getal)"')


def _statline(tmp_path, data_lines: list[str]):
    path = tmp_path / "ses_woa.csv"
    text = "\ufeff" + "\r\n".join([STATLINE_HEADER] + data_lines) + "\r\n"
    path.write_bytes(text.encode("utf-8"))
    return path


def test_read_ses_statline(tmp_path):
    path = _statline(tmp_path, [
        '"2021";"Amsterdam";"GM0363    ";"  458123";"  -0.100"',
        '"2021";"Burgwallen-Oude Zijde ";"WK036300  ";"    3456";"   0.215"',
        '"2021";"Kop Zeedijk";"BU03630000";"     456";"       ."',
    ])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    df = read_ses_statline(path)
    assert df["regiocode"].tolist() == ["GM0363", "WK036300", "BU03630000"]
    assert df["naam"].tolist() == ["Amsterdam", "Burgwallen-Oude Zijde", "Kop Zeedijk"]
    assert df["huishoudens"].tolist() == [458123.0, 3456.0, 456.0]
    assert df["ses_woa"].iloc[0] == pytest.approx(-0.1)
    assert df["ses_woa"].iloc[1] == pytest.approx(0.215)
    assert math.isnan(df["ses_woa"].iloc[2])


@pytest.mark.parametrize("bad_line, regel, text", [
    ('"2021";"Amsterdam";"GM363     ";"  458123";"  -0.100"', 3, "'GM363'"),
    ('"2021";"Amsterdam";"GM0363    ";"  458123";"   -0,1a"', 3, "'-0,1a'"),
    ('"2021";"Amsterdam";"GM0363    ";"  458123"', 3, "velden"),
])
def test_ses_statline_errors_name_row(tmp_path, bad_line, regel, text):
    path = _statline(tmp_path, ['"2021";"Utrecht";"GM0344    ";"  160000";"   0.050"', bad_line])
    with pytest.raises(InputError) as exc:
        read_ses_statline(path)
    msg = str(exc.value)
    assert "ses_woa.csv" in msg and f"regel {regel}" in msg and text in msg


# --- settings -------------------------------------------------------------------------

def _toml(tmp_path, body: str):
    path = tmp_path / "instellingen.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_no_settings_file_gives_defaults():
    assert load_settings(None) == Settings()


def test_valid_file_overrides_only_its_keys(tmp_path):
    s = load_settings(_toml(tmp_path, 'region_name = "Utrecht"\ntarget_year = 2035\noad_radius_m = 800\n'))
    assert s.region_name == "Utrecht"
    assert s.target_year == 2035
    assert s.oad_radius_m == 800.0
    changed = {"region_name", "target_year", "oad_radius_m"}
    got, default = dataclasses.asdict(s), dataclasses.asdict(Settings())
    assert {k: v for k, v in got.items() if k not in changed} == \
           {k: v for k, v in default.items() if k not in changed}


def test_list_settings_become_tuples(tmp_path):
    s = load_settings(_toml(tmp_path, "observed_years = [2019, 2020, 2021]\n"
                                      "stedelijkheid_limits = [3000, 2000, 1000, 400]\n"))
    assert s.observed_years == (2019, 2020, 2021)
    assert s.stedelijkheid_limits == (3000, 2000, 1000, 400)


@pytest.mark.parametrize("key", ["doeljaar", "extra", "regio"])
def test_unknown_key_is_named(tmp_path, key):
    with pytest.raises(SettingsError) as exc:
        load_settings(_toml(tmp_path, f"{key} = 1\n"))
    assert f"'{key}'" in str(exc.value)


@pytest.mark.parametrize("key, value", [
    ("target_year", '"2040"'),
    ("target_year", "2040.5"),
    ("region_name", "3"),
    ("observed_years", "2020"),
    ("stedelijkheid_limits", '"2500"'),
    ("privacy_min_count", "true"),                     # a boolean is not a number
    ("oad_radius_m", "true"),
    ("growth_class_limits_pct", '["a", "b", "c", "d"]'),  # a list of text, not of numbers
    ("observed_years", '["2020", "2021"]'),
])
def test_wrong_type_is_a_settings_error_naming_the_key(tmp_path, key, value):
    with pytest.raises(SettingsError) as exc:
        load_settings(_toml(tmp_path, f"{key} = {value}\n"))
    assert f"'{key}'" in str(exc.value)


@pytest.mark.parametrize("body, key", [
    ("observed_years = [2023, 2020]\n", "observed_years"),
    ("target_year = 2023\n", "target_year"),
    ("growth_class_limits_pct = [0, 10, 5, 15]\n", "growth_class_limits_pct"),
    ("privacy_min_count = 0\n", "privacy_min_count"),
])
def test_invalid_values_are_named(tmp_path, body, key):
    with pytest.raises(SettingsError) as exc:
        load_settings(_toml(tmp_path, body))
    assert f"'{key}'" in str(exc.value)


def test_broken_toml_is_a_settings_error(tmp_path):
    with pytest.raises(SettingsError) as exc:
        load_settings(_toml(tmp_path, "target_year = \n"))
    assert "instellingen.toml" in str(exc.value)



# --- issue 9: numbers as written, row numbers that stay right, keys that must be unique -------------------

def test_thousands_separator_in_a_semicolon_file(tmp_path):
    lines = [CLIENT_HEADER, "2023;GM0344;80-84;VV5;intramuraal;1.234"]
    df = read_table(write(tmp_path, "wlz_clienten.csv", lines), CONTRACTS["clienten"])
    assert df["aantal_clienten"].tolist() == [1234]


def test_a_decimal_in_an_excel_count_is_refused_not_multiplied(tmp_path):
    # before issue 9 the point was taken for a thousands separator: 2.5 clients became 25
    xlsx = tmp_path / "wlz_clienten.xlsx"
    _xlsx(xlsx, CLIENT_HEADER.split(";"), [[2023, "GM0344", "80-84", "VV5", "intramuraal", 2.5]])
    with pytest.raises(InputError) as exc:
        read_table(xlsx, CONTRACTS["clienten"])
    assert (exc.value.row, exc.value.column) == (2, "aantal_clienten")
    assert "'2.5' is geen geheel getal" in str(exc.value)


def test_row_numbers_count_physical_lines_of_quoted_values(tmp_path):
    lines = [LOC_HEADER,
             'L1;"Huize\nDe Linde";;3511AB;12;Utrecht;V&V;4;20;10;0;30;2',  # a name over two lines
             "L2;Huize Ré;;;;Café-dorp;GZ;0;0;0;5;veel;0"]
    with pytest.raises(InputError) as exc:
        read_table(write(tmp_path, "zorglocaties.csv", lines), CONTRACTS["locaties"])
    assert (exc.value.row, exc.value.column) == (4, "clienten_intramuraal")


def test_row_numbers_after_blank_lines_reach_the_later_checks(tmp_path):
    from geo.io import _normalise_clients

    path = write(tmp_path, "wlz_clienten.csv", [CLIENT_HEADER, GOOD_ROWS[0], "", "",
                                                 "2023;GM0344;80-84;VV99;intramuraal;3"])
    with pytest.raises(InputError) as exc:
        _normalise_clients(path, read_table(path, CONTRACTS["clienten"]))
    assert (exc.value.row, exc.value.column) == (5, "zorgprofiel")


def test_data_rows_wider_than_the_header_are_refused_not_shifted(tmp_path):
    # every data row one field more than the header: pandas would silently make the first column the index
    lines = ["postcode;aantal_adressen;x;y", "3511AB;12;136000;455000;", "3512CD;3;136100;455100;"]
    with pytest.raises(InputError) as exc:
        read_table(write(tmp_path, "pc6.csv", lines), CONTRACTS["pc6"])
    assert exc.value.row == 2 and "5 velden, verwacht 4" in str(exc.value)


def test_a_limit_comes_from_the_settings(tmp_path):
    path = write(tmp_path, "wlz_clienten.csv", [CLIENT_HEADER, "2023;GM0344;80-84;VV5;intramuraal;500"])
    assert read_table(path, CONTRACTS["clienten"])["aantal_clienten"].tolist() == [500]
    with pytest.raises(InputError) as exc:
        read_table(path, CONTRACTS["clienten"], dataclasses.replace(Settings(), max_clients_per_row=499))
    assert "500 is groter dan 499, de grens 'max_clients_per_row'" in str(exc.value)


POP_HEADER = "peildatum;regiocode;leeftijd_van;leeftijd_tot;herkomst;mannen;vrouwen"


def test_population_breakdowns_are_summed_but_a_repeat_within_one_is_refused(tmp_path):
    from geo.io import read_population

    rows = ["2023-01-01;GM0344;80;85;nederlands;10;12", "2023-01-01;GM0344;80;85;migratieachtergrond;3;4"]
    df, _ = read_population(write(tmp_path, "bevolking.csv", [POP_HEADER] + rows))
    assert df[["mannen", "vrouwen"]].values.tolist() == [[13, 16]]
    with pytest.raises(InputError) as exc:
        read_population(write(tmp_path, "bevolking.csv", [POP_HEADER] + rows + [rows[0]]))
    assert exc.value.row == 4 and "op regel 2 en op regel 4" in str(exc.value)
    assert exc.value.column == "peildatum, regiocode, leeftijd_van, herkomst"


def test_settings_limits_must_be_positive_whole_numbers(tmp_path):
    with pytest.raises(SettingsError) as exc:
        load_settings(_toml(tmp_path, "max_inhabitants = 0\n"))
    assert "'max_inhabitants'" in str(exc.value)
    with pytest.raises(SettingsError):
        load_settings(_toml(tmp_path, "max_places_per_location = 10000000000\n"))  # above the cap of 10**9
    assert load_settings(_toml(tmp_path, "max_places_per_location = 50\n")).max_places_per_location == 50
