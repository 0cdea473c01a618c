"""uvicorn's h11 protocol with TCP_NODELAY on every connection.

With several workers uvicorn binds the listening socket itself (protocol 0),
so asyncio does not switch Nagle's algorithm off for accepted connections;
keep-alive tile responses then wait ~40 ms each for a delayed ACK. Measured
with ``scripts/bench_tiles.py --workers 2`` on the demo build (2 cores, wrk on
the same machine): 91 requests/s at 4 connections (p50 44 ms) before, 1,995
requests/s (p50 2 ms) after; 721 -> 2,053 requests/s at 32 connections.
"""

from __future__ import annotations

import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that disables Nagle's algorithm on TCP connections."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)
