"""Completeness of the inputs across files: rows for areas outside the boundaries, areas without rows.

Pure: frames in, frames and Dutch notes out. A row whose area is not in the
boundaries is left out and counted in a note; an area of the region without
rows is named in a note; where the chain cannot work at all (not one
gemeente with inhabitants, not one client row of the region, no address
inside the gemeenten, no location that can be placed) the build is refused
with an :class:`~geo.errors.InputError` that says so, before the expensive
stages start. :func:`geo.io.read_inputs` calls :func:`review`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import shapely

from .errors import InputError
from .geocode import normalise_postcode
from .validate import dutch_number

#: how many codes a note lists before it says "..."
SHOWN = 10


@dataclass
class Reviewed:
    """The inputs that :func:`review` checked, with rows for areas outside the boundaries left out."""

    population: pd.DataFrame
    projection: pd.DataFrame
    clients: pd.DataFrame
    ses: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: notes about the confidential client file (they name client counts and gemeenten without
    #: clients): for the analyst's eyes only, never in a public report
    internal_notes: list[str] = field(default_factory=list)


def codes_text(codes) -> str:
    """Up to ten codes, sorted, and ``...`` when there are more.

    Examples
    --------
    >>> codes_text(["GM0002", "GM0001"])
    'GM0001, GM0002'
    """
    codes = sorted(set(codes))
    return ", ".join(codes[:SHOWN]) + (" ..." if len(codes) > SHOWN else "")


def region_wijken(wijken, gemeente_codes) -> list[str]:
    """The wijken whose code names a gemeente of the region (``WK0344xx`` belongs to ``GM0344``)."""
    gm = set(gemeente_codes)
    return [c for c in wijken["statcode"] if f"GM{c[2:6]}" in gm]


def split_known(df: pd.DataFrame, column: str, known) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows whose ``column`` is one of ``known``, and the others."""
    inside = df[column].isin(set(known)).to_numpy()
    return df[inside], df[~inside]


def outside_note(file: str, dropped: pd.DataFrame, column: str, count: tuple[str, str] | None = None,
                 what: str = "gebied(en) buiten de grenzen") -> str | None:
    """A note counting the rows left out because their area is not in the boundaries.

    ``count`` is a column to add up and its Dutch name, e.g. ``("aantal_clienten", "cliënten")``.

    Examples
    --------
    >>> rows = pd.DataFrame({"gemeentecode": ["GM0001", "GM0001"], "aantal_clienten": [5, 7]})
    >>> outside_note("c.csv", rows, "gemeentecode", ("aantal_clienten", "cliënten"))
    'c.csv: 2 regel(s), 12 cliënten, voor 1 gebied(en) buiten de grenzen (GM0001) niet gebruikt'
    """
    if dropped.empty:
        return None
    extra = f", {dutch_number(int(dropped[count[0]].sum()))} {count[1]}," if count else ""
    return (f"{file}: {len(dropped)} regel(s){extra} voor {dropped[column].nunique()} {what} "
            f"({codes_text(dropped[column])}) niet gebruikt")


def review(*, gemeenten, wijken, population: pd.DataFrame, projection: pd.DataFrame, clients: pd.DataFrame,
           ses: pd.DataFrame, addresses: pd.DataFrame, locations: pd.DataFrame, pc6: pd.DataFrame,
           years, files: dict[str, str]) -> Reviewed:
    """Check that the files describe the same region, and say where they do not.

    Parameters
    ----------
    gemeenten, wijken
        The boundaries (``statcode``, geometry in RD New).
    population, projection
        With ``jaar``, ``regiocode``, ``inwoners`` (and ``leeftijd_van`` where by band).
    clients
        With ``jaar``, ``gemeentecode``, ``aantal_clienten``.
    ses
        With ``regiocode``.
    addresses
        With ``x``, ``y`` in RD New.
    locations, pc6
        With ``postcode``; pc6 also with ``aantal_adressen``.
    years
        The observed years (the last is the base year).
    files
        The file name of each input (keys as in :data:`geo.io.FILES`), for the messages.

    Returns
    -------
    Reviewed
    """
    gm = list(gemeenten["statcode"])
    wk = region_wijken(wijken, gm)
    if not wk:
        raise InputError(files["wijken"], f"geen enkele wijk hoort bij een gemeente van {files['gemeenten']} "
                         f"(wijkcodes {codes_text(wijken['statcode'])}; gemeenten {codes_text(gm)}); de code WK0344xx "
                         "hoort bij GM0344", column="statcode")
    notes: list[str] = []
    internal: list[str] = []
    population = _population(population, gm, wk, projection, years, files, notes)
    projection = _projection(projection, gm, files, notes)
    clients = _clients(clients, gm, population, years, files, internal)
    ses = _ses(ses, gm, wk, files, notes)
    _addresses(addresses, gemeenten, files)
    _locations(locations, pc6, files)
    return Reviewed(population=population, projection=projection, clients=clients, ses=ses, notes=notes,
                    internal_notes=internal)


