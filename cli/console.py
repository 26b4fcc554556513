"""What every ``logidesk`` command shares: Chinese argument parsing that applies the
contract of :mod:`cli.contract` (exit codes, ``-q``, ``--version``, ``--out``, ``--today``),
console output that survives a GBK console or a closed pipe, Chinese messages for OS and
library errors with the original in a log file, progress bars, lock files.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, NoReturn, Sequence

from cli import contract
from cli.config import log_dir
from cli.contract import EXIT_ENV, EXIT_INTERNAL, EXIT_OK, EXIT_OPEN, EXIT_ROWS, EXIT_USAGE  # noqa: F401
from cli.locks import open_elsewhere

EXIT_CODES_HELP = contract.exit_help()
MAX_ROWS = 1_048_576  # Excel's last row: a --rows range beyond it is an argument error
MAX_NAME_BYTES = 255


class Refused(Exception):
    """A run refused with a Chinese message and an exit code (raised inside commands)."""

    def __init__(self, message: str, code: int = EXIT_ENV) -> None:
        super().__init__(message)
        self.message, self.code = message, code


# ----------------------------------------------------------------------------- argparse
_TRANSLATIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^the following arguments are required: (.*)$"), r"缺少必需的参数：\1"),
    (re.compile(r"^unrecognized arguments: (.*)$"), r"无法识别的参数：\1"),
    (re.compile(r"^argument (.+?): expected one argument$"), r"参数 \1 需要一个值"),
    (re.compile(r"^argument (.+?): expected at least one argument$"), r"参数 \1 至少需要一个值"),
    (re.compile(r"^argument (.+?): ignored explicit argument (.*)$"), r"参数 \1 不接受值：\2"),
    (re.compile(r"^argument (.+?): not allowed with argument (.*)$"), r"参数 \1 不能与 \2 同时使用"),
    (re.compile(r"^argument (.+?): invalid choice: (.*?) \(choose from (.*)\)$"),
     r"参数 \1 的值无效：\2（可选：\3）"),
    (re.compile(r"^argument (.+?): invalid int value: (.*)$"), r"参数 \1 应为整数：\2"),
    (re.compile(r"^argument (.+?): invalid float value: (.*)$"), r"参数 \1 应为数字：\2"),
    (re.compile(r"^argument (.+?): invalid \S+ value: (.*)$"), r"参数 \1 的值无效：\2"),
    (re.compile(r"^argument (.+?): (.*)$"), r"参数 \1：\2"),
    (re.compile(r"^ambiguous option: (.*?) could match (.*)$"), r"选项 \1 不明确，可能是：\2"),
    (re.compile(r"^one of the arguments (.*) is required$"), r"必须给出以下参数之一：\1"),
]
_HELP_WORDS = (("positional arguments:", "位置参数："), ("options:", "选项："),
               ("optional arguments:", "选项："), ("show this help message and exit", "显示此帮助并退出"))


def translate(message: str) -> str:
    """argparse's English error text in Chinese."""
    for pattern, repl in _TRANSLATIONS:
        if pattern.match(message):
            return pattern.sub(repl, message)
    return message


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked (importlib.metadata)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kw)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"logidesk {contract.version()}")
        parser.exit(EXIT_OK)


