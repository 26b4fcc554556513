"""`logidesk` command line: the headless path, same work as the ribbon buttons.

Each subcommand lives in its own module as ``main(argv: list[str]) -> int`` and is imported
only when used, so a missing optional tool (LibreOffice, PostgreSQL) never breaks the others.
"""
from __future__ import annotations

import importlib
import sys

# name -> (module:function, help). Add a subcommand here and nowhere else.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("addin.demo:main", "在自带样例数据上运行全部主流程（install.py 最后一步）"),
    "functions": ("udfs.examples:main", "打印每个函数的示例与结果"),
    "build": ("workbooks.build:main", "生成登记表模板（加载项用 logidesk addin）"),
    "process": ("workbooks.process:main", "无 Excel 批量计算已填写的登记表"),
    "quote": ("addin.quote:main", "柜台报价（终端）：按公司运价算运费，再算保价费、代收手续费与合计"),
    "notices": ("addin.notices.cli:main", "为登记表行生成公告/函件（.docx/.pdf）并登记台账"),
    "deadlines": ("addin.reminders:main", "时限提醒：今日到期、N 天内到期、已逾期"),
    "report": ("addin.report:main", "货损货差十五日报表"),
    "analysis": ("addin.analysis:main", "月度货损分析：各网点与全网按类型、环节、原因，趋势与重大案件"),
    "addin": ("addin.xlam.build:main", "生成 logidesk.xlam 加载项"),
    "holidays": ("addin.holidays_cli:holidays_main", "导入国务院节假日安排通知到公司规则文件"),
    "rules": ("addin.holidays_cli:rules_main", "检查规则文件（程序自带与公司），列出已收录年份"),
    "export": ("workbooks.export:main", "生成发送版：计算列转为数值，给没有加载项的人（WPS、LibreOffice）"),
}


def _usage() -> str:
    lines = ["用法：logidesk <命令> [参数]", "", "命令："]
    lines += [f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "每个命令加 --help 查看参数。"]
    from addin.cliutil import EXIT_CODES_HELP
    lines += [EXIT_CODES_HELP]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from addin.cliutil import quiet_pipe, setup_console
    setup_console()  # every subcommand: a GBK console or a redirect never crashes the output
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"未知命令：{name}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, func_name = COMMANDS[name][0].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    try:
        return int(func(rest) or 0)
    except BrokenPipeError:  # e.g. `logidesk … | head`: the reader stopped, the work is done
        quiet_pipe()
        return 0


if __name__ == "__main__":
    sys.exit(main())
