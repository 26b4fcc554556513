"""`logidesk holidays import` and `logidesk rules check`: the administrator's side of the
company rules file (udfs.company) — importing the State Council's holiday notice and
validating the rules files. Neither touches the program folder."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Callable

from cli.console import ArgumentParser, date_arg, run
from udfs import company, coverage, holiday_notice, rulebook, rules_check
from udfs.errors import RuleError
from udfs.errtext import os_reason, toml_text
from workbooks.outputs import follow_umask

HEADER = """\
# logidesk 公司规则文件（company rules）
# 放在程序文件夹之外，程序升级不会改动它；叠加在程序自带的 udfs/rules.toml 之上。
# 节假日：[holidays.YYYY]，一般由 `logidesk holidays import 通知.txt` 写入（DATE-5）。
# 公司自定的规则：[version."C2027.1"]（published、effective_from 至少相隔 10 天，LAW-5），
# 只写要改的项，每项带 rule 编号，例如
#   [version."C2027.1"]
#   title = "公司 2027 年版"
#   published = 2026-12-15
#   effective_from = 2027-01-01
#   [version."C2027.1".compensation]
#   rule = "CMP-1"
#   uninsured_freight_multiple = "5"
# 修改后运行 `logidesk rules check` 核对。
"""


def _read_source(arg: str) -> str:
    """The notice text: '-' = standard input; an existing file (.txt in UTF-8 or GB18030,
    .pdf through pdftotext); otherwise the argument is the text itself."""
    if arg == "-":
        return sys.stdin.read()
    path = Path(arg)
    try:
        is_file = path.is_file()
    except OSError:                                   # a long text is not a file name
        is_file = False
    if not is_file:
        if "月" in arg and "日" in arg:
            return arg
        raise RuleError(f"找不到文件 {arg}（也不像通知全文）", "DATE-5")
    if path.suffix.lower() == ".pdf":
        tool = shutil.which("pdftotext")
        if not tool:
            raise RuleError("读取 PDF 需要 pdftotext（poppler）；也可以把通知全文复制到 .txt 文件", "DATE-5")
        out = subprocess.run([tool, "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True)
        if out.returncode != 0:
            raise RuleError(f"pdftotext 无法读取 {path}", "DATE-5")
        return out.stdout.decode("utf-8", "replace")
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RuleError(f"{path} 的编码无法识别（请另存为 UTF-8）", "DATE-5")


def _marker(year: int, end: bool = False) -> str:
    return f"# {'<<<' if end else '>>>'} logidesk holidays import {year}"


def updated_text(existing: str, schedule: holiday_notice.Schedule, path: Path) -> str:
    """The company file's text with this year's block added or replaced (a block written
    by hand, without our markers, is never overwritten)."""
    year = schedule.year
    block = holiday_notice.toml_block(schedule, rulebook.today())
    lines = existing.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith(_marker(year))]
    if starts:
        i = starts[0]
        j = next((k for k in range(i, len(lines)) if lines[k].startswith(_marker(year, end=True))), None)
        if j is None:
            raise RuleError(f"{path}：{year} 年导入段缺少结束标记「{_marker(year, True)}」，请手工修复", "DATE-5")
        return "".join(lines[:i]) + block + "".join(lines[j + 1:])
    if existing.strip():
        try:
            raw = tomllib.loads(existing)
        except tomllib.TOMLDecodeError as e:
            raise RuleError(f"公司规则文件 {path} 格式错误，{toml_text(e)}", "DATE-5") from None
        if str(year) in raw.get("holidays", {}):
            raise RuleError(f"公司规则文件 {path} 已有手工编写的 [holidays.{year}]；"
                            f"请先删除该段再导入", "DATE-5")
        sep = "" if existing.endswith("\n\n") else ("\n" if existing.endswith("\n") else "\n\n")
        return existing + sep + block
    return HEADER + "\n" + block


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".company_rules.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        follow_umask(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_candidate(text: str, target: Path) -> None:
    """Load the bundled rules with the new company text exactly as the program will."""
    fd, tmp = tempfile.mkstemp(suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            rulebook.Rulebook(Path(os.environ.get("LOGIDESK_RULES", rulebook.RULES_PATH)), Path(tmp))
        except RuleError as e:
            raise RuleError(str(e).replace(tmp, str(target)), "DATE-5") from None
    finally:
        os.unlink(tmp)


def import_notice(source: str, *, year: int | None = None, target: Path | None = None,
                  yes: bool = False, ask: Callable[[str], str] = input, out: Callable[[str], None] = print) -> int:
    """Import the holiday notice ``source`` into the company rules file ``target`` (default:
    where the program writes it), asking first unless ``yes``; the exit code."""
    schedule = _parse_notice(source, year, out)
    if isinstance(schedule, int):
        return schedule
    target = Path(target) if target else company.write_target()
    out(holiday_notice.describe(schedule))
    if _bundled_already(schedule, out):
        return 0
    text = _candidate(schedule, target, out)
    if isinstance(text, int):
        return text
    if not yes and not _confirmed(target, ask, out):
        return 1
    try:
        _write_atomic(target, text)
    except OSError as e:
        out(f"未写入：无法写入 {target}：{os_reason(e)}。请以管理员身份运行，"
            f"或用 --file / 环境变量 {company.ENV} 指定可写的位置。")
        return 4
    rulebook.reload()
    years = sorted(rulebook.rulebook().holidays)
    out(f"已写入 {target}（{schedule.year} 年：放假 {sum(len(i.off) for i in schedule.items)} 天，"
        f"调休上班 {len(schedule.work)} 天）。现已收录 {years[0]}–{years[-1]} 年。")
    if os.environ.get(company.ENV) is None and target != company.company_rules_path():
        out(f"注意：程序读取的公司规则文件是 {company.company_rules_path()}，请设置 {company.ENV}={target}")
    return 0


def _parse_notice(source: str, year: int | None, out: Callable[[str], None]) -> holiday_notice.Schedule | int:
    """The notice's schedule, or the exit code when it cannot be read (4) or parsed (1)."""
    try:
        return holiday_notice.parse(_read_source(source), year)
    except RuleError as e:
        out(f"通知无法导入：{e}")
        return 1
    except OSError as e:
        out(f"通知无法读取：{source}：{os_reason(e)}")
        return 4