class ArgumentParser(argparse.ArgumentParser):
    """argparse with Chinese usage, help headings and error messages (exit 2), applying the
    contract of the command named by ``prog`` ("logidesk NAME", :mod:`cli.contract`):
    ``-q/--quiet`` and ``--version`` everywhere, the exit codes as epilog, ``--today`` for
    the commands that declare it (also fixing the engine's today), ``--out`` checked as a
    folder or as a file with the declared suffix."""

    def __init__(self, *args: Any, quiet: bool = True, **kw: Any) -> None:  # noqa: ARG002
        kw.setdefault("formatter_class", _Formatter)
        kw.setdefault("epilog", EXIT_CODES_HELP)
        super().__init__(*args, **kw)
        self.add_argument("-q", "--quiet", action="store_true", help=contract.QUIET_HELP)
        self.add_argument("--version", action=_Version, help=contract.VERSION_HELP)
        self._contract_done = False

    METAVARS = {"kind": "类型", "rows": "行号", "out": "路径", "ledger": "台账", "date": "日期", "today": "日期",
                "by": "姓名", "templates": "文件夹", "period": "期间", "branches": "网点", "within": "天数",
                "workbook": "登记表", "paths": "登记表", "freight": "元", "declared": "元", "cod": "元",
                "per_item": "元", "category": "类别", "origin": "地名", "destination": "地名", "file": "文件",
                "source": "通知", "year": "年份", "company": "文件", "udf_module": "模块", "pythonpath": "路径",
                "weight": "千克", "size": "尺寸", "month": "月份"}

    def add_argument(self, *args: Any, **kw: Any) -> Any:
        """Chinese placeholders in the usage line (类型, 日期 …) unless one is given; a
        placeholder for every value option (never FREIGHT, ORIGIN or UDF_MODULE)."""
        if args and all(a in self._option_string_actions for a in args if a.startswith("-")) \
                and set(args) <= {"-q", "--quiet", "--version"}:
            return self._option_string_actions[args[0]]  # the contract already gave every command these
        action = kw.get("action")
        if "metavar" not in kw and action in (None, "store", "append"):
            dest = kw.get("dest") or next((a.lstrip("-") for a in args if a.startswith("--")), args[0] if args else "")
            dest = str(dest).replace("-", "_")
            kw["metavar"] = self.METAVARS.get(dest, "值" if any(a.startswith("-") for a in args) else "参数")
        return super().add_argument(*args, **kw)

    def add_subparsers(self, **kw: Any) -> Any:
        """Subcommands named 子命令 in usage and errors (never the dest, e.g. ``cmd``)."""
        kw.setdefault("metavar", "子命令")
        return super().add_subparsers(**kw)

    def _declaration(self) -> contract.Command | None:
        found = contract.command_of(self.prog)
        return None if found is None or self._subparsers is not None else found[1]

    def _options(self) -> set[str]:
        return {o for a in self._actions for o in a.option_strings}

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        cmd = self._declaration()
        if cmd is not None and not self._contract_done:
            self._contract_done = True
            if cmd.today and "--today" not in self._options():
                self.add_argument("--today", type=date_arg, help=contract.TODAY_HELP)
        ns, rest = super().parse_known_args(args, namespace)
        if cmd is not None:
            self._apply(cmd, ns)
        return ns, rest

    def _apply(self, cmd: contract.Command, ns: Any) -> None:
        if cmd.today and isinstance(getattr(ns, "today", None), dt.date):
            fix_today(ns.today)
        out = getattr(ns, "out", None)
        if cmd.out is None or out is None:
            return
        out = Path(out)
        if cmd.out == "folder" and _is_file(out):
            self.error(f"--out 应为文件夹，但「{out}」是已有的文件")
        if cmd.out == "file" and not _is_dir(out):
            if not out.suffix:
                out = out.with_name(out.name + cmd.suffix)
            elif out.suffix.lower() != cmd.suffix.lower():
                self.error(f"--out「{out.name}」的扩展名应为 {cmd.suffix}")
        ns.out = out

    def format_help(self) -> str:
        text = super().format_help()
        for en, zh in _HELP_WORDS:
            text = text.replace(en, zh)
        return text

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：参数错误：{translate(message)}\n"
                              f"（{self.prog} --help 查看全部参数）\n")


def _is_dir(path: Path) -> bool:
    """Path.is_dir that answers False for a name the OS refuses (too long): the write that
    follows reports it as the environment (exit 4)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.exists() and not path.is_dir()
    except OSError:
        return False


_TODAY_WAS: list[str | None] = []


def fix_today(day: dt.date) -> None:
    """``--today``: the engine's today (``LOGIDESK_TODAY``) for the rest of the command;
    :func:`restore_today` puts the previous value back."""
    _TODAY_WAS.append(os.environ.get("LOGIDESK_TODAY"))
    os.environ["LOGIDESK_TODAY"] = day.isoformat()


def restore_today() -> None:
    while _TODAY_WAS:
        was = _TODAY_WAS.pop(0)
        if was is None:
            os.environ.pop("LOGIDESK_TODAY", None)
        else:
            os.environ["LOGIDESK_TODAY"] = was
        _TODAY_WAS.clear()


def out_file(out: Path | None, default: Path) -> Path:
    """The one file a command writes: ``--out`` (already given its suffix by the parser),
    ``default``'s name inside ``--out`` when that is an existing folder, else ``default``."""
    if out is None:
        return Path(default)
    out = Path(out)
    return out / Path(default).name if _is_dir(out) else out


def date_arg(text: str) -> dt.date:
    """A date on the command line, in the forms a cell accepts (udfs.values.when):
    2026-11-23, 2026/11/23, 2026.11.23, 2026年11月23日."""
    # udfs/__init__ loads the rulebook: only a command given a date pays for it
    from udfs.errors import RuleError  # lazy: 18 ms of a 40 ms `logidesk --help` start-up
    from udfs.values import when  # lazy: as udfs.errors above (18 ms at start-up)
    try:
        return when(text, "日期", None)
    except RuleError as e:
        raise argparse.ArgumentTypeError(f"「{text}」不是日期（可写 2026-11-23、2026/11/23 或 2026年11月23日）") from e


