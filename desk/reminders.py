"""Deadline reminders (时限提醒): what is due today, due within N days, or overdue — and every
case that cannot be computed (those need attention most).

Sources, each register read once by the one model (:mod:`desk.registers`):

- claim registers: open claims (结案日期 blank) — the processing limit DL-2 (处理期限) of
  accepted claims; for refused claims (CLM-8) the reply to the customer is still due (DL-1,
  受理答复期限); a major case (ANL-3) not yet reported to group customer service (上报集团日期
  blank) is due the day it was registered (索赔日期);
- complaint registers: open complaints — the level's limit (CPL-1) and the legal reply (LAW-3);
- COD registers (代收货款登记): money arrived and not collected — COD-2, 3 months (提款期限);
- storage registers (仓储保管登记): goods not picked up — the free period of STO-2 ends on the
  arrival notice date + ``free_days`` (3); each day after pays the route's daily rate;
- the notice ledger: reply-by dates of notices not yet replied (DL-5/DL-2/DL-7).

Rows go on one by one: a row that cannot be computed (an input error, a year without holiday
data) is a 「无法计算」 line naming file, sheet and row; an unreadable file is a line too.
Used by the ribbon (sheet 「时限提醒」) and by ``logidesk deadlines`` for a morning check.
"""
from __future__ import annotations

import datetime as dt
import sys
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd

import udfs
from cli import console, listing
from desk import xlsxout
from desk.ledger import Ledger, LedgerError, normalise_waybill
from desk.notices.kinds import KINDS
from desk.registers import Loaded, error_text, load
from udfs.analysis import major_reasons
from udfs.cellvalue import as_date, is_blank
from udfs.coverage import print_once
from udfs.deadlines import status_text

WHOLE_SOURCES = ("（无法读取）", "（通知台账）")   # the 网点 of problems with a whole file or the ledger

COLUMNS = ["网点", "类别", "提醒", "运单号", "编号", "对方", "起算日期", "期限", "剩余天数", "状态",
           "依据", "来源"]
CANNOT = "无法计算"
ORDER = {CANNOT: 0, "已逾期": 1, "今日到期": 2, "即将到期": 3}
COMPLAINT_LEGAL_EVENT = "投诉法定答复"  # LAW-3 art. 28
# What the reminders read of each register (the model computes the rest; not converted).
READS = {
    "claims": ("运单号", "索赔日期", "结案日期", "处理期限", "受理答复期限", "寄递范围", "责任网点",
               "索赔类型", "物品价值", "损失比例", "保价金额", "电商件", "上报集团日期"),
    "complaints": ("运单号", "投诉日期", "结案日期", "投诉类别", "处理期限", "法定答复期限", "投诉人"),
    "cod": ("运单号", "到账日期", "提款日期", "提款期限"),
    "storage": ("运单号", "到货通知日期", "提货日期"),
}


def _bucket(days_left: int) -> str:
    if days_left < 0:
        return "已逾期"
    if days_left == 0:
        return "今日到期"
    return "即将到期"


_blank = is_blank                                   # the cell model's
_date = partial(as_date, lenient=True)             # a date, or None for anything else


def _s(v: Any) -> str:
    if type(v) is str:  # the common case (a blank text strips to "")
        return v.strip()
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


class _Out:
    """Collects reminder lines and 「无法计算」 lines."""

    def __init__(self, today: dt.date, within: int) -> None:
        self.today, self.within = today, within
        self.rows: list[dict] = []
        self.problems: list[str] = []

    def due(self, branch: str, kind: str, waybill: str, start: Any, due: dt.date, rule: str,
            source: str, party: str = "", number: str = "", status: str = "") -> None:
        left = (due - self.today).days
        if left > self.within:
            return
        self.rows.append({"网点": branch, "类别": kind, "提醒": _bucket(left), "运单号": waybill,
                          "编号": number, "对方": party, "起算日期": start, "期限": due,
                          "剩余天数": left, "状态": status or status_text(due, None, self.today), "依据": rule,
                          "来源": source})

    def cannot(self, branch: str, kind: str, waybill: str, why: str, source: str, rule: str = "") -> None:
        self.rows.append({"网点": branch, "类别": kind, "提醒": CANNOT, "运单号": waybill, "编号": "",
                          "对方": "", "起算日期": None, "期限": None, "剩余天数": None,
                          "状态": why, "依据": rule, "来源": source})
        self.problems.append(f"{source}（{waybill or '无单号'}）{kind}：{why}")


