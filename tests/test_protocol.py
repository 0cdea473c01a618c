"""The server's HTTP protocol switches Nagle's algorithm off on every TCP connection."""

from __future__ import annotations

import asyncio
import socket
from unittest.mock import Mock

from uvicorn.config import Config
from uvicorn.server import ServerState

from server.protocol import NoDelayH11Protocol


def transport_for(sock) -> Mock:
    """A stand-in asyncio transport around a real connected socket."""
    t = Mock()
    info = {"socket": sock, "peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}
    t.get_extra_info.side_effect = lambda name, default=None: info.get(name, default)
    t.is_closing.return_value = False
    return t


def test_connection_gets_tcp_nodelay():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)  # protocol 0, as uvicorn's own bind
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    try:
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # Nagle on by default
        config = Config(app=lambda scope, receive, send: None)
        config.load()

        async def run():
            proto = NoDelayH11Protocol(config=config, server_state=ServerState(), app_state={})
            proto.connection_made(transport_for(conn))

        asyncio.run(run())
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for s in (client, conn, listener):
            s.close()
