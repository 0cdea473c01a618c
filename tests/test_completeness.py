"""geo.completeness: rows for areas outside the boundaries and areas without rows are counted, never silent.

Tiny synthetic region: three gemeenten side by side near Utrecht, wijken for
two of them. Every expected count below is read off the tables built here.
The last tests run ``wz build`` on the demo with such gaps and look for the
same counts in the printed notes and in ``manifest.json``.
"""

from __future__ import annotations

import json
import shutil

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.completeness import review
from geo.errors import InputError

FILES = {"gemeenten": "gem.geojson", "wijken": "wijk.geojson", "bevolking": "bev.csv", "prognose": "prog.csv",
         "clienten": "cl.csv", "ses": "ses.csv", "adressen": "adr.csv", "locaties": "loc.csv", "pc6": "pc6.csv"}
YEARS = (2022, 2023)


def region():
    gem = gpd.GeoDataFrame({"statcode": ["GM0001", "GM0002", "GM0003"]},
                           geometry=[box(150_000 + 1000 * k, 450_000, 151_000 + 1000 * k, 451_000) for k in range(3)],
                           crs=28992)
    wijk = gpd.GeoDataFrame({"statcode": ["WK000101", "WK000102", "WK000201", "WK999901"]},
                            geometry=[box(150_000, 450_000, 150_500, 451_000), box(150_500, 450_000, 151_000, 451_000),
                                      box(151_000, 450_000, 152_000, 451_000), box(0, 300_000, 10, 300_010)],
                            crs=28992)
    pop = pd.DataFrame([
        (2022, "GM0001", 100), (2023, "GM0001", 110), (2022, "GM0002", 200), (2023, "GM0002", 210),
        (2023, "GM0003", 50),                                   # no row in 2022
        (2022, "WK000101", 60), (2023, "WK000101", 65), (2022, "WK000102", 40),  # WK000102: none in 2023
        (2022, "WK000201", 200), (2023, "WK000201", 210),
        (2022, "GM0099", 5), (2023, "GM0099", 6),               # outside the boundaries
    ], columns=["jaar", "regiocode", "inwoners"])
    proj = pd.DataFrame([(2030, "GM0001", 120), (2030, "GM0002", 220), (2030, "GM0003", 55), (2030, "GM0099", 7)],
                        columns=["jaar", "regiocode", "inwoners"])
    clients = pd.DataFrame([
        (2022, "GM0001", 3), (2023, "GM0001", 4), (2023, "GM0002", 9),
        (2022, "GM0004", 5), (2023, "GM0004", 7),               # GM0004 is not in the boundaries
    ], columns=["jaar", "gemeentecode", "aantal_clienten"])
    ses = pd.DataFrame({"regiocode": ["GM0001", "WK000101", "WK000201", "BU00010101", "GM0077"]})
    addresses = pd.DataFrame({"x": [150_100.0, 151_500.0, 200_000.0], "y": [450_500.0, 450_500.0, 450_500.0]})
    pc6 = pd.DataFrame({"postcode": ["1234AB"], "aantal_adressen": [3]})
    locations = pd.DataFrame({"postcode": ["1234 ab", "9999ZZ"]})
    return dict(gemeenten=gem, wijken=wijk, population=pop, projection=proj, clients=clients, ses=ses,
                addresses=addresses, locations=locations, pc6=pc6)


def run(**changes):
    parts = region() | changes
    return review(**parts, years=YEARS, files=FILES)


def test_rows_outside_and_areas_without_rows_are_counted():
    r = run()
    assert r.notes == [
        "bev.csv: 2 regel(s) voor 1 gebied(en) buiten de grenzen (GM0099) niet gebruikt",
        "bev.csv: 1 gemeente(n) zonder bevolkingsregels in een of meer waarnemingsjaren: GM0003 (2022)",
        "bev.csv: 1 wijk(en) zonder inwoners in 2023 (WK000102); hun bevolkingscijfers blijven leeg",
        "prog.csv: 1 regel(s) voor 1 gebied(en) die geen gemeente van de regio zijn (GM0099) niet gebruikt",
        "ses.csv: 1 regel(s) voor 1 gebied(en) buiten de grenzen (GM0077) niet gebruikt",
        "ses.csv: 1 buurtregel(s) niet gebruikt (de kaart toont gemeenten en wijken)",
        "ses.csv: 1 wijk(en) zonder SES-WOA-regel (WK000102); hun score blijft leeg",
        "ses.csv: 1 gemeente(n) zonder SES-WOA-regel, ook niet voor hun wijken (GM0003); hun score blijft leeg",
    ]
    # what the confidential client file lacks names client counts: kept apart, for the analyst only
    assert r.internal_notes == [
        "cl.csv: 2 regel(s), 12 cliënten, voor 1 gemeente(n) buiten gem.geojson (GM0004) niet gebruikt",
        "cl.csv: 1 gemeente(n) zonder cliëntregels in 2022-2023 (GM0003); hun zorggebruik telt als 0",
    ]