def _bundled_already(schedule: holiday_notice.Schedule, out: Callable[[str], None]) -> bool:
    """True when the program's own rules hold the year exactly as the notice (nothing to
    import); says so, or warns that the company file will differ from them."""
    bundled = company.read_toml(Path(os.environ.get("LOGIDESK_RULES", rulebook.RULES_PATH)), "程序自带规则文件")
    own = bundled.get("holidays", {}).get(str(schedule.year))
    if own is None:
        return False
    if own.get("off") == schedule.off and sorted(own.get("work", [])) == schedule.work:
        out(f"程序自带规则已收录 {schedule.year} 年，且与通知一致，无需导入。")
        return True
    out(f"注意：程序自带的 {schedule.year} 年数据与通知不同，导入后以公司规则文件为准。")
    return False


def _candidate(schedule: holiday_notice.Schedule, target: Path, out: Callable[[str], None]) -> str | int:
    """The company file's new text, checked by loading it as the program will; or the exit
    code when it cannot be read (4), is not UTF-8 or does not load (1)."""
    try:
        existing = target.read_text(encoding="utf-8") if target.exists() else ""
        text = updated_text(existing, schedule, target)
        _check_candidate(text, target)
    except RuleError as e:
        out(f"未写入：{e}")
        return 1
    except (OSError, UnicodeDecodeError) as e:
        why = os_reason(e) if isinstance(e, OSError) else "不是 UTF-8 文本"
        out(f"未写入：无法读取公司规则文件 {target}：{why}")
        return 4 if isinstance(e, OSError) else 1
    return text