def _rows(reg: Loaded, *cols: str):
    """Columns of the register frame as lists (None where the template lacks one)."""
    f = reg.frame
    n = len(f)
    out = []
    for c in cols:
        out.append(f[c].tolist() if c in f.columns else [None] * n)
    return out


def _src(reg: Loaded, row: Any, sheet: str | None = None) -> str:
    s = f"「{sheet}」" if sheet else " "
    return f"{reg.path.name}{s}第{row}行"


MAJOR_KIND = "重大案件上报"


def _majors(reg: Loaded, out: _Out, open_rows: list[int]) -> None:
    """ANL-3: open major cases not yet reported to group customer service, due at once."""
    rows, outcome, wb, claimed, ctype, value, lost, insured, ecom, reported = _rows(
        reg, "_row", "_outcome", "运单号", "索赔日期", "索赔类型", "物品价值", "损失比例", "保价金额", "电商件",
        "上报集团日期")
    sheet = getattr(reg, "sheet", None)
    for i in open_rows:
        start = _date(claimed[i])
        if outcome[i] == "invalid" or start is None or not _blank(reported[i]):
            continue
        why = major_reasons(_s(ctype[i]), value[i], lost[i], insured[i], _s(ecom[i]) == "是", start)
        if why:
            out.due(reg.branch, MAJOR_KIND, _s(wb[i]), start, start, "ANL-3", _src(reg, rows[i], sheet),
                    status=f"未上报集团客服部：{why}")


def _claims(reg: Loaded, out: _Out, closed: set[str]) -> None:
    """Open claims: the processing limit (DL-2), or the reply of a refused claim (DL-1, CLM-8);
    the waybills of closed claims go into ``closed`` (their notices need no reply)."""
    rows, outcome, errs, wb, claimed, closed_on, due2, due1, scope, party = _rows(
        reg, "_row", "_outcome", "_errors", "运单号", "索赔日期", "结案日期", "处理期限", "受理答复期限",
        "寄递范围", "责任网点")
    sheet = getattr(reg, "sheet", None)
    is_open = [_blank(v) for v in closed_on]
    closed.update(normalise_waybill(w) for w in (_s(wb[i]) for i, o in enumerate(is_open) if not o) if w)
    open_rows = [i for i, o in enumerate(is_open) if o]
    _majors(reg, out, open_rows)
    for i in open_rows:
        given = due1[i] if outcome[i] == "refused" else due2[i]
        if outcome[i] != "invalid" and _not_due_yet(given, claimed[i], out):
            continue  # the model's deadline is not due yet: no line (out.due would drop it)
        _claim(out, reg.branch, _s(wb[i]), _src(reg, rows[i], sheet), outcome[i], errs[i], claimed[i], given,
               scope[i], party[i])


def _deadline(event: Any, start: dt.date, scope: Any = None) -> dt.date:
    """udfs.deadline as a date: an hour limit's datetime gives its day, as _date would."""
    due = udfs.deadline(event, start, scope)
    return due.date() if isinstance(due, dt.datetime) else due


def _not_due_yet(given: Any, claimed: Any, out: _Out) -> bool:
    """The model's deadline lies beyond the reminder window (and the claim has its date)."""
    d = _date(given)
    return d is not None and (d - out.today).days > out.within and _date(claimed) is not None


def _claim(out: _Out, branch: str, w: str, src: str, outcome: str, errors: Any, claimed: Any, given: Any,
           scope: Any, party: Any) -> None:
    """One open claim's line: its deadline (the model's, else computed), or why it has none."""
    if outcome == "invalid":
        out.cannot(branch, "理赔", w, error_text(errors) or "输入有误", src)
        return
    start = _date(claimed)
    if start is None:
        out.cannot(branch, "理赔", w, "缺少索赔日期", src, "DL-2")
        return
    try:
        if outcome == "refused":  # CLM-8: no compensation, but the reply is still due (DL-1)
            d = _date(given) or _deadline("索赔受理", start)
            out.due(branch, "不予受理答复", w, start, d, "DL-1、CLM-8", src, _s(party))
        else:
            d = _date(given) or _deadline("索赔处理", start, _s(scope) or None)
            out.due(branch, "理赔处理", w, start, d, "DL-2", src, _s(party))
    except udfs.RuleError as e:
        out.cannot(branch, "理赔", w, str(e), src, "DL-2")


