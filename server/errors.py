"""Every error class of the server and its HTTP status, mapped by exception handlers to Dutch JSON."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("wonenzorg.server")


class ServerError(Exception):
    """Base class: an answer with a status code and a Dutch message."""

    status_code = 500

    def __init__(self, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class BadRequest(ServerError):
    status_code = 400


class UntrustedHost(BadRequest):
    """The request's ``Host`` is not one the server may build links with (``WZ_ALLOWED_HOSTS``)."""


class NotFound(ServerError):
    """Also the answer for an internal layer without a valid token: it does not exist for the caller."""

    status_code = 404


class RangeNotSatisfiable(ServerError):
    status_code = 416


class BuildMissing(ServerError):
    """There is no build to serve: nothing built yet, or the only build is damaged."""

    status_code = 503


class DamagedBuild(Exception):
    """A file of a build is missing or damaged; the build is not served.

    ``file`` is the path relative to the build folder, ``reason`` says what is wrong (Dutch).
    """

    def __init__(self, file: str, reason: str):
        super().__init__(f"{file} {reason}")
        self.file = file
        self.reason = reason


#: Dutch text of the status codes Starlette and FastAPI raise themselves
_HTTP_TEXT = {
    400: "ongeldig verzoek",
    404: "onbekend adres {path}; zie /docs voor de adressen van de API",
    405: "methode {method} is niet toegestaan op {path}",
    413: "verzoek is te groot",
    415: "dit soort inhoud wordt niet ondersteund",
}


def install_handlers(app: FastAPI) -> None:
    """Answer every error as JSON ``{"detail": "..."}`` in Dutch with its status code."""

    @app.exception_handler(ServerError)
    async def _handle(request: Request, exc: ServerError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        text = _HTTP_TEXT.get(exc.status_code, "fout {status}")
        detail = text.format(path=request.url.path[:100], method=request.method[:20], status=exc.status_code)
        if exc.status_code == 405 and exc.headers and exc.headers.get("Allow"):
            detail += f"; gebruik {exc.headers['Allow']}"
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        names = [".".join(str(p) for p in e.get("loc", ())[1:]) or str(e.get("loc", ("?",))[0])
                 for e in exc.errors()]
        return JSONResponse({"detail": f"ongeldige waarde voor {', '.join(sorted(set(names)))[:200]}"},
                            status_code=400)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.error("Interne fout bij %s %s: %r", request.method, request.url.path[:100], exc)
        from .headers import SECURITY_HEADERS  # the outermost layer: add the headers here

        return JSONResponse({"detail": "interne fout van de server; probeer het later opnieuw"},
                            status_code=500, headers=SECURITY_HEADERS)
