"""Deadline reminders (时限提醒): what is due today, due within N days, or overdue.

Sources: claim registers (processing limit DL-2, event 索赔处理, for open claims — 结案日期
blank), complaint registers (CPL-1 level limit and LAW-3 legal reply, open complaints) and
the notice ledger (reply-by dates of notices, DL-5/DL-2/DL-7, not yet replied).
Deadlines and status texts come from the rules engine (udfs.deadline / deadline_status).
Used by the ribbon (sheet 「时限提醒」) and by ``logidesk deadlines`` for a morning check.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd

from addin.notices.register import (as_date, is_blank, read_register, read_settings,
                                    register_files)

COLUMNS = ["网点", "类别", "提醒", "运单号", "编号", "对方", "起算日期", "期限", "剩余天数", "状态",
           "依据", "来源"]
CLAIM_EVENT = "索赔处理"  # DL-2: from acknowledgement to the compensation proposal
EVENT_RULE = {"索赔处理": "DL-2"}


def _bucket(days_left: int) -> str:
    if days_left < 0:
        return "已逾期"
    if days_left == 0:
        return "今日到期"
    return "即将到期"


def _from_register(frame: pd.DataFrame, branch: str, source: str, today: dt.date) -> tuple[list[dict], list[str]]:
    import udfs.columns as ucol
    rows: list[dict] = []
    errors: list[str] = []
    if frame.empty or "索赔日期" not in frame.columns:
        return rows, errors
    open_ = frame[frame["结案日期"].map(is_blank)] if "结案日期" in frame.columns else frame
    open_ = open_[~open_["索赔日期"].map(is_blank)]
    if open_.empty:
        return rows, errors
    n = len(open_)
    event = pd.Series([CLAIM_EVENT] * n, index=open_.index)
    scope = open_["寄递范围"] if "寄递范围" in open_.columns else pd.Series([None] * n, index=open_.index)
    start = open_["索赔日期"].map(as_date).map(lambda d: pd.Timestamp(d))
    due = ucol.deadline(event, start, scope)
    status = ucol.deadline_status(event, start, pd.Series([None] * n, index=open_.index),
                                  pd.Series([pd.Timestamp(today)] * n, index=open_.index), scope)
    for i in open_.index:
        if not is_blank(due.at[i, "error"]):
            errors.append(f"{source} 第{i}行：{due.at[i, 'error']}")
            continue
        d = as_date(due.at[i, "value"])
        rows.append({"网点": branch, "类别": "理赔处理", "运单号": str(open_.at[i, "运单号"] or ""),
                     "编号": "", "对方": str(open_.at[i, "责任网点"]) if "责任网点" in open_.columns
                     and not is_blank(open_.at[i, "责任网点"]) else "",
                     "起算日期": as_date(open_.at[i, "索赔日期"]), "期限": d,
                     "剩余天数": (d - today).days, "状态": status.at[i, "value"] or "",
                     "依据": EVENT_RULE[CLAIM_EVENT], "来源": f"{source} 第{i}行"})
    return rows, errors


COMPLAINT_SHEET = "投诉登记表"
COMPLAINT_LEGAL_EVENT = "投诉法定答复"  # LAW-3 art. 28


def _from_complaints(frame: pd.DataFrame, branch: str, source: str, today: dt.date) -> tuple[list[dict], list[str]]:
    """Open complaints (结案日期 blank): the level's limit (CPL-1, working days) and the legal
    reply limit (LAW-3), events and dates from the engine."""
    import udfs
    rows: list[dict] = []
    errors: list[str] = []
    if frame.empty or "投诉日期" not in frame.columns:
        return rows, errors
    for i, r in frame.iterrows():
        if is_blank(r.get("投诉日期")) or not is_blank(r.get("结案日期")):
            continue
        try:
            start = as_date(r["投诉日期"])
        except ValueError as e:
            errors.append(f"{source} 第{i}行：{e}")
            continue
        for label, rule in (("投诉处理", "CPL-1"), ("投诉法定答复", "LAW-3")):
            try:
                event = udfs.complaint_event(r.get("投诉类别")) if label == "投诉处理" else COMPLAINT_LEGAL_EVENT
                due = udfs.deadline(event, start)
                due = due.date() if isinstance(due, dt.datetime) else due
                status = udfs.deadline_status(event, start, None, today)
            except udfs.RuleError as e:
                errors.append(f"{source} 第{i}行 {label}：{e}")
                continue
            rows.append({"网点": branch, "类别": label, "运单号": "" if is_blank(r.get("运单号")) else str(r["运单号"]),
                         "编号": "", "对方": "" if is_blank(r.get("投诉人")) else f"投诉人 {r['投诉人']}",
                         "起算日期": start, "期限": due, "剩余天数": (due - today).days,
                         "状态": status, "依据": rule, "来源": f"{source} 第{i}行"})
    return rows, errors


def _from_ledger(ledger: Any, today: dt.date, closed: set[str]) -> list[dict]:
    from udfs.deadlines import status_text

    from addin.notices.kinds import KINDS
    rows = []
    for r in ledger.open_notices():
        if r.waybill in closed:
            continue
        sp = KINDS.get(r.kind)
        # Status of the stored reply-by date (it may carry a scope, e.g. 国际 for 索赔函),
        # worded by the engine's DEADLINE_STATUS text.
        status = status_text(r.reply_by, None, today)
        rows.append({"网点": r.branch or "（未填网点）", "类别": f"{r.kind}回复", "运单号": r.waybill,
                     "编号": r.number, "对方": r.counterparty, "起算日期": r.notice_date,
                     "期限": r.reply_by, "剩余天数": (r.reply_by - today).days, "状态": status,
                     "依据": "、".join(x for x in (sp.rules if sp else ()) if x.startswith("DL-")),
                     "来源": f"通知台账 {r.number}"})
    return rows


def collect(sources: Any = (), *args: Any, today: dt.date | None = None,
            within_days: int | None = None, ledger: Any = None) -> pd.DataFrame:
    """Reminders due within ``within_days`` (0 = today only), overdue included, sorted by
    branch, kind and deadline. ``sources``: register paths / folders, or DataFrames of
    register rows (branch from ``df.attrs['本网点']``). ``ledger``: a Ledger, target, or None
    (None: ``$LOGIDESK_LEDGER_URL`` when set). ``df.attrs['errors']`` lists rows whose
    deadline could not be computed.

    Also accepts the ribbon's form ``collect("claims", frame, today=…)``."""
    import udfs
    rest = list(args)
    if isinstance(sources, str) and rest and isinstance(rest[0], pd.DataFrame):  # ribbon: (kind, frame)
        if sources not in ("claims", "complaints"):
            raise ValueError("时限提醒适用于理赔登记表和投诉登记表")
        frame = rest.pop(0)
        if sources == "complaints":
            frame = frame.copy()
            frame.attrs = {**frame.attrs, "登记表": "complaints"}
        sources = [frame]
    if rest:  # positional (sources, today, within_days, ledger)
        today = rest.pop(0) if today is None else today
    if rest:
        within_days = rest.pop(0) if within_days is None else within_days
    if rest:
        ledger = rest.pop(0) if ledger is None else ledger
    within_days = 3 if within_days is None else int(within_days)
    if isinstance(sources, (str, Path, pd.DataFrame)):
        sources = [sources]
    sources = list(sources)
    if ledger is None and os.environ.get("LOGIDESK_LEDGER_URL"):
        ledger = os.environ["LOGIDESK_LEDGER_URL"]
    today = today or udfs.today()
    rows: list[dict] = []
    errors: list[str] = []
    closed: set[str] = set()
    items: list[tuple[pd.DataFrame, str, str]] = []
    paths = [s for s in sources if not isinstance(s, pd.DataFrame)]
    for s in sources:
        if isinstance(s, pd.DataFrame):
            items.append((s, str(s.attrs.get("本网点") or "本表"), str(s.attrs.get("来源") or "当前工作表")))
    explicit = {Path(p) for p in paths if Path(p).is_file()}
    for f in register_files(paths):
        try:
            frame = read_register(f)
        except ValueError as e:
            try:
                frame = read_register(f, COMPLAINT_SHEET)
                frame.attrs["登记表"] = "complaints"
            except ValueError:
                if f in explicit:  # a file named on the command line; folders skip others
                    errors.append(str(e))
                continue
        branch = str(read_settings(f).get("本网点") or f.stem)
        items.append((frame, branch, f.name))
    for frame, branch, source in items:
        if frame.attrs.get("登记表") == "complaints" or ("投诉日期" in frame.columns and "索赔日期" not in frame.columns):
            got, errs = _from_complaints(frame, branch, source, today)
            rows += got
            errors += errs
            continue
        if "结案日期" in frame.columns and "运单号" in frame.columns:
            closed |= {str(w) for w, c in zip(frame["运单号"], frame["结案日期"]) if not is_blank(c)}
        got, errs = _from_register(frame, branch, source, today)
        rows += got
        errors += errs
    if ledger is not None:
        from addin.ledger import Ledger
        rows += _from_ledger(Ledger.open(ledger), today, closed)
    df = pd.DataFrame(rows, columns=COLUMNS)
    if not df.empty:
        df = df[df["剩余天数"] <= within_days].copy()
        df["提醒"] = df["剩余天数"].map(_bucket)
        df = df.sort_values(["网点", "类别", "期限", "运单号"], kind="stable").reset_index(drop=True)
    df.attrs["errors"] = errors
    df.attrs["today"] = today
    df.attrs["within_days"] = within_days
    return df


