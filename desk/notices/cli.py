"""``logidesk notices WORKBOOK --kind 破损公告 [--rows 2-40] --out DIR`` (NTC-1..7, docs/rules.md).

Reads the register through the one register model, issues the notices with numbers from
the company's ledger (:mod:`cli.config`: --ledger, LOGIDESK_LEDGER_URL, configuration
file, default in the user's data folder — never the workbook's folder), prints what was
issued and every row skipped with its reason. Exit codes: :mod:`cli.console`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from cli import console, listing
from desk.ledger import Ledger, LedgerError
from desk.notices.kinds import KINDS, KindSpec, spec as kind_spec


def _parser() -> console.ArgumentParser:
    ap = console.ArgumentParser(prog="logidesk notices",
                           description="为登记表行生成公告/函件（.docx，可选 .pdf）并登记通知台账。\n"
                                       "不予受理的索赔（CLM-8）、金额为 0 的行不出具，并逐行列出原因。")
    ap.add_argument("workbook", type=Path, nargs="?", help="理赔登记表或 VIP 客户登记表（.xlsx/.xlsm）")
    ap.add_argument("--kind", help=f"通知类型：{'、'.join(KINDS)}")
    ap.add_argument("--rows", type=console.rows_arg, help="Excel 行号，如 2-40,45（默认全部数据行）")
    ap.add_argument("--out", type=Path, help="输出目录（默认：登记表旁的「通知」文件夹）")
    ap.add_argument("--ledger", help="台账：SQLite 文件路径或 postgresql://… URL（默认：环境变量 "
                                     "LOGIDESK_LEDGER_URL、配置文件，否则用户数据文件夹中的台账）")
    dup = ap.add_mutually_exclusive_group()
    dup.add_argument("--reissue", action="store_true", help="同一运单已出具过同类通知时仍重新出具（新编号）")
    dup.add_argument("--skip-issued", action="store_true", help="跳过已出具过同类通知的运单")
    ap.add_argument("--all-or-nothing", action="store_true",
                    help="有任何一行数据不全时一份也不出具（默认：出具可出具的行，列出其余行）")
    ap.add_argument("--skip-invalid", action="store_true", help=argparse.SUPPRESS)  # the default now
    pdf = ap.add_mutually_exclusive_group()
    pdf.add_argument("--no-pdf", action="store_true", help="不生成 PDF")
    pdf.add_argument("--pdf", action="store_true", help="必须生成 PDF（无 LibreOffice 时报错）")
    ap.add_argument("--date", type=console.date_arg, help="通知日期，如 2026-11-23 或 2026年11月23日（默认今天）")
    ap.add_argument("--by", help="经办人（默认：设置表的「经办人」，没有时用「联系人」）")
    ap.add_argument("--templates", type=Path,
                    help="改用此文件夹中的模板（每种通知一个 .docx）；默认只用内置模板或管理员配置的模板目录")
    ap.add_argument("--replied", metavar="编号", help="登记对方已回复的通知编号（配合 --date）")
    ap.add_argument("--list", action="store_true", help="列出台账中的通知（可配合 --kind）")
    ap.add_argument(listing.SHOW_ALL, action="store_true", help=listing.SHOW_ALL_HELP)
    return ap


def reply_state(r) -> str:
    """The counterpart's reply as --list shows it (recorded with --replied 编号)."""
    if r.replied_on:
        return f"已回复 {r.replied_on.isoformat()}"
    return "未回复" if r.reply_by else ""


