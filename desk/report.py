"""Half-month damage/shortage report (货损货差十五日报表; its rules CLM-2..4, CLM-8 and DL-2 in
docs/rules.md): every branch's damage and shortage claims (破损、遗失、内件不符) of one half
month (1st–15th, 16th–month end, by 索赔日期) consolidated into one workbook.

Every register is read once by the one register model (:mod:`desk.registers`); our own
``_结果`` files are never read beside their inputs and a claim found in several files
(same branch, waybill, type and claim date) is counted once. Only accepted claims (outcome
"ok") are in the counts and totals: refused claims (CLM-8) are listed apart with their
reason, rows with input errors are listed in 「需核对」 with file, sheet and row, delays
(延误, not damage or shortage) are listed apart in 「延误（另列）」 and in no total.

Sheets: 汇总 (by branch, with a native chart of proposed vs paid compensation), 按索赔类型,
按索赔原因, 逾期案件, 明细, 延误（另列）, 不予受理, 需核对, 报送情况 (branches that sent
nothing are listed). Amounts are the model's 赔偿金额 and 已付金额 (Decimal); overdue = DL-2
processing limit (处理期限) against 结案日期 or the report date.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd

import udfs
from cli import console, listing
from desk import claimset, xlsxout
from desk.claimset import APART_COLUMNS, DAMAGE_TYPES, ZERO
from desk.registers import Loaded
from udfs.deadlines import status_text

BRANCH_FILES = ("网点清单.txt", "branches.txt")
DETAIL_COLUMNS = ["网点", "运单号", "索赔日期", "索赔类型", "索赔原因", "货物类别", "物品价值", "责任网点",
                  "赔偿金额", "已付金额", "结案日期", "处理期限", "时限状态"]


PERIOD_FORMS = "2026-11-上半月、2026-11-下半月、2026年11月上半月、2026-11-1（上半月）、2026-11-2（下半月）、2026-11-H1、2026-11-H2"
_HALF = r"(上半月|下半月|上|下|[Hh][12])"
_PERIOD_RES = [
    # 2026-11-上半月, 2026/11/H1, 2026.11.1, 2026-11 下半月
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.\s]\s*(上半月|下半月|上|下|[Hh][12]|[12])"),
    # 2026年11月上半月, 2026年11月-下, 2026年11月H1
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*[-/.\s]?\s*" + _HALF),
    # 2026-11上半月
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*(上半月|下半月)"),
]


def parse_period(text: str) -> tuple[dt.date, dt.date, str]:
    """A half month as people type it → (first day, last day, ``2026-11-上半月``).

    上半月 is the 1st–15th, 下半月 the 16th–month end. Accepted: see
    :data:`PERIOD_FORMS`; anything else (``2026-11``, ``2026-11-3``) is a ValueError that
    lists the valid forms — never a silent guess."""
    raw = "" if text is None else str(text)
    t = unicodedata.normalize("NFKC", raw).strip()
    m = next((m for r in _PERIOD_RES if (m := r.fullmatch(t))), None)
    if not m:
        raise ValueError(f"期间「{raw.strip()}」无法识别：请写成 {PERIOD_FORMS}")
    year, month, half = int(m.group(1)), int(m.group(2)), m.group(3).upper()
    if not 1 <= month <= 12 or not 1900 <= year <= 9999:
        raise ValueError(f"期间「{raw.strip()}」中的月份无效：请写成 {PERIOD_FORMS}")
    first = half in ("上半月", "上", "H1", "1")
    last_day = calendar.monthrange(year, month)[1]
    start = dt.date(year, month, 1 if first else 16)
    end = dt.date(year, month, 15 if first else last_day)
    return start, end, f"{year}-{month:02d}-{'上半月' if first else '下半月'}"


def read_branch_list(spec: str | Path | Sequence[str] | None, folders: Iterable[Path] = ()) -> list[str]:
    """Expected branches: a list, a file (one per line), ``A,B,C``, or 网点清单.txt in a folder."""
    if spec is None:
        for folder in folders:
            for name in BRANCH_FILES:
                if (folder / name).is_file():
                    return read_branch_list(folder / name)
        return []
    if isinstance(spec, (list, tuple)):
        return [str(s).strip() for s in spec if str(s).strip()]
    p = Path(str(spec))
    if p.is_file():
        lines = p.read_text(encoding="utf-8-sig").splitlines()
        return [ln.split("#")[0].strip() for ln in lines if ln.split("#")[0].strip()]
    return [s.strip() for s in re.split(r"[,，、]", str(spec)) if s.strip()]


def consolidate(paths: Sequence[str | Path] | Loaded, period: str, today: dt.date | None = None,
                branches: Any = None, progress: Any = None) -> dict[str, Any]:
    """Read every claim register and return the period's claims, the rows listed apart and
    the per-branch reporting status."""
    start, end, label = parse_period(period)
    today = today or udfs.today()
    g = claimset.gather(paths, start, end, today, progress)
    sp = claimset.split(g.rows, start, end)
    claims, apart_df, seen, files = sp.claims, sp.apart, g.seen, g.files
    # Overdue (DL-2): the processing limit against the closing date, or the report date.
    status, late = [], []
    for due, done in zip(claims["处理期限"].tolist(), claims["结案日期"].tolist()):
        if due is None:
            status.append("")
            late.append(False)
            continue
        status.append(status_text(due, done, today))
        late.append((done or today) > due)
    claims["时限状态"] = status
    claims["逾期"] = late
    expected = read_branch_list(branches, [p for p in files if p.is_dir()])
    names = list(dict.fromkeys(expected + sorted(seen)))
    counts = claims.groupby("网点").size() if len(claims) else pd.Series(dtype=int)
    state = []
    for b in names:
        c = int(counts.get(b, 0))
        st = "未报送" if b not in seen else ("已报送" if c else "已报送（本期无案件）")
        state.append({"网点": b, "报送状态": st, "本期件数": c, "文件": "、".join(seen.get(b, []))})
    return {"rows": claims.reset_index(drop=True), "apart": apart_df, "status": pd.DataFrame(state),
            "start": start, "end": end, "period": label, "today": today, "branches": names,
            "errors": claimset.check_notes(g, sp),
            "n_refused": len(sp.refused), "n_delays": len(sp.delays), "n_registers": len(g.registers)}


LINE_POINTS = 15   # points per line of 11 pt body text


def text_lines(value: Any, width: float) -> int:
    """Lines a value's text takes wrapped in a column ``width`` units wide (a CJK character is
    about two units; numbers and dates are one line)."""
    if not isinstance(value, str):
        return 1
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in value)
    return max(1, -(-units // max(1, int(width * 0.9))))


def _group(rows: pd.DataFrame, key: str, order: Sequence[str] | None = None) -> pd.DataFrame:
    out = []
    keys = list(order) if order is not None else sorted(rows[key].unique()) if len(rows) else []
    grouped = {k: g for k, g in rows.groupby(key)} if len(rows) else {}
    for k in keys:
        g = grouped.get(k)
        if g is None:
            out.append({key: k, "件数": 0, "建议赔偿金额": ZERO, "已付金额": ZERO, "未付差额": ZERO, "逾期件数": 0})
            continue
        proposed = sum(g["赔偿金额"], ZERO)
        paid = sum(g["已付金额"], ZERO)
        out.append({key: k, "件数": len(g), "建议赔偿金额": proposed, "已付金额": paid,
                    "未付差额": proposed - paid, "逾期件数": int(g["逾期"].sum())})
    return pd.DataFrame(out, columns=[key, "件数", "建议赔偿金额", "已付金额", "未付差额", "逾期件数"])


def last_period(today: dt.date) -> str:
    """The latest half month that has ended by ``today`` (the one due for reporting)."""
    if today.day > 15:
        return f"{today.year}-{today.month:02d}-上半月"
    prev = today.replace(day=1) - dt.timedelta(days=1)
    return f"{prev.year}-{prev.month:02d}-下半月"


def build(paths: Any, period: str | None = None, out: Path | None = None, *,
          today: dt.date | None = None, branches: Any = None, progress: Any = None,
          kind: str = "claims", out_dir: Path | None = None) -> Path:
    """Write the half-month report for ``period`` (e.g. ``2026-11-上半月``) to ``out``.

    ``paths``: register files / folders, or a :class:`desk.registers.Loaded` register (the
    ribbon's live book). Without ``period``: the latest half month that has ended; without
    ``out``: 货损货差十五日报表_<期间>.xlsx in ``out_dir`` (default: current folder)."""
    if kind != "claims":
        raise ValueError("十五日报表只适用于理赔登记表")
    today = today or udfs.today()
    period = period or last_period(today)
    label = parse_period(period)[2]
    if out is None:
        out = Path(out_dir or Path.cwd()) / f"货损货差十五日报表_{label}.xlsx"
    return write_report(consolidate(paths, period, today, branches, progress), Path(out))


def write_report(data: dict[str, Any], out: Path, progress: Any = None) -> Path:
    """Write consolidated ``data`` (from :func:`consolidate`) as the report workbook (atomic,
    through the one safe writer: every text a string)."""
    console.check_name_length(Path(out))
    rows = data["rows"]
    by_branch = _group(rows, "网点", data["branches"])
    by_type = _group(rows, "索赔类型", [t for t in DAMAGE_TYPES if len(rows) and (rows["索赔类型"] == t).any()])
    by_cause = _group(rows, "索赔原因")
    with xlsxout.workbook(out) as wb:
        _write(wb, data, by_branch, by_type, by_cause, progress)
    return Path(out)


class _Sheets:
    """The report's formats, its A4 landscape sheets and its tables (progress counted over
    every table of the workbook)."""

    def __init__(self, wb: Any, total_rows: int, progress: Any = None) -> None:
        self.wb, self.total_rows, self.progress, self.written = wb, total_rows, progress, 0
        f = xlsxout.report_formats(wb)
        self.title, self.sub, self.head, self.money, self.cell, self.wrap, self.date, self.bold_money, self.bold = (
            f[k] for k in ("title", "sub", "head", "money", "cell", "wrap", "date", "bold_money", "bold"))
        self.warn = wb.add_format({"border": 1, "font_color": "#C00000"})

    def sheet(self, name: str, widths: Sequence[float] = ()) -> Any:
        w = self.wb.add_worksheet(name)
        w.set_landscape()
        w.set_paper(9)  # A4
        w.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
        w.fit_to_pages(1, 0)
        for j, x in enumerate(widths):
            w.set_column(j, j, x)
        return w

    def _step(self, base: int) -> Any:
        def step(n: int) -> None:
            self.written = base + n
            if self.progress:
                self.progress(min(self.written, self.total_rows), self.total_rows)
        return step

    def table(self, ws: Any, r0: int, df: pd.DataFrame, total: bool = False, fmt: Any = None,
              widths: Sequence[float] = ()) -> int:
        """Header at ``r0``, the rows (a bold 合计 row below when ``total``); returns the last row.
        ``widths``: the columns' widths when ``fmt`` wraps — each row is then as high as its
        longest wrapped cell (viewers do not grow rows on their own)."""
        fmt = self.cell if fmt is None else fmt
        for j, c in enumerate(df.columns):
            ws.write_string(r0, j, str(c), self.head)
        step = self._step(self.written)
        if total:  # small tables with a total row below: cell by cell
            last = xlsxout.write_rows(ws, r0 + 1, list(df.itertuples(index=False, name=None)), fmt, self.date,
                                      self.money, progress=step)
        else:
            heights = None
            if widths:
                heights = [LINE_POINTS * max(text_lines(v, w) for v, w in zip(rec, widths))
                           for rec in df.itertuples(index=False, name=None)]
            last = xlsxout.write_table(ws, r0 + 1, [df[c].tolist() for c in df.columns], fmt, self.date,
                                       self.money, heights=heights, progress=step)
        last = max(last, r0)
        if total and len(df):
            last = self._total_row(ws, last + 1, df)
        return last

    def _total_row(self, ws: Any, r: int, df: pd.DataFrame) -> int:
        """合计 of every column below a table (counts as integers, amounts as money)."""
        ws.write_string(r, 0, "合计", self.bold)
        for j, c in enumerate(df.columns[1:], start=1):
            if c in ("件数", "逾期件数"):
                ws.write_number(r, j, int(df[c].sum()), self.bold)
            else:
                ws.write_number(r, j, float(sum(df[c], ZERO)), self.bold_money)
        return r


def _write(wb: Any, data: dict, by_branch: pd.DataFrame, by_type: pd.DataFrame,
           by_cause: pd.DataFrame, progress: Any = None) -> None:
    rows, apart = data["rows"], data["apart"]
    out = _Sheets(wb, 2 * len(rows) + len(apart) + 50, progress)
    caption = f"货损货差十五日报表　{data['period']}（{data['start']} 至 {data['end']}）"
    _summary_sheet(out, data, by_branch, caption)
    for name, df in (("按索赔类型", by_type), ("按索赔原因", by_cause)):
        s = out.sheet(name, (18, 8, 14, 14, 14, 10))
        s.write_string(0, 0, caption, out.title)
        out.table(s, 2, df, total=True)
    _detail_sheets(out, data, caption)
    _apart_sheets(out, apart, caption)
    _status_sheet(out, data["status"], caption)


def _summary_sheet(out: _Sheets, data: dict, by_branch: pd.DataFrame, caption: str) -> None:
    """汇总: the period's figures in one sentence, the table by branch and its chart."""
    rows, status, apart = data["rows"], data["status"], data["apart"]
    ws = out.sheet("汇总", (18, 8, 14, 14, 14, 10))
    ws.write_string(0, 0, caption, out.title)
    n_sent = int((status["报送状态"] != "未报送").sum()) if len(status) else 0
    n_check = int((apart["_sheet"] == "需核对").sum()) if len(apart) else 0
    sub_wrap = out.wb.add_format({"font_size": 10, "font_color": "#404040", "text_wrap": True, "valign": "top"})
    ws.set_row(1, 30)
    ws.merge_range(1, 0, 1, 5, f"报表日期：{data['today']}　网点 {len(data['branches'])} 个，已报送 {n_sent} 个；"
                          f"货损货差案件 {len(rows)} 件（破损、遗失、内件不符）；另列：延误 {data['n_delays']} 件、"
                          f"不予受理 {data['n_refused']} 件、需核对 {n_check} 行（不计入合计）；依据 DL-2、CLM-8", sub_wrap)
    last = out.table(ws, 3, by_branch, total=True)
    if len(by_branch):
        chart = out.wb.add_chart({"type": "column"})
        n = len(by_branch)
        for col in (2, 3):
            chart.add_series({"name": ["汇总", 3, col], "categories": ["汇总", 4, 0, 3 + n, 0],
                              "values": ["汇总", 4, col, 3 + n, col]})
        chart.set_title({"name": "各网点建议赔偿与已付金额"})
        chart.set_y_axis({"name": "元", "num_format": "#,##0"})
        chart.set_size({"width": 760, "height": 360})
        ws.insert_chart(last + 3, 0, chart)