def _population(pop, gm, wk, projection, years, files, notes) -> pd.DataFrame:
    file = files["bevolking"]
    kept, dropped = split_known(pop, "regiocode", set(gm) | set(wk))
    note = outside_note(file, dropped, "regiocode")
    if note:
        notes.append(note)
    base = years[-1]
    with_people = set(kept.loc[(kept["jaar"] == base) & (kept["inwoners"] > 0), "regiocode"])
    if not with_people & set(gm):
        raise InputError(file, f"geen enkele gemeente van {files['gemeenten']} heeft inwoners in {base} "
                         f"(gemeenten {codes_text(gm)}; in het bestand: {codes_text(pop['regiocode'])})",
                         column="regiocode")
    projected = set(projection.loc[projection["regiocode"].isin(gm), "regiocode"])
    without_base = sorted(projected - with_people)
    if without_base:
        raise InputError(file, f"gemeente {without_base[0]} heeft geen inwoners in {base} (het basisjaar), maar wel "
                         f"een bevolkingsprognose; de prognose bouwt voort op de bevolking van {base}"
                         + (f" (zo ook {codes_text(without_base[1:])})" if len(without_base) > 1 else ""),
                         column="regiocode")
    present = set(zip(kept["regiocode"], kept["jaar"]))
    missing = {c: [y for y in years if (c, y) not in present] for c in gm}
    missing = {c: ys for c, ys in missing.items() if ys}
    if missing:
        shown = "; ".join(f"{c} ({', '.join(map(str, ys))})" for c, ys in sorted(missing.items())[:SHOWN])
        notes.append(f"{file}: {len(missing)} gemeente(n) zonder bevolkingsregels in een of meer waarnemingsjaren: "
                     f"{shown}{' ...' if len(missing) > SHOWN else ''}")
    no_wijk = [c for c in wk if c not in with_people]
    if no_wijk:
        notes.append(f"{file}: {len(no_wijk)} wijk(en) zonder inwoners in {base} ({codes_text(no_wijk)}); "
                     "hun bevolkingscijfers blijven leeg")
    return kept


def _projection(proj, gm, files, notes) -> pd.DataFrame:
    file = files["prognose"]
    kept, dropped = split_known(proj, "regiocode", gm)
    note = outside_note(file, dropped, "regiocode", what="gebied(en) die geen gemeente van de regio zijn")
    if note:
        notes.append(note)
    if kept.empty:
        raise InputError(file, f"geen enkele regel voor een gemeente van {files['gemeenten']} "
                         f"(gemeenten {codes_text(gm)}; in het bestand: {codes_text(proj['regiocode'])})",
                         column="regiocode")
    return kept


def _clients(clients, gm, population, years, files, notes) -> pd.DataFrame:
    file = files["clienten"]
    lines = getattr(clients.attrs.get("regels"), "values", None)  # by index label: the table as read has a RangeIndex
    kept, dropped = split_known(clients, "gemeentecode", gm)
    note = outside_note(file, dropped, "gemeentecode", count=("aantal_clienten", "cliënten"),
                        what=f"gemeente(n) buiten {files['gemeenten']}")
    if note:
        notes.append(note)
    observed = kept[kept["jaar"].isin(years)]
    if observed.empty:
        raise InputError(file, f"geen enkele cliëntregel voor de gemeenten van {files['gemeenten']} in "
                         f"{years[0]}-{years[-1]} (gemeenten {codes_text(gm)}; in het bestand: "
                         f"{codes_text(clients['gemeentecode'])})", column="gemeentecode")
    without = sorted(set(gm) - set(observed["gemeentecode"]))
    if without:
        notes.append(f"{file}: {len(without)} gemeente(n) zonder cliëntregels in {years[0]}-{years[-1]} "
                     f"({codes_text(without)}); hun zorggebruik telt als 0")
    _clients_within_population(observed, population, files, lines)
    return kept