def _complaints(reg: Loaded, out: _Out) -> None:
    rows, outcome, errs, wb, started, closed_on, cat, due, legal, who = _rows(
        reg, "_row", "_outcome", "_errors", "运单号", "投诉日期", "结案日期", "投诉类别", "处理期限",
        "法定答复期限", "投诉人")
    sheet = getattr(reg, "sheet", None)
    for i in range(len(rows)):
        if not _blank(closed_on[i]):
            continue
        src = _src(reg, rows[i], sheet)
        w = _s(wb[i])
        if outcome[i] == "invalid":
            out.cannot(reg.branch, "投诉", w, error_text(errs[i]) or "输入有误", src, "CPL-1")
            continue
        start = _date(started[i])
        party = f"投诉人 {_s(who[i])}" if _s(who[i]) else ""
        if start is None:
            out.cannot(reg.branch, "投诉", w, "缺少投诉日期", src, "CPL-1")
            continue
        for label, rule, given, event in (("投诉处理", "CPL-1", due[i], None),
                                          ("投诉法定答复", "LAW-3", legal[i], COMPLAINT_LEGAL_EVENT)):
            try:
                d = _date(given)
                if d is None:
                    ev = event or udfs.complaint_event(cat[i])
                    d = _deadline(ev, start)
                out.due(reg.branch, label, w, start, d, rule, src, party)
            except udfs.RuleError as e:
                out.cannot(reg.branch, label, w, str(e), src, rule)


def _open_items(reg: Loaded, out: _Out, label: str, start_col: str, done_col: str, rule: str,
                due_of: Callable[..., dt.date], due_rule: str | None = None, extra: tuple[str, ...] = ()) -> None:
    """Rows whose ``done_col`` is blank: due ``due_of(start, *extra values)`` from the date in
    ``start_col`` (no date yet: nothing to remind); invalid rows and rule errors are listed."""
    rows, outcome, errs, wb, starts, done, *more = _rows(
        reg, "_row", "_outcome", "_errors", "运单号", start_col, done_col, *extra)
    sheet = getattr(reg, "sheet", None)
    for i in range(len(rows)):
        if not _blank(done[i]):
            continue
        src = _src(reg, rows[i], sheet)
        w = _s(wb[i])
        if outcome[i] == "invalid":
            out.cannot(reg.branch, label, w, error_text(errs[i]) or "输入有误", src, rule)
            continue
        start = _date(starts[i])
        if start is None:
            continue
        try:
            d = due_of(start, *(m[i] for m in more))
        except udfs.RuleError as e:
            out.cannot(reg.branch, label, w, str(e), src, rule)
            continue
        out.due(reg.branch, label, w, start, d, due_rule or rule, src)


def _cod(reg: Loaded, out: _Out) -> None:
    """COD-2: the shipper collects the goods money within 3 months of its arrival."""
    _open_items(reg, out, "代收货款提取", "到账日期", "提款日期", "COD-2",
                lambda start, due: _date(due) or _deadline("代收货款提取", start), extra=("提款期限",))


def _storage(reg: Loaded, out: _Out) -> None:
    """STO-2: goods not picked up; the free period ends ``free_days`` after the notice."""
    _open_items(reg, out, "免费保管期", "到货通知日期", "提货日期", "STO-2",
                lambda start: start + dt.timedelta(days=udfs.rules_for(start).free_days), due_rule="STO-1、STO-2")


def _from_ledger(ledger: Any, out: _Out, closed: set[str]) -> None:
    for r in ledger.open_notices():
        if normalise_waybill(r.waybill) in closed:
            continue
        sp = KINDS.get(r.kind)
        out.due(r.branch or "（未填网点）", f"{r.kind}回复", r.waybill, r.notice_date, r.reply_by,
                "、".join(x for x in (sp.rules if sp else ()) if x.startswith("DL-")),
                f"通知台账 {r.number}", r.counterparty, r.number)


