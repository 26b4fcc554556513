"""Checks on the names in the generated ``xlwings_udfs`` module that only Excel would reject.

A Python parameter called ``event`` or ``date`` becomes a VBA parameter of the same name; VBA
refuses reserved words, and one compile error disables *every* function of the module.
A function named like a built-in (``DAYS``) or a cell (``FEE1``) cannot be called from a cell.
"""
from __future__ import annotations

import re
from pathlib import Path

# Reserved identifiers of [MS-VBAL] 3.3.5.2 (statement/marker keywords, operators, reserved
# names, special forms, type names, literals, implementation-reserved, future-reserved).
VBA_RESERVED = frozenset(w.lower() for w in """
Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng DefLngLng
DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum Erase Event Exit For
Friend Function Get Global GoSub GoTo If Implements Input Let Lock Loop LSet Next On Open Option
Print Private Public Put RaiseEvent ReDim Resume Return RSet Seek Select Set Static Stop Sub Type
Unlock Wend While With Write
Any As ByRef ByVal Each In New Shared Until WithEvents Optional ParamArray Preserve Spc Tab Then To
AddressOf And Eqv Imp Is Like Mod Not Or TypeOf Xor
Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr CVar CVErr Date Debug
DoEvents Fix Int Len LenB Me PSet Scale Sgn String Array Circle InputB LBound UBound
Boolean Byte Currency Double Integer Long LongLong LongPtr Single Variant
True False Nothing Empty Null Rem Attribute LineInput CDecl Decimal DefDec
""".split())
# names the xlwings wrapper itself uses inside every function
GENERATOR_LOCALS = frozenset({"argsarray", "k", "failed", "application", "xlpy", "activeworkbook"})
EXCEL_FUNCTIONS_FILE = Path(__file__).with_name("excel_functions.txt")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,254}")


def excel_functions() -> frozenset[str]:
    return frozenset(line.strip().upper() for line in EXCEL_FUNCTIONS_FILE.read_text("utf-8").splitlines()
                     if line.strip() and not line.lstrip().startswith("#"))


def declared_functions(vba_source: str) -> dict[str, list[str]]:
    """{name: [parameter declarations]} of every top-level Function/Sub in ``vba_source``."""
    out = {}
    for m in re.finditer(r"^(?:Function|Sub) (\w+)\((.*)\)\r?$", vba_source, re.M):
        out[m.group(1)] = [a.strip() for a in m.group(2).split(",") if a.strip()]
    return out


def problems(vba_source: str, other_modules: tuple[str, ...] = ()) -> list[str]:
    """What Excel would reject in ``vba_source``: function names it cannot call, parameter
    names VBA refuses (one disables the whole module)."""
    builtins = excel_functions()
    modules = {m.lower() for m in other_modules}
    out = []
    for name, args in declared_functions(vba_source).items():
        out += _name_problems(name, builtins, modules)
        for arg in args:
            out += _parameter_problems(name, arg.split()[-1].removesuffix("()"))
    return out


def _name_problems(name: str, builtins: frozenset[str], modules: set[str]) -> list[str]:
    out = []
    if not _IDENT.fullmatch(name):
        out.append(f"{name}：不是合法的 VBA 名称")
    if name.upper() in builtins:
        out.append(f"{name}：与 Excel 内置函数同名，单元格里调用的将是内置函数")
    if name.lower() in VBA_RESERVED or name.lower() in modules:
        out.append(f"{name}：是 VBA 保留字或模块名")
    m = re.fullmatch(r"([A-Za-z]{1,3})(\d+)", name)
    if m and m.group(1).upper() <= "XFD" and len(m.group(1)) <= 3:
        out.append(f"{name}：像单元格地址，Excel 无法当函数调用")
    if re.fullmatch(r"[Rr]\d*[Cc]\d*", name):
        out.append(f"{name}：像 R1C1 地址，Excel 无法当函数调用")
    return out


def _parameter_problems(name: str, ident: str) -> list[str]:
    if not _IDENT.fullmatch(ident):
        return [f"{name}({ident})：参数名不是合法的 VBA 名称"]
    if ident.lower() in VBA_RESERVED:
        return [f"{name}({ident})：参数名是 VBA 保留字，整个 xlwings_udfs 模块将无法编译，"
                "所有函数都会失效——请在 Python 中改名"]
    if ident.lower() in GENERATOR_LOCALS or ident.lower() == name.lower():
        return [f"{name}({ident})：参数名与 xlwings 生成的包装代码冲突"]
    return []
