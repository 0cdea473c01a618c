"""Model and build assumptions, read from one TOML file (``instellingen.toml``)."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SettingsError

SETTINGS_FILE = "instellingen.toml"
#: the plausibility limits of the inputs (each a positive whole number)
LIMIT_SETTINGS = ("max_inhabitants", "max_households", "max_clients_per_row", "max_places_per_location",
                  "max_clients_per_location", "max_addresses_per_pc6")
LIMIT_CAP = 1_000_000_000
#: the forecast methods: region usage rates (the regioanalyse) or calibrated to each gemeente
FORECAST_METHODS = ("regio", "kalibratie")


@dataclass(frozen=True)
class Settings:
    """Every assumption a build uses; recorded in the build manifest.

    Parameters
    ----------
    region_name
        Name of the zorgkantoorregio shown in titles.
    observed_years
        Years with observed population and client counts (first..last).
    target_year
        Year of the gap (default 2040).
    oad_radius_m
        Radius of the omgevingsadressendichtheid circle in metres (CBS: 1000).
    stedelijkheid_limits
        CBS lower limits of classes 1..4 in addresses per km2 (class 5 below the last).
    growth_class_limits_pct
        Four limits (percent growth over the observed years) splitting five classes.
    ses_group_limits
        Four SES-WOA score limits splitting five groups (group 5 = highest status).
    privacy_min_count
        Client counts below this are never published, nor derivable from what is
        (primary and secondary suppression, ``geo.disclosure``).
    privacy_min_range
        How far apart the smallest and largest value that a suppressed count can
        take given everything published must at least be; 0 means equal to
        ``privacy_min_count``.
    location_min_intramural, location_min_home
        A location counts as a care location with at least this many
        intramural, or at least this many VPT/MPT clients.
    max_inhabitants, max_households, max_clients_per_row, max_places_per_location,
    max_clients_per_location, max_addresses_per_pc6
        Plausibility limits of the inputs: a figure above its limit is refused
        with the file, row and column (``data/README.md``, "Grenzen").
    xlsx_max_rows
        ``prognose_tekort.xlsx`` holds the whole forecast table up to this many
        rows; a longer one (a national build) is whole in the CSV only, and the
        workbook holds the region's rows.
    sector_file
        A sector declaration of one's own (TOML, the format of ``geo/sectoren.toml``);
        empty means the project's declaration.
    sectors
        Per sector id, changes to the declaration: ``groups`` (group id -> its
        zorgprofielen, e.g. the GZ grouping by zorgzwaarte), ``group_labels``,
        ``client_groups`` and ``location_rule`` (docs/sectoren.md).
    forecast_method
        ``"regio"`` (the regioanalyse's method: region usage rates for every
        gemeente) or ``"kalibratie"`` (each gemeente calibrated to its own
        observed level in the base year: indirect standardisation).
    home_share_growth
        Group id -> the historical growth of the home share in percentage points
        per year, instead of the growth measured from the client data (to
        reproduce a published regioanalyse that states it).
    memory_limit_mb
        Memory a build may use, in MB; 0 means what the machine has available
        (``/proc/meminfo``, or the container's limit). A build that would need
        more is refused before it starts reading the large files.
    """

    region_name: str = "Demoregio"
    observed_years: tuple[int, ...] = (2020, 2021, 2022, 2023)
    target_year: int = 2040
    oad_radius_m: float = 1000.0
    stedelijkheid_limits: tuple[float, ...] = (2500.0, 1500.0, 1000.0, 500.0)
    growth_class_limits_pct: tuple[float, ...] = (0.0, 5.0, 10.0, 15.0)
    ses_group_limits: tuple[float, ...] = (-0.2, -0.067, 0.067, 0.2)
    privacy_min_count: int = 10
    privacy_min_range: float = 0.0
    location_min_intramural: int = 5
    location_min_home: int = 2
    forecast_target_years: tuple[int, ...] = (2025, 2030, 2035, 2040)
    home_share_growth_factors: tuple[float, ...] = (0.0, 0.5, 1.0)
    life_table_file: str = ""
    headline_demand_scenario: str = "midden"
    headline_leveringsvorm_scenario: int = 1
    attribution: str = "Bron: CBS; zorgkantoor (demodata, fictief)"
    # plausibility limits of the inputs (issue 9): above these a figure is refused, never published
    max_inhabitants: int = 2_000_000
    max_households: int = 1_000_000
    max_clients_per_row: int = 10_000
    max_places_per_location: int = 2_000
    max_clients_per_location: int = 2_000
    max_addresses_per_pc6: int = 5_000
    memory_limit_mb: int = 0
    xlsx_max_rows: int = 50_000
    sector_file: str = ""
    sectors: dict = field(default_factory=dict)
    forecast_method: str = "regio"
    home_share_growth: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Plain dictionary of every setting, for the build manifest."""
        return dataclasses.asdict(self)


def load_settings(path: Path | None) -> Settings:
    """Read settings from a TOML file; missing keys keep their defaults.

    Parameters
    ----------
    path
        The TOML file, or None for the defaults.
    """
    if path is None:
        return Settings()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"instellingen {path}: kan het bestand niet lezen ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"instellingen {path}: geen geldige TOML ({exc})") from None
    known = {f.name: f for f in dataclasses.fields(Settings)}
    values: dict = {}
    for key, value in raw.items():
        if key not in known or key == "extra":
            raise SettingsError(f"instellingen {path}: onbekende instelling '{key}'")
        values[key] = _typed(path, key, value, getattr(Settings(), key))
    if values.get("sector_file") and not Path(values["sector_file"]).is_absolute():
        # a declaration of one's own lies beside the settings file that names it
        values["sector_file"] = str(path.parent / values["sector_file"])
    settings = Settings(**values)
    _check(settings, path)
    return settings


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _typed(path: Path, key: str, value, default):
    """The value converted to the type of its default, or a SettingsError naming the key."""
    def fail(what: str):
        raise SettingsError(f"instellingen {path}: '{key}' moet {what} zijn")

    if isinstance(default, tuple):
        if not isinstance(value, list):
            fail("een lijst")
        if default and isinstance(default[0], int) and not isinstance(default[0], bool):
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                fail("een lijst van gehele getallen")
        elif not all(_is_number(v) for v in value):
            fail("een lijst van getallen")
        return tuple(float(v) if isinstance(default[0], float) else v for v in value) if default else tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            fail("true of false")
        return value
    if isinstance(default, int):
        if not (isinstance(value, int) and not isinstance(value, bool)):
            fail("een geheel getal")
        return value
    if isinstance(default, float):
        if not _is_number(value):
            fail("een getal")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            fail("tekst")
        return value
    return value


def _check(s: Settings, path: Path) -> None:
    def fail(msg: str) -> None:
        raise SettingsError(f"instellingen {path}: {msg}")

    if len(s.observed_years) < 2 or list(s.observed_years) != sorted(s.observed_years):
        fail("'observed_years' moet minstens twee oplopende jaren bevatten")
    if s.target_year <= s.observed_years[-1]:
        fail("'target_year' moet na het laatste waargenomen jaar liggen")
    if len(s.stedelijkheid_limits) != 4 or list(s.stedelijkheid_limits) != sorted(s.stedelijkheid_limits, reverse=True):
        fail("'stedelijkheid_limits' moet vier aflopende grenzen bevatten")
    for key in ("growth_class_limits_pct", "ses_group_limits"):
        v = getattr(s, key)
        if len(v) != 4 or list(v) != sorted(v):
            fail(f"'{key}' moet vier oplopende grenzen bevatten")
    if list(s.forecast_target_years) != sorted(s.forecast_target_years) or not s.forecast_target_years or \
            s.forecast_target_years[0] <= s.observed_years[-1]:
        fail("'forecast_target_years' moet oplopende jaren na het laatste waargenomen jaar bevatten")
    if len(s.home_share_growth_factors) != 3 or min(s.home_share_growth_factors) < 0:
        fail("'home_share_growth_factors' moet drie getallen van 0 of meer bevatten (scenario's 1-3)")
    if s.headline_demand_scenario not in ("min", "midden", "max"):
        fail("'headline_demand_scenario' moet min, midden of max zijn")
    if s.headline_leveringsvorm_scenario not in (1, 2, 3, 4):
        fail("'headline_leveringsvorm_scenario' moet 1, 2, 3 of 4 zijn")
    if s.oad_radius_m <= 0:
        fail("'oad_radius_m' moet groter dan 0 zijn")
    if s.privacy_min_count < 1:
        fail("'privacy_min_count' moet minstens 1 zijn")
    for key in LIMIT_SETTINGS:  # the cap keeps every sum of limited figures far inside 64-bit integers
        if not 1 <= getattr(s, key) <= LIMIT_CAP:
            fail(f"'{key}' moet een geheel getal van 1 tot en met {LIMIT_CAP:,} zijn".replace(",", "."))
    if s.xlsx_max_rows < 1:
        fail("'xlsx_max_rows' moet minstens 1 zijn")
    if s.memory_limit_mb < 0:
        fail("'memory_limit_mb' mag niet negatief zijn (0 = het beschikbare geheugen)")
    if s.privacy_min_range < 0:
        fail("'privacy_min_range' mag niet negatief zijn")
    if s.forecast_method not in FORECAST_METHODS:
        fail("'forecast_method' moet " + " of ".join(FORECAST_METHODS) + " zijn")
    for key in ("sectors", "home_share_growth"):
        if not isinstance(getattr(s, key), dict):
            fail(f"'{key}' moet een tabel zijn")
    from .sectors import sectors_of

    declared = sectors_of(s)  # a wrong declaration or override is a SettingsError naming it
    groups = {g.id for sector in declared for g in sector.groups}
    for g, v in s.home_share_growth.items():
        if g not in groups:
            fail(f"'home_share_growth' noemt een onbekende groep '{g}'; bekend: {', '.join(sorted(groups))}")
        if not _is_number(v) or not math.isfinite(v):
            fail(f"'home_share_growth.{g}' moet een eindig getal zijn (procentpunt per jaar)")
