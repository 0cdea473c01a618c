"""The declaration of a published layer: everything about it, written once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import geopandas as gpd


@dataclass(frozen=True)
class Leeswijzer:
    """Where a number comes from: source, reference date and a one-line explanation (Dutch)."""

    bron: str
    peildatum: str
    uitleg: str

    def as_dict(self) -> dict:
        return {"bron": self.bron, "peildatum": self.peildatum, "uitleg": self.uitleg}


#: added to the leeswijzer of every field that rests on observed client counts
SUPPRESSED = ("Leeg waar een aantal cliënten kleiner is dan {drempel} of een klein aantal zou verraden "
              "(onderdrukt wegens kleine aantallen).")

#: what kind of number a field holds (the viewer, the API's "higher than the region" cue and the
#: privacy rules read this instead of guessing from names)
FIELD_KINDS = ("label", "count", "rate", "share", "growth", "score", "class", "flag")
#: kinds that are compared with the region's value ("hoger/lager dan de regio"); counts are not
COMPARABLE_KINDS = ("rate", "share", "growth", "score")


@dataclass(frozen=True)
class CountRef:
    """A published client count that a field rests on (one cell of ``geo.disclosure``'s tables).

    ``year`` is ``"eerste"`` or ``"laatste"`` (of the observed years), or
    ``"jaar"`` for the row's own ``jaar`` column; ``group`` and ``place`` are a
    group set and a place set of ``geo.disclosure`` (``clienten``, ``alle``, ...).
    Where the count is suppressed, the field is left empty.
    """

    year: str
    group: str = "clienten"
    place: str = "alle"


@dataclass(frozen=True)
class FieldSpec:
    """One attribute of a layer.

    ``kind`` says what kind of number it is (:data:`FIELD_KINDS`); ``count``
    marks a client count that the privacy threshold applies to; ``rests_on``
    lists the published client counts it is computed from (empty where one of
    them is suppressed); ``group`` is the ZZP group it belongs to;
    ``decimals`` is how many decimals the viewer shows.
    """

    name: str
    type: str  # "str" | "int" | "float" | "bool"
    alias: str
    unit: str = ""
    leeswijzer: Leeswijzer | None = None
    decimals: int = 0
    count: bool = False
    popup: bool = True
    kind: str = "label"
    rests_on: tuple[CountRef, ...] = ()
    group: str | None = None

    def reading(self) -> Leeswijzer | None:
        """The leeswijzer as shown, with the suppression rule where the field rests on client counts."""
        if self.leeswijzer is None or not self.rests_on:
            return self.leeswijzer
        lw = self.leeswijzer
        return Leeswijzer(lw.bron, lw.peildatum, f"{lw.uitleg} {SUPPRESSED}")

    def as_dict(self) -> dict:
        d = {"name": self.name, "type": self.type, "alias": self.alias, "unit": self.unit,
             "decimals": self.decimals, "popup": self.popup, "kind": self.kind,
             "comparable": self.kind in COMPARABLE_KINDS, "suppressed_when_small": bool(self.rests_on)}
        if self.group:
            d["group"] = self.group
        if self.leeswijzer:
            d["leeswijzer"] = self.reading().as_dict()
        return d


@dataclass(frozen=True)
class LegendClass:
    """One class of a legend: a value range ``[min, max)`` or a single category value."""

    color: str
    label: str
    min: float | None = None
    max: float | None = None
    value: object = None

    def as_dict(self) -> dict:
        d = {"color": self.color, "label": self.label}
        if self.value is not None:
            d["value"] = self.value
        else:
            d["min"] = self.min
            d["max"] = self.max
        return d


@dataclass(frozen=True)
class Classification:
    """How a field is drawn: classes by range (``classes``) or by value (``categories``)."""

    field: str
    title: str
    kind: str  # "classes" | "categories"
    classes: tuple[LegendClass, ...]
    unit: str = ""
    no_data_color: str = "#d9d9d9"
    no_data_label: str = "geen gegevens"

    def class_of(self, value) -> int | None:
        """Index of the class a value falls in; None for missing or uncovered values."""
        if value is None or value != value:  # NaN
            return None
        for k, c in enumerate(self.classes):
            if self.kind == "categories":
                if c.value == value:
                    return k
            elif (c.min is None or value >= c.min) and (c.max is None or value < c.max):
                return k
        return None

    def as_dict(self, leeswijzer: Leeswijzer | None = None) -> dict:
        method = "vaste klassegrenzen" if self.kind == "classes" else "categorieën"
        d = {"field": self.field, "title": self.title, "kind": self.kind, "method": method, "unit": self.unit,
             "classes": [c.as_dict() for c in self.classes],
             "no_data": {"color": self.no_data_color, "label": self.no_data_label}}
        if leeswijzer:
            d["leeswijzer"] = leeswijzer.as_dict()
        return d


@dataclass(frozen=True)
class LayerSpec:
    """A published layer.

    ``build`` turns the geoprocessing results into the layer's GeoDataFrame;
    ``classifications`` gives its legends (the first is the default), which may
    depend on the build settings (for example class limits).
    """

    id: str
    title: str
    geometry_type: str  # "polygon" | "point"
    id_field: str
    label_field: str
    fields: tuple[FieldSpec, ...]
    build: Callable[..., gpd.GeoDataFrame]
    classifications: Callable[..., list[Classification]]
    minzoom: int
    maxzoom: int
    tippecanoe_options: tuple[str, ...] = ()
    public: bool = True
    in_viewer: bool = True
    description: str = ""
    point_size_field: str | None = None
    #: the sector (id) whose client counts the layer's fields rest on; None for a layer without them
    sector: str | None = None
    extra: dict = field(default_factory=dict)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def number_nl(value: float, decimals: int = 0) -> str:
    """A number written the Dutch way, halves rounded away from zero (as the API and the viewer do).

    >>> number_nl(1234.5), number_nl(2.5), number_nl(-2.5), number_nl(0.125, 2), number_nl(9.7, 1)
    ('1.235', '3', '-3', '0,13', '9,7')
    """
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(repr(round(float(value), 9))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{q:,.{decimals}f}"
    if text.startswith("-") and q == 0:
        text = text[1:]
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def range_classes(limits, colors, unit: str = "", decimals: int = 0, low_label: str | None = None) -> tuple[LegendClass, ...]:
    """Classes ``< l0``, ``[l0, l1)``, ..., ``>= ln`` with Dutch labels."""
    sp = "" if unit in ("%", "") else " "
    fmt = lambda v: f"{number_nl(v, decimals)}{sp}{unit}"  # noqa: E731
    bounds = [None, *limits, None]
    out = []
    for k, color in enumerate(colors):
        lo, hi = bounds[k], bounds[k + 1]
        if lo is None:
            label = low_label or f"minder dan {fmt(hi)}"
        elif hi is None:
            label = f"{fmt(lo)} of meer"
        else:
            label = f"{fmt(lo)} tot {fmt(hi)}"
        out.append(LegendClass(color=color, label=label, min=lo, max=hi))
    return tuple(out)
