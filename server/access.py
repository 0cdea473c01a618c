"""Who may see which layer: the one access rule every route uses.

Internal layers (``"public": false`` in catalog.json: exact client counts) exist only for a request
with ``Authorization: Bearer <WZ_TOKEN>``. Without a valid token, a missing or a wrong one, an
internal layer is answered exactly like a layer that does not exist (404, same body), on every path:
tiles, archive, TileJSON, OGC API, catalog, legend, style, health. An answer that does show internal
data is marked private (see :mod:`server.headers`): ``Cache-Control: private, no-store`` and no
wildcard CORS header.
"""

from __future__ import annotations

import hmac
import re

from starlette.requests import Request

from .errors import NotFound

PRIVATE_KEY = "wz.private"
_LAYER_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def is_public(spec: dict) -> bool:
    return spec.get("public", True) is not False


def mark_private(request: Request) -> None:
    """This answer carries internal data: no shared cache may keep it, no foreign page may read it."""
    request.scope[PRIVATE_KEY] = True


def no_such_layer(layer: str, what: str = "laag") -> NotFound:
    """The answer for a layer the caller may not see: unknown and internal look the same."""
    hint = "; zie /ogc/collections voor de lagen" if what == "collectie" else ""
    return NotFound(f"onbekende {what} '{layer[:64]}'{hint}")


class LayerAccess:
    """The access rule for one server: the configured token (``WZ_TOKEN``), or none at all.

    Examples
    --------
    >>> access = LayerAccess("geheim")
    >>> spec = access.layer(build, "locaties_intern", request)   # doctest: +SKIP
    """

    def __init__(self, token: str | None):
        self._token = token.encode() if token else None

    def authorized(self, request: Request) -> bool:
        """Whether the request carries the configured bearer token (compared in constant time)."""
        if self._token is None:
            return False
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        given = given.strip()
        if scheme.lower() != "bearer" or not given:
            return False
        return hmac.compare_digest(given.encode(), self._token)

    def layer(self, build, layer: str, request: Request, what: str = "laag") -> dict:
        """The layer's catalog entry, or the 404 of an unknown layer; marks internal answers private."""
        spec = build.layers.get(layer) if _LAYER_ID.match(layer) else None
        if spec is None:
            raise no_such_layer(layer, what)
        if not is_public(spec):
            if not self.authorized(request):
                raise no_such_layer(layer, what)
            mark_private(request)
        return spec

    def visible(self, build, request: Request) -> list[dict]:
        """The layers this request may see, in catalog order; marks the answer private if internal ones are."""
        if self.authorized(request):
            specs = list(build.layers.values())
            if not all(is_public(s) for s in specs):
                mark_private(request)
            return specs
        return [s for s in build.layers.values() if is_public(s)]


#: the rule without any token: only public layers (for a features router used on its own)
PUBLIC_ONLY = LayerAccess(None)