def format_table(df: pd.DataFrame) -> str:
    """Printed morning check: grouped by branch and kind, overdue first within each group."""
    today, within = df.attrs.get("today"), df.attrs.get("within_days")
    lines = [f"时限提醒（{today}，{within} 天内到期及已逾期）"]
    if df.empty:
        lines.append("无到期或逾期事项。")
    for (branch, kind), g in df.groupby(["网点", "类别"], sort=True):
        lines.append(f"\n【{branch}】{kind}：{len(g)} 件")
        for _, r in g.sort_values(["剩余天数", "运单号"]).iterrows():
            ref = f"{r['编号']} " if r["编号"] else ""
            lines.append(f"  {r['提醒']:<4} {r['期限']}  {ref}{r['运单号']}  {r['状态']}"
                         f"{'  对方：' + r['对方'] if r['对方'] else ''}")
    if not df.empty:
        c = df["提醒"].value_counts()
        lines.append(f"\n合计：已逾期 {c.get('已逾期', 0)} 件，今日到期 {c.get('今日到期', 0)} 件，"
                     f"{within} 天内到期 {c.get('即将到期', 0)} 件")
    for e in df.attrs.get("errors", []):
        lines.append(f"无法计算：{e}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="logidesk deadlines",
                                 description="时限提醒：今日到期、N 天内到期、已逾期（按网点、类别分组）")
    ap.add_argument("paths", nargs="*", type=Path, help="登记表文件或文件夹（默认当前文件夹）")
    ap.add_argument("--within", type=int, default=3, help="提醒 N 天内到期的事项（默认 3）")
    ap.add_argument("--today", type=dt.date.fromisoformat, help="按此日期检查 YYYY-MM-DD（默认今天）")
    ap.add_argument("--ledger", help="通知台账（SQLite 路径或 postgresql:// URL）；默认环境变量"
                                     " LOGIDESK_LEDGER_URL 或登记表旁的台账文件（存在时）")
    ap.add_argument("--no-ledger", action="store_true", help="不读取通知台账")
    ap.add_argument("--out", type=Path, help="另存为 .xlsx（工作表「时限提醒」）")
    args = ap.parse_args(argv)
    from udfs.coverage import print_once
    print_once(args.today)             # from 1 November: the coming year's holidays missing
    paths = args.paths or [Path.cwd()]
    ledger = None
    if not args.no_ledger:
        from addin.ledger import DEFAULT_FILENAME, ENV_URL
        if args.ledger or os.environ.get(ENV_URL):
            ledger = args.ledger or os.environ[ENV_URL]
        else:
            base = paths[0] if paths[0].is_dir() else paths[0].parent
            if (base / DEFAULT_FILENAME).exists():
                ledger = base / DEFAULT_FILENAME
    try:
        df = collect(paths, args.today, args.within, ledger)
    except (FileNotFoundError, ValueError, RuntimeError) as e:
        print(f"无法检查时限：{e}", file=sys.stderr)
        return 1
    print(format_table(df))
    if args.out:
        write_sheet(df, args.out)
        print(f"已保存：{args.out}")
    return 0