def collect(sources: Any = (), *args: Any, today: dt.date | None = None,
            within_days: int | None = None, ledger: Any = None, use_ledger: bool = True,
            progress: Any = None) -> pd.DataFrame:
    """Reminders due within ``within_days`` (0 = today only), overdue included, and every
    case that cannot be computed; sorted by branch, urgency, kind and deadline.

    ``sources``: register paths / folders, or :class:`desk.registers.Loaded` registers
    (the ribbon's live sheet). ``ledger``: a Ledger or target; None = the configured ledger
    (``use_ledger=False`` skips it). ``df.attrs['errors']`` lists every problem (file, row).
    """
    today, within_days, ledger = _positional(args, today, within_days, ledger)
    within_days = 3 if within_days is None else int(within_days)
    today = today or udfs.today()
    out = _Out(today, within_days)
    closed: set[str] = set()
    for reg in _registers(sources, out, progress):
        {"claims": lambda r: _claims(r, out, closed), "complaints": lambda r: _complaints(r, out),
         "cod": lambda r: _cod(r, out), "storage": lambda r: _storage(r, out)}[reg.kind](reg)
    ledger_error = _ledger_lines(ledger, out, closed) if use_ledger else None
    df = _sorted_frame(out.rows)
    df.attrs["errors"] = out.problems
    df.attrs["today"] = today
    df.attrs["within_days"] = within_days
    df.attrs["ledger_error"] = ledger_error   # the ledger could not be read: the environment
    return df


def _positional(args: Sequence[Any], today: Any, within_days: Any, ledger: Any) -> tuple[Any, Any, Any]:
    """``collect(sources, today, within_days, ledger)`` called positionally: the keywords win."""
    rest = list(args)
    if rest:
        today = rest.pop(0) if today is None else today
    if rest:
        within_days = rest.pop(0) if within_days is None else within_days
    if rest:
        ledger = rest.pop(0) if ledger is None else ledger
    return today, within_days, ledger


def _registers(sources: Any, out: _Out, progress: Any) -> list[Loaded]:
    """The registers given, and those read from the paths given (a file that cannot be read
    is a line of its own)."""
    if isinstance(sources, (str, Path, Loaded)):
        sources = [sources]
    sources = list(sources)
    regs = [s for s in sources if isinstance(s, Loaded)]
    paths = [s for s in sources if not isinstance(s, Loaded)]
    if paths:
        loads = load(paths, ("claims", "complaints", "cod", "storage"), today=out.today, progress=progress,
                     columns=READS)
        regs += loads.registers
        for u in loads.unread:
            if not u.quiet:
                out.cannot(WHOLE_SOURCES[0], "登记表", "", u.reason, u.path.name)
    return regs


def _ledger_lines(ledger: Any, out: _Out, closed: set[str]) -> str | None:
    """The reply-by dates of the ledger's open notices; the ledger's error when it cannot be read."""
    try:
        led = Ledger.open(ledger)
        try:
            _from_ledger(led, out, closed)
        finally:
            led.close()
    except LedgerError as e:
        out.cannot(WHOLE_SOURCES[1], "通知回复", "", str(e), "通知台账")
        return str(e)
    return None


def _sorted_frame(rows: list[dict]) -> pd.DataFrame:
    """The lines as a frame, by branch, urgency, kind, deadline and waybill."""
    df = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    df = df.where(pd.notna(df), None)  # "cannot compute" lines keep None, not NaN
    if not df.empty:
        df["_o"] = df["提醒"].map(ORDER)
        df["_d"] = df["期限"].map(lambda d: d or dt.date.max)
        df = df.sort_values(["网点", "_o", "类别", "_d", "运单号"], kind="stable").drop(columns=["_o", "_d"])
        df = df.reset_index(drop=True)
    return df


