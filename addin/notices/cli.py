"""``logidesk notices WORKBOOK --kind 破损公告 [--rows 2-40] --out DIR`` (NTC-1..7).

Reads the claim register (or a VIP customer table), issues the notices with numbers from
the ledger (SQLite beside the workbook, or PostgreSQL from --ledger / LOGIDESK_LEDGER_URL),
prints a summary. Exit 0 = issued, 1 = refused (data missing, duplicates), 2 = usage.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd

from addin.ledger import Ledger, LedgerError
from addin.notices.batch import DuplicateNoticeError, NoticeError, issue
from addin.notices.kinds import KINDS, spec as kind_spec
from addin.notices.register import CLAIM_SHEET, is_blank, parse_rows, read_register, read_settings

VIP_SHEET = "VIP客户"


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="logidesk notices",
                                 description="为登记表行生成公告/函件（.docx，可选 .pdf）并登记通知台账")
    ap.add_argument("workbook", type=Path, nargs="?", help="理赔登记表（.xlsx）")
    ap.add_argument("--kind", help=f"通知类型：{'、'.join(KINDS)}")
    ap.add_argument("--rows", help="Excel 行号，如 2-40,45（默认全部数据行）")
    ap.add_argument("--out", type=Path, help="输出目录（默认：登记表旁的「通知」文件夹）")
    ap.add_argument("--sheet", help=f"工作表（默认 {CLAIM_SHEET}；VIP 函件默认 {VIP_SHEET}）")
    ap.add_argument("--ledger", help="台账：SQLite 文件路径或 postgresql://… URL"
                                     "（默认环境变量 LOGIDESK_LEDGER_URL，否则登记表旁的 SQLite 文件）")
    dup = ap.add_mutually_exclusive_group()
    dup.add_argument("--reissue", action="store_true", help="同一运单已出具过同类通知时仍重新出具（新编号）")
    dup.add_argument("--skip-issued", action="store_true", help="跳过已出具过同类通知的运单")
    ap.add_argument("--skip-invalid", action="store_true", help="跳过数据不全的行，其余照常出具")
    ap.add_argument("--no-pdf", action="store_true", help="不生成 PDF")
    ap.add_argument("--pdf", action="store_true", help="必须生成 PDF（无 LibreOffice 时报错）")
    ap.add_argument("--date", type=dt.date.fromisoformat, help="通知日期 YYYY-MM-DD（默认今天）")
    ap.add_argument("--by", help="经办人（默认：设置表的经办人或当前用户）")
    ap.add_argument("--templates", type=Path, help="自定义模板目录（每种通知一个 .docx）")
    ap.add_argument("--replied", metavar="编号", help="登记对方已回复的通知编号（配合 --date）")
    ap.add_argument("--list", action="store_true", help="列出台账中的通知")
    return ap


def _read(workbook: Path, sheet: str | None, kind: str) -> tuple[pd.DataFrame, dict]:
    settings = read_settings(workbook)
    settings["_workbook"] = str(workbook)
    if sheet:
        return read_register(workbook, sheet), settings
    if kind.startswith("VIP"):
        try:
            return read_register(workbook, VIP_SHEET), settings
        except ValueError:
            pass
    return read_register(workbook, CLAIM_SHEET), settings


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.replied or args.list:
            with Ledger.open(args.ledger, beside=args.workbook) as led:
                if args.replied:
                    ok = led.mark_replied(args.replied, args.date or dt.date.today())
                    print(f"已登记回复：{args.replied}" if ok else f"台账中没有编号 {args.replied}")
                    return 0 if ok else 1
                for r in led.all(args.kind and kind_spec(args.kind).kind):
                    print(f"{r.number}\t{r.kind}\t{r.waybill}\t{r.amount or ''}\t"
                          f"{r.reply_by or ''}\t{r.issued_by}\t{r.doc_path}")
                return 0
        if not args.workbook or not args.kind:
            print("用法：logidesk notices WORKBOOK --kind 破损公告 [--rows 2-40] --out DIR", file=sys.stderr)
            return 2
        sp = kind_spec(args.kind)
        frame, settings = _read(args.workbook, args.sheet, sp.kind)
        chosen = parse_rows(args.rows, frame.index)
        if not args.rows and sp.claim_types and "索赔类型" in frame.columns:
            # Whole register: take the rows this notice is for (explicit --rows are checked).
            import udfs
            types = udfs.rules_for(None).claim_types
            fits = [r for r in chosen if not is_blank(frame.at[r, "索赔类型"])
                    and types.find(frame.at[r, "索赔类型"]) in sp.claim_types]
            print(f"登记表共 {len(chosen)} 行，索赔类型为{'/'.join(sp.claim_types)}的 {len(fits)} 行")
            chosen = fits
        if not chosen:
            print(f"没有可处理的数据行（--rows {args.rows or '全部'}）", file=sys.stderr)
            return 1
        out = args.out or args.workbook.parent / "通知"
        on_dup = "reissue" if args.reissue else "skip" if args.skip_issued else "refuse"
        pdf = False if args.no_pdf else True if args.pdf else None
        bar = None
        if len(chosen) >= 20 and sys.stderr.isatty():
            from tqdm import tqdm
            bar = tqdm(total=len(chosen), desc=sp.title, unit="份")

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()

        with Ledger.open(args.ledger, beside=args.workbook) as led:
            result = issue(frame.loc[chosen], sp.kind, out, settings, ledger=led,
                           issued_by=args.by, on_duplicate=on_dup, notice_date=args.date,
                           pdf=pdf, template_dir=args.templates, skip_invalid=args.skip_invalid,
                           progress=progress)
        if bar is not None:
            bar.close()
    except DuplicateNoticeError as e:
        print(f"未生成：{e}\n（重新出具请加 --reissue，跳过已出具的运单请加 --skip-issued）", file=sys.stderr)
        return 1
    except NoticeError as e:
        hint = "" if args.skip_invalid else "\n（只为数据完整的行出具请加 --skip-invalid）"
        print(f"未生成：{e}{hint}", file=sys.stderr)
        return 1
    except (LedgerError, ValueError, FileNotFoundError, RuntimeError) as e:
        print(f"未生成：{e}", file=sys.stderr)
        return 1
    for p in result.problems:
        print(f"跳过 {p}", file=sys.stderr)
    for w in result.skipped_duplicates:
        print(f"跳过 {w}：已出具过{sp.title}", file=sys.stderr)
    if result.recovered.get("rolled_forward") or result.recovered.get("discarded"):
        print(f"已恢复上次中断的批次：补全文件 {result.recovered['rolled_forward']} 个，"
              f"清理未完成批次 {result.recovered['discarded']} 个")
    if not result:
        print(f"未生成任何{sp.title}。")
        return 1 if result.problems else 0
    total = sum((n.amount or Decimal(0)) for n in result)
    pdfs = sum(1 for n in result if n.pdf)
    print(f"已生成{sp.title} {len(result)} 份：{result[0].number} 至 {result[-1].number}"
          f"（PDF {pdfs} 份），金额合计 {total:,.2f} 元")
    dues = sorted({n.reply_by for n in result if n.reply_by})
    if dues:
        print(f"回复期限：{'、'.join(d.isoformat() for d in dues)}")
    print(f"输出目录：{Path(out).resolve()}")
    return 1 if result.problems and not args.skip_invalid else 0


if __name__ == "__main__":
    sys.exit(main())
