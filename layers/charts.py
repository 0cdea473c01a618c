"""Small vector charts (SVG strings) for the printable session pack: a forecast band, stacked bars
of the gap by group, and a map of a gemeente with its wijken and care locations.

Pure functions: numbers and geometries in, SVG text out (sizes in CSS pixels; the SVG scales).
Numbers in labels are Dutch (``1.234``); every shape carries a ``<title>`` with its value, so the
charts stay readable for screen readers and exact when printed.
"""

from __future__ import annotations

import math
from html import escape

from .spec import number_nl

FONT = "font-family:'DejaVu Sans',Arial,sans-serif"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering ``lo``..``hi`` (steps of 1, 2 or 5 times a power of ten).

    Examples
    --------
    >>> nice_ticks(0, 87)
    [0, 20, 40, 60, 80, 100]
    >>> nice_ticks(-12, 30, 4)
    [-20, 0, 20, 40]
    """
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t < hi + step * 0.999:
        ticks.append(int(round(t)) if step >= 1 else round(t, 6))
        t += step
    return ticks


def forecast_band(years: list[int], low: list[float], mid: list[float], high: list[float], *,
                  width: int = 640, height: int = 260, title: str = "", unit: str = "cliënten",
                  region_line: list[float] | None = None) -> str:
    """Clients per year: the min-max band of the demand scenarios and the midden line.

    Parameters
    ----------
    years, low, mid, high
        The years and, per year, the *min*, *midden* and *max* scenario.
    """
    left, right, top, bottom = 56, 16, 16, 34
    pw, ph = width - left - right, height - top - bottom
    ticks = nice_ticks(0, max(high) if high else 1)
    ymax = ticks[-1]

    def x(i: int) -> float:
        return left + pw * (i / max(len(years) - 1, 1))

    def y(v: float) -> float:
        return top + ph * (1 - v / ymax)

    band = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(high))
    band += " " + " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(low))))
    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(mid))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" class="grafiek" style="{FONT}">']
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" font-size="11" text-anchor="end">{number_nl(t)}</text>')
    for i, yr in enumerate(years):
        if yr % 5 == 0 or i in (0, len(years) - 1):
            out.append(f'<text x="{x(i):.1f}" y="{height - 12}" font-size="11" text-anchor="middle">{yr}</text>')
    out.append(f'<polygon points="{band}" fill="#9ecae1" fill-opacity="0.6" stroke="none">'
               f'<title>min tot max: {number_nl(low[-1])} tot {number_nl(high[-1])} {unit} in {years[-1]}</title>'
               '</polygon>')
    out.append(f'<polyline points="{line}" fill="none" stroke="#08519c" stroke-width="2.5">'
               f'<title>midden: {number_nl(mid[-1])} {unit} in {years[-1]}</title></polyline>')
    if region_line is not None:
        rl = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(region_line))
        out.append(f'<polyline points="{rl}" fill="none" stroke="#636363" stroke-dasharray="4 3"/>')
    for i in (0, len(years) - 1):
        out.append(f'<circle cx="{x(i):.1f}" cy="{y(mid[i]):.1f}" r="3.5" fill="#08519c"/>')
        out.append(f'<text x="{x(i) + (6 if i == 0 else -6):.1f}" y="{y(mid[i]) - 8:.1f}" font-size="12" '
                   f'text-anchor="{"start" if i == 0 else "end"}" font-weight="bold">{number_nl(mid[i])}</text>')
    out.append("</svg>")
    return "".join(out)


def stacked_bars(rows: list[tuple[str, list[float]]], groups: list[tuple[str, str]], *, width: int = 640,
                 bar: int = 22, title: str = "", unit: str = "plaatsen") -> str:
    """Horizontal stacked bars, one per row, one segment per group; negative values to the left of 0.

    Parameters
    ----------
    rows
        ``(label, values per group)``.
    groups
        ``(label, colour)`` per group, in the order of the values.
    """
    label_w, right, top, gap = 150, 60, 8, 10
    legend_h = 24
    height = top + len(rows) * (bar + gap) + 26 + legend_h
    pos = [sum(v for v in vals if v > 0) for _, vals in rows] or [0]
    neg = [sum(v for v in vals if v < 0) for _, vals in rows] or [0]
    ticks = nice_ticks(min(0, min(neg)), max(1, max(pos)), 5)
    lo, hi = ticks[0], ticks[-1]
    pw = width - label_w - right

    def x(v: float) -> float:
        return label_w + pw * (v - lo) / (hi - lo)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" class="grafiek" style="{FONT}">']
    axis_y = top + len(rows) * (bar + gap)
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{axis_y}" '
                   f'stroke="{"#555" if t == 0 else "#e3e3e3"}"/>')
        out.append(f'<text x="{x(t):.1f}" y="{axis_y + 14}" font-size="11" text-anchor="middle">{number_nl(t)}</text>')
    for r, (label, vals) in enumerate(rows):
        y0 = top + r * (bar + gap)
        out.append(f'<text x="{label_w - 8}" y="{y0 + bar * 0.68:.1f}" font-size="12" text-anchor="end">'
                   f'{escape(label)}</text>')
        p, n = 0.0, 0.0
        for (glabel, colour), v in zip(groups, vals):
            if v == 0:
                continue
            a, b = (p, p + v) if v > 0 else (n + v, n)
            if v > 0:
                p += v
            else:
                n += v
            out.append(f'<rect x="{x(a):.1f}" y="{y0}" width="{max(x(b) - x(a), 0.5):.1f}" height="{bar}" '
                       f'fill="{colour}" stroke="#fff" stroke-width="0.8"><title>{escape(label)}, {escape(glabel)}: '
                       f'{number_nl(v)} {unit}</title></rect>')
        total = sum(vals)
        out.append(f'<text x="{x(max(p, 0)) + 5:.1f}" y="{y0 + bar * 0.68:.1f}" font-size="12" font-weight="bold">'
                   f'{number_nl(total)}</text>')
    lx = label_w
    ly = axis_y + 24
    for glabel, colour in groups:
        out.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{lx + 16}" y="{ly + 10}" font-size="11">{escape(glabel)}</text>')
        lx += 24 + 7 * len(glabel)
    out.append("</svg>")
    return "".join(out)


def wrap(text: str, width: int) -> list[str]:
    """A legend label in lines of at most ``width`` characters (a longer word keeps its own line).

    >>> wrap("Geestelijke gezondheidszorg (GGZ)", 20)
    ['Geestelijke', 'gezondheidszorg', '(GGZ)']
    >>> wrap("", 10), wrap("V&V", 10)
    ([''], ['V&V'])
    """
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _ring_path(coords, tx) -> str:
    pts = [tx(x, y) for x, y in coords]
    return "M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in pts) + " Z"


def polygon_path(geom, tx) -> str:
    """SVG path data of a (Multi)Polygon through the transform ``tx(x, y) -> (px, py)``."""
    polys = getattr(geom, "geoms", [geom])
    parts = []
    for p in polys:
        parts.append(_ring_path(p.exterior.coords, tx))
        parts += [_ring_path(r.coords, tx) for r in p.interiors]
    return " ".join(parts)


def area_map(focus, areas: list[tuple[str, object, str, str]], neighbours: list[tuple[str, object]],
             points: list[tuple[float, float, float, str, str]], *, width: int = 680, height: int = 520,
             title: str = "", legend: list[tuple[str, str]] | None = None, legend_width: int = 190) -> str:
    """A static map: the gemeente's areas filled, the neighbours in grey, points sized by value.

    Parameters
    ----------
    focus
        The geometry to frame (projected, metres).
    areas
        ``(name, geometry, fill colour, tooltip)`` of the gemeente's wijken.
    neighbours
        ``(name, geometry)`` drawn in grey, named where they show inside the frame.
    points
        ``(x, y, value, colour, tooltip)``; the circle area is proportional to the value.
    legend
        ``(colour, label)`` rows, drawn beside the map; a row without a colour is a heading.
    """
    import shapely

    map_w = width - (legend_width if legend else 0)
    minx, miny, maxx, maxy = focus.bounds
    pad = 0.06 * max(maxx - minx, maxy - miny)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    scale = min(map_w / (maxx - minx), height / (maxy - miny))
    ox = (map_w - scale * (maxx - minx)) / 2
    oy = (height - scale * (maxy - miny)) / 2
    frame = shapely.box(minx - ox / scale, miny - oy / scale, maxx + ox / scale, maxy + oy / scale)

    def tx(x: float, y: float) -> tuple[float, float]:
        return ox + (x - minx) * scale, oy + (maxy - y) * scale

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" class="kaart" style="{FONT}">',
           f'<defs><clipPath id="kader"><rect width="{map_w}" height="{height}"/></clipPath></defs>',
           f'<rect width="{map_w}" height="{height}" fill="#eef3f8"/>', '<g clip-path="url(#kader)">']
    for name, geom in neighbours:
        out.append(f'<path d="{polygon_path(geom, tx)}" fill="#d9d9d9" stroke="#fff" stroke-width="1">'
                   f'<title>{escape(name)}</title></path>')
    for name, geom, colour, tip in areas:
        out.append(f'<path d="{polygon_path(geom, tx)}" fill="{colour}" stroke="#fff" stroke-width="0.8">'
                   f'<title>{escape(tip)}</title></path>')
    out.append(f'<path d="{polygon_path(focus, tx)}" fill="none" stroke="#222" stroke-width="2"/>')
    for name, geom in neighbours:
        visible = geom.intersection(frame)
        if visible.is_empty or visible.area < 0.02 * frame.area:
            continue
        c = visible.representative_point()
        px, py = tx(c.x, c.y)
        out.append(f'<text x="{px:.1f}" y="{py:.1f}" font-size="11" fill="#555" text-anchor="middle">'
                   f'{escape(name)}</text>')
    vmax = max([p[2] for p in points] + [1])
    for x, y, v, colour, tip in sorted(points, key=lambda p: -p[2]):
        px, py = tx(x, y)
        r = 3 + 11 * math.sqrt(max(v, 0) / vmax)
        out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{r:.1f}" fill="{colour}" stroke="#fff" '
                   f'stroke-width="1.5"><title>{escape(tip)}</title></circle>')
    out.append("</g>")
    if legend:
        lx, yy = map_w + 14, 14
        for colour, label in legend:
            if colour is None:  # a heading
                for line in wrap(label, (legend_width - 14) // 7):
                    out.append(f'<text x="{lx}" y="{yy + 11}" font-size="11" font-weight="bold">{escape(line)}</text>')
                    yy += 15
                yy += 5
                continue
            out.append(f'<rect x="{lx}" y="{yy}" width="13" height="13" fill="{colour}" stroke="#999" '
                       f'stroke-width="0.5"/>')
            for line in wrap(label, (legend_width - 33) // 6):
                out.append(f'<text x="{lx + 19}" y="{yy + 11}" font-size="11">{escape(line)}</text>')
                yy += 14
            yy += 6
    out.append("</svg>")
    return "".join(out)