def main(argv: list[str] | None = None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    return console.run("notices", lambda: _main(ap, args))


def _main(ap: console.ArgumentParser, args: argparse.Namespace) -> int:
    sp = None
    if args.kind:
        try:
            sp = kind_spec(args.kind)
        except ValueError as e:
            ap.error(str(e))
    if args.replied or args.list:
        return _ledger_only(args, sp)
    if not args.workbook or sp is None:
        ap.error("需要登记表文件和 --kind（例如：logidesk notices 理赔登记表.xlsx --kind 破损公告）")
    return _issue_command(args, sp)


def _ledger_only(args: argparse.Namespace, sp: KindSpec | None) -> int:
    """--replied 编号 (record a reply) or --list (the ledger's notices, of --kind)."""
    try:
        with Ledger.open(args.ledger) as led:
            if args.replied:
                ok = led.mark_replied(args.replied, args.date or dt.date.today())
                console.say(f"已登记回复：{args.replied}" if ok else f"台账中没有编号 {args.replied}（{led.ident}）")
                return console.EXIT_OK if ok else console.EXIT_ROWS
            recs = led.all(sp.kind if sp else None)
            answered = sum(1 for r in recs if r.replied_on)
            console.say(f"台账 {led.ident}：{len(recs)} 份通知" + (f"，已回复 {answered} 份" if answered else ""))
            for r in recs:
                console.say(f"{r.number}\t{r.kind}\t{r.waybill}\t{r.amount or ''}\t"
                            f"{r.reply_by or ''}\t{reply_state(r)}\t{r.issued_by}\t{r.doc_path}")
            return console.EXIT_OK
    except LedgerError as e:
        raise console.Refused(f"未完成：{e}", console.EXIT_ENV) from e


def _read_register(args: argparse.Namespace, sp: KindSpec) -> tuple[Any, dict[str, Any]] | None:
    """(rows, settings) of the register for the kind; None (said why) when no row is left."""
    from desk.notices.source import (
        load_rows,  # lazy: issuing costs 400 ms at start-up (pandas, the register model); --list never needs it
    )
    console.refuse_if_open([args.workbook])
    with console.Progress("读取登记表", unit="行", quiet=args.quiet):
        frame, settings, notes = load_rows(args.workbook, sp.kind, args.rows)
    for n in notes:
        console.say(n)
    if frame.empty:
        console.say(f"没有可处理的数据行（--rows {'指定范围' if args.rows else '全部'}）", err=True)
        return None
    return frame, settings


def _require_soffice() -> None:
    """--pdf without LibreOffice: refused before anything is numbered."""
    from desk.notices.render import soffice  # lazy: python-docx costs 50 ms at start-up; --list never needs it
    if soffice() is None:
        raise console.Refused("未生成任何通知：未安装 LibreOffice（找不到 soffice），无法生成 PDF。"
                              "不要 PDF 请加 --no-pdf；安装见 docs/deploy.md。", console.EXIT_ENV)


def _issue_command(args: argparse.Namespace, sp: KindSpec) -> int:
    """Issue the notices of the register's selected rows and say what happened."""
    from desk.notices.batch import (  # lazy: issuing costs 400 ms at start-up (pandas, udfs); --list never needs it
        DuplicateNoticeError,
        NoticeError,
        issue,
    )
    loaded = _read_register(args, sp)
    if loaded is None:
        return console.EXIT_ROWS
    frame, settings = loaded
    out = args.out or args.workbook.parent / "通知"
    if args.pdf:
        _require_soffice()
    on_dup = "reissue" if args.reissue else "skip" if args.skip_issued else "refuse"
    pdf = False if args.no_pdf else True if args.pdf else None
    bar = console.Progress(sp.title, unit="份", quiet=args.quiet)
    pdf_bar = console.Progress("转换 PDF", unit="份", quiet=args.quiet)
    try:
        with Ledger.open(args.ledger) as led:
            result = issue(frame, sp.kind, out, settings, ledger=led, issued_by=args.by,
                           on_duplicate=on_dup, notice_date=args.date, pdf=pdf,
                           template_dir=args.templates, skip_invalid=not args.all_or_nothing,
                           progress=bar.update, pdf_progress=pdf_bar.update)
            ledger_ident = led.ident
    except DuplicateNoticeError as e:
        console.say(f"未生成（重复出具）：{e}\n（重新出具请加 --reissue，跳过已出具的运单请加 --skip-issued）", err=True)
        return console.EXIT_ROWS
    except NoticeError as e:
        console.say(f"未生成：{e}", err=True)
        return e.code
    except LedgerError as e:
        raise console.Refused(f"未生成任何通知：{e}", console.EXIT_ENV) from e
    except OSError as e:  # disk full, read-only output folder …: the batch is all or nothing
        return console.os_failure("notices", e, "本批通知未登记；已登记的通知不受影响，"
                                                 "未完成的批次在下次运行时自动清理。")
    finally:
        bar.close()
        pdf_bar.close()
    return _report(args, sp, frame, result, out, ledger_ident)


def _say_issued(sp: KindSpec, result: Any, out: Path, ledger_ident: str) -> None:
    total = sum((n.amount or Decimal(0)) for n in result)
    pdfs = sum(1 for n in result if n.pdf)
    console.say(f"已生成{sp.title} {len(result)} 份：{result[0].number} 至 {result[-1].number}"
                f"（PDF {pdfs} 份），金额合计 {total:,.2f} 元")
    dues = sorted({n.reply_by for n in result if n.reply_by})
    if dues:
        console.say(f"回复期限：{'、'.join(d.isoformat() for d in dues)}")
    console.say(f"模板：{result.template.path.name}（{result.template.origin}，SHA-256 {result.template.sha256[:12]}…）")
    console.say(f"输出目录：{Path(out).resolve()}；台账：{ledger_ident}")


def _report(args: argparse.Namespace, sp: KindSpec, frame: Any, result: Any, out: Path,
            ledger_ident: str) -> int:
    """What the batch did (warnings, recovery, rows skipped, notices issued); the exit code."""
    for w in result.warnings:
        console.say(f"注意：{w}", err=True)
    if result.recovered.get("rolled_forward") or result.recovered.get("discarded"):
        console.say(f"已恢复上次中断的批次：补全文件 {result.recovered['rolled_forward']} 个，"
                    f"清理未完成批次 {result.recovered['discarded']} 个")
    _say_skipped(args, sp, frame, result)
    if len(result):
        _say_issued(sp, result, out, ledger_ident)
    else:
        console.say(f"未生成任何{sp.title}。")
    if result.pdf_failures:
        lost = [n for nums, _ in result.pdf_failures for n in nums]
        reasons = "；".join(dict.fromkeys(m for _, m in result.pdf_failures))
        raise console.Refused(f"通知已出具并登记（.docx 齐全），但 {len(lost)} 份 PDF 未生成：{reasons}\n"
                              f"  涉及编号：{'、'.join(lost[:20])}{'……' if len(lost) > 20 else ''}",
                              console.EXIT_ENV)
    return console.EXIT_ROWS if result.problems else console.EXIT_OK


def _say_skipped(args: argparse.Namespace, sp: KindSpec, frame: Any, result: Any) -> None:
    """Rows not issued: the first few of each list (all with --show-all, none under --quiet
    except the rows that need a person), with a count of the rest."""
    say = console.say
    others = [p for p in result.skipped if p.reason == "type"]
    listed = [p for p in result.skipped if p.reason != "type" or args.rows]
    n = listing.limit(args.quiet, args.show_all)
    for line in listing.shown((f"无需出具 {p}" for p in listed), len(listed), n, None, "行", "无需出具："):
        say(line)
    if others and not args.rows:
        say(f"登记表共 {len(frame)} 行；其中 {len(others)} 行是其他索赔类型，{sp.title}只适用于"
            f"{'/'.join(sp.claim_types)}")
    dups = result.skipped_duplicates
    for line in listing.shown((f"跳过 {w}：已出具过{sp.title}" for w in dups), len(dups), n, None, "行",
                              "跳过已出具："):
        say(line)
    n = listing.limit(args.quiet, args.show_all, problems=True)
    for line in listing.shown((f"需处理 {p}" for p in result.problems), len(result.problems), n, None, "行",
                              "需处理："):
        say(line, err=True)


if __name__ == "__main__":
    sys.exit(main())
