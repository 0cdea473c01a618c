"""Five-year age bands as CBS publishes them (0-4 .. 90-94, 95+)."""

from __future__ import annotations

#: lower bound of every age band, in years; the last band is open (95 and over)
AGE_BANDS: tuple[int, ...] = tuple(range(0, 100, 5))

#: lower bounds of the bands that make up "75 and over"
BANDS_75_PLUS: tuple[int, ...] = tuple(b for b in AGE_BANDS if b >= 75)


def band_label(lower: int) -> str:
    """Dutch label of an age band, e.g. ``'75-79'`` or ``'95+'``."""
    if lower == AGE_BANDS[-1]:
        return f"{lower}+"
    return f"{lower}-{lower + 4}"
