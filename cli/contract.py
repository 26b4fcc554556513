"""The one contract every ``logidesk`` command follows, declared once.

Exit codes, the options every command accepts, what ``--out`` means for a command that
writes one file or several, which commands take ``--today``: all declared here and rendered
into every ``--help`` (:class:`cli.console.ArgumentParser`), ``logidesk --help``,
docs/cli.md and the README (between the ``contract`` markers; ``python -m cli.contract
--write`` rewrites both, a test fails when they differ).

A command joins the contract by one line in :data:`COMMANDS` (here, below the console and the
entry point that both read it): a :class:`Command` (or a plain ``(target, help)`` pair: no
``--out``, no ``--today``) and by building its parser with
``cli.console.ArgumentParser(prog="logidesk NAME")``.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

EXIT_OK, EXIT_ROWS, EXIT_USAGE, EXIT_OPEN, EXIT_ENV, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5

EXIT_CODES: tuple[tuple[int, str, str], ...] = (
    (EXIT_OK, "完成", "完成"),
    (EXIT_ROWS, "完成，但有需要处理的行",
     "完成，但有需要处理的行或文件（逐一列出：文件、工作表、行号和原因），这些行未处理"),
    (EXIT_USAGE, "参数错误，未执行",
     "参数错误（未知选项、日期/期间/行号写法不对、--out 的扩展名不对），什么也没做"),
    (EXIT_OPEN, "文件正在打开，未改动",
     "文件正在 Excel/WPS/LibreOffice 中打开（旁边有锁文件 ~$文件名，或系统提示文件被占用），未改动"),
    (EXIT_ENV, "运行环境问题，消息说明已完成的部分",
     "运行环境问题：磁盘已满、只读、没有权限、文件名过长、LibreOffice 或台账无法使用；"
     "消息说明已经完成的部分"),
    (EXIT_INTERNAL, "程序内部错误，详情见日志文件", "程序内部错误：消息给出日志文件的位置，请发给管理员"),
)


class EnvironmentProblem(RuntimeError):
    """The installation's environment cannot serve the command (a configuration file, the
    notice ledger): its Chinese message is shown and logged, and the command ends with
    :data:`EXIT_ENV`."""


QUIET_HELP = "安静模式：不显示进度条，只输出问题和结果"
VERSION_HELP = "显示 logidesk 版本并退出"
TODAY_HELP = "按此日期计算，如 2026-11-23 或 2026年11月23日（默认今天）"
COMMON = (
    ("-q, --quiet", "每个命令", QUIET_HELP),
    ("--version", "每个命令", VERSION_HELP),
    ("--out", "写文件的命令", "写多个文件的命令：文件夹；写一个文件的命令：文件，或已有的文件夹（写入默认文件名）；"
                           "文件名没有扩展名时自动加上，扩展名不对时拒绝（退出码 2）"),
    ("--today", "与日期有关的命令", TODAY_HELP),
)
NOTES = (
    "进度：超过 1 秒的阶段在终端上显示进度条（-q 时不显示）。",
    "锁文件：要写的文件正被打开（旁边有 ~$文件名 或 .~lock.文件名#）时拒绝并退出码 3，不覆盖。",
    "消息只用中文；系统、压缩包、XML、TOML 和数据库的原始英文只写入日志文件。",
)


@dataclass(frozen=True)
class Command:
    """One ``logidesk`` command: where its ``main(argv) -> int`` is, its one-line help,
    what ``--out`` is (``"folder"``, ``"file"`` or ``None``), the suffix of its one output
    file, and whether it takes ``--today``."""

    target: str
    help: str
    out: str | None = None
    suffix: str = ""
    today: bool = False

    @classmethod
    def of(cls, value: "Command | tuple[str, str]") -> "Command":
        return value if hasattr(value, "target") else cls(*value)  # type: ignore[return-value]


# name -> what the command is (a Command: where, help, --out, --today) or a plain
# (module:function, help); cli.main dispatches by the target string. Add a subcommand here and nowhere else.
COMMANDS: dict[str, Command | tuple[str, str]] = {
    "demo": Command("desk.demo:main", "在自带样例数据上运行全部主流程（install.py 最后一步）", out="folder"),
    "functions": Command("cli.functions:main", "打印每个函数的示例与结果"),
    "build": Command("workbooks.build:main", "生成登记表模板（加载项用 logidesk addin）", out="folder"),
    "process": Command("workbooks.process:main", "无 Excel 批量计算已填写的登记表", out="folder", today=True),
    "quote": Command("desk.quote:main", "柜台报价（终端）：按公司运价算运费，再算保价费、代收手续费与合计", today=True),
    "notices": Command("desk.notices.cli:main", "为登记表行生成公告/函件（.docx/.pdf）并登记台账", out="folder"),
    "deadlines": Command("desk.reminders:main", "时限提醒：今日到期、N 天内到期、已逾期",
                         out="file", suffix=".xlsx", today=True),
    "report": Command("desk.report:main", "货损货差十五日报表", out="file", suffix=".xlsx", today=True),
    "analysis": Command("desk.analysis:main", "月度货损分析：各网点与全网按类型、环节、原因，趋势与重大案件",
                        out="file", suffix=".xlsx", today=True),
    "addin": Command("addin.xlam.build:main", "生成 logidesk.xlam 加载项", out="folder"),
    "holidays": Command("desk.holidays:holidays_main", "导入国务院节假日安排通知到公司规则文件"),
    "rules": Command("desk.holidays:rules_main", "检查规则文件（程序自带与公司），列出已收录年份", today=True),
    "export": Command("workbooks.export:main", "生成发送版：计算列转为数值，给没有加载项的人（WPS、LibreOffice）",
                      out="file", suffix=".xlsx"),
    "doctor": Command("addin.doctor:main", "检查本机安装：版本、加载项、台账、规则文件、节假日、LibreOffice、"
                                           "模板目录与写入权限", today=True),
}


def commands() -> dict[str, Command]:
    """Every command's declaration, by name (plain pairs as :class:`Command`)."""
    return {name: Command.of(v) for name, v in COMMANDS.items()}