# cells wrap inside their columns: a long 来源 or 责任网点 never runs past the table, which
# made the printed page scale down to fit the overflow (明细 printed tiny)
DETAIL_WIDTHS = (10, 14, 11, 8, 10, 9, 11, 12, 11, 11, 11, 11, 10, 20)  # ≈ one A4 landscape width at 90 %


def _detail_sheets(out: _Sheets, data: dict, caption: str) -> None:
    """逾期案件 (DL-2) and 明细: every counted claim, wrapped in A4 widths."""
    rows, widths = data["rows"], DETAIL_WIDTHS
    over = rows[rows["逾期"]][DETAIL_COLUMNS] if len(rows) else pd.DataFrame(columns=DETAIL_COLUMNS)
    s = out.sheet("逾期案件", widths)
    s.write_string(0, 0, f"{caption}　逾期案件（理赔处理时限 DL-2，截至 {data['today']}）", out.title)
    out.table(s, 2, over.reset_index(drop=True), fmt=out.wrap, widths=widths)
    s = out.sheet("明细", widths)
    s.write_string(0, 0, caption, out.title)
    detail = rows[DETAIL_COLUMNS + ["来源"]] if len(rows) else pd.DataFrame(columns=DETAIL_COLUMNS + ["来源"])
    out.table(s, 2, detail.reset_index(drop=True), fmt=out.wrap, widths=widths)
    if len(detail):
        s.autofilter(2, 0, 2 + len(detail), len(DETAIL_COLUMNS))
    s.freeze_panes(3, 0)


