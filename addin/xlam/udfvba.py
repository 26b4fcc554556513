"""The ``xlwings_udfs`` VBA module, produced by xlwings's own generator on any OS.

On Windows, ``Import Functions`` runs :func:`xlwings.udfs.import_udfs`, which writes a header
and calls :func:`xlwings.udfs.generate_vba_wrapper` per module. Off Windows ``@xw.func`` and
friends are no-ops and ``xlwings.udfs`` cannot import (it needs pywin32), so here we:

1. put small stand-ins for ``pythoncom``, ``pywintypes`` and ``win32com.client`` into
   ``sys.modules`` while importing ``xlwings.udfs`` (only if the real ones are missing);
2. load a *second copy* of the UDF module from its file with ``xw.func/arg/ret/sub``
   temporarily bound to xlwings's real ``xlfunc/xlarg/xlret/xlsub`` (what they are on
   Windows), so the ``__xlfunc__`` metadata is built exactly as on Windows without touching
   the function objects everyone else imports;
3. run the generator and prepend the header of ``import_udfs``.

Everything patched is restored on exit.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import sys
import types
from pathlib import Path
from typing import Iterator

UDF_MODULE = "udfs.xl"
VBA_MODULE_NAME = "xlwings_udfs"
_STUB_NAMES = ("pythoncom", "pywintypes", "win32com", "win32com.client")


def _stub_modules() -> dict[str, types.ModuleType]:
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None  # type: ignore[attr-defined]
    pywintypes = types.ModuleType("pywintypes")

    class com_error(Exception):  # noqa: N801 - pywin32's name
        pass

    pywintypes.com_error = com_error  # type: ignore[attr-defined]
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")

    def Dispatch(*_a, **_k):  # noqa: N802 - pywin32's name
        raise RuntimeError("COM is not available: stand-in used to build the add-in")

    client.Dispatch = Dispatch  # type: ignore[attr-defined]
    win32com.client = client  # type: ignore[attr-defined]
    return {"pythoncom": pythoncom, "pywintypes": pywintypes, "win32com": win32com,
            "win32com.client": client}


@contextlib.contextmanager
def xlwings_udfs() -> Iterator[types.ModuleType]:
    """Yield ``xlwings.udfs``; on non-Windows with COM stand-ins, removed afterwards."""
    import xlwings  # lazy: xlwings costs 310 ms at start-up (-X importtime); only generating the VBA needs it

    saved = {name: sys.modules.get(name) for name in (*_STUB_NAMES, "xlwings.udfs")}
    had_attr = hasattr(xlwings, "udfs")
    old_attr = getattr(xlwings, "udfs", None)
    try:
        try:
            mod = importlib.import_module("xlwings.udfs")
        except ImportError:
            for name, stub in _stub_modules().items():
                if saved[name] is None:
                    sys.modules[name] = stub
            sys.modules.pop("xlwings.udfs", None)
            mod = importlib.import_module("xlwings.udfs")
        yield mod
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
        if had_attr:
            xlwings.udfs = old_attr  # type: ignore[attr-defined]  # the submodule its import had set
        elif hasattr(xlwings, "udfs"):
            delattr(xlwings, "udfs")


def _module_file(module: str | types.ModuleType) -> tuple[str, Path]:
    if isinstance(module, types.ModuleType):
        if module.__file__ is None:
            raise ImportError(f"UDF module {module.__name__!r} has no file")
        return module.__name__, Path(module.__file__)
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        raise ImportError(f"UDF module {module!r} not found")
    return module, Path(spec.origin)


def load_decorated_copy(module: str | types.ModuleType, udfs_mod: types.ModuleType
                        ) -> tuple[str, types.ModuleType]:
    """A fresh copy of ``module`` executed with xlwings's real UDF decorators.

    Returns (real module name, copy). The copy is never left in ``sys.modules``.
    """
    import xlwings  # lazy: xlwings costs 310 ms at start-up (-X importtime); only generating the VBA needs it

    name, path = _module_file(module)
    package = name.rpartition(".")[0]
    copy_name = (package + "." if package else "") + "_logidesk_vba_copy_" + name.rpartition(".")[2]
    spec = importlib.util.spec_from_file_location(copy_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"UDF module {name!r} cannot be loaded from {path}")
    copy = importlib.util.module_from_spec(spec)
    real = {attr: getattr(xlwings, attr) for attr in ("func", "arg", "ret", "sub")}
    sys.modules[copy_name] = copy
    try:
        xlwings.func, xlwings.arg = udfs_mod.xlfunc, udfs_mod.xlarg
        xlwings.ret, xlwings.sub = udfs_mod.xlret, udfs_mod.xlsub
        spec.loader.exec_module(copy)
    finally:
        for attr, value in real.items():
            setattr(xlwings, attr, value)
        sys.modules.pop(copy_name, None)
    return name, copy


class _Workbook:
    """What the generator needs of the COM workbook: its name (.xlam -> ActiveWorkbook)."""

    def __init__(self, name: str) -> None:
        self.Name = name


def generate(module: str | types.ModuleType = UDF_MODULE, workbook_name: str = "logidesk.xlam"
             ) -> str:
    """Source text (CRLF) of the ``xlwings_udfs`` module for ``module``."""
    with xlwings_udfs() as udfs_mod:
        name, copy = load_decorated_copy(module, udfs_mod)
        buf = io.StringIO()
        vba = udfs_mod.VBAWriter(buf)
        # Header exactly as xlwings.udfs.import_udfs writes it.
        vba.writeln(f'Attribute VB_Name = "{VBA_MODULE_NAME}"')
        vba.writeln("'Autogenerated code by xlwings - changes will be lost with next import!")
        vba.writeln("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""")
        udfs_mod.generate_vba_wrapper(name, copy, buf, _Workbook(workbook_name))
    return buf.getvalue().replace("\r\n", "\n").replace("\n", "\r\n")


def xlfunc_metadata(module: str | types.ModuleType = UDF_MODULE) -> dict[str, dict]:
    """{Excel name: xlwings __xlfunc__ dict} for every UDF of ``module`` (for tests/docs)."""
    with xlwings_udfs() as udfs_mod:
        _, copy = load_decorated_copy(module, udfs_mod)
        return {f.__xlfunc__["name"]: f.__xlfunc__ for f in vars(copy).values()
                if hasattr(f, "__xlfunc__")}
