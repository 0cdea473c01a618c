"""The forecast on the inputs analysts may bring: a projection with totals only, an own life table."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from geo.errors import InputError
from geo.forecast import METHOD_COHORT
from geo.io import read_inputs
from geo.pipeline import compute

pytestmark = pytest.mark.slow


@pytest.fixture()
def totals_inputs(demo_inputs, tmp_path):
    """The demo inputs with a projection that gives only a total per gemeente and year."""
    folder = tmp_path / "invoer"
    shutil.copytree(demo_inputs, folder)
    prog = pd.read_csv(folder / "bevolkingsprognose.csv", sep=";")
    totals = (prog.assign(inwoners=prog.mannen + prog.vrouwen)
              .groupby(["peildatum", "regiocode"], as_index=False)["inwoners"].sum())
    totals.to_csv(folder / "bevolkingsprognose.csv", sep=";", index=False)
    return folder, totals


def test_totals_only_projection_uses_cohort_ageing_and_keeps_the_totals(totals_inputs):
    folder, totals = totals_inputs
    res = compute(read_inputs(folder))
    fc = res.sectors["vv"].forecast
    assert fc.population_method == METHOD_COHORT
    assert set(fc.table["bevolkingsmethode"]) == {METHOD_COHORT}
    assert any("cohort" in n for n in res.notes)
    pop = fc.population
    for row in totals[totals.peildatum == "2040-01-01"].itertuples():
        got = pop[(pop["gemeentecode"] == row.regiocode) & (pop["jaar"] == 2040)]["inwoners"].sum()
        assert got == pytest.approx(row.inwoners, rel=1e-9)


def test_own_life_table_is_used_and_recorded(totals_inputs):
    folder, _ = totals_inputs
    table = pd.DataFrame({"leeftijd_van": range(0, 100, 5),
                          "overlevingskans": [0.999] * 14 + [0.98, 0.96, 0.92, 0.85, 0.75, 0.6]})
    table.to_csv(folder / "overlevingskansen.csv", sep=";", index=False, decimal=",")
    settings = (folder / "instellingen.toml").read_text()
    (folder / "instellingen.toml").write_text(settings.replace('life_table_file = ""', 'life_table_file = "overlevingskansen.csv"'))
    base = compute(read_inputs(folder)).sectors["vv"].forecast
    assert "overlevingskansen.csv" in str(base.assumptions)
    # harsher survival at old ages gives fewer old people, hence fewer clients, than the built-in table
    (folder / "instellingen.toml").write_text(settings)
    default = compute(read_inputs(folder)).sectors["vv"].forecast
    pick = lambda t: t[(t.gemeentecode == "regio") & (t.jaar == 2040) & (t.vraagscenario == "midden")  # noqa: E731
                       & (t.leveringsvormscenario == 1)]["clienten_totaal"].sum()
    assert pick(base.table) < pick(default.table)


def test_bad_life_table_names_file_row_and_column(totals_inputs):
    folder, _ = totals_inputs
    pd.DataFrame({"leeftijd_van": range(0, 100, 5), "overlevingskans": [0.99] * 19 + [1.5]}).to_csv(
        folder / "overlevingskansen.csv", sep=";", index=False)
    settings = (folder / "instellingen.toml").read_text()
    (folder / "instellingen.toml").write_text(settings.replace('life_table_file = ""',
                                                               'life_table_file = "overlevingskansen.csv"'))
    with pytest.raises(InputError) as err:
        read_inputs(folder)
    msg = str(err.value)
    assert "overlevingskansen.csv" in msg and "regel 21" in msg and "overlevingskans" in msg
