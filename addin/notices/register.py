"""Cell helpers for notice values. Registers themselves are read by the one register model
(``workbooks.register``; :mod:`addin.notices.source`), never here."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd



def is_blank(x: Any) -> bool:
    """Empty cell: None, NaN/NaT, or whitespace-only text."""
    if x is None:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    if x is pd.NaT:
        return True
    try:
        if pd.isna(x) is True:
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(x, str) and not x.strip()


def as_date(x: Any) -> dt.date | None:
    """A cell as a date (datetime, date, Timestamp, ISO text or Excel serial); None if blank."""
    if is_blank(x):
        return None
    if isinstance(x, pd.Timestamp):
        return x.date()
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return (dt.datetime(1899, 12, 30) + dt.timedelta(days=float(x))).date()
    text = str(x).strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"日期无法识别：{x}")


def as_decimal(x: Any) -> Decimal | None:
    """A cell as an exact Decimal (floats via their shortest repr); None if blank."""
    if is_blank(x):
        return None
    if isinstance(x, Decimal):
        return x
    if isinstance(x, (float, np.floating)):
        return Decimal(repr(float(x)))
    if isinstance(x, np.integer):
        return Decimal(int(x))
    return Decimal(str(x).replace(",", "").replace("¥", "").replace("元", "").strip())
