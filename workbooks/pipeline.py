"""The headless processor: ``logidesk process PATH... [--out DIR]``.

For every register named or found in a folder (:func:`workbooks.folders.walk`): open the
package (:mod:`workbooks.xlsx` — .xls/.ods/encrypted/damaged files are refused with what to
do), open the register model (:func:`workbooks.register.open_register`), and write the
result in one streaming pass (:func:`workbooks.result.write_result`). Results never
collide (:func:`workbooks.folders.plan_outputs`); a bad file is reported and the run goes
on with the next one.

Exit codes (the contract of :mod:`cli.contract`): 0 every file processed without error
rows; 1 error rows, or a file to fix (not a template, .xls, damaged); 2 bad arguments;
3 a file open in Excel/WPS; 4 the environment (disk full, read-only, no permission).
"""
from __future__ import annotations

import gc
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from tqdm import tqdm

from cli.console import EXIT_ENV, ArgumentParser, log_problem, run
from udfs.coverage import print_once
from udfs.errors import RuleError
from udfs.errtext import is_file_open, os_text
from udfs.rulebook import rulebook

from . import layout, outputs
from .folders import RESULT_SUFFIX, plan_outputs, walk
from .register import RegisterError, open_register
from .result import ProcessError, write_result
from .xlsx.package import PackageError, open_package

DEFAULT_OUT = Path("out")


@dataclass
class FileResult:
    source: Path
    output: Path | None = None
    kind: str | None = None
    sheet: str | None = None
    rows: int = 0
    error_rows: list[int] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    partial_totals: dict[str, Decimal] = field(default_factory=dict)   # rows without errors
    seconds: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    refused: str | None = None
    skipped: str | None = None
    code: int = 1                      # exit code a refusal means: 1 file to fix, 3 open, 4 environment,
                                       # 5 a fault of ours (logged)


@dataclass
class Summary:
    files: list[FileResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.refused for f in self.files)

    @property
    def exit_code(self) -> int:
        """The worst outcome: 4 environment, 3 a file open, 1 error rows or a file to fix, 0."""
        codes = [f.code for f in self.files if f.refused]
        codes += [1 for f in self.files if f.error_rows]
        return max(codes, default=0)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def error_rows(self) -> int:
        return sum(len(f.error_rows) for f in self.files)

    def text(self) -> str:
        """The console summary: every file with its totals and its first error rows (the rest
        are in each result's 「错误清单」), then the total."""
        lines = []
        for f in self.files:
            lines += _file_lines(f)
        done = [f for f in self.files if not f.refused and not f.skipped]
        refused = sum(1 for f in self.files if f.refused)
        lines.append(f"合计：处理 {len(done)} 个文件，{self.rows} 行，错误行 {self.error_rows} 行"
                     + (f"，{refused} 个文件未处理" if refused else ""))
        return "\n".join(lines)


def _file_lines(f: FileResult) -> list[str]:
    if f.refused:
        return [f"✗ {f.source}：{f.refused}"]
    if f.skipped:
        return [f"- {f.source}：{f.skipped}"]
    lines = [f"✓ {f.source} → {f.output}"]
    lines += [f"  注意：{p}" for p in f.problems]
    lines.append(f"  {f.sheet}：{f.rows} 行，错误行 {len(f.error_rows)} 行，错误 {len(f.errors)} 处")
    for k, v in f.totals.items():
        if isinstance(v, Decimal):
            lines.append(f"  {k}：{v:,.2f} 元")
        else:
            lines.append(f"  {k}：{v}（无错误的行合计 {f.partial_totals.get(k, Decimal(0)):,.2f} 元）")
    if f.error_rows:
        shown = "、".join(str(r) for r in f.error_rows[:20])
        more = f" 等 {len(f.error_rows)} 行" if len(f.error_rows) > 20 else ""
        lines.append(f"  有错误的行：{shown}{more}（详见「{layout.ERRORS_SHEET}」）")
    return lines


