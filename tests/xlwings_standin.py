"""Call the generated ``udfs.xl`` exactly as xlwings 0.37.8's COM server does on Windows.

Off Windows xlwings's decorators are no-ops and ``xlwings._xlwindows`` cannot import (pywin32),
so this stand-in:

1. loads a copy of udfs.xl with xlwings's REAL decorators (addin.xlam.udfvba), so every
   argument carries the ``__xlfunc__`` options it has on Windows (``ndim``, ``err_to_str`` …);
2. takes xlwings's own Windows cleaning code (``cell_errors``, ``_clean_value_data_element``,
   ``Engine.clean_value_data``) out of the installed ``xlwings/_xlwindows.py`` source and runs it
   as the engine of xlwings's real conversion pipeline (``xlwings.conversion.read``);
3. follows ``xlwings.udfs.call_udf``: a missing optional argument (DISP_E_PARAMNOTFOUND) becomes
   the argument's default, anything else goes through ``conversion.read`` with its options.

Inputs are what pywin32 hands over from COM: floats for numbers, None for blank cells, str,
bool, datetime for date cells, the SCODE int for an error cell (#N/A = -2146826246), and a
tuple of row tuples for a multi-cell range or an array.
"""
from __future__ import annotations

import ast
import datetime as dt
import types
from pathlib import Path

import xlwings
from xlwings import conversion
from xlwings.main import Engine

from addin.xlam import udfvba

MISSING = -2147352572                        # DISP_E_PARAMNOTFOUND: an omitted optional argument
SCODE = {"#DIV/0!": -2146826281, "#N/A": -2146826246, "#NAME?": -2146826259, "#NULL!": -2146826288,
         "#NUM!": -2146826252, "#REF!": -2146826265, "#VALUE!": -2146826273,
         "#SPILL!": -2146828288 + 2045, "#CALC!": -2146828288 + 2050}
ENGINE = "excel-standin"


def _windows_cleaning() -> types.SimpleNamespace:
    """xlwings's Windows ``clean_value_data``, compiled from the installed source."""
    source = Path(xlwings.__file__).with_name("_xlwindows.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    wanted = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "cell_errors" for t in node.targets):
            wanted.append(node)
        elif isinstance(node, ast.FunctionDef) and node.name in ("_clean_value_data_element",
                                                                 "_com_time_to_datetime"):
            wanted.append(node)
        elif isinstance(node, ast.ClassDef) and node.name == "Engine":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "clean_value_data":
                    item.decorator_list = []
                    wanted.append(item)
    assert len(wanted) == 4, "xlwings/_xlwindows.py changed: review the stand-in"
    module = ast.Module(body=wanted, type_ignores=[])
    ns = {"time_types": (dt.date, dt.datetime)}     # pywintypes.TimeType is a datetime subclass
    exec(compile(module, "xlwings/_xlwindows.py", "exec"), ns)
    return types.SimpleNamespace(name=ENGINE, type="desktop", clean_value_data=ns["clean_value_data"],
                                 cell_errors=ns["cell_errors"])


class Excel:
    """``Excel()("COD_FEE", 2000.0)`` → what the cell receives."""

    def __init__(self, module: str = "udfs.xl") -> None:
        with udfvba.xlwings_udfs() as udfs_mod:
            _, self.module = udfvba.load_decorated_copy(module, udfs_mod)
        self.impl = _windows_cleaning()
        self.cell_errors = self.impl.cell_errors

    def __enter__(self) -> "Excel":
        engine = Engine(self.impl)
        xlwings.engines.engines.append(engine)
        xlwings.engines.engines_by_name[ENGINE] = engine
        self._engine = engine
        return self

    def __exit__(self, *exc) -> None:
        xlwings.engines.engines.remove(self._engine)
        xlwings.engines.engines_by_name.pop(ENGINE, None)

    def arg_options(self, name: str) -> list[dict]:
        return getattr(self.module, name).__xlfunc__["args"]

    def convert(self, value, options: dict):
        return conversion.read(None, value, options, engine_name=ENGINE)

    def __call__(self, name: str, *com_args):
        func = getattr(self.module, name)
        infos = func.__xlfunc__["args"]
        args = list(com_args) + [MISSING] * (len(infos) - len(com_args))
        for i, arg in enumerate(args):       # xlwings/udfs.py call_udf
            info = infos[min(i, len(infos) - 1)]
            if isinstance(arg, int) and arg == MISSING:
                args[i] = info.get("optional", None)
            else:
                args[i] = self.convert(arg, info["options"])
        return func(*args)
