"""The Wlz sectors (V&V, GZ, GGZ), their zorgprofielen and the groups of the gap: declared once.

The declaration is data: ``geo/sectoren.toml`` (or the file the setting
``sector_file`` names), adjusted by the setting ``sectors`` (a sector's groups
and location rule). Everything that knows about profiles or groups reads them
from here: the importer, the indicators, the forecast, the disclosure control,
the layers and legends, the catalog, the API and the viewer.

Examples
--------
>>> vv = default_sectors().get("vv")
>>> vv.group_of["VV7"], vv.group_labels["zzp5_7"]
('zzp5_7', 'ZZP 5-7')
>>> vv.normalise_profile("ZZP 4 VV"), default_sectors().get("gz").normalise_profile("3VG")
('VV4', 'VG3')
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import SettingsError

#: the project's declaration
DECLARATION_FILE = Path(__file__).resolve().parent / "sectoren.toml"
#: the sector of a client file without a ``sector`` column (the product began with V&V)
DEFAULT_SECTOR = "vv"
_ID = re.compile(r"[a-z][a-z0-9_]*")
_TOKENS = re.compile(r"[A-Z]+|\d+")


@dataclass(frozen=True)
class Group:
    """A group of zorgprofielen in which the gap is shown (e.g. ZZP 5-7)."""

    id: str
    label: str
    profiles: tuple[str, ...]
    colour: str


@dataclass(frozen=True)
class LocationRule:
    """When a care location counts (the regioanalyse leaves out locations with very few clients).

    Either ``min_intramural`` / ``min_home`` (at least that many intramural, or
    at least that many VPT/MPT clients at the location), or
    ``min_clients_per_postcode`` (the clients of all the sector's locations that
    share the location's PC6 together).
    """

    min_intramural: int | None = None
    min_home: int | None = None
    min_clients_per_postcode: int | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in (("min_intramural", self.min_intramural), ("min_home", self.min_home),
                                  ("min_clients_per_postcode", self.min_clients_per_postcode)) if v is not None}


@dataclass(frozen=True)
class Sector:
    """One sector of the declaration (see ``geo/sectoren.toml`` for the meaning of each key)."""

    id: str
    code: str
    label: str
    aliases: tuple[str, ...]
    profiles: tuple[str, ...]
    groups: tuple[Group, ...]
    client_groups: tuple[str, ...]
    age_bands: tuple[int, ...]
    rate_min_age: int
    rate_per: int
    location_rule: LocationRule
    colour: str = "#7a7a7a"
    legend_limits: dict = field(default_factory=dict)
    legacy_codes: dict = field(default_factory=dict)
    foundation: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)

    # --- derived views (computed once, never declared twice) ---------------------------
    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)

    @property
    def group_profiles(self) -> dict[str, tuple[str, ...]]:
        """Group id -> its profiles, in the declared order."""
        return {g.id: g.profiles for g in self.groups}

    @property
    def group_labels(self) -> dict[str, str]:
        return {g.id: g.label for g in self.groups}

    @property
    def group_colours(self) -> dict[str, str]:
        return {g.id: g.colour for g in self.groups}

    @property
    def group_of(self) -> dict[str, str]:
        """Profile -> the id of its group."""
        return {p: g.id for g in self.groups for p in g.profiles}

    @property
    def place_columns(self) -> dict[str, str]:
        """Group id -> the column of the locations input with the places of that group."""
        return {g: f"plaatsen_{g}" for g in self.group_ids}

    @property
    def short(self) -> str:
        return self.texts.get("short", self.code)

    def limits(self, figure: str, default=(0.0, 25.0, 50.0, 100.0)) -> tuple[float, ...]:
        """The four legend class limits of one of the sector's figures (``legend_limits``)."""
        return tuple(self.legend_limits.get(figure, default))

    def foundation_of(self, profile: str) -> str:
        """The grondslag of a profile (its longest declared prefix), or the sector's label."""
        for prefix in sorted(self.foundation, key=len, reverse=True):
            if profile.upper().startswith(prefix.upper()):
                return self.foundation[prefix]
        return self.label

    def band_label(self, lower: int) -> str:
        """Dutch label of one of the sector's age bands, e.g. ``'19-23'`` or ``'65+'``."""
        k = self.age_bands.index(lower)
        return f"{lower}+" if k == len(self.age_bands) - 1 else f"{lower}-{self.age_bands[k + 1] - 1}"

    def text(self, key: str, **values) -> str:
        """A Dutch text of the declaration, with ``{placeholders}`` filled (the location rule's too)."""
        return self.texts.get(key, "").format(**self.location_rule.as_dict(), **values)

    def normalise_profile(self, text: str) -> str | None:
        """The declared profile a code stands for, or None.

        Case, spaces, hyphens, a leading or trailing ``ZZP`` and the order of
        letters and number do not matter (``ZZP 4 VV`` = ``VV4``, ``3VG`` =
        ``VG3``, ``GGZ 3B`` = ``GGZ-B3``); :attr:`legacy_codes` are looked up first.
        """
        t = str(text).strip().upper()
        legacy = {k.replace(" ", "").upper(): v for k, v in self.legacy_codes.items()}
        if t.replace(" ", "") in legacy:
            return legacy[t.replace(" ", "")]
        return _profile_keys(self.profiles).get(_key(t))


def _key(text: str) -> tuple[str, tuple[int, ...]] | None:
    tokens = _TOKENS.findall(str(text).upper())
    letters = [x for x in tokens if x.isalpha() and x != "ZZP"]
    digits = tuple(int(x) for x in tokens if x.isdigit())
    if not letters:
        return None
    return "".join(sorted("".join(letters))), digits


@lru_cache(maxsize=64)
def _profile_keys(profiles: tuple[str, ...]) -> dict:
    return {_key(p): p for p in profiles}


@dataclass(frozen=True)
class Sectors:
    """The declared sectors, in the order they are shown."""

    sectors: tuple[Sector, ...]
    source: str = ""

    def __iter__(self):
        return iter(self.sectors)

    def __len__(self):
        return len(self.sectors)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sectors)

    def get(self, sector_id: str) -> Sector:
        for s in self.sectors:
            if s.id == sector_id:
                return s
        raise KeyError(sector_id)

    def by_code(self, text: str) -> Sector | None:
        """The sector a ``sector`` cell names (its code, id or an alias; case and spaces ignored)."""
        t = re.sub(r"\s+", " ", str(text).strip()).lower()
        for s in self.sectors:
            if t in {s.code.lower(), s.id, *(a.lower() for a in s.aliases)}:
                return s
        return None

    def sector_of_profile(self, profile: str) -> Sector | None:
        """The sector whose profiles hold a code (normalised), for a helpful message."""
        for s in self.sectors:
            if s.normalise_profile(profile):
                return s
        return None

    def group(self, group_id: str) -> tuple[Sector, Group]:
        for s in self.sectors:
            for g in s.groups:
                if g.id == group_id:
                    return s, g
        raise KeyError(group_id)

    def as_catalog(self) -> list[dict]:
        """The declaration as the catalog and the API publish it (plain types)."""
        return [{"id": s.id, "code": s.code, "label": s.label, "short": s.short, "color": s.colour, "profiles": list(s.profiles),
                 "groups": [{"id": g.id, "label": g.label, "color": g.colour, "profiles": list(g.profiles)}
                            for g in s.groups],
                 "client_groups": list(s.client_groups), "age_bands": [s.band_label(b) for b in s.age_bands],
                 "rate": {"min_age": s.rate_min_age, "per": s.rate_per, "label": s.texts.get("rate", "")},
                 "location_rule": s.location_rule.as_dict(),
                 "texts": {k: s.text(k) for k in s.texts}} for s in self.sectors]