def _confirmed(target: Path, ask: Callable[[str], str], out: Callable[[str], None]) -> bool:
    """The administrator typed y (yes, 是); otherwise says nothing was written."""
    try:
        answer = ask(f"写入公司规则文件 {target}？输入 y 确认：")
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes", "是"):
        return True
    out("已取消，未写入。")
    return False


def holidays_main(argv: list[str] | None = None) -> int:
    ap = ArgumentParser(prog="logidesk holidays",
                        description="导入国务院办公厅节假日安排通知，写入公司规则文件（程序升级不受影响）")
    sub = ap.add_subparsers(dest="cmd", required=True)
    imp = sub.add_parser("import", help="导入通知全文（文件、PDF、- 表示标准输入，或直接给出全文）")
    imp.add_argument("source", help="通知文件（.txt/.pdf）、- 或通知全文")
    imp.add_argument("--year", type=int, help="通知年份（标题中没有时）")
    imp.add_argument("--file", type=Path, help=f"公司规则文件（默认 {company.ENV} 或 {company.write_target()}）")
    imp.add_argument("--yes", action="store_true", help="不询问，直接写入（脚本用）")
    args = ap.parse_args(argv)
    return import_notice(args.source, year=args.year, target=args.file, yes=args.yes)


def check_report(bundled: Path, company_path: Path | None, today: dt.date) -> tuple[int, str]:
    lines = [f"程序自带规则文件：{bundled}"]
    if company_path is None:
        lines.append(f"公司规则文件：无（默认位置 {company.write_target()}；可用 {company.ENV} 指定）")
    else:
        lines.append(f"公司规则文件：{company_path}")
    try:
        loaded = company.load(bundled, company_path)
    except RuleError as e:
        return 1, "\n".join(lines + [f"错误：{e}"])
    problems = rules_check.check(loaded)
    for layer in loaded.layers:
        data = layer.data
        where = f"；公司 {'、'.join(layer.company_ids)}" if layer.company_ids else ""
        lines.append(f"版本 {layer.id}：发布 {data.get('published')}，{data.get('effective_from')} 起施行{where}")
    years = rules_check.covered_years(loaded)
    if years:
        lines.append(f"节假日已收录：{min(years)}–{max(years)} 年")
        for year, path in years.items():
            lines.append(f"  {year}：{'公司规则文件' if company_path and path == company_path else '程序自带'}")
    if problems:
        lines.append(f"发现 {len(problems)} 处问题：")
        lines += [f"  {p}" for p in problems]
    else:
        lines.append("检查通过：数字均在范围内，引用的时限事件、投诉级别、线路类别均已定义，"
                     "每个版本提前 10 天以上公布（LAW-5）。")
        warn = coverage.warning(today)
        if warn:
            lines.append(warn)
    return (1 if problems else 0), "\n".join(lines)


def rules_main(argv: list[str] | None = None) -> int:
    ap = ArgumentParser(prog="logidesk rules", description="规则文件：检查程序自带与公司规则文件")
    sub = ap.add_subparsers(dest="cmd", required=True)
    chk = sub.add_parser("check", help="检查规则文件并列出已收录的节假日年份")
    chk.add_argument("--company", type=Path, help="检查这个公司规则文件（默认：程序正在使用的）")
    chk.add_argument("--today", type=date_arg, help="按此日期给出提醒，如 2026-11-23（默认今天）")
    args = ap.parse_args(argv)
    return run("rules", lambda: _rules_check(args))


def _rules_check(args: argparse.Namespace) -> int:
    path = args.company if args.company else company.company_rules_path()
    if args.company and not args.company.is_file():
        print(f"找不到文件 {args.company}", file=sys.stderr)
        return 2
    code, text = check_report(Path(os.environ.get("LOGIDESK_RULES", rulebook.RULES_PATH)), path,
                              args.today or rulebook.today())
    print(text)
    return code