def process_to(source: Path, target: Path, progress: bool = True) -> FileResult:
    """Process one register into ``target``; never raises for a bad file (see
    FileResult.refused)."""
    res = FileResult(Path(source))
    gc_was = gc.isenabled()
    gc.disable()           # millions of short-lived objects, no cycles: the collector only costs
    try:
        _process(res, Path(source), target, progress)
    except RegisterError as e:
        if e.reason == "no_batch":
            res.skipped = e.message
        else:
            res.refused = e.message
    except PackageError as e:
        res.refused = e.message
    except ProcessError as e:
        res.refused = str(e)
    except OSError as e:
        where = None if e.filename else target  # the writer thread's errors name no file
        res.refused, res.code = f"无法读取或写入：{os_text(e, where)}", 3 if is_file_open(e) else 4
    except Exception as e:  # noqa: BLE001 — one file's fault never stops the run over the others
        res.refused, res.code = _internal_failure(Path(source), e), 5
    finally:
        if gc_was:
            gc.enable()
    return res


def _process(res: FileResult, source: Path, target: Path, progress: bool) -> None:
    """Open the register, refuse what must not be written, write the result; ``res`` gets
    what was found (raises for a file that cannot be processed)."""
    lock = outputs.open_elsewhere(source)
    if lock is not None:
        res.code = 3
        raise ProcessError(f"文件正在被 Excel/WPS 打开（发现锁定文件 {lock.name}），请先保存并关闭后再处理")
    pkg = open_package(source)
    reg = open_register(source, package=pkg)
    res.kind, res.sheet, res.problems = reg.kind, reg.sheet_name, list(reg.problems)
    if target.resolve() == source.resolve():
        raise ProcessError("输出文件与输入文件相同，已拒绝（输入文件不会被修改）")
    lock = outputs.open_elsewhere(target)
    if lock is not None:
        res.code = 3
        raise ProcessError(f"结果文件「{target}」正在被打开（发现锁定文件 {lock.name}），"
                           "请先在 Excel/WPS 中关闭它再重新处理；未覆盖该文件。")
    bar = tqdm(unit="行", desc=f"处理 {reg.sheet_name}", disable=None, mininterval=0.5, leave=False) \
        if progress else None
    try:
        out = write_result(pkg, reg, target, on_rows=bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    res.output = target
    res.rows = out.rows
    res.errors = out.errors
    res.error_rows = sorted(set(out.error_rows))
    res.totals = out.totals
    res.partial_totals = out.partial_totals
    res.seconds = out.seconds


def _internal_failure(source: Path, e: Exception) -> str:
    """The message for a file that failed through a fault of ours; the traceback goes to
    the log file every command writes."""
    where = log_problem("process", f"{source}：内部错误：{e!r}", e)
    return ("处理失败：程序内部错误，本文件未处理，其他文件照常处理；"
            + (f"详情已写入日志：{where}，请发给管理员。" if where else "请联系管理员。"))


def process_paths(paths: Iterable[Path], out_dir: Path = DEFAULT_OUT, progress: bool = True) -> Summary:
    """Process files and folders of registers; results go under ``out_dir``. The rules
    (bundled and company file) are loaded first: a damaged rules file raises
    :class:`udfs.RuleError` once, before any file, instead of failing every file."""
    rulebook()
    paths = [Path(p) for p in paths]
    w = walk(paths)
    plan = plan_outputs(w.files, [p for p in paths if p.is_dir()], Path(out_dir))
    summary = Summary()
    for s in w.skipped:
        summary.files.append(FileResult(s.path, refused=s.reason))
    for f in w.files:
        summary.files.append(process_to(f, plan[f], progress))
    return summary


def main(argv: list[str] | None = None) -> int:
    """Exit codes: :attr:`Summary.exit_code` (the contract); 2 for bad arguments."""
    p = ArgumentParser(prog="logidesk process", description="无 Excel 批量计算已填写的登记表")
    p.add_argument("paths", nargs="+", type=Path, help="登记表文件或文件夹")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help=f"结果文件夹（默认 {DEFAULT_OUT}；保留输入的子文件夹，结果名为 原名{RESULT_SUFFIX}）")
    a = p.parse_args(argv)
    return run("process", lambda: _main(a))


def _main(a: Any) -> int:
    print_once()                       # from 1 November: the coming year's holidays missing
    outputs.install_signal_handlers()
    try:
        summary = process_paths(a.paths, a.out, progress=not a.quiet)
    except RuleError as e:             # the rules data itself (a damaged company rules file)
        print(f"未处理任何文件：{e}", file=sys.stderr)
        return EXIT_ENV
    print(summary.text())
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main())