# --- reading and checking ---------------------------------------------------------------------

def _fail(source: str, msg: str):
    raise SettingsError(f"sectordeclaratie {source}: {msg}")


def _sector(source: str, raw: dict, override: dict | None) -> Sector:
    sid = raw.get("id")
    if not isinstance(sid, str) or not _ID.fullmatch(sid):
        _fail(source, f"sector-id {sid!r} ongeldig (kleine letters, cijfers en _)")
    where = f"sector '{sid}'"
    for key in ("code", "label", "profiles", "groups", "age_bands", "rate", "client_groups", "location_rule"):
        if key not in raw:
            _fail(source, f"{where}: '{key}' ontbreekt")
    override = dict(override or {})
    profiles = tuple(str(p) for p in raw["profiles"])
    if len(set(profiles)) != len(profiles):
        _fail(source, f"{where}: een zorgprofiel staat dubbel in 'profiles'")
    keys = [_key(p) for p in profiles]
    if None in keys or len(set(keys)) != len(keys):
        _fail(source, f"{where}: twee zorgprofielen zijn niet van elkaar te onderscheiden (letters en nummer gelijk)")
    colours = {g.get("id"): g.get("colour", "#7a7a7a") for g in raw["groups"]}
    group_rows = raw["groups"]
    if "groups" in override:  # the settings regroup the profiles: {group id: [profiles]} or a list of tables
        og = override.pop("groups")
        if isinstance(og, dict):
            labels = override.pop("group_labels", {})
            group_rows = [{"id": k, "label": labels.get(k, k), "profiles": v, "colour": colours.get(k)}
                          for k, v in og.items()]
        else:
            group_rows = og
    groups = []
    for g in group_rows:
        gid = g.get("id")
        if not isinstance(gid, str) or not _ID.fullmatch(gid):
            _fail(source, f"{where}: groep-id {gid!r} ongeldig")
        unknown = [p for p in g.get("profiles", []) if p not in profiles]
        if unknown:
            _fail(source, f"{where}, groep '{gid}': onbekend zorgprofiel {unknown[0]}")
        groups.append(Group(gid, str(g.get("label", gid)), tuple(g.get("profiles", [])),
                            str(g.get("colour") or colours.get(gid) or "#7a7a7a")))
    grouped = [p for g in groups for p in g.profiles]
    if len(set(grouped)) != len(grouped):
        dup = next(p for p in grouped if grouped.count(p) > 1)
        _fail(source, f"{where}: zorgprofiel {dup} staat in twee groepen")
    missing = [p for p in profiles if p not in grouped]
    if missing:
        _fail(source, f"{where}: zorgprofiel {missing[0]} staat in geen groep")
    client_groups = tuple(override.pop("client_groups", raw["client_groups"]))
    ids = [g.id for g in groups]
    if len(set(ids)) != len(ids) or not ids:
        _fail(source, f"{where}: groepen ontbreken of een groep-id staat dubbel")
    bad = [g for g in client_groups if g not in ids]
    if bad or not client_groups:
        _fail(source, f"{where}: 'client_groups' noemt een onbekende groep ({', '.join(bad) or 'leeg'})")
    bands = tuple(int(b) for b in raw["age_bands"])
    if not bands or bands[0] != 0 or list(bands) != sorted(set(bands)):
        _fail(source, f"{where}: 'age_bands' moet oplopende ondergrenzen zijn die bij 0 beginnen")
    rate = raw["rate"]
    if not isinstance(rate.get("per"), int) or rate["per"] <= 0 or not isinstance(rate.get("min_age"), int):
        _fail(source, f"{where}: 'rate' moet min_age en per (gehele getallen, per > 0) hebben")
    rule_raw = {**raw["location_rule"], **override.pop("location_rule", {})}
    allowed = {"min_intramural", "min_home", "min_clients_per_postcode"}
    if not rule_raw or set(rule_raw) - allowed or not all(isinstance(v, int) and v >= 0 for v in rule_raw.values()):
        _fail(source, f"{where}: 'location_rule' moet min_intramural/min_home of min_clients_per_postcode "
                      "(gehele getallen) hebben")
    for key, limits in raw.get("legend_limits", {}).items():
        if not (isinstance(limits, list) and len(limits) == 4 and all(isinstance(x, (int, float)) for x in limits)
                and list(limits) == sorted(limits)):
            _fail(source, f"{where}: 'legend_limits.{key}' moet vier oplopende grenzen hebben")
    if override:
        _fail(source, f"{where}: onbekende instelling(en) {', '.join(sorted(override))}")
    return Sector(id=sid, code=str(raw["code"]), label=str(raw["label"]),
                  aliases=tuple(str(a) for a in raw.get("aliases", [])), profiles=profiles,
                  groups=tuple(groups), client_groups=client_groups, age_bands=bands,
                  rate_min_age=int(rate["min_age"]), rate_per=int(rate["per"]),
                  location_rule=LocationRule(**rule_raw), colour=str(raw.get("colour", "#7a7a7a")),
                  legend_limits={k: tuple(float(x) for x in v) for k, v in raw.get("legend_limits", {}).items()},
                  legacy_codes=dict(raw.get("legacy_codes", {})),
                  foundation=dict(raw.get("foundation", {})), texts=dict(raw.get("texts", {})))