def positive_int(text: str) -> int:
    try:
        n = int(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是整数") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"不能为负数：{text}")
    return n


def parse_rows(spec: str | None) -> list[tuple[int, int]] | None:
    """``--rows 2-40,45`` → [(2, 40), (45, 45)] (None = all rows). Ranges stay ranges (no
    list of 99,999,999 numbers); a row beyond Excel's last row or text is a ValueError."""
    if spec is None or not str(spec).strip():
        return None
    out: list[tuple[int, int]] = []
    for part in str(spec).replace("，", ",").replace("～", "-").replace("~", "-").split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d+)\s*(?:-\s*(\d+))?", part)
        if not m:
            raise ValueError(f"行号「{part}」无效（应为 2-40,45 这样的 Excel 行号）")
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        a, b = min(a, b), max(a, b)
        if a < 1 or b > MAX_ROWS:
            raise ValueError(f"行号「{part}」超出范围（Excel 行号为 1–{MAX_ROWS:,}）")
        out.append((a, b))
    return out or None


def rows_arg(text: str) -> list[tuple[int, int]] | None:
    try:
        return parse_rows(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def select_rows(ranges: list[tuple[int, int]] | None, rows: Iterable[int]) -> list[int]:
    """Rows of ``rows`` (sheet row numbers) inside ``ranges`` (all when None), in order."""
    rows = list(rows)
    if ranges is None:
        return rows
    return [r for r in rows if any(a <= r <= b for a, b in ranges)]


# ----------------------------------------------------------------------------- console
def setup_console() -> None:
    """Console streams that never crash on a character the console cannot show (a GBK
    Windows console, output redirected to a file): unknown characters become '?'."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):  # pragma: no cover - replaced streams (pytest)
            pass
    sys.unraisablehook = _log_unraisable


def _log_unraisable(info: Any) -> None:
    """An exception in a destructor (a library's file closed on a full disk): to the log,
    never as English on the console."""
    log_problem("（析构）", f"{info.exc_type.__name__}: {info.exc_value}", info.exc_value)


def log_path() -> Path:
    return log_dir() / "logidesk.log"


def log_problem(command: str, text: str, exc: BaseException | None = None) -> Path | None:
    """Append a problem (and a traceback) to the log file; its path, or None if unwritable."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{dt.datetime.now().isoformat(timespec='seconds')} logidesk {command}: {text}\n")
            if exc is not None:
                fh.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def run(command: str, body: Callable[[], int]) -> int:
    """Run a command body: known failures → one Chinese message and their exit code;
    anything else → "内部错误" with the log file named (exit 5); a closed pipe → exit 0."""
    setup_console()
    try:
        return _guarded(command, body)
    finally:
        restore_today()  # a --today of this command never outlives it (tests call main() in process)


def _guarded(command: str, body: Callable[[], int]) -> int:
    try:
        return int(body() or 0)
    except Refused as e:  # environment problems are logged too; the message names the log
        where = log_problem(command, e.message) if e.code >= EXIT_ENV else None
        _err(e.message + (f"\n（已记录到日志：{where}）" if where else ""))
        return e.code
    except BrokenPipeError:
        quiet_pipe()
        return EXIT_OK
    except contract.EnvironmentProblem as e:  # the configuration or the ledger: environment
        return _environment(command, e, e)
    except RuntimeError as e:
        return _internal(command, e)
    except OSError as e:  # disk full, read-only, no permission, name too long …: environment
        return os_failure(command, e)
    except KeyboardInterrupt:
        _err("已中断（Ctrl+C）。已登记的通知和已写出的文件保持完整。")
        return 130
    except Exception as e:  # noqa: BLE001 - the one place that turns a bug into a message
        return _unexpected(command, e)


def _unexpected(command: str, e: Exception) -> int:
    """Any other exception: an OS error a library wrapped, the rules data, else a bug."""
    inner = os_error_in(e)
    if inner is not None:  # e.g. XlsxWriter's FileCreateError around "No space left on device"
        return os_failure(command, inner)
    rules = sys.modules.get("udfs.errors")  # loaded when the engine raised it
    if rules is not None and isinstance(e, rules.RuleError):
        # the rules data itself (company rules file damaged, holidays missing): environment
        return _environment(command, e)
    return _internal(command, e)


def _environment(command: str, e: Exception, exc: BaseException | None = None) -> int:
    """An environment problem: 「未完成」 with its message, logged (with ``exc``'s traceback), exit 4."""
    where = log_problem(command, str(e), exc)
    _err(f"未完成：{e}" + (f"\n（已记录到日志：{where}）" if where else ""))
    return EXIT_ENV


def os_error_in(e: BaseException) -> OSError | None:
    """The OSError a library wrapped in its own exception (its argument or its cause)."""
    for inner in (e.args[0] if e.args else None, e.__cause__):
        if isinstance(inner, OSError):
            return inner
    return None


def os_failure(command: str, e: OSError, done: str = "") -> int:
    """An OS error as one Chinese sentence naming the file (original text in the log):
    exit 3 when the OS says another program holds the file open, else 4."""
    # udfs.errtext is plain stdlib, but importing it runs udfs/__init__ (the rulebook)
    from udfs.errtext import is_file_open, os_text  # lazy: 18 ms at start-up; `--help`/`--version` never fail on the OS
    where = log_problem(command, f"{type(e).__name__}: {e}", e)
    _err(f"未完成：{os_text(e)}。{done}" + (f"\n（已记录到日志：{where}）" if where else ""))
    return EXIT_OPEN if is_file_open(e) else EXIT_ENV


def _internal(command: str, e: BaseException) -> int:
    where = log_problem(command, f"内部错误：{e!r}", e)
    _err(f"logidesk {command}：程序内部错误。"
         + (f"详情已写入日志：{where}，请发给管理员。" if where else "请联系管理员。"))
    return EXIT_INTERNAL


def _err(text: str) -> None:
    try:
        print(text, file=sys.stderr, flush=True)
    except (BrokenPipeError, OSError):  # pragma: no cover
        pass


def quiet_pipe() -> None:
    """After a reader such as ``head`` closed stdout: point stdout at devnull so the
    interpreter's final flush does not raise again, and say so once on stderr."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover
        pass
    _err("（输出管道已关闭，其余输出未显示；已完成的工作不受影响）")


def check_name_length(path: Path) -> None:
    """Refuse (exit 4, nothing written) an output file name the file system cannot hold
    (> 255 bytes)."""
    n = len(Path(path).name.encode("utf-8"))
    if n > MAX_NAME_BYTES:
        raise Refused(f"未完成：文件名过长（{n} 字节，文件系统最多 {MAX_NAME_BYTES} 字节）：{Path(path).name[:40]}…"
                      "。未写出任何文件。", EXIT_ENV)


class Progress:
    """A progress bar on stderr for a phase, shown only when the phase runs longer than a
    second, on a terminal, and not ``--quiet``. A phase that reports no counts (reading a
    register) still shows its name and the seconds elapsed once it passes a second."""

    def __init__(self, desc: str, total: int | None = None, unit: str = "行", quiet: bool = False) -> None:
        self.desc, self.total, self.unit = desc, total, unit
        self.enabled = not quiet and sys.stderr.isatty()
        self.t0 = time.monotonic()
        self.bar: Any = None
        self._lock = threading.Lock()
        self._closed = threading.Event()
        if self.enabled:
            threading.Thread(target=self._tick, daemon=True).start()

    def _tick(self) -> None:
        """After a second without a bar, show one; refresh its clock until the phase ends."""
        if self._closed.wait(1.0):
            return
        while not self._closed.is_set():
            with self._lock:
                if self._closed.is_set():
                    return
                if self.bar is None:
                    self._open(self.total)
                self.bar.refresh()
            self._closed.wait(0.5)

    def _open(self, total: int | None) -> None:
        from tqdm import tqdm  # lazy: tqdm costs 23 ms at start-up; a bar opens only after a second
        self.bar = tqdm(total=total, desc=self.desc, unit=self.unit, ascii=True, file=sys.stderr)

    def update(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        with self._lock:
            if self.bar is None:
                if time.monotonic() - self.t0 < 1.0:
                    return
                self._open(total or self.total)
            if total is not None:
                self.bar.total = total
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            if self.bar is not None:
                self.bar.close()
                self.bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def say(text: str = "", *, err: bool = False) -> None:
    """Print a line (flushed); BrokenPipeError propagates to :func:`run`."""
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


def lock_file_of(path: Path) -> Path | None:
    """The Excel/WPS/LibreOffice lock file of ``path`` when the workbook is open."""
    return open_elsewhere(Path(path))


def refuse_if_open(paths: Sequence[Path]) -> None:
    for p in paths:
        lock = lock_file_of(p)
        if lock is not None:
            raise Refused(f"文件正在 Excel/WPS 中打开，未改动：{p}（锁文件 {lock.name}）。请先关闭它再运行。", EXIT_OPEN)
