"""A columnar CSV writer: the bytes of ``DataFrame.to_csv`` for the tables this project writes, vectorised.

pandas formats every float of ``to_csv(float_format=..., decimal=",")`` in Python (some 6 µs a
value: 40 s for the national forecast table). Here every column becomes a byte matrix (one row per
record, zero bytes as padding) in numpy; the matrices are stacked with the separators and the
zeros dropped. Whole numbers are digit arithmetic; a fixed number of decimals is integer rounding
of the scaled value, exact because values that lie too close to a rounding boundary for the
product to decide (a handful, if any) are formatted by Python's ``%`` instead; text is formatted
once per distinct value (quoted as ``csv.QUOTE_MINIMAL`` does: fields holding the separator, a
quote or a line break).

What it matches, byte for byte (tests/test_csvout.py compares with pandas): ``to_csv(target,
sep=sep, decimal=decimal, index=False, float_format=f"%.{digits}f", lineterminator="\\n")``, with
``encoding="utf-8-sig"`` when ``bom``. Empty cells (NaN, None, NA) are empty; infinities are
``inf``/``-inf``; booleans ``True``/``False``. Other dtypes (dates) are written as their text.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

QUOTE_BYTES = b'"\n\r'


def int_matrix(v: np.ndarray) -> np.ndarray:
    """Decimal text of whole numbers as a (n, width) byte matrix, 0 where there is no character."""
    v = np.asarray(v).astype(np.int64)
    a = np.abs(v)
    width = len(str(int(a.max()))) if len(a) else 1
    if width < 10:  # 32-bit arithmetic is faster
        a = a.astype(np.int32)
    pw = 10 ** np.arange(width - 1, -1, -1, dtype=a.dtype)
    out = ((a[:, None] // pw) % 10 + 48).astype(np.uint8)
    lead = a[:, None] < pw
    lead[:, -1] = False
    out[lead] = 0
    neg = v < 0
    if neg.any():
        out = np.hstack([np.where(neg, ord("-"), 0).astype(np.uint8)[:, None], out])
    return out


def _bytes_table(texts: list[bytes]) -> np.ndarray:
    """Byte strings as a (n, width) matrix padded with zeros."""
    width = max((len(t) for t in texts), default=0) or 1
    return np.frombuffer(np.array(texts, dtype=f"S{width}").tobytes(), dtype=np.uint8).reshape(len(texts), width) \
        if texts else np.zeros((0, 1), dtype=np.uint8)


def text_matrix(codes: np.ndarray, vocab: list[bytes]) -> np.ndarray:
    """Cells from codes into a vocabulary of encoded texts (code -1: an empty cell)."""
    table = _bytes_table(list(vocab) + [b""])
    return table[np.where(codes < 0, len(table) - 1, codes)]


def _pad(m: np.ndarray, width: int) -> np.ndarray:
    return m if m.shape[1] >= width else np.hstack([m, np.zeros((len(m), width - m.shape[1]), np.uint8)])


def fixed_matrix(v: np.ndarray, digits: int, decimal: str = ".") -> np.ndarray:
    """``'%.{digits}f' % x`` of every value (decimal mark ``decimal``), empty where NaN, as a byte matrix."""
    v = np.asarray(v, dtype=float)
    n = len(v)
    finite = np.isfinite(v)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.where(finite, np.abs(v) * 10.0 ** digits, 0.0)
        scaled = np.where(np.isfinite(scaled), scaled, 2.0 ** 60)  # too large to scale: Python formats it
    # where the product cannot decide the rounding (too close to a half, or too large for exact
    # integers), Python's correctly rounded formatting decides
    doubt = ~finite | (np.abs(scaled - np.floor(scaled) - 0.5) <= 4 * np.spacing(scaled)) | (scaled >= 2.0 ** 52)
    k = np.where(doubt, 0.0, np.rint(scaled)).astype(np.int64)
    unit = 10 ** digits
    parts = [np.where(np.signbit(v) & ~doubt, ord("-"), 0).astype(np.uint8)[:, None], int_matrix(k // unit)]
    if digits:
        frac = int_matrix(k % unit + unit)[:, 1:]  # a leading 1 keeps the zeros: 7 -> 107 -> "07"
        parts += [np.full((n, 1), ord(decimal), dtype=np.uint8), frac]
    out = np.hstack(parts)
    odd = np.flatnonzero(doubt)
    if len(odd):
        texts = _bytes_table([_python_fixed(x, digits, decimal) for x in v[odd]])
        width = max(out.shape[1], texts.shape[1])
        out = _pad(out, width)
        out[odd] = _pad(texts, width)
    return out


def _python_fixed(x: float, digits: int, decimal: str) -> bytes:
    if np.isnan(x):
        return b""
    if np.isinf(x):
        return b"inf" if x > 0 else b"-inf"
    return (f"%.{digits}f" % x).replace(".", decimal).encode("ascii")


def _quoted(text: str, sep: str) -> str:
    if sep in text or any(c in text for c in '"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _column(col: pd.Series, sep: str, decimal: str, digits: int) -> tuple[str, object, object]:
    """How to write one column: ("int", values), ("fixed", values) or ("text", codes, vocab)."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        vocab = [_quoted(str(c), sep).encode("utf-8") for c in col.cat.categories]
        return "text", col.cat.codes.to_numpy(), vocab
    if pd.api.types.is_bool_dtype(dtype) and not col.isna().any():
        return "text", col.to_numpy(bool).astype(np.int64), [b"False", b"True"]
    if pd.api.types.is_integer_dtype(dtype):
        if col.isna().any():
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
            return "text", codes, [str(int(u)).encode() for u in uniques]
        return "int", col.to_numpy(np.int64), None
    if pd.api.types.is_float_dtype(dtype):
        return "fixed", col.to_numpy(dtype=float, na_value=np.nan), None
    codes, uniques = pd.factorize(col.astype(object), use_na_sentinel=True)
    return "text", codes, [_quoted(u if isinstance(u, str) else str(u), sep).encode("utf-8", "replace")
                           for u in uniques]


def write_csv(df: pd.DataFrame, target: str | Path | IO[bytes], *, sep: str = ";", decimal: str = ".",
              digits: int = 2, bom: bool = False, chunk: int = 500_000) -> None:
    """Write ``df`` as ``to_csv(sep=sep, decimal=decimal, float_format=f"%.{digits}f", index=False,
    lineterminator="\\n")`` would (``bom``: with ``encoding="utf-8-sig"``), a column at a time."""
    kinds = [_column(df.iloc[:, j], sep, decimal, digits) for j in range(df.shape[1])]
    header = sep.join(_quoted(str(c), sep) for c in df.columns) + "\n"
    own = not hasattr(target, "write")
    fh = open(target, "wb") if own else target
    try:
        fh.write((b"\xef\xbb\xbf" if bom else b"") + header.encode("utf-8"))
        sep_byte = np.uint8(ord(sep))
        for lo in range(0, len(df), chunk):
            hi = min(lo + chunk, len(df))
            parts = []
            for k, (kind, values, vocab) in enumerate(kinds):
                if k:
                    parts.append(np.full((hi - lo, 1), sep_byte, dtype=np.uint8))
                part = values[lo:hi]
                parts.append(int_matrix(part) if kind == "int" else fixed_matrix(part, digits, decimal)
                             if kind == "fixed" else text_matrix(part, vocab))
            parts.append(np.full((hi - lo, 1), ord("\n"), dtype=np.uint8))
            m = np.hstack(parts)
            fh.write(m[m != 0].tobytes())
    finally:
        if own:
            fh.close()