def read_declaration(path: Path | str | None = None, overrides: dict | None = None) -> Sectors:
    """Read and check a declaration; ``overrides`` (sector id -> keys) come from the settings."""
    path = Path(path) if path else DECLARATION_FILE
    source = str(path) if path != DECLARATION_FILE else "geo/sectoren.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(source, f"kan het bestand niet lezen ({exc})")
    except tomllib.TOMLDecodeError as exc:
        _fail(source, f"geen geldige TOML ({exc})")
    rows = raw.get("sector", [])
    if not rows:
        _fail(source, "geen enkele [[sector]]")
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - {r.get("id") for r in rows})
    if unknown:
        _fail(source, f"de instellingen noemen een onbekende sector '{unknown[0]}'")
    sectors = tuple(_sector(source, r, overrides.get(r.get("id"))) for r in rows)
    for attr in ("id", "code"):
        values = [getattr(s, attr) for s in sectors]
        if len(set(values)) != len(values):
            _fail(source, f"twee sectoren met dezelfde {attr}")
    gids = [g.id for s in sectors for g in s.groups]
    if len(set(gids)) != len(gids):
        dup = next(g for g in gids if gids.count(g) > 1)
        _fail(source, f"groep-id '{dup}' komt in twee sectoren voor (groep-ids zijn uniek over de sectoren)")
    return Sectors(sectors, source)


