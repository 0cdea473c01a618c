"""A PMTiles archive opened once: header, metadata and directories cached, tiles read by mmap."""

from __future__ import annotations

import math
import mmap
import os
from functools import lru_cache
from pathlib import Path

from pmtiles.reader import Compression, deserialize_directory, deserialize_header, find_tile, zxy_to_tileid


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """WGS84 bounds (west, south, east, north) of a Web Mercator tile."""
    n = 2 ** z

    def lat(yy: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


class TileArchive:
    """Read-only access to one PMTiles v3 archive.

    Attributes
    ----------
    header
        The decoded header (zooms, bounds, compression, offsets).
    etag_base
        A tag that changes when the file changes (size and modification time).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = open(self.path, "rb")
        self._mm = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ)
        self.header = deserialize_header(self._mm[0:127])
        st = os.stat(self.path)
        self.size = st.st_size
        self.etag_base = f"{st.st_size:x}-{int(st.st_mtime_ns):x}"
        self.minzoom = self.header["min_zoom"]
        self.maxzoom = self.header["max_zoom"]
        self.bounds = (self.header["min_lon_e7"] / 1e7, self.header["min_lat_e7"] / 1e7,
                       self.header["max_lon_e7"] / 1e7, self.header["max_lat_e7"] / 1e7)
        self.gzip = self.header["tile_compression"] == Compression.GZIP
        self._root = deserialize_directory(self.read(self.header["root_offset"], self.header["root_length"]))
        self._leaf = lru_cache(maxsize=256)(self._read_leaf)

    def read(self, offset: int, length: int) -> bytes:
        """Bytes of the archive file as stored (a tile, or any HTTP range)."""
        return self._mm[offset:offset + length]

    def _read_leaf(self, offset: int, length: int):
        return deserialize_directory(self.read(self.header["leaf_directory_offset"] + offset, length))

    def locate(self, z: int, x: int, y: int) -> tuple[int, int] | None:
        """Offset and length of a tile's bytes in the file, or None if the archive has no such tile."""
        tile_id = zxy_to_tileid(z, x, y)
        directory = self._root
        for _ in range(4):
            entry = find_tile(directory, tile_id)
            if entry is None:
                return None
            if entry.run_length == 0:
                directory = self._leaf(entry.offset, entry.length)
                continue
            return self.header["tile_data_offset"] + entry.offset, entry.length
        return None

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's stored bytes (compressed as stored), or None."""
        loc = self.locate(z, x, y)
        return None if loc is None else self.read(*loc)

    def intersects(self, z: int, x: int, y: int) -> bool:
        """Whether the tile touches the archive's bounds."""
        w, s, e, n = tile_bounds(z, x, y)
        bw, bs, be, bn = self.bounds
        return not (e < bw or w > be or n < bs or s > bn)

    def close(self) -> None:
        self._mm.close()
        self._fh.close()
