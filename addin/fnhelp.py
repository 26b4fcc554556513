"""Insert Function help in Chinese: ``Application.MacroOptions`` for every worksheet function.

Called once per Excel session by the add-in's VBA (``LogideskRegisterHelp`` →
``XLPy.Call(XLPy.Module("addin.fnhelp"), "register", XLPy.Tuple(ThisWorkbook))``), i.e. inside
the UDF server, with the add-in's COM workbook. Texts come from :mod:`udfs.registry` — the same
declarations the functions are generated from — so help and functions cannot drift apart.
Unicode is fine here: COM passes BSTRs; only the VBA source code page cannot hold Chinese.

Nothing here may raise into VBA: a failing call is logged and skipped.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable

from udfs.registry import FUNCTIONS

MAX_TEXT = 255  # MacroOptions rejects longer Description / ArgumentDescriptions entries
log = logging.getLogger(__name__)


def _functions() -> Iterable[Any]:
    return [f for f in FUNCTIONS.values() if getattr(f, "excel", True)]


def argument_text(param: Any) -> str:
    """「标签：说明」, or just the help when it already starts with the label."""
    text = param.help if param.help.startswith(param.label) else f"{param.label}：{param.help}"
    if not param.required:
        text += "（可省略）"
    return text[:MAX_TEXT]


def macro_options_calls(book_name: str, functions: Iterable[Any] | None = None
                        ) -> list[tuple[str, dict[str, Any]]]:
    """(macro reference, keyword arguments) of one MacroOptions call per function, in display
    order. ``'logidesk.xlam'!COD_FEE`` is how xlwings's own import_udfs names them."""
    calls = []
    for f in _functions() if functions is None else functions:
        args = [argument_text(p) for p in f.params]
        calls.append((f"'{book_name}'!{f.excel_name}", {
            "Description": f.description[:MAX_TEXT],
            "Category": f.category,
            "ArgumentDescriptions": args or None,
        }))
    return calls


def register(workbook: Any, functions: Iterable[Any] | None = None) -> int:
    """Apply the calls through ``workbook.Application``; returns how many succeeded."""
    try:
        app, name = workbook.Application, workbook.Name
        calls = macro_options_calls(name, functions)
    except Exception:  # noqa: BLE001 - never into VBA
        log.exception("Insert Function help: cannot read the declarations")
        return 0
    done = 0
    for macro, kwargs in calls:
        try:
            app.MacroOptions(macro, **kwargs)
            done += 1
        except Exception:  # noqa: BLE001
            log.exception("MacroOptions failed for %s", macro)
    return done