@lru_cache(maxsize=1)
def default_sectors() -> Sectors:
    """The project's declaration without settings (for defaults and doctests)."""
    return read_declaration()


def sectors_of(settings) -> Sectors:
    """The declaration a build uses: ``settings.sector_file`` (or the project's) with ``settings.sectors``."""
    path = getattr(settings, "sector_file", "") or None
    overrides = {k: dict(v) for k, v in (getattr(settings, "sectors", None) or {}).items()}
    # the older settings location_min_intramural / location_min_home set the rule of every sector that
    # counts intramural and home clients (unless the sector's own settings give its rule)
    rule = {k: getattr(settings, f"location_min_{k[4:]}") for k in ("min_intramural", "min_home")
            if hasattr(settings, f"location_min_{k[4:]}")}
    base = _cached(path, ()) if path else default_sectors()
    for sec in base:
        if sec.location_rule.min_intramural is not None and "location_rule" not in overrides.get(sec.id, {}):
            wanted = {**sec.location_rule.as_dict(), **rule}
            if wanted != sec.location_rule.as_dict():
                overrides.setdefault(sec.id, {})["location_rule"] = wanted
    if not path and not overrides:
        return default_sectors()
    return _cached(path, _freeze(overrides))


def _freeze(value):
    if isinstance(value, dict):
        return tuple((k, _freeze(v)) for k, v in value.items())  # in order: the order of groups is shown
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value):
    if isinstance(value, tuple) and value and all(isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str)
                                                  for x in value):
        return {k: _thaw(v) for k, v in value}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@lru_cache(maxsize=16)
def _cached(path, frozen) -> Sectors:
    return read_declaration(path, _thaw(frozen) if frozen else {})
