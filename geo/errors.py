"""Error hierarchy of the geoprocessing package."""

from __future__ import annotations


class GeoError(Exception):
    """Base class for every error the geoprocessing raises on purpose."""


class InputError(GeoError):
    """An input file breaks its contract.

    The message names the file, the row (1-based, header is row 1) and the
    column, and says what was expected, in Dutch, because users read it.
    """

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        self.file = str(file)
        self.row = row
        self.column = column
        self.detail = message
        where = [f"bestand {self.file}"]
        if row is not None:
            where.append(f"regel {row}")
        if column is not None:
            where.append(f"kolom '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


class SettingsError(GeoError):
    """The settings file is unreadable or holds an invalid value."""
