"""The tile hot path: ``GET /tiles/{layer}/{z}/{x}/{y}`` answered without FastAPI's per-request machinery.

:class:`TileFastPath` sits in front of the FastAPI app (:class:`server.app.MapServer` hands it every
``/tiles/`` request). It answers the requests a map client makes all the time, and hands every
other request to the app unchanged, which answers it as it always did:

* answered here: ``GET`` of a tile of a **public** layer, a plain address (ASCII digits, ``.pbf``,
  ``.mvt`` or no suffix), a trusted ``Host``, a zoom inside the layer's zooms, and a tile that is
  stored (``200`` with its body as stored, or ``304`` for its ETag) or empty inside the layer's
  bounds (``204``);
* handed on: everything else, so every error (``400``, ``404``, ``405``, ``503``), internal layers
  (with or without token), other methods, untrusted hosts, a missing build.

Per build (:meth:`Build.derived`, so a new build has its own, prepared before it is served) it keeps
the public layers and, per tile address asked, the tile's location in the archive and its header
lines, ready to send (also as bytes, for :mod:`server.protocol`, which answers these requests
straight from the HTTP parser's callbacks). The lines after the tile's own (CORS, ``Vary``, security
headers) depend only on the request's ``Origin``; they are made once per ``Origin`` value by running
the app's own CORS and :class:`server.headers.ResponseHeaders` middleware on an empty answer, so
they are the routed path's by construction. ``tests/test_tiles_fastpath.py`` checks status, header
lines (names, values, order) and body against the app without the fast path.

A request holds its build exactly as a routed request does (``BuildManager.acquire``, one lease per
request), so a build switch is seen by both alike. The lease is returned as soon as the body has
been copied out of the archive's mmap; a request handed on keeps its lease in the scope, so the app
answers it from the same build and its lease middleware returns it.
"""

from __future__ import annotations

import logging
import re

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request

from .builds import LEASE_KEY, Build, BuildManager
from .errors import ServerError
from .headers import ResponseHeaders, host_name

log = logging.getLogger("wonenzorg.server")

MVT_TYPE = b"application/vnd.mapbox-vector-tile"
PREFIX = "/tiles/"
#: tile addresses remembered per build (about 600 bytes each for a stored tile, 150 for an empty one);
#: beyond, an address is looked up in the archive each time (correct, a few microseconds slower)
MEMO_LIMIT = 50_000
#: distinct ``Origin`` values whose header lines are remembered
ORIGIN_LIMIT = 256
_SUFFIXES = (".pbf", ".mvt")
#: what uvicorn refuses in a header value (``uvicorn.protocols.http.httptools_impl.HEADER_VALUE_RE``)
_BAD_VALUE = re.compile(b"[\x00-\x08\x0a-\x1f\x7f]")


