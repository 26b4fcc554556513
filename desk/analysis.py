"""Monthly damage/shortage analysis (月度货损分析, ANL-1..3 in docs/rules.md): for one month, per branch
and for the whole network, the accepted damage and shortage claims (破损、遗失、内件不符) by
claim type, by key link (责任环节) and by cause (原因), each with a Pareto chart (sorted by
amount, cumulative share line); the trend over the last 12 months; the damage rate where the
month's shipment count is given; and the major cases (ANL-3) with their registration date
(索赔日期) and whether they were reported to group customer service (上报集团日期).

The claims are those the half-month report counts (:mod:`desk.claimset`): read once by the
register model, each claim counted once (a ``_结果`` copy or a second file never doubles it);
refused claims, error rows and delays are listed apart exactly as in the half-month report.
Amounts are the model's 赔偿金额 (建议赔偿金额) and 已付金额; shares are exact decimals,
half-up to 0.01 %. Registers without the analysis columns count under 「（未填）」.

Sheets: 全网 (by branch, type, link, cause, two Pareto charts), 趋势 (12 months, chart), one
sheet per branch, 重大案件, 明细, 延误（另列）, 不予受理, 需核对; A4 landscape like the
half-month report, written by the one safe writer (:mod:`desk.xlsxout`).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

import udfs
from cli import console
from desk import claimset, xlsxout
from desk.claimset import APART_COLUMNS, ZERO, as_date, text
from udfs.analysis import amount_claimed, major_reasons

EXTRA = ("责任环节", "原因", "上报集团日期", "损失比例", "保价金额", "电商件")
UNFILLED = "（未填）"
TREND_MONTHS = 12
MONTH_FORMS = "2026-11、2026/11、2026.11、2026年11月"
REASON_WIDTH = 48                  # 重大原因 column of 重大案件
SHARE = Decimal("0.0001")          # shares and rates: half-up to 0.01 %
FIXED_SHEETS = ("全网", "趋势", "重大案件", "明细", "延误（另列）", "不予受理", "需核对")
MAJOR_COLUMNS = ["网点", "运单号", "登记日期", "索赔类型", "物品价值", "索赔金额", "保价金额", "受理",
                 "重大原因", "上报集团日期", "上报状态", "来源"]
DETAIL_COLUMNS = ["网点", "运单号", "索赔日期", "索赔类型", "责任环节", "原因", "货物类别", "物品价值",
                  "赔偿金额", "已付金额", "结案日期", "来源"]
_MONTH_RES = [re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})"), re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")]


def parse_month(value: str) -> tuple[dt.date, dt.date, str]:
    """``2026-11`` (or 2026/11, 2026年11月) → (first day, last day, ``2026-11``)."""
    raw = "" if value is None else str(value)
    t = unicodedata.normalize("NFKC", raw).strip()
    m = next((m for r in _MONTH_RES if (m := r.fullmatch(t))), None)
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1900 <= int(m.group(1)) <= 9999:
        raise ValueError(f"月份「{raw.strip()}」无法识别：请写成 {MONTH_FORMS}")
    year, month = int(m.group(1)), int(m.group(2))
    start = dt.date(year, month, 1)
    return start, dt.date(year, month, calendar.monthrange(year, month)[1]), f"{year}-{month:02d}"


def months_back(start: dt.date, n: int = TREND_MONTHS) -> list[dt.date]:
    """First days of the ``n`` months ending with the month of ``start`` (oldest first)."""
    out = [start]
    for _ in range(n - 1):
        out.insert(0, (out[0] - dt.timedelta(days=1)).replace(day=1))
    return out


def last_month(today: dt.date) -> str:
    """The latest month that has ended by ``today`` (the one due for the analysis)."""
    prev = today.replace(day=1) - dt.timedelta(days=1)
    return f"{prev.year}-{prev.month:02d}"


# ----------------------------------------------------------------------------- shipments

_SHIP_LINE = re.compile(r"(.+?)\s*[=＝,，:：\t]\s*([0-9][0-9,，]*)")


def _shipment_pair(item: str, where: str) -> tuple[str, int]:
    m = _SHIP_LINE.fullmatch(unicodedata.normalize("NFKC", item).strip())
    if not m or not m.group(1).strip():
        raise ValueError(f"{where}「{item.strip()}」应写作 网点=发货票数，如 福州仓山营业部=12000（ANL-2）")
    n = int(re.sub(r"[,，]", "", m.group(2)))
    if n <= 0:
        raise ValueError(f"{where}「{item.strip()}」的发货票数应大于 0（ANL-2）")
    return m.group(1).strip(), n


def parse_shipments(items: Sequence[str] | None) -> dict[str, int]:
    """``网点=数量`` items, or files of such lines (also ``网点,数量``; # starts a comment)."""
    out: dict[str, int] = {}
    for item in items or ():
        p = Path(item)
        if p.is_file():
            try:
                lines = p.read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError) as e:
                raise ValueError(f"无法读取发货量文件 {p}（{getattr(e, 'strerror', None) or e}）") from e
            pairs = [_shipment_pair(ln.split("#")[0], f"{p.name} 第{i}行")
                     for i, ln in enumerate(lines, start=1) if ln.split("#")[0].strip()]
        else:
            pairs = [_shipment_pair(item, "--shipments")]
        for name, n in pairs:
            out[name] = n
    return out


