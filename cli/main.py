"""`logidesk` command line: the headless path, same work as the ribbon buttons.

Each subcommand lives in its own module as ``main(argv: list[str]) -> int``, declared in
:data:`cli.contract.COMMANDS` by a ``"module:function"`` string. The entry point imports that
module by name (importlib) only when the command runs: deliberately not an import of this
module, so a missing optional tool (LibreOffice, PostgreSQL) never breaks the other commands
and the command kit never depends on the packages built on it.
"""
from __future__ import annotations

import importlib
import sys

from cli import console
from cli.contract import COMMANDS, Command, exit_help, version


def _usage() -> str:
    lines = ["用法：logidesk <命令> [参数]", "", "命令："]
    lines += [f"  {name:<10} {Command.of(c).help}" for name, c in COMMANDS.items()]
    lines += ["", "每个命令加 --help 查看参数；每个命令都接受 -q/--quiet 和 --version。", exit_help()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    console.setup_console()  # every subcommand: a GBK console or a redirect never crashes the output
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
        return console.EXIT_USAGE
    module_name, func_name = Command.of(COMMANDS[name]).target.split(":")
    try:
        # one place applies the contract's failures to every command: OS errors in Chinese
        # (exit 4, or 3 when the OS says the file is open), bugs → exit 5 with the log file
        return console.run(name, lambda: getattr(importlib.import_module(module_name), func_name)(rest))
    finally:
        console.restore_today()


if __name__ == "__main__":
    sys.exit(main())
