"""Compression and cache headers for everything but tiles: HTML, JavaScript, CSS, JSON and CSV.

:class:`Compression` is an ASGI middleware inside :class:`server.headers.ResponseHeaders` (which
turns the cache header of a private answer into ``private, no-store`` after it):

* a ``200`` answer of a compressible type (text, JSON, JavaScript, SVG) to a ``GET`` gets an
  ``ETag`` (its own, e.g. a file's, or a hash of the body), ``Vary: Accept-Encoding``, a
  ``Cache-Control`` by path (``/vendor``: a long ``max-age``; everything else: ``no-cache``, i.e.
  revalidate with the ETag), a ``304`` when ``If-None-Match`` names that ETag, and gzip when the
  client accepts it and the body is large enough;
* the gzip of a body is kept (up to a memory budget) under the answer's ETag, so a file or an
  unchanged JSON answer is compressed once, not per request; the gzip variant's ETag ends in
  ``-gz`` (the two encodings are different representations);
* ``/tiles/...`` is passed straight through, untouched: tiles are stored gzip-compressed in the
  PMTiles archive and sent as stored, archives are served with HTTP Range. The tile path pays one
  ``str.startswith``. So are requests with a ``Range`` header and other methods than GET and HEAD.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict

import anyio

#: content types worth compressing (the value's start, lower case)
COMPRESSIBLE = ("text/", "application/json", "application/geo+json", "application/javascript",
                "application/vnd.oai.openapi+json", "application/xml", "image/svg+xml")
MIN_SIZE = 512            # smaller bodies gain nothing from gzip
LEVEL = 6                 # zlib's default: most of the gain at a fraction of level 9's time
LARGE = 256 * 1024        # compress bodies from this size in a worker thread, not in the event loop


def _header(headers, name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


def accepts_gzip(value: bytes | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip`` or ``*`` without ``q=0``)."""
    if not value:
        return False
    allowed = {}
    for part in value.decode("latin-1").lower().split(","):
        coding, _, params = part.strip().partition(";")
        q = params.strip().replace(" ", "")
        allowed[coding.strip()] = not (q.startswith("q=") and q[2:] in ("0", "0.", "0.0", "0.00", "0.000"))
    for coding in ("gzip", "x-gzip", "*"):  # the named coding decides before the wildcard
        if coding in allowed:
            return allowed[coding]
    return False


def etag_matches(if_none_match: bytes | None, etag: str) -> bool:
    """Weak comparison of ``If-None-Match`` with an ETag, either encoding's variant matching."""
    if not if_none_match:
        return False
    text = if_none_match.decode("latin-1").strip()
    if text == "*":
        return True
    base = _opaque(etag)
    return any(_opaque(t) == base for t in text.split(","))


def _opaque(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    return tag[:-3] if tag.endswith("-gz") else tag


class GzipCache:
    """Compressed bodies by (path, ETag), least recently used dropped beyond ``budget`` bytes."""

    def __init__(self, budget: int = 16 * 1024 * 1024):
        self.budget = budget
        self.size = 0
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    def get(self, key) -> bytes | None:
        body = self._items.get(key)
        if body is not None:
            self._items.move_to_end(key)
        return body

    def put(self, key, body: bytes) -> None:
        if len(body) > self.budget // 4 or key in self._items:
            return
        self._items[key] = body
        self.size += len(body)
        while self.size > self.budget:
            _, old = self._items.popitem(last=False)
            self.size -= len(old)


class Compression:
    """ASGI middleware: gzip, ETag, 304 and ``Cache-Control`` for everything but ``/tiles/``.

    Parameters
    ----------
    vendor_max_age
        ``max-age`` in seconds for ``/vendor`` (the npm packages, changed only by a new install).
    """

    def __init__(self, app, vendor_max_age: int = 30 * 24 * 3600):
        self.app = app
        self.vendor_cache = f"public, max-age={int(vendor_max_age)}".encode()
        self.cache = GzipCache()

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope["path"].startswith("/tiles/")
                or scope["method"] not in ("GET", "HEAD")):
            return await self.app(scope, receive, send)
        headers = scope["headers"]
        if _header(headers, b"range") is not None:
            return await self.app(scope, receive, send)
        extensions = scope.get("extensions")
        if extensions and "http.response.pathsend" in extensions:  # the body must pass through here
            scope["extensions"] = {k: v for k, v in extensions.items() if k != "http.response.pathsend"}
        answer = _Answer(self, scope, accepts_gzip(_header(headers, b"accept-encoding")),
                         _header(headers, b"if-none-match"), send)
        await self.app(scope, receive, answer.send)

    def cache_control(self, path: str) -> bytes:
        return self.vendor_cache if path.startswith("/vendor/") else b"no-cache"


