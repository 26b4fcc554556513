"""VBA syntax check with the antlr4-vba grammar (dev extra), for the add-in's generated modules.

A module is checked as the VBA editor would export it (``.bas`` / ``.cls`` text: the stored
stream's ``VB_Base``/``VB_TemplateDerived``/``VB_Customizable`` attributes are not part of the
export format, a class gets its ``VERSION 1.0 CLASS`` header) after conditional compilation for
one platform (``#If Mac`` …; undefined constants are False, as in VBA).
"""
from __future__ import annotations

import re

_NOT_EXPORTED = ("Attribute VB_Base", "Attribute VB_TemplateDerived", "Attribute VB_Customizable")


class _Consts(dict):
    def __missing__(self, key: str) -> bool:
        return False


def exported(source: str, kind: str) -> str:
    lines = [ln for ln in source.replace("\r\n", "\n").split("\n") if not ln.startswith(_NOT_EXPORTED)]
    if kind != "std":
        lines = ["VERSION 1.0 CLASS", "BEGIN", "  MultiUse = -1  'True", "END"] + lines
    return "\r\n".join(lines)


def _condition(text: str, env: _Consts) -> bool:
    c = re.sub(r'(?<![<>=])=(?!=)', "==", text).replace("<>", "!=")
    c = re.sub(r"\bNot\b", " not ", c)
    c = re.sub(r"\bAnd\b", " and ", c)
    c = re.sub(r"\bOr\b", " or ", c)
    return bool(eval(c, {"__builtins__": {}}, env))  # noqa: S307 - our own generated source


def preprocess(source: str, mac: bool) -> str:
    env = _Consts(Mac=mac, VBA7=True, Win64=not mac, Win32=not mac, App="Microsoft Excel",
                  MAC_OFFICE_VERSION=16 if mac else 0)
    out: list[str] = []
    stack: list[tuple[bool, bool]] = []  # (branch active, some branch taken)
    for line in source.replace("\r\n", "\n").split("\n"):
        s = line.strip()
        active = all(a for a, _ in stack)
        if m := re.match(r"#If (.*) Then\s*(?:'.*)?$", s, re.I):
            t = active and _condition(m.group(1), env)
            stack.append((t, t))
        elif m := re.match(r"#ElseIf (.*) Then\s*(?:'.*)?$", s, re.I):
            _, taken = stack.pop()
            t = all(a for a, _ in stack) and not taken and _condition(m.group(1), env)
            stack.append((t, taken or t))
        elif re.match(r"#Else\b", s, re.I):
            _, taken = stack.pop()
            stack.append((all(a for a, _ in stack) and not taken, True))
        elif re.match(r"#End ?If\b", s, re.I):
            stack.pop()
        elif m := re.match(r"#Const (\w+) = ([^']*)", s, re.I):
            if active:
                env[m.group(1)] = _condition(m.group(2).strip(), env) if m.group(2).strip() in (
                    "True", "False") else eval(m.group(2).strip(), {"__builtins__": {}}, env)  # noqa: S307
        else:
            out.append(line if active else "")
            continue
        out.append("")  # keep line numbers
    return "\r\n".join(out)


def syntax_errors(source: str) -> list[tuple[int, int, str]]:
    from antlr4 import CommonTokenStream, InputStream
    from antlr4.error.ErrorListener import ErrorListener
    from antlr4_vba.vbaLexer import vbaLexer
    from antlr4_vba.vbaParser import vbaParser

    class Collect(ErrorListener):
        def __init__(self) -> None:
            self.errors: list[tuple[int, int, str]] = []

        def syntaxError(self, recognizer, symbol, line, column, msg, e):  # noqa: N802
            self.errors.append((line, column, msg))

    listener = Collect()
    lexer = vbaLexer(InputStream(source))
    lexer.removeErrorListeners()
    lexer.addErrorListener(listener)
    parser = vbaParser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(listener)
    parser.startRule()
    return listener.errors


def check_module(source: str, kind: str) -> dict[str, list[tuple[int, int, str]]]:
    """{"win": errors, "mac": errors} for one module."""
    text = exported(source, kind)
    return {plat: syntax_errors(preprocess(text, plat == "mac")) for plat in ("win", "mac")}


# Calls whose result is an object (the xlwings runtime's Python proxies, COM objects created
# by name): assigned without ``Set`` they raise error 438 / 91 at run time (VBA's Let calls
# the object's default member). A call wrapped in a function returning a value (XLPy.Str)
# is a value.
OBJECT_CALLS = frozenset(name.lower() for name in (
    "XLPy.Call", "XLPy.Module", "XLPy.Tuple", "XLPy.Dict", "XLPy.Builtin", "XLPy.Eval", "XLPy.GetAttr",
    "Py.Call", "Py.Module", "Py.Tuple", "Py.Dict", "Py.Builtin", "Py.Eval", "Py.GetAttr",
    "CreateObject", "GetObject"))
VALUE_TYPES = frozenset(t.lower() for t in (
    "Boolean", "Byte", "Integer", "Long", "LongLong", "LongPtr", "Single", "Double", "Currency",
    "Decimal", "Date", "String", "Variant"))
_DECLARED = re.compile(r"\b(?:Dim|Private|Public|Static)\s+(?:WithEvents\s+)?(\w+)(?:\(\))?\s+As\s+(?:New\s+)?([\w.]+)",
                       re.I)


def object_lets(source: str, kind: str) -> list[tuple[int, str]]:
    """(line, statement) of each assignment without ``Set`` whose value is an object: the
    result of an :data:`OBJECT_CALLS` call or a ``New`` object, or any value assigned to a
    variable declared with an object type (``Dim wb As Workbook``). Windows branch of the
    conditional compilation (the Mac branch holds no such calls)."""
    from antlr4 import CommonTokenStream, InputStream, ParserRuleContext
    from antlr4_vba.vbaLexer import vbaLexer
    from antlr4_vba.vbaParser import vbaParser

    text = preprocess(exported(source, kind), mac=False)
    objects = {name.lower() for name, typ in _DECLARED.findall(text) if typ.lower() not in VALUE_TYPES}
    parser = vbaParser(CommonTokenStream(vbaLexer(InputStream(text))))
    parser.removeErrorListeners()
    found: list[tuple[int, str]] = []

    def value_node(node: ParserRuleContext) -> ParserRuleContext:
        while node.getChildCount() == 1 and isinstance(node.getChild(0), ParserRuleContext):
            node = node.getChild(0)
        return node

    def is_object(node: ParserRuleContext) -> bool:
        node = value_node(node)
        name = type(node).__name__
        if name == "NewExpressContext":
            return True
        if name == "IndexExpressContext":
            callee = value_node(node.getChild(0)).getText().lower()
            return callee in OBJECT_CALLS
        return False

    def visit(node: object) -> None:
        if not isinstance(node, ParserRuleContext):
            return
        if type(node).__name__ == "LetStatementContext":
            parts = [c for c in node.getChildren() if isinstance(c, ParserRuleContext)]
            target, value = parts[0], parts[-1]
            if is_object(value) or target.getText().lower() in objects:
                found.append((node.start.line, node.getText()))
        for child in node.getChildren():
            visit(child)
    visit(parser.startRule())
    return found
