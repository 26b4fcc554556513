"""`logidesk functions`: every Excel function's worked examples with the results the code gives
(a mismatch exits 1), or with ``--markdown`` the text of docs/functions.md."""
from __future__ import annotations

import sys

from cli.console import ArgumentParser
from udfs import examples


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="logidesk functions", description="每个函数的示例与结果")
    parser.add_argument("--markdown", action="store_true", help="输出 docs/functions.md 的内容")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(examples.markdown())
        return 0
    width = max(len(examples.formula(e)) for e in examples.EXAMPLES)
    print(f"{'公式':<{width}}  结果")
    bad = 0
    for ex in examples.EXAMPLES:
        got = examples.evaluate(ex)
        mark = "" if got == ex.expected else f"   ≠ 期望 {ex.expected}"
        bad += bool(mark)
        print(f"{examples.formula(ex):<{width}}  {got}{mark}")
    return 1 if bad else 0