class _Answer:
    """One answer on its way out: headers held back until the whole body is known."""

    def __init__(self, owner: Compression, scope, gzip_ok: bool, if_none_match: bytes | None, send):
        self.owner, self.path, self.head = owner, scope["path"], scope["method"] == "HEAD"
        self.gzip_ok, self.if_none_match, self._send = gzip_ok, if_none_match, send
        self.start: dict | None = None
        self.chunks: list[bytes] = []
        self.passing = False

    async def send(self, message) -> None:
        if self.passing:
            return await self._send(message)
        if message["type"] == "http.response.start":
            raw = list(message.get("headers", ()))
            kind = (_header(raw, b"content-type") or b"").decode("latin-1").lower()
            if (message["status"] != 200 or _header(raw, b"content-encoding") is not None
                    or not kind.startswith(COMPRESSIBLE)):
                self.passing = True
                return await self._send(message)
            self.start = {**message, "headers": raw}
            return
        if message["type"] != "http.response.body":
            return await self._send(message)
        self.chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        await self._finish()

    async def _finish(self) -> None:
        start = self.start["headers"]
        vary = _header(start, b"vary")
        raw = [(k, v) for k, v in start if k != b"vary"]
        if _header(raw, b"cache-control") is None:
            raw.append((b"cache-control", self.owner.cache_control(self.path)))
        raw.append((b"vary", vary + b", Accept-Encoding" if vary else b"Accept-Encoding"))
        if self.head:  # HEAD: the identity answer's headers as they are, no body to compress
            return await self._emit(200, raw, b"")
        body = b"".join(self.chunks)
        own = _header(start, b"etag")
        etag = own.decode("latin-1") if own else '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        raw = [(k, v) for k, v in raw if k not in (b"content-length", b"etag")]
        if etag_matches(self.if_none_match, etag):
            raw.append((b"etag", self._variant(etag, compressed=self.gzip_ok and len(body) >= MIN_SIZE)))
            return await self._emit(304, [(k, v) for k, v in raw if k != b"content-type"], b"")
        if self.gzip_ok and len(body) >= MIN_SIZE:
            key = (self.path, etag)
            packed = self.owner.cache.get(key)
            if packed is None:
                if len(body) >= LARGE:
                    packed = await anyio.to_thread.run_sync(gzip.compress, body, LEVEL)
                else:
                    packed = gzip.compress(body, LEVEL)
                self.owner.cache.put(key, packed)
            body = packed
            raw.append((b"content-encoding", b"gzip"))
            etag = self._variant(etag, compressed=True).decode("latin-1")
        raw += [(b"etag", etag.encode("latin-1")), (b"content-length", str(len(body)).encode())]
        await self._emit(200, raw, body)

    @staticmethod
    def _variant(etag: str, compressed: bool) -> bytes:
        if not compressed:
            return etag.encode("latin-1")
        weak, tag = ("W/", etag[2:]) if etag.startswith("W/") else ("", etag)
        return f'{weak}"{tag.strip(chr(34))}-gz"'.encode("latin-1")

    async def _emit(self, status: int, headers, body: bytes) -> None:
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": body, "more_body": False})