def _clients_within_population(clients, population, files, lines) -> None:
    """A gemeente cannot have more Wlz clients in a year than inhabitants.

    ``lines`` holds the spreadsheet row of each index label of the table as read.
    """
    people = population.groupby(["jaar", "regiocode"])["inwoners"].sum()
    per = clients.groupby(["jaar", "gemeentecode"])["aantal_clienten"].sum()
    known = per.index.isin(people.index)
    over = per[known] > people.reindex(per.index[known]).to_numpy()
    if not over.any():
        return
    year, code = over[over].index[0]
    rows = clients[(clients["jaar"] == year) & (clients["gemeentecode"] == code)]
    biggest = rows["aantal_clienten"].idxmax()
    row = int(lines[biggest]) if lines is not None and 0 <= biggest < len(lines) else None
    raise InputError(files["clienten"], f"gemeente {code} heeft in {year} samen {dutch_number(int(per[(year, code)]))} "
                     f"cliënten, meer dan haar {dutch_number(int(people[(year, code)]))} inwoners "
                     f"({files['bevolking']}); deze regel telt er {dutch_number(int(rows.loc[biggest, 'aantal_clienten']))}",
                     row=row, column="aantal_clienten")


def _ses(ses, gm, wk, files, notes) -> pd.DataFrame:
    file = files["ses"]
    buurten = ses["regiocode"].str.startswith("BU").to_numpy()
    kept, dropped = split_known(ses[~buurten], "regiocode", set(gm) | set(wk))
    note = outside_note(file, dropped, "regiocode")
    if note:
        notes.append(note)
    if buurten.any():
        notes.append(f"{file}: {int(buurten.sum())} buurtregel(s) niet gebruikt (de kaart toont gemeenten en wijken)")
    if kept.empty:
        raise InputError(file, f"geen enkele regel voor een gemeente of wijk van de regio (gemeenten {codes_text(gm)}; "
                         f"in het bestand: {codes_text(ses['regiocode'])})", column="regiocode")
    have = set(kept["regiocode"])
    lacking_wk = [c for c in wk if c not in have]
    if lacking_wk:
        notes.append(f"{file}: {len(lacking_wk)} wijk(en) zonder SES-WOA-regel ({codes_text(lacking_wk)}); "
                     "hun score blijft leeg")
    lacking_gm = [c for c in gm if c not in have and not any(w[2:6] == c[2:] and w in have for w in wk)]
    if lacking_gm:
        notes.append(f"{file}: {len(lacking_gm)} gemeente(n) zonder SES-WOA-regel, ook niet voor hun wijken "
                     f"({codes_text(lacking_gm)}); hun score blijft leeg")
    return kept.reset_index(drop=True)


def _addresses(addresses, gemeenten, files) -> None:
    x, y = addresses["x"].to_numpy(float), addresses["y"].to_numpy(float)
    area = shapely.union_all(gemeenten.geometry.values)
    shapely.prepare(area)
    if not shapely.contains_xy(area, x, y).any() and not shapely.intersects_xy(area, x, y).any():
        x0, y0, x1, y1 = gemeenten.total_bounds
        raise InputError(files["adressen"], f"geen enkel adres ligt binnen de gemeentegrenzen van {files['gemeenten']} "
                         f"(adressen: x {dutch_number(round(x.min()))} .. {dutch_number(round(x.max()))}, y "
                         f"{dutch_number(round(y.min()))} .. {dutch_number(round(y.max()))}; gemeenten: x "
                         f"{dutch_number(round(x0))} .. {dutch_number(round(x1))}, y {dutch_number(round(y0))} .. "
                         f"{dutch_number(round(y1))}); horen de bestanden bij dezelfde regio?", column="x, y")


def _locations(locations, pc6, files) -> None:
    pc6_codes = set(pc6["postcode"])
    pc4_codes = set(pc6.loc[pc6["aantal_adressen"] > 0, "postcode"].str[:4])
    codes = [normalise_postcode(p) for p in locations["postcode"]]
    placeable = [c is not None and (c in pc6_codes or c[:4] in pc4_codes) for c in codes]
    if not any(placeable):
        given = sum(c is not None for c in codes)
        raise InputError(files["locaties"], f"geen enkele locatie kan worden geplaatst: geen van de {given} geldige "
                         f"postcodes (van {len(codes)} locaties) komt voor in {files['pc6']}, ook niet als PC4; "
                         "horen de bestanden bij dezelfde regio?", column="postcode")