def test_rows_outside_are_left_out_of_what_the_chain_gets():
    r = run()
    assert "GM0099" not in set(r.population["regiocode"]) and len(r.population) == 10
    assert "GM0099" not in set(r.projection["regiocode"]) and len(r.projection) == 3
    assert set(r.clients["gemeentecode"]) == {"GM0001", "GM0002"} and r.clients["aantal_clienten"].sum() == 16
    assert list(r.ses["regiocode"]) == ["GM0001", "WK000101", "WK000201"]


def test_a_complete_region_gives_no_notes():
    parts = region()
    pop = pd.DataFrame([(y, c, 10) for y in YEARS for c in ("GM0001", "GM0002", "GM0003", "WK000101",
                                                             "WK000102", "WK000201")],
                       columns=["jaar", "regiocode", "inwoners"])
    clients = pd.DataFrame([(2023, c, 1) for c in ("GM0001", "GM0002", "GM0003")],
                           columns=["jaar", "gemeentecode", "aantal_clienten"])
    ses = pd.DataFrame({"regiocode": ["GM0001", "GM0002", "GM0003", "WK000101", "WK000102", "WK000201"]})
    proj = parts["projection"].iloc[:3]
    r = run(population=pop, clients=clients, ses=ses, projection=proj)
    assert r.notes == [] and r.internal_notes == []


@pytest.mark.parametrize("change, file, fragment", [
    (lambda p: {"clients": p["clients"][p["clients"]["gemeentecode"] == "GM0004"]}, "cl.csv",
     "geen enkele cliëntregel voor de gemeenten van gem.geojson in 2022-2023"),
    (lambda p: {"population": p["population"][p["population"]["regiocode"] == "GM0099"]}, "bev.csv",
     "geen enkele gemeente van gem.geojson heeft inwoners in 2023"),
    (lambda p: {"projection": p["projection"][p["projection"]["regiocode"] == "GM0099"]}, "prog.csv",
     "geen enkele regel voor een gemeente van gem.geojson"),
    (lambda p: {"ses": p["ses"][p["ses"]["regiocode"].str.startswith("BU")]}, "ses.csv",
     "geen enkele regel voor een gemeente of wijk van de regio"),
    (lambda p: {"wijken": p["wijken"].iloc[3:]}, "wijk.geojson", "geen enkele wijk hoort bij een gemeente"),
    (lambda p: {"addresses": p["addresses"].iloc[2:]}, "adr.csv", "geen enkel adres ligt binnen de gemeentegrenzen"),
    (lambda p: {"locations": p["locations"].iloc[1:]}, "loc.csv", "geen enkele locatie kan worden geplaatst"),
    # GM0003 has a projection but no inhabitants in the base year 2023
    (lambda p: {"population": p["population"][p["population"]["regiocode"] != "GM0003"]}, "bev.csv",
     "gemeente GM0003 heeft geen inwoners in 2023 (het basisjaar), maar wel een bevolkingsprognose"),
])
def test_refused_where_the_chain_cannot_work(change, file, fragment):
    with pytest.raises(InputError) as exc:
        run(**change(region()))
    assert exc.value.file == file
    assert fragment in str(exc.value)


def test_more_clients_than_inhabitants_is_refused_naming_the_biggest_row():
    clients = pd.DataFrame([(2023, "GM0001", 60), (2023, "GM0001", 70), (2022, "GM0002", 1)],
                           columns=["jaar", "gemeentecode", "aantal_clienten"])
    from geo.validate import RowNumbers

    clients.attrs["regels"] = RowNumbers([2, 3, 4])
    with pytest.raises(InputError) as exc:
        run(clients=clients)
    # 60 + 70 = 130 clients against 110 inhabitants of GM0001 in 2023; the row with 70 is row 3
    assert exc.value.row == 3 and exc.value.column == "aantal_clienten"
    assert "GM0001 heeft in 2023 samen 130 cliënten, meer dan haar 110 inwoners" in str(exc.value)


