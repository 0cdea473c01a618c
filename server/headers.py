"""Headers on every answer: trusted ``Host``, security headers, ``Vary: Authorization``, private answers.

:class:`ResponseHeaders` is the outermost ASGI middleware of the app (outside CORS):

* a request whose ``Host`` is not trusted (``WZ_ALLOWED_HOSTS``, default 127.0.0.1, localhost, ::1,
  the served host and the host of ``WZ_PUBLIC_URL``) gets a Dutch 400, so that no link in a JSON
  answer is ever built from a name a client made up;
* every answer gets the Content-Security-Policy of the viewer, ``X-Content-Type-Options``,
  ``X-Frame-Options``, ``Referrer-Policy`` and ``Vary: Authorization`` (the answers of one path
  differ by token, so a shared cache must key on it; on every path, so that the headers do not
  tell an internal layer from an unknown one);
* an answer marked private (internal data, see :mod:`server.access`) gets
  ``Cache-Control: private, no-store`` and loses a wildcard ``Access-Control-Allow-Origin``.

Only header lists are touched, so the tile hot path pays one pass over a handful of headers.
"""

from __future__ import annotations

import json

from starlette.datastructures import MutableHeaders

from .access import PRIVATE_KEY
from .errors import UntrustedHost

#: what the Leaflet viewer and the Swagger UI need, all from the server itself
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",   # the viewer's legend swatches and bars: style="background:..."
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
_RAW_SECURITY = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]
_CORS_HEADERS = ("access-control-allow-origin", "access-control-allow-credentials",
                 "access-control-expose-headers")


def host_name(value: str) -> str | None:
    """The name in a ``Host`` header without the port (``[::1]:8000`` -> ``::1``); None if malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1:] and not (value[end + 1] == ":" and value[end + 2:].isdigit())):
            return None
        return value[1:end]
    name, sep, port = value.partition(":")
    if sep and not port.isdigit():
        return None
    return name or None


class ResponseHeaders:
    """ASGI middleware; ``trusted_hosts`` None means any ``Host`` is accepted."""

    def __init__(self, app, trusted_hosts: set[str] | None, wildcard_cors: bool):
        self.app = app
        self.trusted = {h.lower() for h in trusted_hosts} if trusted_hosts is not None else None
        self.wildcard_cors = wildcard_cors
        self._seen_ok: set[bytes] = set()   # Host values already found trusted (a handful in practice)

    def _host_ok(self, scope) -> tuple[bool, str]:
        for key, value in scope["headers"]:
            if key == b"host":
                break
        else:
            return True, ""          # HTTP/1.0 without Host: links come from the server's own address
        if value in self._seen_ok:
            return True, ""
        text = value.decode("latin-1")
        if host_name(text) not in self.trusted:
            return False, text
        if len(self._seen_ok) < 64:
            self._seen_ok.add(value)
        return True, ""

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.trusted is not None:
            ok, host = self._host_ok(scope)
            if not ok:
                return await self._untrusted(host, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", ()))
                for i, (key, value) in enumerate(raw):
                    if key == b"vary":
                        raw[i] = (key, value + b", Authorization")
                        break
                else:
                    raw.append((b"vary", b"Authorization"))
                # an answer that brings its own policy (a session pack with hashed inline scripts) keeps it
                own = {k for k, _ in raw}
                raw.extend(h for h in _RAW_SECURITY if h[0] not in own)
                message["headers"] = raw
                if scope.get(PRIVATE_KEY):
                    self._make_private(message)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _make_private(self, message) -> None:
        headers = MutableHeaders(scope=message)
        headers["Cache-Control"] = "private, no-store"
        if self.wildcard_cors:
            for name in _CORS_HEADERS:
                if name in headers:
                    del headers[name]

    @staticmethod
    async def _untrusted(host: str, send) -> None:
        body = json.dumps({"detail": f"onbekende host '{host[:64]}' in het verzoek; zet de naam van deze "
                                     "server in WZ_ALLOWED_HOSTS of WZ_PUBLIC_URL"},
                          ensure_ascii=False).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"vary", b"Authorization"), *_RAW_SECURITY]
        await send({"type": "http.response.start", "status": UntrustedHost.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": body})
