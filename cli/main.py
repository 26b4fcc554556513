"""`logidesk` command line: the headless path, same work as the ribbon buttons.

Each subcommand lives in its own module as ``main(argv: list[str]) -> int`` and is imported
only when used, so a missing optional tool (LibreOffice, PostgreSQL) never breaks the others.
"""
from __future__ import annotations

import importlib
import sys

from cli.contract import Command, exit_help, version

# name -> what the command is (cli.contract.Command: where, help, --out, --today) or a plain
# (module:function, help). Add a subcommand here and nowhere else.
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


def _usage() -> str:
    lines = ["用法：logidesk <命令> [参数]", "", "命令："]
    lines += [f"  {name:<10} {Command.of(c).help}" for name, c in COMMANDS.items()]
    lines += ["", "每个命令加 --help 查看参数；每个命令都接受 -q/--quiet 和 --version。", exit_help()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from cli import console as cu
    cu.setup_console()  # every subcommand: a GBK console or a redirect never crashes the output
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    if argv[0] == "--version":
        print(f"logidesk {version()}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"未知命令：{name}\n\n{_usage()}", file=sys.stderr)
        return cu.EXIT_USAGE
    module_name, func_name = Command.of(COMMANDS[name]).target.split(":")
    try:
        # one place applies the contract's failures to every command: OS errors in Chinese
        # (exit 4, or 3 when the OS says the file is open), bugs → exit 5 with the log file
        return cu.run(name, lambda: getattr(importlib.import_module(module_name), func_name)(rest))
    finally:
        cu.restore_today()


if __name__ == "__main__":
    sys.exit(main())