def _raw(lines: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(b"%s: %s\r\n" % line for line in lines)


def _number(text: str) -> int | None:
    """A tile coordinate written as 1 to 8 ASCII digits, else None (the app then decides)."""
    if 0 < len(text) <= 8 and text.isascii() and text.isdigit():
        return int(text)
    return None


class _Tile:
    """A stored tile: where its bytes are and its header lines for 200 and 304."""

    __slots__ = ("archive", "offset", "length", "etag", "ok", "ok_raw", "not_modified", "not_modified_raw")

    def __init__(self, arch, offset: int, length: int, cache_control: bytes):
        self.archive, self.offset, self.length = arch, offset, length
        self.etag = f'"{arch.etag_base}-{offset:x}-{length:x}"'.encode("latin-1")
        self.not_modified = [(b"cache-control", cache_control), (b"etag", self.etag)]
        self.ok = self.not_modified + ([(b"content-encoding", b"gzip")] if arch.gzip else []) + \
            [(b"content-length", str(length).encode()), (b"content-type", MVT_TYPE)]
        self.ok_raw, self.not_modified_raw = _raw(self.ok), _raw(self.not_modified)


class _Empty:
    """A tile not stored but inside the layer's bounds: 204."""

    __slots__ = ("headers", "raw")

    def __init__(self, cache_control: bytes):
        self.headers = [(b"cache-control", cache_control)]
        self.raw = _raw(self.headers)


class Tail:
    """The header lines the app's middleware adds to every tile answer for one ``Origin`` value."""

    __slots__ = ("lines", "raw")

    def __init__(self, lines: list[tuple[bytes, bytes]]):
        self.lines = lines
        # None when uvicorn would refuse a value (an echoed Origin with control characters): then
        # the protocol leaves the request to uvicorn, which answers it as always
        self.raw = None if any(_BAD_VALUE.search(v) for _, v in lines) else _raw(lines)


class Answer:
    """A tile answer: status, the tile's header lines (list and bytes), the request's tail, the body."""

    __slots__ = ("status", "lines", "raw", "tail", "body")

    def __init__(self, status: int, lines: list, raw: bytes, tail: Tail, body: bytes):
        self.status, self.lines, self.raw, self.tail, self.body = status, lines, raw, tail, body

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return self.lines + self.tail.lines


def tiles_of(build: Build, access, max_age: int) -> BuildTiles:
    """The fast path's view of ``build``, made once per build (also usable as a ``BuildManager`` warmer)."""
    return build.derived("fast_tiles", lambda b: BuildTiles(b, access, max_age))


class BuildTiles:
    """What the fast path knows of one build: its public layers and the tile addresses asked so far."""

    def __init__(self, build: Build, access, max_age: int):
        self.cache_control = f"public, max-age={max_age}".encode()
        anonymous = Request({"type": "http", "headers": []})
        self.public = {}
        for layer in build.layers:
            try:  # the one access rule, asked without a token: internal layers stay with the app
                access.layer(build, layer, anonymous)
            except ServerError:
                continue
            if layer in build.archives:
                self.public[layer] = build.archives[layer]
        self.empty = _Empty(self.cache_control)
        self.memo: dict[str, _Tile | _Empty] = {}

    def lookup(self, path: str) -> _Tile | _Empty | None:
        """The answer for a tile path (``/tiles/...``), or None when the app must answer it."""
        entry = self.memo.get(path)
        if entry is None:
            entry = self._find(path)
            if entry is not None and len(self.memo) < MEMO_LIMIT:
                self.memo[path] = entry
        return entry

    def _find(self, path: str) -> _Tile | _Empty | None:
        parts = path[len(PREFIX):].split("/")
        if len(parts) != 4:
            return None
        layer, z, x, y = parts
        arch = self.public.get(layer)
        if arch is None:
            return None
        for suffix in _SUFFIXES:
            if y.endswith(suffix):
                y = y[:-len(suffix)]
                break
        zi, xi, yi = _number(z), _number(x), _number(y)
        if zi is None or xi is None or yi is None or zi > 30 or xi >= 1 << zi or yi >= 1 << zi:
            return None
        if not (arch.minzoom <= zi <= arch.maxzoom):
            return None
        loc = arch.locate(zi, xi, yi)
        if loc is None:
            return self.empty if arch.intersects(zi, xi, yi) else None
        return _Tile(arch, loc[0], loc[1], self.cache_control)


class TileFastPath:
    """Answers the common tile requests itself; see the module's docstring.

    Parameters
    ----------
    app
        The ASGI app that answers everything else (the FastAPI app's own call).
    builds
        The process's :class:`BuildManager`, the same one the routes use.
    access
        The :class:`server.access.LayerAccess` of the app.
    max_age
        ``Cache-Control: public, max-age=...`` of the tiles (``WZ_TILE_MAX_AGE``).
    trusted_hosts, wildcard_cors
        As given to :class:`ResponseHeaders`.
    cors
        The keyword arguments the app gives ``CORSMiddleware``.
    """

    def __init__(self, app, builds: BuildManager, access, max_age: int, trusted_hosts: set[str] | None,
                 wildcard_cors: bool, cors: dict):
        self.app = app
        self.builds = builds
        self.access = access
        self.max_age = max_age
        self.trusted = {h.lower() for h in trusted_hosts} if trusted_hosts is not None else None
        self._trusted_values: set[bytes] = set()
        # the app's own header middleware, around an answer that has no headers of its own
        self._middleware = ResponseHeaders(CORSMiddleware(_empty_answer, **cors), trusted_hosts=None,
                                           wildcard_cors=wildcard_cors)
        self._tails: dict[bytes | None, Tail] = {}

    def answer(self, scope) -> Answer | None:
        """The answer to an HTTP request scope for ``/tiles/...``, or None when the app must give it."""
        if scope["method"] != "GET" or scope.get("root_path"):
            return None
        host = origin = if_none_match = None
        for key, value in scope["headers"]:
            if key == b"host":
                if host is None:
                    host = value
            elif key == b"origin":
                if origin is None:
                    origin = value
            elif key == b"if-none-match":
                if if_none_match is None:
                    if_none_match = value
        if host is not None and not self._host_trusted(host):
            return None  # the app answers the 400
        lease = scope.get(LEASE_KEY)
        if lease is None:
            lease = self.builds.acquire()
        if lease.build is None:
            scope[LEASE_KEY] = lease  # the app answers 503; its lease middleware returns the lease
            return None
        try:
            entry = tiles_of(lease.build, self.access, self.max_age).lookup(scope["path"])
            if entry is None:
                scope[LEASE_KEY] = lease  # an error or an internal layer: the app answers from the same build
                lease = None
                return None
            tail = self._tails.get(origin) or self._tail(origin)
            if entry.__class__ is _Empty:
                return Answer(204, entry.headers, entry.raw, tail, b"")
            if if_none_match == entry.etag:
                return Answer(304, entry.not_modified, entry.not_modified_raw, tail, b"")
            return Answer(200, entry.ok, entry.ok_raw, tail, entry.archive.read(entry.offset, entry.length))
        finally:
            if lease is not None:
                scope.pop(LEASE_KEY, None)
                lease.release()

    async def __call__(self, scope, receive, send):
        try:
            answer = self.answer(scope)
        except Exception:  # noqa: BLE001 - a fault here must not cost the answer: the app gives it
            log.exception("Fout in het snelle tegelpad bij %s", scope.get("path", "")[:100])
            answer = None
        if answer is None:
            return await self.app(scope, receive, send)
        await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
        await send({"type": "http.response.body", "body": answer.body})

    def _host_trusted(self, value: bytes) -> bool:
        """The rule of :class:`ResponseHeaders`: the first ``Host`` header's name, without port."""
        if self.trusted is None or value in self._trusted_values:
            return True
        if host_name(value.decode("latin-1")) not in self.trusted:
            return False
        if len(self._trusted_values) < 64:
            self._trusted_values.add(value)
        return True

    def _tail(self, origin: bytes | None) -> Tail:
        """What the app's CORS and header middleware add to a tile answer for this ``Origin``."""
        scope = {"type": "http", "method": "GET", "path": "/", "headers": [] if origin is None else [(b"origin", origin)]}
        sent = []

        async def capture(message):
            sent.append(message)

        run_to_end(self._middleware(scope, None, capture))
        tail = Tail(list(sent[0]["headers"]))
        if len(self._tails) < ORIGIN_LIMIT:
            self._tails[origin] = tail
        return tail


def run_to_end(coroutine) -> None:
    """Run a coroutine that never waits for anything (middleware around an answer made in memory)."""
    try:
        coroutine.send(None)
    except StopIteration:
        return
    coroutine.close()
    raise RuntimeError("middleware waited for input while making tile headers")


async def _empty_answer(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
