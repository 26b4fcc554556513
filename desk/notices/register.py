"""Cell helpers for notice values: the one cell model's (:mod:`udfs.cellvalue`). Registers
themselves are read by the one register model (``workbooks.register``;
:mod:`desk.notices.source`), never here."""
from __future__ import annotations

from udfs.cellvalue import as_date, as_decimal, is_blank

__all__ = ["as_date", "as_decimal", "is_blank"]
