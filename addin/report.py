"""Half-month damage/shortage report (货损货差十五日报表, RULES.md §9): every branch's claims
of one half month (1st–15th, 16th–month end, by 索赔日期) consolidated into one workbook.

Sheets: 汇总 (by branch, with a native chart of proposed vs paid compensation), 按索赔类型,
按索赔原因, 逾期案件, 明细, 报送情况 (branches that sent nothing are listed, not missing).
Amounts are the registers' computed 赔偿金额 (engine column form where blank) and 已付金额;
overdue = DL-2 processing limit (event 索赔处理) status from the engine as of the report date.
"""
from __future__ import annotations

import argparse
import calendar
import datetime as dt
import os
import re
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd

from addin.notices.register import (as_date, as_decimal, fill_computed, is_blank, read_register,
                                    read_settings, register_files)

CLAIM_EVENT = "索赔处理"
BRANCH_FILES = ("网点清单.txt", "branches.txt")
DETAIL_COLUMNS = ["网点", "运单号", "索赔日期", "索赔类型", "索赔原因", "货物类别", "物品价值", "责任网点",
                  "赔偿金额", "已付金额", "结案日期", "时限状态"]


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

    上半月 is the 1st–15th, 下半月 the 16th–month end (RULES.md §9). Accepted: see
    :data:`PERIOD_FORMS`; anything else (``2026-11``, ``2026-11-3``) is a ValueError that
    lists the valid forms — never a silent guess."""
    import unicodedata
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
    p = Path(spec)
    if p.is_file():
        lines = p.read_text(encoding="utf-8-sig").splitlines()
        return [ln.split("#")[0].strip() for ln in lines if ln.split("#")[0].strip()]
    return [s.strip() for s in re.split(r"[,，、]", str(spec)) if s.strip()]


def _other_register(path: Path) -> bool:
    """True when the workbook's template marker says it is not a claim register."""
    try:
        from workbooks.process import detect_kind
        found = detect_kind(path)
    except Exception:  # noqa: BLE001 - unknown layout: let read_register decide
        return False
    return bool(found) and found[0] != "claims"


def _money(x: Any) -> Decimal:
    d = as_decimal(x)
    return Decimal(0) if d is None else d


