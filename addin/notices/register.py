"""Read a claim register (理赔登记表) and its branch settings (设置) into pandas.

Layout (shared with workbooks/): sheet 「理赔登记表」, header in row 1, data from row 2;
sheet 「设置」 column A label, column B value. The frame's index is the Excel row number.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

CLAIM_SHEET = "理赔登记表"
SETTINGS_SHEET = "设置"
REGISTER_SUFFIXES = (".xlsx", ".xlsm", ".xls")


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


def read_settings(path: str | Path) -> dict[str, Any]:
    """Branch settings of a register: {label: value} from sheet 设置 (empty if absent)."""
    try:
        raw = pd.read_excel(path, sheet_name=SETTINGS_SHEET, header=None, engine="calamine")
    except (ValueError, KeyError):
        return {}
    out: dict[str, Any] = {}
    for _, r in raw.iterrows():
        if len(r) >= 2 and not is_blank(r.iloc[0]):
            label = str(r.iloc[0]).strip().rstrip("：:")
            out[label] = None if is_blank(r.iloc[1]) else r.iloc[1]
    return out


def read_register(path: str | Path, sheet: str = CLAIM_SHEET) -> pd.DataFrame:
    """Claim rows of a register; index = Excel row number (2 = first data row).

    Fully blank rows are dropped. ValueError (Chinese) if the sheet is missing."""
    path = Path(path)
    try:
        df = pd.read_excel(path, sheet_name=sheet, header=0, engine="calamine", dtype=object)
    except ValueError as e:
        raise ValueError(f"{path.name} 中没有工作表「{sheet}」") from e
    df.columns = [str(c).strip() for c in df.columns]
    df.index = pd.RangeIndex(2, 2 + len(df))
    keep = ~df.apply(lambda r: all(is_blank(v) for v in r), axis=1) if len(df) else []
    return df[keep] if len(df) else df


def parse_rows(spec: str | None, index: pd.Index) -> list[int]:
    """Rows chosen by ``--rows`` ("2-40,45"), in Excel row numbers present in ``index``."""
    if not spec:
        return list(index)
    wanted: list[int] = []
    for part in spec.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = (int(x) for x in part.split("-", 1))
            wanted.extend(range(min(a, b), max(a, b) + 1))
        else:
            wanted.append(int(part))
    have = set(index)
    return [r for r in dict.fromkeys(wanted) if r in have]


def register_files(paths: list[str | Path]) -> list[Path]:
    """Expand folders into their register workbooks (skipping Excel lock files ~$…)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in REGISTER_SUFFIXES
                              and not f.name.startswith(("~$", ".~"))))
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(f"找不到文件：{p}")
    return out


COMPUTED_FOR_NOTICES = ("赔偿金额", "网点赔付", "赔偿说明")


def fill_computed(frame: pd.DataFrame, columns: Sequence[str] = COMPUTED_FOR_NOTICES,
                  ) -> tuple[pd.DataFrame, dict[tuple[Any, str], str] | None]:
    """Fill blank computed cells (a register saved without cached formula values) exactly as
    the workbook computes them — through the workbook processor, which calls the engine.

    Returns (frame, errors by (row, column)); errors is None when the processor cannot
    handle this table (then callers use the engine's column forms directly)."""
    need = [c for c in columns if c not in frame.columns or frame[c].map(is_blank).any()]
    if not need or frame.empty:
        return frame, {}
    try:
        from workbooks.process import process_frame
        computed, _ = process_frame("claims", frame.reset_index(drop=True))
    except Exception:  # not a full register (missing input columns) or processor absent
        return frame, None
    computed.index = frame.index
    out = frame.copy()
    errors: dict[tuple[Any, str], str] = {}
    for c in need:
        if c not in computed.columns:
            continue
        out[c] = (out[c] if c in out.columns else pd.Series(None, index=out.index)).astype(object)
        for i in out.index:
            if is_blank(out.at[i, c]):
                v = computed.at[i, c]
                if isinstance(v, str) and v.startswith("错误："):
                    errors[(i, c)] = v[len("错误："):]
                elif not is_blank(v):
                    out.at[i, c] = v
    return out, errors
