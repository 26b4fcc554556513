"""Exact fixed-point money (MONEY-1): integer fen and integer millionths, half-up rounding.

Integer arithmetic in fen is exact decimal arithmetic; the only rounding is the explicit
half-up division below. The same kernels run on Python ints (per cell, arbitrary precision)
and on numpy int64 / object arrays (column form), so both paths agree to the fen.

numpy is imported only where an array is handled (:func:`where`, :func:`maximum` on arrays,
:func:`as_int_array`): the per-cell path runs on Python ints without it, and the counter
quote's cold start is 0.06–0.2 s shorter (numpy's import, measured with ``python -X importtime``).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

FEN = 100                  # fen per yuan
INT64_SAFE = 2**62         # products must stay below this to use int64


def div_half_up(num: Any, den: int) -> Any:
    """round(num / den) half-up for num ≥ 0 (ints or integer arrays)."""
    return (num * 2 + den) // (den * 2)


def fen_to_decimal(fen: int) -> Decimal:
    """Integer fen → Decimal yuan with exactly two places."""
    return Decimal(int(fen)).scaleb(-2).quantize(Decimal("0.01"))


def decimal_to_units(value: Decimal, scale: int) -> int:
    """Decimal → integer units of 1/scale, half-up (MONEY-1)."""
    return int((value * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def where(cond: Any, a: Any, b: Any) -> Any:
    """``numpy.where`` over arrays; for one row of Python values (a ``bool`` condition) the
    plain choice, so a kernel serves the per-cell path without numpy."""
    if isinstance(cond, bool):
        return a if cond else b
    import numpy as np  # lazy: numpy costs 60 ms at start-up (-X importtime); the quote's per-cell path never needs it
    return np.where(cond, a, b)


def maximum(a: Any, b: Any) -> Any:
    """``numpy.maximum`` over arrays; ``max`` of two Python ints."""
    if isinstance(a, int) and isinstance(b, int):
        return max(a, b)
    import numpy as np  # lazy: numpy costs 60 ms at start-up (-X importtime); the quote's per-cell path never needs it
    return np.maximum(a, b)


def as_int_array(values: Any, bound: int) -> np.ndarray:
    """An int64 array when every product stays below 2**62, else exact Python ints."""
    import numpy as np  # lazy: numpy costs 60 ms at start-up (-X importtime); the quote's per-cell path never needs it
    arr = np.asarray(values)
    if bound < INT64_SAFE:
        return arr.astype(np.int64)
    return arr.astype(object)