def format_table(df: pd.DataFrame, limit: int | None = None, where: Path | str | None = None) -> str:
    """Printed morning check: grouped by branch and kind, cannot-compute and overdue first.

    ``limit``: at most that many items (None: all), then 「共 N 件…」 naming ``where``;
    linear in rows (columns read once as lists, no per-group copies of the frame)."""
    today, within = df.attrs.get("today"), df.attrs.get("within_days")
    lines = [f"时限提醒（截至 {today}，{within} 天内到期、已逾期及无法计算的事项）"]
    if df.empty:
        lines.append("无到期或逾期事项。")
        return "\n".join(lines)
    with _without_attrs(df):
        # groups in the order of their most urgent item (collect() sorts by branch, then urgency)
        first_seen = pd.factorize(pd.MultiIndex.from_arrays([df["网点"], df["类别"]]))[0]
        order = df.iloc[np.argsort(first_seen, kind="stable")]
        c = df["提醒"].value_counts()
    # a file or the ledger that could not be read is always shown: it hides every item it holds
    whole = order["网点"].isin(WHOLE_SOURCES).to_numpy()
    lines += _items(order[whole])
    lines += listing.shown(_items(order[~whole]), int((~whole).sum()), limit, where,
                           hint=f"加 --out 提醒.xlsx 保存全部，或加 {listing.SHOW_ALL} 全部显示")
    lines.append(f"\n合计：无法计算 {c.get(CANNOT, 0)} 件，已逾期 {c.get('已逾期', 0)} 件，"
                 f"今日到期 {c.get('今日到期', 0)} 件，{within} 天内到期 {c.get('即将到期', 0)} 件")
    return "\n".join(lines)


@contextmanager
def _without_attrs(df: pd.DataFrame) -> Iterator[None]:
    """pandas deep-copies ``attrs`` (here: every problem found) into each frame or column
    derived from ``df``; while only reading, the attrs are set aside instead."""
    saved = df.attrs
    df.attrs = {}
    try:
        yield
    finally:
        df.attrs = saved


def _items(df: pd.DataFrame) -> Iterator[str]:
    """One console line per item, a 【网点】类别：N 件 heading before each group's first item."""
    cols = {h: df[h].tolist() for h in ("网点", "类别", "编号", "期限", "提醒", "运单号", "状态", "对方", "来源")}
    sizes = df.groupby(["网点", "类别"], sort=False).size().to_dict()
    group = None
    for i in range(len(df)):
        g = (cols["网点"][i], cols["类别"][i])
        head = ""
        if g != group:
            group = g
            head = f"\n【{g[0]}】{g[1]}：{sizes[g]} 件\n"
        ref = f"{cols['编号'][i]} " if cols["编号"][i] else ""
        when = cols["期限"][i].isoformat() if isinstance(cols["期限"][i], dt.date) else "—"
        other = cols["对方"][i]
        yield (f"{head}  {cols['提醒'][i]:<4} {when}  {ref}{cols['运单号'][i] or '无单号'}  {cols['状态'][i]}"
               f"{'  对方：' + other if other else ''}  〔{cols['来源'][i]}〕")


def write_sheet(df: pd.DataFrame, path: Path, progress: Any = None) -> Path:
    """The reminder export (sheet 「时限提醒」): title, as-of date, borders, sized columns,
    A4 landscape, header repeated on every page; every text written as a string."""
    path = Path(path)
    console.check_name_length(path)
    today, within = df.attrs.get("today"), df.attrs.get("within_days")
    # pandas deep-copies attrs (the list of every problem) on each df[...] / head(): once here.
    df = df.copy(deep=False)
    df.attrs = {}
    with xlsxout.workbook(path) as wb:
        ws = wb.add_worksheet("时限提醒")
        f = {name: wb.add_format(spec) for name, spec in SHEET_FORMATS.items()}
        ws.write_string(0, 0, "时限提醒", f["title"])
        c = df["提醒"].value_counts() if len(df) else {}
        ws.write_string(1, 0, f"截至 {today}　{within} 天内到期及已逾期；无法计算 {c.get(CANNOT, 0) if len(df) else 0} 件，"
                              f"已逾期 {c.get('已逾期', 0) if len(df) else 0} 件，共 {len(df)} 件", f["sub"])
        for j, h in enumerate(COLUMNS):
            ws.write_string(3, j, h, f["head"])
        widths = _column_widths(ws, df)
        cols = [df[h].tolist() for h in COLUMNS]
        urgent = [f["alert"] if v in (CANNOT, "已逾期") else None for v in cols[2]]
        xlsxout.write_table(ws, 4, cols, f["cell"], f["date"], cell_formats={2: urgent},
                            heights=_row_heights(cols, widths),
                            progress=(lambda n: progress(n, len(df))) if progress else None)
        ws.freeze_panes(4, 0)
        if len(df):
            ws.autofilter(3, 0, 3 + len(df), len(COLUMNS) - 1)
        _page_setup(ws)
    return path


