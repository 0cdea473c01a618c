"""Every error class of the server and its HTTP status, mapped by exception handlers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class ServerError(Exception):
    """Base class: an answer with a status code and a Dutch message."""

    status_code = 500

    def __init__(self, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class BadRequest(ServerError):
    status_code = 400


class NotFound(ServerError):
    status_code = 404


class Unauthorized(ServerError):
    """An internal layer was asked for without a bearer token."""

    status_code = 401


class Forbidden(ServerError):
    """An internal layer was asked for with a wrong token."""

    status_code = 403


class RangeNotSatisfiable(ServerError):
    status_code = 416


class BuildMissing(ServerError):
    """The build folder has no catalog: nothing has been built yet."""

    status_code = 503


def install_handlers(app: FastAPI) -> None:
    """Answer every ServerError as JSON ``{"detail": ...}`` with its status code."""

    @app.exception_handler(ServerError)
    async def _handle(request: Request, exc: ServerError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
