"""Exact fixed-point money (MONEY-1): integer fen and integer millionths, half-up rounding.

Integer arithmetic in fen is exact decimal arithmetic; the only rounding is the explicit
half-up division below. The same kernels run on Python ints (per cell, arbitrary precision)
and on numpy int64 / object arrays (column form), so both paths agree to the fen.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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


def as_int_array(values: Any, bound: int) -> np.ndarray:
    """An int64 array when every product stays below 2**62, else exact Python ints."""
    arr = np.asarray(values)
    if bound < INT64_SAFE:
        return arr.astype(np.int64)
    return arr.astype(object)