SHEET_FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "sub": {"font_size": 10, "font_color": "#404040"},
    "head": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"},
    "cell": {"border": 1, "valign": "top", "text_wrap": True},
    "date": {"border": 1, "valign": "top", "num_format": "yyyy-mm-dd"},
    "alert": {"border": 1, "valign": "top", "text_wrap": True, "font_color": "#C00000", "bold": True},
}
FIXED_WIDTHS = {"状态": 36, "对方": 16}


def _column_widths(ws: Any, df: pd.DataFrame) -> list[float]:
    """Each column sized to its header and first 5,000 values (状态 and 对方 fixed)."""
    sample = df.head(5000)
    widths = []
    for j, h in enumerate(COLUMNS):
        w = FIXED_WIDTHS.get(h) or xlsxout.text_width([h] + sample[h].tolist(), 8, 44 if h == "来源" else 24)
        widths.append(w)
        ws.set_column(j, j, w)
    return widths


def _row_heights(cols: list[list], widths: list[float]) -> list[float | None]:
    """Rows as high as their longest wrapped text (对方, 状态, 来源), at most 8 lines: LibreOffice
    and Excel keep the default height otherwise."""
    lines: list[float | None] = [None] * (len(cols[0]) if cols else 0)
    for j in (COLUMNS.index(h) for h in ("对方", "状态", "来源")):
        per_line = max(widths[j] - 1, 1)
        for i, v in enumerate(cols[j]):
            if isinstance(v, str) and v:
                k = -(-xlsxout.text_width([v], 0, 10_000) // per_line)
                if k > 1 and k > (lines[i] or 0):
                    lines[i] = k
    return [None if k is None else 16 * min(k, 8) + 2 for k in lines]


def _page_setup(ws: Any) -> None:
    """A4 landscape, one page wide, the header repeated, page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3)
    ws.set_margins(0.4, 0.4, 0.6, 0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")


def main(argv: Sequence[str] | None = None) -> int:
    ap = console.ArgumentParser(prog="logidesk deadlines",
                                description="时限提醒：今日到期、N 天内到期、已逾期及无法计算的事项（按网点、类别分组）。\n"
                                            "读取理赔、投诉、代收货款、仓储保管登记表和通知台账。")
    ap.add_argument("paths", nargs="*", type=Path, help="登记表文件或文件夹（默认当前文件夹）")
    ap.add_argument("--within", type=console.positive_int, default=3, help="提醒 N 天内到期的事项（默认 3）")
    ap.add_argument("--today", type=console.date_arg, help="按此日期检查，如 2026-11-23 或 2026年11月23日（默认今天）")
    ap.add_argument("--ledger", help="通知台账（SQLite 路径或 postgresql:// URL）；默认为配置的公司台账")
    ap.add_argument("--no-ledger", action="store_true", help="不读取通知台账")
    ap.add_argument("--out", type=Path, help="另存为 .xlsx（工作表「时限提醒」），或已有的文件夹（写入 时限提醒.xlsx）")
    ap.add_argument(listing.SHOW_ALL, action="store_true", help=listing.SHOW_ALL_HELP)
    args = ap.parse_args(argv)
    print_once(args.today)             # from 1 November: the coming year's holidays missing
    return console.run("deadlines", lambda: _main(args))


def _main(args: Any) -> int:
    paths = args.paths or [Path.cwd()]
    if args.out:
        args.out = console.out_file(args.out, Path("时限提醒.xlsx"))
        console.check_name_length(args.out)
        console.refuse_if_open([args.out])
    with console.Progress("读取登记表", unit="个", quiet=args.quiet) as bar:
        df = collect(paths, args.today, args.within, args.ledger, use_ledger=not args.no_ledger,
                     progress=bar.update)
    text = format_table(df, listing.limit(args.quiet, args.show_all), args.out)
    if args.out:
        try:
            with console.Progress("写出提醒表", unit="行", quiet=args.quiet) as bar:
                write_sheet(df, args.out, bar.update)
        except OSError as e:
            return console.os_failure("deadlines", e, f"提醒表 {args.out} 未保存（已有的文件未改动）。")
    console.say(text)
    if args.out:
        console.say(f"已保存：{args.out}")
    if df.attrs.get("ledger_error"):
        raise console.Refused(f"未完成：{df.attrs['ledger_error']}。登记表中的时限已列出，通知的回复期限未检查。", console.EXIT_ENV)
    return console.EXIT_ROWS if df.attrs["errors"] else console.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
