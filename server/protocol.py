"""uvicorn's HTTP protocols with TCP_NODELAY on every connection, and tiles answered from the parser.

**TCP_NODELAY.** With several workers uvicorn binds the listening socket itself (protocol 0), so
asyncio does not switch Nagle's algorithm off for accepted connections; keep-alive tile responses
then wait ~40 ms each for a delayed ACK. Measured with ``scripts/bench_tiles.py --workers 2`` on the
demo build (2 cores, wrk on the same machine): 91 requests/s at 4 connections (p50 44 ms) before,
1,995 requests/s (p50 2 ms) after; 721 -> 2,053 requests/s at 32 connections.

**Tiles from the parser** (:class:`TileHttpToolsProtocol`, the protocol ``wz serve`` uses when
``httptools`` is installed). A request that :class:`server.fasttiles.TileFastPath` can answer
(``GET /tiles/...`` of a public layer's stored or empty tile) is answered as soon as its headers
have been parsed: the same answer the ASGI app would give, written to the socket in one call,
without an ASGI cycle, a task or message dictionaries. Everything else (other paths, errors, a
pipelined request behind one still being answered, a paused write buffer, ``Expect:
100-continue``, access logging switched on, a concurrency limit) goes through uvicorn as usual.
The status line and uvicorn's own headers (``date``, ``server``) are written exactly as uvicorn
writes them. On the demo build (every tile of one layer, 64 connections, 2 workers, wrk on the same
2 cores) this took ``wz serve`` from about 12,000 requests/s (httptools and the raw ASGI fast path)
to 15,000-34,000, p99 20 ms to 10-17 ms, on a machine other work was loading; see
``docs/server.md``, "The tile path".

**Host required.** An HTTP/1.1 request without ``Host`` is refused with uvicorn's ``400 Invalid
HTTP request received.``, as h11 (the protocol ``wz serve`` used before) refused it; httptools alone
would answer it.
"""

from __future__ import annotations

import logging
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # uvicorn's fast protocol needs httptools (a dependency of wonenzorg; optional for uvicorn)
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools missing: wz serve uses NoDelayH11Protocol
    HttpToolsProtocol = None


def _no_delay(transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that disables Nagle's algorithm on TCP connections."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)


def find_fast_path(app):
    """The :class:`TileFastPath` of the app under uvicorn's wrappers (proxy headers, ...), or None."""
    for _ in range(8):
        if app is None:
            return None
        fast = getattr(app, "tile_fast_path", None)
        if fast is not None:
            return fast
        app = getattr(app, "app", None)
    return None


class _Answered:
    """Stands in for uvicorn's request cycle of a request answered from the parser: complete."""

    __slots__ = ()
    response_complete = True
    disconnected = False
    more_body = False
    keep_alive = True

    class message_event:  # noqa: N801 - the attribute uvicorn sets on connection loss
        @staticmethod
        def set() -> None:
            pass


_ANSWERED = _Answered()
INVALID = "Invalid HTTP request received."  # uvicorn's own text for a request it cannot take

if HttpToolsProtocol is not None:

    class TileHttpToolsProtocol(HttpToolsProtocol):
        """HttpToolsProtocol with TCP_NODELAY that answers the fast path's tile requests itself."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._fast = find_fast_path(self.app)
            self._defaults = (None, b"")
            # uvicorn writes an access line per request when its access log is on: then leave tiles to it
            self._logs_access = self.access_log and self.access_logger.isEnabledFor(logging.INFO)

        def connection_made(self, transport) -> None:  # type: ignore[override]
            _no_delay(transport)
            super().connection_made(transport)

        def on_headers_complete(self) -> None:
            if self.transport.is_closing():  # after a 400 or "connection: close": nothing more to answer
                self.cycle = _ANSWERED
                return
            if self.parser.get_http_version() == "1.1" and not any(k == b"host" for k, _ in self.headers):
                # HTTP/1.1 requires Host; h11 (the protocol before) refused such a request, httptools does not
                self.logger.warning(INVALID)
                self.send_400_response(INVALID)
                self.cycle = _ANSWERED
                return
            if self._fast is not None and self._answer_tile():
                return
            super().on_headers_complete()

        def _answer_tile(self) -> bool:
            """Answer the request now if it is a fast-path tile; False leaves it to uvicorn."""
            parser = self.parser
            if parser.get_method() != b"GET" or not self.url.startswith(b"/tiles/"):
                return False
            cycle = self.cycle
            if (cycle is not None and not cycle.response_complete) or self.flow.write_paused \
                    or self.expect_100_continue or self.limit_concurrency is not None or self._logs_access \
                    or parser.should_upgrade():
                return False
            if b"%" in self.url or b"?" in self.url or b"#" in self.url or not self.url.isascii():
                return False  # uvicorn decodes these: let it
            http_version = parser.get_http_version()
            scope = self.scope
            scope["method"] = "GET"
            if http_version != "1.1":
                scope["http_version"] = http_version
            path = self.url.decode("ascii")
            scope["path"] = self.root_path + path
            scope["raw_path"] = self.root_path.encode("ascii") + self.url
            scope["query_string"] = b""
            try:
                answer = self._fast.answer(scope)
            except Exception:  # noqa: BLE001 - a fault here must not cost the answer: uvicorn and the app give it
                logging.getLogger("wonenzorg.server").exception("Fout in het snelle tegelpad bij %s", path[:100])
                return False
            if answer is None or answer.tail.raw is None:
                return False  # scope keeps what answer() put in it (the lease): uvicorn goes on with it
            keep_alive = http_version != "1.0" and parser.should_keep_alive()
            self.transport.write(b"".join((
                STATUS_LINE[answer.status], self._default_headers(), answer.raw, answer.tail.raw,
                b"\r\n" if keep_alive else b"connection: close\r\n\r\n", answer.body)))
            self.cycle = _ANSWERED
            if not keep_alive:
                self.transport.close()
            self.on_response_complete()
            return True

        def _default_headers(self) -> bytes:
            """uvicorn's own header lines (``date``, ``server``) as bytes, remade when it renews them."""
            current = self.server_state.default_headers
            seen, raw = self._defaults
            if current is not seen:
                raw = b"".join(b"%s: %s\r\n" % (name.lower(), value) for name, value in current)
                self._defaults = (current, raw)
            return raw

else:  # pragma: no cover
    TileHttpToolsProtocol = None


def best_protocol():
    """The protocol class ``wz serve`` gives uvicorn: httptools with tiles from the parser, else h11."""
    return TileHttpToolsProtocol or NoDelayH11Protocol