def _apart_sheets(out: _Sheets, apart: pd.DataFrame, caption: str) -> None:
    """The rows in no total: 延误（另列）, 不予受理, 需核对, each with why."""
    for name, note in (("延误（另列）", "延误不属货损货差，另列，不计入上表合计"),
                       ("不予受理", "不予受理的索赔（CLM-8）：不赔偿、不计入合计，仍须答复客户（DL-1）"),
                       ("需核对", "无法计入的行：输入有误、重复出现或类型不符（按文件、工作表、行号列出）")):
        s = out.sheet(name, (12, 16, 11, 9, 60, 36))
        s.write_string(0, 0, f"{caption}　{name}", out.title)
        s.write_string(1, 0, note, out.sub)
        part = apart[apart["_sheet"] == name][APART_COLUMNS] if len(apart) else pd.DataFrame(columns=APART_COLUMNS)
        out.table(s, 2, part.reset_index(drop=True), fmt=out.wrap)


def _status_sheet(out: _Sheets, status: pd.DataFrame, caption: str) -> None:
    """报送情况: every branch expected or seen, 未报送 in red."""
    s = out.sheet("报送情况", (18, 18, 10, 40))
    s.write_string(0, 0, f"{caption}　报送情况", out.title)
    for j, c in enumerate(status.columns):
        s.write_string(2, j, str(c), out.head)
    for i, rec in enumerate(status.itertuples(index=False), start=3):
        fmt = out.warn if rec.报送状态 == "未报送" else out.cell
        for j, v in enumerate(rec):
            xlsxout.write(s, i, j, v, fmt)