# --- the whole build: the notes reach the user and the build report ---------------------------------------------

@pytest.fixture(scope="module")
def gaps_build(demo_inputs, tmp_path_factory):
    """The demo with gaps; built once with ``wz build`` in-process."""
    from server.cli import main

    folder = tmp_path_factory.mktemp("gaten") / "invoer"
    shutil.copytree(demo_inputs, folder)

    def edit(name, fn):
        p = folder / name
        rows = [r for r in p.read_text(encoding="utf-8").split("\n") if r]
        p.write_text("\n".join(fn(rows)) + "\n", encoding="utf-8")

    # three client rows (5 + 6 + 7 = 18 clients) for GM0001, which is not one of the region's gemeenten
    edit("wlz_clienten.csv", lambda r: r + ["2023;GM0001;V&V;80-84;VV5;intramuraal;V&V;5",
                                            "2023;GM0001;V&V;85-89;VV5;intramuraal;V&V;6",
                                            "2023;GM0001;V&V;90-94;VV5;intramuraal;V&V;7"])
    edit("wlz_clienten.csv", lambda r: [x for x in r if ";GM9905;" not in x])       # GM9905 without clients
    edit("bevolking.csv", lambda r: [x for x in r if not x.startswith("2023-01-01;WK990101;")]
         + ["2023-01-01;GM0001;80;85;10;12", "2023-01-01;GM0001;85;90;3;4"])
    edit("bevolkingsprognose.csv", lambda r: [x for x in r if ";GM9907;" not in x])  # GM9907 without projection
    ses = folder / "ses_woa.csv"
    ses.write_bytes(ses.read_bytes() + '"2019";"Buurt 0101";"BU99010101";"     100";"  -0.100"\r\n'.encode())
    import contextlib
    import io

    out_text, err_text = io.StringIO(), io.StringIO()
    out = folder.parent / "build"
    with contextlib.redirect_stdout(out_text), contextlib.redirect_stderr(err_text):
        code = main(["build", "--inputs", str(folder), "--out", str(out)])
    return code, out_text.getvalue(), err_text.getvalue(), out


EXPECTED_NOTES = [
    "wlz_clienten.csv: 3 regel(s), 18 cliënten, voor 1 gemeente(n) buiten gemeenten.geojson (GM0001) niet gebruikt",
    "wlz_clienten.csv: 1 gemeente(n) zonder cliëntregels in 2020-2023 (GM9905)",
    "bevolking.csv: 2 regel(s) voor 1 gebied(en) buiten de grenzen (GM0001) niet gebruikt",
    "bevolking.csv: 1 wijk(en) zonder inwoners in 2023 (WK990101)",
    "ses_woa.csv: 1 buurtregel(s) niet gebruikt",
    "geen bevolkingsprognose voor 1 gemeente(n) (GM9907)",
]


@pytest.mark.slow
@pytest.mark.parametrize("note", EXPECTED_NOTES)
def test_each_gap_is_printed_and_in_the_manifest(gaps_build, note):
    code, stdout, stderr, out = gaps_build
    assert code == 0, stderr
    printed = [line for line in stdout.splitlines() if line.startswith("Let op: ")]
    assert any(note in line for line in printed), printed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    internal = json.loads((out / "rapport_intern.json").read_text(encoding="utf-8"))["notes"]
    if note.startswith("wlz_clienten.csv"):  # names client counts: the internal report, never the manifest
        assert any(note in n for n in internal), internal
        assert not any(note in n for n in manifest["notes"]), manifest["notes"]
        assert manifest["vertrouwelijke_opmerkingen"]["aantal"] == len(internal)
    else:
        assert any(note in n for n in manifest["notes"]), manifest["notes"]


@pytest.mark.slow
def test_rows_left_out_are_not_published(gaps_build):
    _, _, _, out = gaps_build
    for table in ("zorggebruik.csv", "prognose_tekort.csv", "prognose_tekort_intern.csv"):
        assert "GM0001" not in (out / table).read_text(encoding="utf-8-sig")