def command_of(prog: str | None) -> tuple[str, Command] | None:
    """The declaration of ``logidesk NAME`` (from a parser's prog), or None."""
    parts = (prog or "").split()
    if len(parts) < 2 or parts[0] != "logidesk":
        return None
    cmd = commands().get(parts[1])
    return (parts[1], cmd) if cmd else None


def version() -> str:
    from importlib import metadata  # lazy: importlib.metadata costs 17 ms at start-up; only --version asks
    try:
        return metadata.version("logidesk")
    except metadata.PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "未安装"


# ----------------------------------------------------------------------------- rendering
def exit_help() -> str:
    """The exit codes, one line (every --help's epilog)."""
    return "退出码：" + "；".join(f"{c} {short}" for c, short, _ in EXIT_CODES) + "。"


def markdown() -> str:
    """The contract as Markdown (docs/cli.md and the README, between the markers)."""
    lines = ["| 退出码 | 含义 |", "|---|---|"]
    lines += [f"| {c} | {long} |" for c, _, long in EXIT_CODES]
    lines += ["", "| 选项 | 适用 | 含义 |", "|---|---|---|"]
    lines += [f"| `{o}` | {who} | {text} |" for o, who, text in COMMON]
    lines += ["", "| 命令 | 说明 | `--out` | `--today` |", "|---|---|---|---|"]
    for name, c in commands().items():
        out = {"folder": "文件夹", "file": f"文件（{c.suffix}）或文件夹"}.get(c.out or "", "—")
        lines.append(f"| `logidesk {name}` | {c.help} | {out} | {'有' if c.today else '—'} |")
    lines += [""] + [f"- {n}" for n in NOTES]
    return "\n".join(lines)


BEGIN, END = "<!-- contract:begin (python -m cli.contract --write) -->", "<!-- contract:end -->"
DOCS = ("docs/cli.md", "README.md")
_BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)


def rendered(text: str) -> str:
    """``text`` with its contract block replaced by the current rendering."""
    block = f"{BEGIN}\n{markdown()}\n{END}"
    return _BLOCK.sub(lambda _: block, text)


def stale_docs(root: Path) -> list[Path]:
    """The documents whose contract block differs from the code (or that have none)."""
    out = []
    for rel in DOCS:
        text = (root / rel).read_text(encoding="utf-8")
        if BEGIN not in text or rendered(text) != text:
            out.append(root / rel)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    root = Path(__file__).resolve().parent.parent
    if "--write" in argv:
        for rel in DOCS:
            p = root / rel
            p.write_text(rendered(p.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    print(markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
