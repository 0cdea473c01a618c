"""Server settings from environment variables with the prefix ``WZ_``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_ANY_ADDRESS = ("", "0.0.0.0", "::")


def _names(value):
    """A list setting from the environment: comma-separated (``a,b``) or a JSON list."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            return json.loads(text)
        return [v.strip() for v in text.split(",") if v.strip()]
    return value


class ServerSettings(BaseSettings):
    """Where the build is and how to serve it (``WZ_BUILD_DIR``, ``WZ_PORT``, ...)."""

    model_config = SettingsConfigDict(env_prefix="WZ_")

    build_dir: Path = ROOT / "data" / "build"
    static_dir: Path = ROOT / "static"
    host: str = "127.0.0.1"
    port: int = 8000
    #: origins that may read the public answers from another site; ``*``: any (never for internal data)
    cors_origins: Annotated[list[str], NoDecode] = ["*"]
    #: bearer token for internal layers (exact client counts); without one they are never served
    token: str | None = None
    workers: int | None = None
    tile_max_age: int = 3600
    #: gzip for HTML, JavaScript, CSS, JSON and CSV (never tiles: they are sent as stored); off behind a
    #: proxy that compresses itself
    compress: bool = True
    #: ``max-age`` of the npm packages under /vendor (they change only with a new ``npm ci``)
    vendor_max_age: int = 30 * 24 * 3600
    #: ``Host`` names the server answers to (``*``: any); default loopback, the served host, the public URL's
    allowed_hosts: Annotated[list[str] | None, NoDecode] = None
    #: the address clients use (e.g. ``https://kaart.example.nl``); absolute links are built from it
    public_url: str | None = None
    #: seconds between checks for a newly published build (0: keep serving the build found at start)
    reload_interval: float = 0.5
    #: where the session packs made on request are kept, per build version (default: beside the
    #: build's folder of versions, never inside a build)
    report_cache: Path | None = None

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def _split_lists(cls, value):
        return _names(value)

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("moet een volledige http(s)-URL zijn, bijvoorbeeld https://kaart.example.nl")
        return value.rstrip("/")

    def trusted_hosts(self) -> set[str] | None:
        """The ``Host`` names accepted, lower case without port; None when any is (``*``)."""
        if self.allowed_hosts is not None and "*" in self.allowed_hosts:
            return None
        names = set(self.allowed_hosts) if self.allowed_hosts is not None else set(LOOPBACK_HOSTS)
        if self.allowed_hosts is None and self.host not in _ANY_ADDRESS:
            names.add(self.host.strip("[]"))
        if self.public_url:
            names.add(urlsplit(self.public_url).hostname)
        return {n.lower().strip("[]") for n in names}


def explain(exc: ValidationError) -> str:
    """One Dutch line for a wrong ``WZ_*`` setting (the first one)."""
    err = exc.errors()[0]
    name = "WZ_" + str(err["loc"][0]).upper() if err.get("loc") else "WZ_*"
    text = f"instelling {name} heeft een ongeldige waarde {str(err.get('input'))[:60]!r}"
    if err.get("type") == "value_error":
        text += ": " + str(err.get("msg", "")).removeprefix("Value error, ")
    return text