def write_sheet(df: pd.DataFrame, path: Path) -> Path:
    """Save reminders as an .xlsx with sheet 「时限提醒」 (atomic replace)."""
    import tempfile
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="xlsxwriter") as xw:
            df.to_excel(xw, sheet_name="时限提醒", index=False)
            ws = xw.sheets["时限提醒"]
            ws.set_column(0, len(COLUMNS) - 1, 14)
            ws.freeze_panes(1, 0)
            if len(df):
                ws.autofilter(0, 0, len(df), len(COLUMNS) - 1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def demo_step(out: Path) -> str:
    """``logidesk demo`` step: reminders for the sample register and the demo ledger,
    saved as ``out/demo/时限提醒.xlsx``."""
    from addin.notices.demo import LEDGER_NAME, demo_dir, sample_register
    base = demo_dir(out)
    ledger = base / LEDGER_NAME
    df = collect([sample_register().parent], within_days=7, ledger=ledger if ledger.exists() else None)
    path = write_sheet(df, base / "时限提醒.xlsx")
    c = df["提醒"].value_counts() if len(df) else {}
    return (f"已逾期 {c.get('已逾期', 0)} 件，今日到期 {c.get('今日到期', 0)} 件，7 天内到期 "
            f"{c.get('即将到期', 0)} 件（理赔、投诉与通知回复期限）→ {path}")


if __name__ == "__main__":
    sys.exit(main())