def main(argv: Sequence[str] | None = None) -> int:
    ap = console.ArgumentParser(prog="logidesk report",
                                description="货损货差十五日报表：汇总各网点理赔登记表中的破损、遗失、内件不符案件"
                                            "（上半月 1–15 日，下半月 16 日–月末）；延误、不予受理与有误的行另列。")
    ap.add_argument("paths", nargs="+", type=Path, help="登记表文件或文件夹")
    ap.add_argument("--period", required=True, help=f"期间，可写 {PERIOD_FORMS}")
    ap.add_argument("--out", type=Path, help="输出 .xlsx，或已有的文件夹（默认 货损货差十五日报表_<期间>.xlsx）")
    ap.add_argument("--branches", help="应报送网点：清单文件（每行一个）或以逗号分隔；默认文件夹中的"
                                       " 网点清单.txt，并包括出现过的所有网点")
    ap.add_argument("--today", type=console.date_arg, help="逾期判断日期，如 2026-11-23（默认今天）")
    ap.add_argument(listing.SHOW_ALL, action="store_true", help=listing.SHOW_ALL_HELP)
    args = ap.parse_args(argv)
    try:
        _, _, label = parse_period(args.period)
    except ValueError as e:
        ap.error(f"--period：{e}")
    return console.run("report", lambda: _main(args, label))