def consolidate(paths: Sequence[str | Path], period: str, today: dt.date | None = None,
                branches: Any = None, progress: Any = None) -> dict[str, Any]:
    """Read every register and return the period's rows and per-branch reporting status."""
    import udfs
    import udfs.columns as ucol
    start, end, label = parse_period(period)
    today = today or udfs.today()
    if isinstance(paths, (str, Path, pd.DataFrame)):
        paths = [paths]
    given = [p for p in paths if isinstance(p, pd.DataFrame)]
    paths = [p for p in paths if not isinstance(p, pd.DataFrame)]
    files = register_files(list(paths))
    frames, seen, errors = [], {}, []
    for j, df in enumerate(given):
        branch = str(df.attrs.get("本网点") or "本网点")
        frame, _ = fill_computed(df, ("赔偿金额",))
        frame = frame.copy()
        frame.insert(0, "网点", branch)
        frame["来源文件"] = str(df.attrs.get("来源") or "当前工作簿")
        seen.setdefault(branch, []).append(frame["来源文件"].iloc[0] if len(frame) else "当前工作簿")
        frames.append(frame)
    for i, f in enumerate(files):
        if progress:
            progress(i + 1, len(files))
        if _other_register(f):
            continue  # a complaint / storage / COD register in the same folder
        try:
            frame = read_register(f)
        except ValueError as e:
            errors.append(str(e))
            continue
        branch = str(read_settings(f).get("本网点") or f.stem).strip()
        frame, _ = fill_computed(frame, ("赔偿金额",))  # as the workbook computes it
        frame = frame.copy()
        frame.insert(0, "网点", branch)
        frame["来源文件"] = f.name
        seen.setdefault(branch, []).append(f.name)
        frames.append(frame)
    allrows = pd.concat(frames, ignore_index=False) if frames else pd.DataFrame(columns=["网点", "索赔日期"])
    dates = allrows["索赔日期"].map(as_date) if len(allrows) else pd.Series(dtype=object)
    rows = allrows[[d is not None and start <= d <= end for d in dates]].copy()
    rows["索赔日期"] = rows["索赔日期"].map(as_date)
    for c in ("索赔类型", "索赔原因", "赔偿金额", "已付金额", "结案日期", "寄递范围", "时限状态",
              "物品价值", "运费", "保价金额", "损失比例", "货物类别"):
        if c not in rows.columns:
            rows[c] = None
    # 赔偿金额: the register's computed column; the engine's column form where it is blank.
    blank = rows["赔偿金额"].map(is_blank)
    if blank.any():
        sub = rows[blank]
        res = ucol.compensation(sub["索赔类型"], sub["物品价值"], sub["运费"], sub["保价金额"],
                                sub["损失比例"], sub["货物类别"])
        rows.loc[blank, "赔偿金额"] = [None if not is_blank(e) else v for v, e in zip(res["value"], res["error"])]
    rows["赔偿金额"] = rows["赔偿金额"].map(_money)
    rows["已付金额"] = rows["已付金额"].map(_money)
    rows["索赔类型"] = rows["索赔类型"].map(lambda x: "（未填）" if is_blank(x) else str(x).strip())
    rows["索赔原因"] = rows["索赔原因"].map(lambda x: "（未填）" if is_blank(x) else str(x).strip())
    # Overdue (DL-2) as of the report date, from the engine.
    if len(rows):
        n = len(rows)
        st = ucol.deadline_status(pd.Series([CLAIM_EVENT] * n, index=rows.index),
                                  rows["索赔日期"].map(pd.Timestamp),
                                  rows["结案日期"].map(lambda x: None if is_blank(x) else pd.Timestamp(as_date(x))),
                                  pd.Series([pd.Timestamp(today)] * n, index=rows.index), rows["寄递范围"])
        fresh = [v if is_blank(e) else old for v, e, old in zip(st["value"], st["error"], rows["时限状态"])]
        rows["时限状态"] = ["" if is_blank(v) else str(v) for v in fresh]
    rows["逾期"] = rows["时限状态"].map(lambda s: "逾期" in str(s))
    expected = read_branch_list(branches, [Path(p) for p in paths if Path(p).is_dir()])
    names = list(dict.fromkeys(expected + sorted(seen)))
    counts = rows.groupby("网点").size() if len(rows) else pd.Series(dtype=int)
    status = []
    for b in names:
        c = int(counts.get(b, 0))
        state = "未报送" if b not in seen else ("已报送" if c else "已报送（本期无案件）")
        status.append({"网点": b, "报送状态": state, "本期件数": c, "文件": "、".join(seen.get(b, []))})
    return {"rows": rows.reset_index(drop=True), "status": pd.DataFrame(status), "start": start,
            "end": end, "period": label, "today": today, "branches": names, "errors": errors,
            "files": files, "n_registers": sum(len(v) for v in seen.values())}