# ----------------------------------------------------------------------------- counting

def share(part: Any, whole: Any) -> Decimal | None:
    """part ÷ whole, half-up to 0.01 % (None when the whole is 0)."""
    whole = Decimal(whole)
    if whole == 0:
        return None
    return (Decimal(part) / whole).quantize(SHARE, rounding=ROUND_HALF_UP)


def breakdown(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Count and amount per value of ``key``, sorted by amount (then count, name), with the
    shares and the cumulative amount share of a Pareto table."""
    cols = [key, "件数", "件数占比", "建议赔偿金额", "金额占比", "累计金额占比"]
    if not len(rows):
        return pd.DataFrame(columns=cols)
    total_n, total = len(rows), sum(rows["赔偿金额"], ZERO)
    groups = [(k, len(g), sum(g["赔偿金额"], ZERO)) for k, g in rows.groupby(key, sort=False)]
    groups.sort(key=lambda t: (-t[2], -t[1], t[0]))
    out, cum = [], ZERO
    for k, n, amount in groups:
        cum += amount
        out.append({key: k, "件数": n, "件数占比": share(n, total_n), "建议赔偿金额": amount,
                    "金额占比": share(amount, total), "累计金额占比": share(cum, total)})
    return pd.DataFrame(out, columns=cols)


def _label(v: Any) -> str:
    return text(v) or UNFILLED


def _majors(rows: pd.DataFrame) -> pd.DataFrame:
    """The major cases (ANL-3) among accepted and refused claims, oldest first."""
    cols = ("网点", "运单号", "索赔日期", "索赔类型", "物品价值", "损失比例", "保价金额", "电商件", "_outcome",
            "上报集团日期", "来源")
    out = []
    for branch, waybill, day, ctype, value, lost, insured, ecom, outcome, reported, src in zip(
            *(rows[c].tolist() for c in cols)):
        why = major_reasons(ctype, value, lost, insured, text(ecom) == "是", day)
        if not why:
            continue
        reported = as_date(reported)
        out.append((branch, waybill, day, ctype, value, amount_claimed(ctype, value, lost), insured,
                    "不予受理" if outcome == "refused" else "受理", why, reported,
                    "已上报" if reported else "未上报", src))
    df = pd.DataFrame(out, columns=MAJOR_COLUMNS)
    return df.sort_values(["登记日期", "网点", "运单号"], kind="stable").reset_index(drop=True) if len(df) else df


@dataclass
class Analysis:
    """One month's analysis (what :func:`write` puts in the workbook)."""

    label: str
    start: dt.date
    end: dt.date
    today: dt.date
    branches: list[str]
    claims: pd.DataFrame                 # the month's accepted damage/shortage claims
    apart: pd.DataFrame                  # APART_COLUMNS + _sheet, as the half-month report
    trend: pd.DataFrame                  # 月份, 全网件数, 全网金额, <branch> counts
    majors: pd.DataFrame                 # this month's major cases
    earlier: pd.DataFrame                # major cases of the 11 months before, not reported
    shipments: dict[str, int] = field(default_factory=dict)
    unregistered: list[str] = field(default_factory=list)   # shipments given, no register read
    errors: list[str] = field(default_factory=list)
    n_registers: int = 0
    n_refused: int = 0
    n_delays: int = 0

    def of(self, branch: str | None) -> pd.DataFrame:
        return self.claims if branch is None else self.claims[self.claims["网点"] == branch]


def _candidates(sp: claimset.Split) -> pd.DataFrame:
    """Claims that may be major: accepted (damage, shortage, delay) and refused, once each."""
    return pd.concat([sp.claims, sp.delays, sp.refused], ignore_index=True)


def _trend(claims: pd.DataFrame, firsts: list[dt.date], branches: list[str]) -> pd.DataFrame:
    """Per month of ``firsts``: the network's count and amount, and each branch's count."""
    per: dict[tuple[int, int], list[tuple[str, Decimal]]] = {}
    for d, b, amount in zip(claims["索赔日期"].tolist(), claims["网点"].tolist(), claims["赔偿金额"].tolist()):
        per.setdefault((d.year, d.month), []).append((b, amount))
    rows = []
    for first in firsts:
        got = per.get((first.year, first.month), [])
        rec = {"月份": f"{first.year}-{first.month:02d}", "全网件数": len(got), "全网金额": sum((x for _, x in got), ZERO)}
        counts = Counter(name for name, _ in got)
        rec.update({b: counts.get(b, 0) for b in branches})
        rows.append(rec)
    return pd.DataFrame(rows, columns=["月份", "全网件数", "全网金额", *branches])


def analyse(paths: Any, month: str, today: dt.date | None = None, shipments: dict[str, int] | None = None,
            progress: Any = None) -> Analysis:
    """Read every claim register under ``paths`` once and analyse ``month`` (e.g. 2026-11)."""
    start, end, label = parse_month(month)
    today = today or udfs.today()
    firsts = months_back(start)
    g = claimset.gather(paths, firsts[0], end, today, progress, EXTRA)
    sp = claimset.split(g.rows, start, end)
    year = claimset.split(g.rows, firsts[0], end)
    claims = sp.claims.assign(责任环节=[_label(v) for v in sp.claims["责任环节"]],
                              原因=[_label(v) for v in sp.claims["原因"]])
    branches = sorted(set(g.seen) | set(shipments or {}))
    majors = _majors(_candidates(year))          # the month's split counts the same claims once
    this_month = pd.Series([d >= start for d in majors["登记日期"]], index=majors.index, dtype=bool)
    earlier = majors[~this_month & (majors["上报状态"] == "未上报")].reset_index(drop=True)
    return Analysis(label, start, end, today, branches, claims.reset_index(drop=True), sp.apart,
                    _trend(year.claims, firsts, branches), majors[this_month].reset_index(drop=True), earlier,
                    dict(shipments or {}), sorted(set(shipments or {}) - set(g.seen)), claimset.check_notes(g, sp),
                    len(g.registers), len(sp.refused), len(sp.delays))


def branch_table(a: Analysis) -> pd.DataFrame:
    """Per branch: shipments, damage claims and rate, amounts, major cases (reported or not)."""
    out = []
    for b in a.branches:
        rows, majors = a.of(b), a.majors[a.majors["网点"] == b]
        ships = a.shipments.get(b)
        out.append({"网点": b, "发货票数": ships, "货损件数": len(rows),
                    "货损率": share(len(rows), ships) if ships else None,
                    "建议赔偿金额": sum(rows["赔偿金额"], ZERO), "已付金额": sum(rows["已付金额"], ZERO),
                    "重大案件": len(majors), "未上报": int((majors["上报状态"] == "未上报").sum())})
    return pd.DataFrame(out, columns=["网点", "发货票数", "货损件数", "货损率", "建议赔偿金额", "已付金额",
                                      "重大案件", "未上报"])


def network_rate(a: Analysis) -> tuple[Decimal | None, str]:
    """The network's damage rate over the branches whose shipments are given, and a note."""
    given = [b for b in a.branches if a.shipments.get(b)]
    if not given:
        return None, "未提供发货量，不计算货损率（ANL-2）"
    n = int(a.claims["网点"].isin(given).sum())
    ships = sum(a.shipments[b] for b in given)
    missing = [b for b in a.branches if b not in given]
    note = f"全网货损率 = {n} ÷ {ships:,}" + (f"（不含未提供发货量的网点：{'、'.join(missing)}）" if missing else "")
    return share(n, ships), note


# ----------------------------------------------------------------------------- writing

class _Look:
    """The half-month report's look: formats, A4 landscape sheets, tables with a total row."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        f = xlsxout.report_formats(wb)       # the half-month report's formats
        self.title, self.sub, self.head, self.money = f["title"], f["sub"], f["head"], f["money"]
        self.cell, self.wrap, self.date, self.bold, self.bold_money = (
            f["cell"], f["wrap"], f["date"], f["bold"], f["bold_money"])
        self.section = wb.add_format({"bold": True, "font_size": 11, "font_color": "#1F4E79"})
        self.pct = wb.add_format({"num_format": "0.00%", "border": 1})
        self.bold_pct = wb.add_format({"num_format": "0.00%", "border": 1, "bold": True})
        self.warn = wb.add_format({"border": 1, "font_color": "#C00000", "bold": True})

    def sheet(self, name: str, widths: Sequence[float] = ()) -> Any:
        ws = self.wb.add_worksheet(name)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(0.4, 0.4, 0.6, 0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")
        for j, w in enumerate(widths):
            ws.set_column(j, j, w)
        return ws

    def table(self, ws: Any, r0: int, df: pd.DataFrame, total: dict[str, Any] | None = None,
              fmt: Any = None, formats: dict[str, Any] | None = None) -> int:
        """Header at ``r0``, rows, an optional bold total row; returns the last row written.
        ``formats``: per column, the format of its cells (shares in %)."""
        formats = formats or {}
        for j, c in enumerate(df.columns):
            ws.write_string(r0, j, str(c), self.head)
        r = r0
        for r, values in enumerate(df.itertuples(index=False, name=None), start=r0 + 1):
            for j, (c, v) in enumerate(zip(df.columns, values)):
                f = formats.get(c)  # a share (Decimal) in %, not in the money format
                xlsxout.write(ws, r, j, v, f or fmt or self.cell, self.date, f or self.money)
        if total is not None:
            r += 1
            for j, c in enumerate(df.columns):
                v = total.get(c)
                f = self.bold_pct if c in formats else self.bold_money if isinstance(v, Decimal) else self.bold
                xlsxout.write(ws, r, j, v, f)
        return r


def _sheet_names(branches: Sequence[str]) -> dict[str, str]:
    """A valid, unique worksheet name per branch (31 characters, no []:*?/\\)."""
    out, used = {}, set(FIXED_SHEETS)
    for b in branches:
        base = re.sub(r"[\[\]:*?/\\']", "_", b).strip() or "网点"
        name, k = base[:31], 2
        while name in used:
            tail = f"_{k}"
            name, k = base[:31 - len(tail)] + tail, k + 1
        used.add(name)
        out[b] = name
    return out


def _pareto(look: _Look, ws: Any, sheet: str, r0: int, n: int, title: str) -> Any:
    """Columns of amount by category, sorted, with the cumulative share on a 0–100 % axis."""
    chart = look.wb.add_chart({"type": "column"})
    cats = [sheet, r0 + 1, 0, r0 + n, 0]
    chart.add_series({"name": "建议赔偿金额", "categories": cats, "values": [sheet, r0 + 1, 3, r0 + n, 3],
                      "fill": {"color": "#5B9BD5"}})
    line = look.wb.add_chart({"type": "line"})
    line.add_series({"name": "累计金额占比", "categories": cats, "values": [sheet, r0 + 1, 5, r0 + n, 5],
                     "y2_axis": True, "marker": {"type": "circle", "size": 5}, "line": {"color": "#C00000"}})
    chart.combine(line)
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_y_axis({"name": "元", "num_format": "#,##0"})
    line.set_y2_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 300})
    return chart


_PCT = ("件数占比", "金额占比", "累计金额占比")


def _dimensions(look: _Look, ws: Any, sheet: str, r: int, rows: pd.DataFrame, who: str) -> int:
    """By claim type, link and cause, each with its Pareto chart to the right; returns the
    next free row."""
    formats = {c: look.pct for c in _PCT}
    for key, what in (("索赔类型", "索赔类型"), ("责任环节", "责任环节（ANL-1）"), ("原因", "原因（ANL-1）")):
        df = breakdown(rows, key)
        ws.write_string(r, 0, f"按{what}　{who}", look.section)
        total = {key: "合计", "件数": len(rows), "建议赔偿金额": sum(rows["赔偿金额"], ZERO)} if len(df) else None
        last = look.table(ws, r + 1, df, total, formats=formats)
        if len(df) and key != "索赔类型":
            ws.insert_chart(r, 7, _pareto(look, ws, sheet, r + 1, len(df), f"{who}　{key}帕累托图（按金额）"))
        r = max(last + 2, r + (17 if len(df) and key != "索赔类型" else 0))
    return r


def _network_sheet(look: _Look, a: Analysis, caption: str) -> None:
    ws = look.sheet("全网", (xlsxout.text_width(["累计金额占比", *a.branches], 16, 28), 10, 10, 10, 14, 12, 10, 10))
    ws.write_string(0, 0, caption + "　全网", look.title)
    rate, note = network_rate(a)
    n_check = int((a.apart["_sheet"] == "需核对").sum()) if len(a.apart) else 0
    ws.write_string(1, 0, f"分析日期：{a.today}　网点 {len(a.branches)} 个；货损货差案件 {len(a.claims)} 件（破损、遗失、"
                          f"内件不符），建议赔偿 {sum(a.claims['赔偿金额'], ZERO):,.2f} 元；重大案件 {len(a.majors)} 件，"
                          f"未上报 {int((a.majors['上报状态'] == '未上报').sum())} 件；另列：延误 {a.n_delays} 件、"
                          f"不予受理 {a.n_refused} 件、需核对 {n_check} 行（不计入合计）；依据 ANL-1～ANL-3", look.sub)
    ws.write_string(2, 0, note, look.sub)
    ws.write_string(3, 0, "按网点", look.section)
    bt = branch_table(a)
    total = {"网点": "全网", "发货票数": sum(a.shipments.get(b, 0) for b in a.branches) or None,
             "货损件数": len(a.claims), "货损率": rate, "建议赔偿金额": sum(bt["建议赔偿金额"], ZERO),
             "已付金额": sum(bt["已付金额"], ZERO), "重大案件": len(a.majors),
             "未上报": int((a.majors["上报状态"] == "未上报").sum())}
    last = look.table(ws, 4, bt, total, formats={"货损率": look.pct})
    _dimensions(look, ws, "全网", last + 2, a.claims, "全网")


def _trend_sheet(look: _Look, a: Analysis, caption: str) -> None:
    ws = look.sheet("趋势", (10, 10, 14, *(xlsxout.text_width([b], 8, 24) for b in a.branches)))
    ws.write_string(0, 0, f"{caption}　近 {TREND_MONTHS} 个月趋势（货损货差案件，按索赔日期）", look.title)
    total = {"月份": "合计", "全网件数": int(a.trend["全网件数"].sum()), "全网金额": sum(a.trend["全网金额"], ZERO),
             **{b: int(a.trend[b].sum()) for b in a.branches}}
    last = look.table(ws, 2, a.trend, total)
    chart = look.wb.add_chart({"type": "column"})
    n = len(a.trend)
    chart.add_series({"name": "建议赔偿金额", "categories": ["趋势", 3, 0, 2 + n, 0],
                      "values": ["趋势", 3, 2, 2 + n, 2], "fill": {"color": "#5B9BD5"}})
    line = look.wb.add_chart({"type": "line"})
    line.add_series({"name": "件数", "categories": ["趋势", 3, 0, 2 + n, 0], "values": ["趋势", 3, 1, 2 + n, 1],
                     "y2_axis": True, "marker": {"type": "circle", "size": 5}, "line": {"color": "#C00000"}})
    chart.combine(line)
    chart.set_title({"name": f"全网近 {TREND_MONTHS} 个月货损货差趋势", "name_font": {"size": 11}})
    chart.set_y_axis({"name": "元", "num_format": "#,##0"})
    line.set_y2_axis({"name": "件", "min": 0})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 320})
    ws.insert_chart(last + 2, 0, chart)


def _majors_sheet(look: _Look, a: Analysis, caption: str) -> None:
    ws = look.sheet("重大案件", (14, 16, 11, 9, 11, 11, 11, 9, REASON_WIDTH, 12, 9, 30))
    ws.write_string(0, 0, f"{caption}　重大理赔案件（ANL-3：索赔金额达门槛、电商件高价值 ECM-4、保价超过 20 万 INS-3）",
                    look.title)
    ws.write_string(1, 0, "重大理赔案件应及时上报集团客服部；上报后在登记表「上报集团日期」列填写日期", look.sub)
    # the older cases still not reported first (the most urgent), then this month's
    ws.write_string(2, 0, f"以前月份（近 {TREND_MONTHS} 个月）尚未上报的重大案件 {len(a.earlier)} 件", look.section)
    r = _major_rows(look, ws, 3, a.earlier, small=True)
    ws.write_string(r + 2, 0, f"本月重大案件 {len(a.majors)} 件", look.section)
    _major_rows(look, ws, r + 3, a.majors)


def _major_rows(look: _Look, ws: Any, r0: int, df: pd.DataFrame, small: bool = False) -> int:
    """A major-case table (header at ``r0``), 未上报 in red; returns its last row. The large
    one goes last on the sheet (write_table); ``small`` tables are written cell by cell."""
    for j, c in enumerate(MAJOR_COLUMNS):
        ws.write_string(r0, j, c, look.head)
    cols = [df[c].tolist() for c in MAJOR_COLUMNS]
    formats = {MAJOR_COLUMNS.index("上报状态"): [look.warn if v == "未上报" else None for v in df["上报状态"]]}
    for c in ("重大原因", "来源"):
        formats[MAJOR_COLUMNS.index(c)] = [look.wrap] * len(df)
    # wrapped reasons: viewers keep the default row height otherwise (as the reminder export)
    lines = [-(-xlsxout.text_width([w], 0, 10_000) // (REASON_WIDTH - 1)) for w in df["重大原因"]]
    heights = [16 * min(k, 6) + 2 if k > 1 else None for k in lines]
    if small:
        for i, values in enumerate(zip(*cols)):
            if heights[i]:
                ws.set_row(r0 + 1 + i, heights[i])
            for j, v in enumerate(values):
                f = formats[j][i] if j in formats and formats[j][i] is not None else look.cell
                xlsxout.write(ws, r0 + 1 + i, j, v, f, look.date, look.money)
        return r0 + len(df)
    return max(r0, xlsxout.write_table(ws, r0 + 1, cols, look.cell, look.date, look.money, cell_formats=formats,
                                       heights=heights))


def _apart_sheets(look: _Look, a: Analysis, caption: str) -> None:
    for name, note in (("延误（另列）", "延误不属货损货差，另列，不计入上表合计"),
                       ("不予受理", "不予受理的索赔（CLM-8）：不赔偿、不计入合计，仍须答复客户（DL-1）"),
                       ("需核对", "无法计入的行：输入有误、重复出现或类型不符（按文件、工作表、行号列出）")):
        ws = look.sheet(name, (12, 16, 11, 9, 60, 36))
        ws.write_string(0, 0, f"{caption}　{name}", look.title)
        ws.write_string(1, 0, note, look.sub)
        part = a.apart[a.apart["_sheet"] == name] if len(a.apart) else pd.DataFrame(columns=APART_COLUMNS)
        for j, c in enumerate(APART_COLUMNS):
            ws.write_string(2, j, c, look.head)
        xlsxout.write_table(ws, 3, [part[c].tolist() for c in APART_COLUMNS], look.wrap, look.date)


def _detail_sheet(look: _Look, a: Analysis, caption: str, progress: Any) -> None:
    ws = look.sheet("明细", (14, 16, 11, 9, 10, 11, 10, 11, 11, 11, 11, 30))
    ws.write_string(0, 0, f"{caption}　明细", look.title)
    for j, c in enumerate(DETAIL_COLUMNS):
        ws.write_string(2, j, c, look.head)
    rows = a.claims.sort_values(["网点", "索赔日期", "运单号"], kind="stable")
    xlsxout.write_table(ws, 3, [rows[c].tolist() for c in DETAIL_COLUMNS], look.cell, look.date, look.money,
                        progress=(lambda n: progress(n, len(rows))) if progress else None)
    if len(rows):
        ws.autofilter(2, 0, 2 + len(rows), len(DETAIL_COLUMNS) - 1)
    ws.freeze_panes(3, 0)
    ws.repeat_rows(2)


def write(a: Analysis, out: Path, progress: Any = None) -> Path:
    """Write the analysis workbook (atomic, through the one safe writer)."""
    console.check_name_length(Path(out))
    caption = f"月度货损分析　{a.label}（{a.start} 至 {a.end}）"
    # not streamed: XlsxWriter then stores each chart's data (text categories as text) in the
    # chart, for viewers that draw from it; the large 明细 table is put in by write_table
    with xlsxout.workbook(out, streaming=False) as wb:
        look = _Look(wb)
        _network_sheet(look, a, caption)
        _trend_sheet(look, a, caption)
        for b, name in _sheet_names(a.branches).items():
            ws = look.sheet(name, (18, 8, 10, 14, 10, 12))
            rows = a.of(b)
            ws.write_string(0, 0, f"{caption}　{b}", look.title)
            ships = a.shipments.get(b)
            ratio = share(len(rows), ships) if ships else None  # None: no shipments, no rate
            rate = f"，货损率 {ratio * 100:.2f}%（{len(rows)} ÷ {ships:,}）" if ratio is not None else ""
            ws.write_string(1, 0, f"货损货差案件 {len(rows)} 件，建议赔偿 {sum(rows['赔偿金额'], ZERO):,.2f} 元{rate}；"
                                  f"重大案件 {int((a.majors['网点'] == b).sum())} 件", look.sub)
            if len(rows) and (rows["责任环节"] == UNFILLED).all() and (rows["原因"] == UNFILLED).all():
                ws.write_string(2, 0, "本网点的案件均未填写责任环节、原因：请在理赔登记表增加或填写这两列（ANL-1）", look.sub)
            _dimensions(look, ws, name, 3, rows, b)
        _majors_sheet(look, a, caption)
        _detail_sheet(look, a, caption, progress)
        _apart_sheets(look, a, caption)
    return Path(out)


def build(paths: Any, month: str | None = None, out: Path | None = None, *, today: dt.date | None = None,
          shipments: dict[str, int] | None = None, out_dir: Path | None = None, progress: Any = None) -> Path:
    """Write the analysis of ``month`` (default: the last month that has ended) to ``out``
    (default: 月度货损分析_<月份>.xlsx in ``out_dir`` or the current folder)."""
    today = today or udfs.today()
    month = month or last_month(today)
    label = parse_month(month)[2]
    out = Path(out) if out else Path(out_dir or Path.cwd()) / f"月度货损分析_{label}.xlsx"
    return write(analyse(paths, month, today, shipments, progress), out)


# ----------------------------------------------------------------------------- command line

def main(argv: Sequence[str] | None = None) -> int:
    ap = console.ArgumentParser(prog="logidesk analysis",
                                description="月度货损分析（ANL-1～ANL-3）：各网点与全网按索赔类型、责任环节、原因的件数与金额，"
                                            "帕累托图、近 12 个月趋势、货损率与重大案件；不予受理与有误的行另列。")
    ap.add_argument("paths", nargs="+", type=Path, help="登记表文件或文件夹")
    ap.add_argument("--month", required=True, help=f"月份，可写 {MONTH_FORMS}")
    ap.add_argument("--out", type=Path, help="输出 .xlsx（默认 月度货损分析_<月份>.xlsx）")
    ap.add_argument("--shipments", nargs="+", metavar="文件或网点=数量",
                    help="本月发货票数（计算货损率）：网点=数量，或每行一个 网点=数量 的文件")
    ap.add_argument("--today", type=console.date_arg, help="分析日期，如 2026-12-02（默认今天）")
    args = ap.parse_args(argv)
    try:
        label = parse_month(args.month)[2]
        shipments = parse_shipments(args.shipments)
    except ValueError as e:
        ap.error(f"{'--month' if '月份' in str(e) else '--shipments'}：{e}")
    return console.run("analysis", lambda: _main(args, label, shipments))


def _main(args: Any, label: str, shipments: dict[str, int]) -> int:
    out = args.out or Path(f"月度货损分析_{label}.xlsx")
    console.check_name_length(out)
    console.refuse_if_open([out])
    with console.Progress("读取登记表", unit="个", quiet=args.quiet) as bar:
        a = analyse(args.paths, args.month, args.today, shipments, bar.update)
    try:
        with console.Progress("写出分析", unit="行", quiet=args.quiet) as bar:
            write(a, out, bar.update)
    except OSError as e:
        raise console.Refused(f"无法保存 {out}（{e.strerror or e}）", console.EXIT_ENV) from e
    rate, note = network_rate(a)
    unreported = a.majors[a.majors["上报状态"] == "未上报"]
    console.say(f"已生成 {out}：{a.label}，{a.n_registers} 个理赔登记表，货损货差案件 {len(a.claims)} 件，"
                f"建议赔偿 {sum(a.claims['赔偿金额'], ZERO):,.2f} 元" + (f"，全网货损率 {rate * 100:.2f}%" if rate is not None else "")
                + f"；重大案件 {len(a.majors)} 件（未上报 {len(unreported)} 件）；另列延误 {a.n_delays} 件、不予受理 {a.n_refused} 件")
    for r in pd.concat([unreported, a.earlier]).itertuples(index=False):
        console.say(f"重大案件未上报集团客服部：{r.网点} {r.运单号}（登记 {r.登记日期}）{r.重大原因}")
    if a.unregistered:
        console.say(f"发货量中的网点没有读到理赔登记表：{'、'.join(a.unregistered)}", err=True)
    for note in a.errors:
        console.say(f"需核对：{note}", err=True)
    return console.EXIT_ROWS if a.errors else console.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