def _main(args: Any, label: str) -> int:
    out = console.out_file(args.out, Path(f"货损货差十五日报表_{label}.xlsx"))
    console.check_name_length(out)
    console.refuse_if_open([out])
    with console.Progress("读取登记表", unit="个", quiet=args.quiet) as bar:
        data = consolidate(args.paths, args.period, args.today, args.branches, bar.update)
    try:
        with console.Progress("写出报表", unit="行", quiet=args.quiet) as bar:
            write_report(data, out, bar.update)
    except OSError as e:
        return console.os_failure("report", e, f"报表 {out} 未保存（已有的文件未改动）。")
    rows, status = data["rows"], data["status"]
    missing = status[status["报送状态"] == "未报送"]["网点"].tolist() if len(status) else []
    console.say(f"已生成 {out}：{data['period']}，{data['n_registers']} 个理赔登记表，货损货差案件 {len(rows)} 件，"
                f"建议赔偿 {sum(rows['赔偿金额'], ZERO):,.2f} 元，已付 {sum(rows['已付金额'], ZERO):,.2f} 元，"
                f"逾期 {int(rows['逾期'].sum()) if len(rows) else 0} 件；另列延误 {data['n_delays']} 件、"
                f"不予受理 {data['n_refused']} 件")
    if missing:
        console.say(f"未报送网点（{len(missing)} 个）：{'、'.join(missing)}")
    checks = (f"需核对：{e}" for e in data["errors"])
    for line in listing.shown(checks, len(data["errors"]), listing.limit(args.quiet, args.show_all), out, "处",
                              "需核对："):
        console.say(line, err=True)
    return console.EXIT_ROWS if data["errors"] else console.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