def _group(rows: pd.DataFrame, key: str, order: Sequence[str] | None = None) -> pd.DataFrame:
    out = []
    keys = list(order) if order is not None else sorted(rows[key].unique()) if len(rows) else []
    for k in keys:
        g = rows[rows[key] == k]
        proposed = sum(g["赔偿金额"], Decimal(0))
        paid = sum(g["已付金额"], Decimal(0))
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

    ``paths``: register files / folders, or one register DataFrame (the ribbon: its branch
    from ``df.attrs['本网点']``). Without ``period``: the latest half month that has ended;
    without ``out``: 货损货差十五日报表_<期间>.xlsx in ``out_dir`` (default: current folder)."""
    import udfs
    if kind != "claims":
        raise ValueError("十五日报表只适用于理赔登记表")
    today = today or udfs.today()
    period = period or last_period(today)
    label = parse_period(period)[2]
    if out is None:
        out = Path(out_dir or Path.cwd()) / f"货损货差十五日报表_{label}.xlsx"
    return write_report(consolidate(paths, period, today, branches, progress), Path(out))


def write_report(data: dict[str, Any], out: Path) -> Path:
    """Write consolidated ``data`` (from :func:`consolidate`) as the report workbook (atomic)."""
    rows = data["rows"]
    by_branch = _group(rows, "网点", data["branches"])
    by_type = _group(rows, "索赔类型")
    by_cause = _group(rows, "索赔原因")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        _write(tmp, data, by_branch, by_type, by_cause)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _write(path: str, data: dict, by_branch: pd.DataFrame, by_type: pd.DataFrame,
           by_cause: pd.DataFrame) -> None:
    import xlsxwriter
    rows, status = data["rows"], data["status"]
    wb = xlsxwriter.Workbook(path)
    title = wb.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    money = wb.add_format({"num_format": "#,##0.00", "border": 1})
    cell = wb.add_format({"border": 1})
    datef = wb.add_format({"num_format": "yyyy-mm-dd", "border": 1})
    bold_money = wb.add_format({"num_format": "#,##0.00", "border": 1, "bold": True})
    bold = wb.add_format({"border": 1, "bold": True})
    warn = wb.add_format({"border": 1, "font_color": "#C00000"})
    caption = f"货损货差十五日报表　{data['period']}（{data['start']} 至 {data['end']}）"

    def table(ws, r0: int, df: pd.DataFrame, total: bool = False) -> int:
        for j, c in enumerate(df.columns):
            ws.write(r0, j, c, head)
        for i, rec in enumerate(df.itertuples(index=False), start=r0 + 1):
            for j, v in enumerate(rec):
                if isinstance(v, Decimal):
                    ws.write_number(i, j, float(v), money)
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), datef)
                elif v is None or (isinstance(v, float) and pd.isna(v)):
                    ws.write_blank(i, j, None, cell)
                else:
                    ws.write(i, j, v, cell)
        last = r0 + len(df)
        if total and len(df):
            ws.write(last + 1, 0, "合计", bold)
            for j, c in enumerate(df.columns[1:], start=1):
                v = sum(df[c], Decimal(0)) if c != "件数" and c != "逾期件数" else int(df[c].sum())
                if isinstance(v, Decimal):
                    ws.write_number(last + 1, j, float(v), bold_money)
                else:
                    ws.write_number(last + 1, j, v, bold)
            last += 1
        return last

    def sheet(name: str):
        w = wb.add_worksheet(name)
        w.set_landscape()
        w.set_paper(9)  # A4
        w.fit_to_pages(1, 0)
        return w

    ws = sheet("汇总")
    ws.write(0, 0, caption, title)
    ws.write(1, 0, f"报表日期：{data['today']}　网点 {len(data['branches'])} 个，"
                   f"已报送 {int((status['报送状态'] != '未报送').sum()) if len(status) else 0} 个，"
                   f"本期案件 {len(rows)} 件；依据 RULES.md §9、DL-2")
    last = table(ws, 3, by_branch, total=True)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 5, 14)
    if len(by_branch):
        chart = wb.add_chart({"type": "column"})
        n = len(by_branch)
        for col, name in ((2, "建议赔偿金额"), (3, "已付金额")):
            chart.add_series({"name": ["汇总", 3, col], "categories": ["汇总", 4, 0, 3 + n, 0],
                              "values": ["汇总", 4, col, 3 + n, col]})
        chart.set_title({"name": "各网点建议赔偿与已付金额"})
        chart.set_y_axis({"name": "元", "num_format": "#,##0"})
        chart.set_size({"width": 760, "height": 360})
        ws.insert_chart(last + 3, 0, chart)
    for name, df in (("按索赔类型", by_type), ("按索赔原因", by_cause)):
        s = sheet(name)
        s.write(0, 0, caption, title)
        table(s, 2, df, total=True)
        s.set_column(0, 5, 16)
    over = rows[rows["逾期"]][DETAIL_COLUMNS] if len(rows) else pd.DataFrame(columns=DETAIL_COLUMNS)
    s = sheet("逾期案件")
    s.write(0, 0, f"{caption}　逾期案件（理赔处理时限 DL-2，截至 {data['today']}）", title)
    table(s, 2, over.reset_index(drop=True))
    s.set_column(0, len(DETAIL_COLUMNS) - 1, 13)
    s = sheet("明细")
    s.write(0, 0, caption, title)
    detail = rows[DETAIL_COLUMNS + ["来源文件"]] if len(rows) else pd.DataFrame(columns=DETAIL_COLUMNS + ["来源文件"])
    table(s, 2, detail.reset_index(drop=True))
    s.set_column(0, len(DETAIL_COLUMNS), 13)
    if len(detail):
        s.autofilter(2, 0, 2 + len(detail), len(DETAIL_COLUMNS))
    s.freeze_panes(3, 0)
    s = sheet("报送情况")
    s.write(0, 0, f"{caption}　报送情况", title)
    for j, c in enumerate(status.columns):
        s.write(2, j, c, head)
    for i, rec in enumerate(status.itertuples(index=False), start=3):
        fmt = warn if rec.报送状态 == "未报送" else cell
        for j, v in enumerate(rec):
            s.write(i, j, v, fmt)
    s.set_column(0, 3, 18)
    wb.close()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="logidesk report",
                                 description="货损货差十五日报表：汇总各网点理赔登记表（上半月 1–15 日，下半月 16 日–月末）")
    ap.add_argument("paths", nargs="+", type=Path, help="登记表文件或文件夹")
    ap.add_argument("--period", required=True, help="期间，如 2026-11-上半月 / 2026-11-下半月")
    ap.add_argument("--out", type=Path, help="输出 .xlsx（默认 货损货差十五日报表_<期间>.xlsx）")
    ap.add_argument("--branches", help="应报送网点：清单文件（每行一个）或以逗号分隔；默认文件夹中的"
                                       " 网点清单.txt，并包括出现过的所有网点")
    ap.add_argument("--today", type=dt.date.fromisoformat, help="逾期判断日期（默认今天）")
    args = ap.parse_args(argv)
    try:
        _, _, label = parse_period(args.period)
        out = args.out or Path(f"货损货差十五日报表_{label}.xlsx")
        bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm
            bar = tqdm(desc="读取登记表", unit="个")

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()
        data = consolidate(args.paths, args.period, args.today, args.branches, progress)
        if bar is not None:
            bar.close()
        write_report(data, out)
    except (ValueError, FileNotFoundError) as e:
        print(f"未生成报表：{e}", file=sys.stderr)
        return 1
    rows, status = data["rows"], data["status"]
    missing = status[status["报送状态"] == "未报送"]["网点"].tolist() if len(status) else []
    print(f"已生成 {out}：{data['period']}，{data['n_registers']} 个理赔登记表，案件 {len(rows)} 件，"
          f"建议赔偿 {sum(rows['赔偿金额'], Decimal(0)):,.2f} 元，已付 {sum(rows['已付金额'], Decimal(0)):,.2f} 元，"
          f"逾期 {int(rows['逾期'].sum()) if len(rows) else 0} 件")
    if missing:
        print(f"未报送网点（{len(missing)} 个）：{'、'.join(missing)}")
    for e in data["errors"]:
        print(f"跳过：{e}", file=sys.stderr)
    return 0


def demo_step(out: Path) -> str:
    """``logidesk demo`` step: the latest half-month report of the sample register."""
    import udfs
    from addin.notices.demo import demo_dir, sample_register
    today = udfs.today()
    period = last_period(today)
    data = consolidate([sample_register()], period, today)
    path = write_report(data, demo_dir(out) / f"货损货差十五日报表_{parse_period(period)[2]}.xlsx")
    rows = data["rows"]
    return (f"{period}：案件 {len(rows)} 件，建议赔偿 {sum(rows['赔偿金额'], Decimal(0)):,.2f} 元，"
            f"逾期 {int(rows['逾期'].sum()) if len(rows) else 0} 件 → {path}")


if __name__ == "__main__":
    sys.exit(main())
