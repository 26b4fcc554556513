"""The claims of a date range across every branch's claim register, each claim counted once,
with the rows that cannot be counted listed apart — what the half-month report
(:mod:`desk.report`) and the monthly analysis (:mod:`desk.analysis`) both count.

Every register is read once by the one register model (:mod:`desk.registers`); our own
``_结果`` files are never read beside their inputs, and a claim found in several files (same
branch, waybill, type and claim date) is counted once. Only accepted claims (outcome "ok")
of the damage and shortage types (破损、遗失、内件不符) are counted: refused claims (CLM-8)
are listed apart with their reason, rows with input errors in 「需核对」 with file, sheet
and row, delays (延误) in 「延误（另列）」.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from cli import console
from desk.ledger import normalise_waybill
from desk.registers import Loaded, error_text, load
from udfs import cellvalue

DAMAGE_TYPES = ("破损", "遗失", "内件不符")   # 货损货差: damage and shortage (CLM-2..4)
DELAY_TYPE = "延误"
APART_COLUMNS = ["网点", "运单号", "索赔日期", "索赔类型", "说明", "来源"]
# What the counts read of each claim register (the model computes the rest).
READS = ("运单号", "索赔日期", "索赔类型", "索赔原因", "货物类别", "物品价值", "责任网点", "赔偿金额",
         "已付金额", "结案日期", "处理期限")
ZERO = Decimal(0)


def dec(v: Any) -> Decimal:
    """A model amount as Decimal (no amount: 0)."""
    if isinstance(v, Decimal):
        return v
    if v is None or (isinstance(v, float) and v != v):
        return ZERO
    try:
        return Decimal(str(v))
    except Exception:  # noqa: BLE001 - the model gives Decimal; anything else is no amount
        return ZERO


as_date = partial(cellvalue.as_date, lenient=True)     # the cell model's: a date, or None


def text(v: Any) -> str:
    if type(v) is str:
        return v.strip()
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()


def claims_frame(reg: Loaded, period: tuple[dt.date, dt.date] | None = None,
                 extra: Sequence[str] = ()) -> pd.DataFrame:
    """The columns the counts use, from one register's model frame (one row per claim).

    ``period`` (first, last day): only the rows that can be used — claims of the period, and
    rows with input errors and no usable claim date (listed in 「需核对」). ``extra``: more
    register columns, as the model gives them (None where the register lacks the column)."""
    f = reg.frame
    dates = list(map(as_date, _column(f, "索赔日期")))
    if period is not None:
        f, dates = _of_period(f, dates, period)
    out = _counted_columns(reg, f, dates)
    for c in extra:
        out[c] = _column(f, c)
    return out


def _column(f: pd.DataFrame, c: str) -> list:
    """A column of the model frame as a list (None where the register lacks it)."""
    return f[c].tolist() if c in f.columns else [None] * len(f)


def _of_period(f: pd.DataFrame, dates: list, period: tuple[dt.date, dt.date]) -> tuple[pd.DataFrame, list]:
    """The rows (and their claim dates) of the period, and the undated rows with input errors."""
    start, end = period
    keep = [i for i, (d, o) in enumerate(zip(dates, _column(f, "_outcome")))
            if (start <= d <= end if d is not None else o == "invalid")]
    if len(keep) < len(f):
        return f.iloc[keep], [dates[i] for i in keep]
    return f, dates


def _value_or_none(v: Any) -> Decimal | None:
    """物品价值: a Decimal, or None when the model gives none (blank stays blank, never 0)."""
    return dec(v) if v is not None and not (isinstance(v, float) and v != v) else None


def _counted_columns(reg: Loaded, f: pd.DataFrame, dates: list) -> pd.DataFrame:
    """The frame the counts read: texts trimmed, amounts as Decimal, dates, where each row is."""
    n = len(f)
    waybills = list(map(text, _column(f, "运单号")))
    sheet = reg.sheet or "理赔登记表"
    return pd.DataFrame({
        "网点": [reg.branch] * n, "运单号": waybills,
        "索赔日期": dates, "索赔类型": list(map(text, _column(f, "索赔类型"))),
        "索赔原因": [t or "（未填）" for t in map(text, _column(f, "索赔原因"))],
        "货物类别": list(map(text, _column(f, "货物类别"))),
        "物品价值": list(map(_value_or_none, _column(f, "物品价值"))),
        "责任网点": list(map(text, _column(f, "责任网点"))), "赔偿金额": list(map(dec, _column(f, "赔偿金额"))),
        "已付金额": list(map(dec, _column(f, "已付金额"))), "结案日期": list(map(as_date, _column(f, "结案日期"))),
        "处理期限": list(map(as_date, _column(f, "处理期限"))), "_outcome": _column(f, "_outcome"),
        "_reason": list(map(text, _column(f, "_reason"))), "_errors": _column(f, "_errors"),
        "来源": [f"{reg.path.name}「{sheet}」第{r}行" for r in _column(f, "_row")],
        "来源文件": [reg.path.name] * n, "_waybill": list(map(normalise_waybill, waybills)),
    }, index=range(n))


def range_rows(start: dt.date, end: dt.date, extra: Sequence[str], reg: Loaded) -> pd.DataFrame:
    """:func:`claims_frame` of the range, computed where the register is read (a worker)."""
    return claims_frame(reg, (start, end), extra)


def apart(part: pd.DataFrame, sheet: str, notes: list[str]) -> pd.DataFrame:
    """Rows listed apart (not in any total), with why, on sheet ``sheet``."""
    return pd.DataFrame({"网点": part["网点"].tolist(), "运单号": part["运单号"].tolist(),
                         "索赔日期": part["索赔日期"].tolist(), "索赔类型": part["索赔类型"].tolist(),
                         "说明": list(notes), "来源": part["来源"].tolist(), "_sheet": [sheet] * len(part)},
                        columns=APART_COLUMNS + ["_sheet"])


@dataclass
class Gathered:
    """Every row of a date range (and undated rows with errors) from the registers read."""

    rows: pd.DataFrame
    registers: list[Loaded]
    problems: list[str]                                  # files that could not be read
    seen: dict[str, list[str]] = field(default_factory=dict)   # branch → its files
    files: list[Path] = field(default_factory=list)


def gather(paths: Sequence[str | Path | Loaded] | str | Path | Loaded, start: dt.date, end: dt.date,
           today: dt.date, progress: Any = None, extra: Sequence[str] = ()) -> Gathered:
    """Read every claim register under ``paths`` (files, folders, or registers already read
    such as the ribbon's live book) and keep the rows of ``start``–``end``."""
    if isinstance(paths, (str, Path, Loaded)):
        paths = [paths]
    given = [p for p in paths if isinstance(p, Loaded)]
    files = [Path(p) for p in paths if not isinstance(p, Loaded)]
    extra = tuple(extra)
    loaded, problems = _read(files, start, end, today, progress, extra)
    regs = given + loaded
    if files and not regs:
        raise console.Refused("没有找到理赔登记表：" + ("；".join(problems) if problems else
                              "、".join(str(p) for p in files) + " 中没有理赔登记表（logidesk 模板）"), console.EXIT_ROWS)
    seen: dict[str, list[str]] = {}
    frames = []
    for k, reg in enumerate(regs):  # registers read by load() come prepared (range_rows)
        seen.setdefault(reg.branch, []).append(reg.path.name)
        frames.append(claims_frame(reg, (start, end), extra) if k < len(given) else reg.frame)
    rows = pd.concat(frames, ignore_index=True) if frames else claims_frame(
        Loaded(Path("-"), "claims", pd.DataFrame(), {}), extra=extra)
    rows["来源"] = with_folders(rows["来源"].tolist(), [r.path for r in regs], [len(f) for f in frames])
    return Gathered(rows, regs, problems, seen, files)


def _read(files: list[Path], start: dt.date, end: dt.date, today: dt.date, progress: Any,
          extra: tuple[str, ...]) -> tuple[list[Loaded], list[str]]:
    """The claim registers of ``files`` (each prepared to the range where it is read) and the
    files that could not be read."""
    if not files:
        return [], []
    loads = load(files, ("claims",), today=today, progress=progress, columns={"claims": READS + extra},
                 prepare=partial(range_rows, start, end, extra))
    return loads.registers, [str(u) for u in loads.unread if not u.quiet]


def with_folders(sources: list[str], paths: list[Path], sizes: list[int]) -> list[str]:
    """``来源`` of each row; where two registers read share a file name (two branches'
    理赔登记表.xlsx), their rows name the file by its folder as well (福州/理赔登记表.xlsx…),
    relative to the folder the clashing files have in common."""
    by_name: dict[str, set[Path]] = {}
    for p in paths:
        by_name.setdefault(p.name, set()).add(p.resolve())
    out, i = list(sources), 0
    for p, n in zip(paths, sizes):
        same = by_name[p.name]
        if len(same) > 1:
            common = Path(os.path.commonpath([str(q) for q in same]))
            shown = p.resolve().relative_to(common).as_posix()
            out[i:i + n] = [shown + s[len(p.name):] if s.startswith(p.name) else s for s in out[i:i + n]]
        i += n
    return out


@dataclass
class Split:
    """The rows of one period: accepted damage/shortage claims, and the rows listed apart."""

    claims: pd.DataFrame          # accepted 破损/遗失/内件不符, each claim once
    apart: pd.DataFrame           # APART_COLUMNS + _sheet (需核对, 不予受理, 延误（另列）)
    refused: pd.DataFrame
    delays: pd.DataFrame


def split(allrows: pd.DataFrame, start: dt.date, end: dt.date) -> Split:
    """The claims of ``start``–``end`` counted once; rows that cannot be counted listed apart."""
    dates = allrows["索赔日期"]
    # a boolean Series: an empty list would select no *columns* of a frame without rows
    in_period = pd.Series([d is not None and start <= d <= end for d in dates], index=allrows.index, dtype=bool)
    rows = allrows[in_period].copy()
    # A claim is counted once, whichever files hold it (a copy, a result named explicitly).
    key = list(zip(*(rows[c].tolist() for c in ("网点", "_waybill", "索赔类型", "索赔日期"))))
    rows["_key"] = key
    dup = rows.duplicated("_key", keep="first") & (rows["运单号"] != "")
    first_of = dict(zip(rows.loc[~dup, "_key"].tolist(), rows.loc[~dup, "来源"].tolist()))
    parts = [apart(rows[dup], "需核对", [f"同一索赔已在 {first_of.get(k, '')} 计入，此处不再重复计算"
                                        for k in rows.loc[dup, "_key"].tolist()])]
    rows = rows[~dup]
    # Rows that cannot be counted: input errors (in period, or without a usable claim date).
    undated = pd.Series([d is None for d in dates], index=allrows.index, dtype=bool)
    bad = pd.concat([rows[rows["_outcome"] == "invalid"], allrows[undated & (allrows["_outcome"] == "invalid")]])
    parts.append(apart(bad, "需核对", ["输入有误，未计入：" + (error_text(e) or "请核对") for e in bad["_errors"].tolist()]))
    refused = rows[rows["_outcome"] == "refused"]
    parts.append(apart(refused, "不予受理", [r or "不予受理" for r in refused["_reason"].tolist()]))
    ok = rows[rows["_outcome"] == "ok"]
    delays = ok[ok["索赔类型"] == DELAY_TYPE]
    parts.append(apart(delays, "延误（另列）", [f"延误不属货损货差，另列；建议赔偿 {a:,.2f} 元"
                                              for a in delays["赔偿金额"].tolist()]))
    claims = ok[ok["索赔类型"].isin(DAMAGE_TYPES)].copy()
    others = ok[~ok["索赔类型"].isin(DAMAGE_TYPES + (DELAY_TYPE,))]
    parts.append(apart(others, "需核对", ["索赔类型不属货损货差，未计入"] * len(others)))
    return Split(claims, pd.concat(parts, ignore_index=True), refused, delays)


def check_notes(g: Gathered, s: Split) -> list[str]:
    """Problems to show the user: unreadable files, then every row of 「需核对」."""
    return g.problems + [f"{src}（{w or '无单号'}）：{note}" for src, w, note, sh in
                         zip(*(s.apart[c].tolist() for c in ("来源", "运单号", "说明", "_sheet")))
                         if sh == "需核对"]
