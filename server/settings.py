"""Server settings from environment variables with the prefix ``WZ_``."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class ServerSettings(BaseSettings):
    """Where the build is and how to serve it (``WZ_BUILD_DIR``, ``WZ_PORT``, ...)."""

    model_config = SettingsConfigDict(env_prefix="WZ_")

    build_dir: Path = ROOT / "data" / "build"
    static_dir: Path = ROOT / "static"
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: list[str] = ["*"]
    #: bearer token for internal layers (exact client counts); without one they are never served
    token: str | None = None
    workers: int | None = None
    tile_max_age: int = 3600
