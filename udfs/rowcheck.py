"""The checks of a register row's input cells, one cell at a time: what ``logidesk process``
reports in 错误清单 and what the template's ROW_CHECK formula shows in the live sheet.

- :func:`typed_cell` reads one cell into the value the rules compute with, or says why it
  cannot be used (an Excel error value, text in a number or date column, a number out of
  range); the register model (``workbooks.inputs``) reads whole columns with it;
- :func:`required_message`, :func:`list_message`, :func:`order_message`: a blank required
  cell, a value outside its drop-down list, a date earlier than the date it follows;
- :func:`row_errors` applies them to one row, column by column in the template's order,
  from the declarations of :mod:`udfs.register_inputs` (generated from the templates);
- :func:`formula_error` evaluates the register's computed columns for one row whose inputs
  passed (the expressions of :mod:`udfs.register_inputs`, each function per cell) and gives
  the first one that fails, as the processor's column engine does;
- :func:`row_check` is the Excel function ROW_CHECK: the row's first error as the computed
  cells show it (「错误：…」), else the formula result it wraps. The computed columns call the
  declared functions by Python name: the registry (:mod:`udfs.registry`, which declares
  ROW_CHECK) hands :func:`row_check` its lookup, so this module never imports the registry.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from . import values
from .cellvalue import TEXT_TABLE, XlError, clean_text  # noqa: F401 (TEXT_TABLE re-exported)
from .claims import waybill_count
from .complaints import rules_in_force
from .errors import RuleError
from .register_inputs import COMPUTED, INPUTS, OPEN_LISTS
from .rulebook import rules_for, today
from .xlvalues import error_text, error_value, to_excel

TEXT_KINDS = ("text", "phone", "choice", "flag")
SHOWN_CHOICES = 12                       # list entries quoted in a message



@dataclass(frozen=True)
class InputCheck:
    """One checked input column of a register (declared by the template)."""

    header: str
    kind: str                       # text, phone, choice, flag, date, datetime, money, share, int, number
    required: bool = False
    choices: str | None = None      # key of udfs.rules_in_force(): the drop-down list
    rule: str | None = None
    after: str | None = None        # a date column this date may not be earlier than


def checks_of(register: str) -> tuple[InputCheck, ...]:
    """The checked input columns of a register kind, in the template's order."""
    got = _CHECKS.get(register)
    if got is None:
        raise RuleError(f"未知的登记表类型「{register}」，应为：{'、'.join(INPUTS)}")
    return got


_CHECKS = {k: tuple(InputCheck(*c) for c in cs) for k, cs in INPUTS.items()}


normalise_text = clean_text      # the cell model's: trimmed, half-width, LF line breaks


def with_rule(message: str, rule: str | None) -> str:
    return f"{message}（{rule}）" if rule and rule not in message else message


def error_value_message(header: str, rule: str | None, v: Any) -> str:
    """A cell holding an error value, a formula without its result or unreadable content: the
    cell model's message (an error code handed over as text is an Excel error value)."""
    return with_rule((v if isinstance(v, XlError) else XlError(str(v))).message(header), rule)


def required_message(header: str, rule: str | None) -> str:
    return with_rule(f"缺少{header}", rule)


# drop-down list (``Column.choices``) → the rules' vocabulary that names its entries and aliases
VOCABULARIES = {"claim_types": "claim_types", "categories": "categories", "causes": "causes",
                "networks": "networks", "complaints": "complaints", "sides": "fee_sides",
                "label_violations": "label_violations", "events": "deadlines"}


def list_key(text: str) -> str:
    """How a drop-down entry is matched: width-normalised, without spaces, case-folded."""
    return "".join(normalise_text(text).split()).lower()


def has_aliases(key: str) -> bool:
    """Whether the rules' vocabulary behind drop-down list ``key`` has aliases."""
    attr = VOCABULARIES.get(key)
    if not attr:
        return False
    return any(e.get("aliases") for e in getattr(rules_for(today()), attr).entries.values())


def list_lookup(choices: Sequence[str], key: str | None = None) -> dict[str, str]:
    """Spelling (:func:`list_key`) → the list's own spelling: full-width, padded or differently
    cased input still matches, and so does an alias of the rules' vocabulary (普通 → 普通货物),
    the one alias table the functions resolve too (``udfs.rulebook.Vocabulary``)."""
    out = {list_key(c): c for c in choices}
    attr = VOCABULARIES.get(key or "")
    if attr:
        vocab = getattr(rules_for(today()), attr)
        allowed = set(choices)
        for name, entry in vocab.entries.items():
            if name in allowed:
                for alias in entry.get("aliases", []):
                    out.setdefault(list_key(alias), name)
    return out


def list_message(header: str, value: Any, allowed: Sequence[str], rule: str | None) -> str:
    shown = "、".join(allowed[:SHOWN_CHOICES]) + ("…" if len(allowed) > SHOWN_CHOICES else "")
    return with_rule(f"{header}「{values.show(value)}」不在下拉列表中，可选：{shown}", rule)


def order_message(header: str, value: dt.date, other: str, other_value: dt.date, rule: str | None) -> str:
    return with_rule(f"{header} {day(value).isoformat()} 早于{other} {day(other_value).isoformat()}", rule)


def day(v: dt.date) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


def shown_error(header: str, message: str) -> str:
    """A bad input's message as the row's computed cells show it (after 「错误：」)."""
    return message if message.startswith(header) else f"{header}：{message}"


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return normalise_text(str(v))


def typed_value(kind: str, header: str, rule: str | None, v: Any) -> tuple[Any, str | None]:
    """A non-blank cell that is no Excel error value → (typed value, None) or (None, message):
    texts normalised, dates as date (datetime columns: datetime), money as the float of its
    fen amount (MONEY-2), shares, day counts and weights exactly as given."""
    if kind in TEXT_KINDS:
        if kind == "flag" and isinstance(v, bool):
            return ("是" if v else "否"), None
        return _text(v), None
    if isinstance(v, str):
        v = normalise_text(v)
    try:
        return _number_or_date(kind, header, rule, v), None
    except RuleError as e:
        return None, str(e)


def _number_or_date(kind: str, header: str, rule: str | None, v: Any) -> Any:
    if kind == "date":
        return values.when(v, header, rule)
    if kind == "datetime":
        return values.when(v, header, rule, keep_time=True)
    if kind == "money":
        fen = values.money(v, header, rule, rules_for(None))
        return None if fen is None else fen / 100
    if kind == "share":
        values.fraction(v, header, rule, rules_for(None))
        if isinstance(v, str) and v.endswith(("%", "％")):
            return float(values.decimal(v[:-1], header, rule) / 100)
        return float(values.decimal(v, header, rule))
    if kind == "int" and rule == "NET-9":     # 批货: a number of waybills, 否 = one (NET-9)
        return float(waybill_count(v))
    if kind == "int":
        count = values.integer(v, header, rule)
        return None if count is None else float(count)
    if kind == "number":
        d = values.decimal(v, header, rule)
        if d < 0:
            raise RuleError(f"{header}不能为负数：{values.show(v)}", rule)
        return float(d)
    return v


def error_code(v: Any) -> str | None:
    """The Excel error value a cell holds (as the reader, xlwings or the formulas package
    hand it over), or None."""
    if isinstance(v, XlError):
        return v
    return error_value(v)


def typed_cell(check: InputCheck, v: Any) -> tuple[Any, bool, str | None]:
    """One cell → (typed value or None, blank, problem or None)."""
    code = error_code(v)
    if code is not None:
        return None, False, error_value_message(check.header, check.rule, code)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None, True, None
    if isinstance(v, str):
        v = normalise_text(v)
        if not v:
            return None, True, None
    if check.kind == "date" and type(v) is dt.datetime:
        return v.date(), False, None
    if check.kind == "datetime" and type(v) is dt.date:
        return dt.datetime(v.year, v.month, v.day), False, None
    if check.kind in ("date", "datetime") and isinstance(v, dt.date):
        return v, False, None
    value, problem = typed_value(check.kind, check.header, check.rule, v)
    return value, False, problem


def row_errors(checks: Sequence[InputCheck], cells: Sequence[Any],
               lists: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(header, message) of every bad input cell of one filled row, in the template's order:
    the same messages (and rule IDs) as 错误清单."""
    return typed_row(checks, cells, lists)[1]


def checked_cell(chk: InputCheck, v: Any, lists: dict[str, list[str]]) -> tuple[Any, str | None]:
    """One input cell → (typed value, the list's own spelling for a drop-down entry) or
    (…, problem): its own type, required, and drop-down list (a suggested list takes any place)."""
    value, blank, problem = typed_cell(chk, v)
    if problem is None and blank and chk.required:
        problem = required_message(chk.header, chk.rule)
    if problem is None and not blank and chk.choices:
        allowed = lists[chk.choices]
        lookup = list_lookup(allowed, chk.choices)
        if isinstance(value, str) and list_key(value) in lookup:
            value = lookup[list_key(value)]
        elif chk.choices not in OPEN_LISTS:     # a suggested list: any place goes to STO-4
            problem = list_message(chk.header, value, allowed, chk.rule)
    return value, problem


def typed_row(checks: Sequence[InputCheck], cells: Sequence[Any],
              lists: dict[str, list[str]]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """(typed values of the good cells by header, bad cells as in :func:`row_errors`)."""
    typed: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for chk, v in zip(checks, cells):
        value, problem = checked_cell(chk, v, lists)
        if problem is not None:
            bad[chk.header] = problem
        else:
            typed[chk.header] = value
    for chk in checks:
        first, it = typed.get(chk.after or ""), typed.get(chk.header)
        if chk.after and first is not None and it is not None and day(it) < day(first):
            bad[chk.header] = order_message(chk.header, it, chk.after, first, chk.rule)
        if chk.header in bad:
            typed.pop(chk.header, None)
    return typed, [(c.header, bad[c.header]) for c in checks if c.header in bad]


REFUSED = "不予受理"              # how CLAIM_CHECK's refusals begin (CLM-8)


def formula_error(register: str, typed: dict[str, Any], call: Callable[[str], Callable[..., Any]]
                  ) -> str | None:
    """The error of the first computed column (template order) that fails for a row whose
    inputs passed (``typed``: the inputs by header, None or absent when blank), or None;
    ``call`` gives the declared function of a Python name."""
    done: dict[str, tuple[Any, str | None, bool]] = {}      # header → (value, error, blank)
    for header, guard, expr in COMPUTED[register]:
        if any(typed.get(g) is None for g in guard):
            done[header] = (None, None, True)
            continue
        value, error = _evaluate(expr, typed, done, call)
        if error is not None:
            return error
        done[header] = (value, None, False)
    return None


def _evaluate(e: tuple, typed: dict[str, Any], done: dict[str, tuple[Any, str | None, bool]],
              call: Callable[[str], Callable[..., Any]]) -> tuple[Any, str | None]:
    """(value, error) of one expression for one row, as the column engine computes it: an
    IF takes one branch, a function's first failing argument gives the call its error."""
    op = e[0]
    if op in _LEAVES:
        return _LEAVES[op](e, typed, done), None
    if op == "out":
        value, error, blank = done[e[1]]
        return ("" if blank else value), error
    if op == "if":
        cond, _ = _evaluate(e[1], typed, done, call)
        return _evaluate(e[2] if cond else e[3], typed, done, call)
    if op == "status":                  # shows its deadline's error (its own are input checks)
        return None, _evaluate(e[1], typed, done, call)[1]
    args = [_evaluate(a, typed, done, call) for a in e[2]]
    failed = next((err for _, err in args if err is not None), None)
    if failed is not None:
        return None, failed
    try:
        return call(e[1])(*(v for v, _ in args)), None
    except RuleError as exc:
        return None, str(exc)


def _positive(v: Any) -> bool:
    """``cell>0`` as Excel compares: empty → FALSE, any text → TRUE."""
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v > 0
    return isinstance(v, str)


def _refused(value: Any, error: str | None, blank: bool) -> bool:
    return isinstance(value, str) and value.startswith(REFUSED) and not blank and error is None


def _equal_text(v: Any, text: str) -> bool:
    return isinstance(v, str) and v.lower() == text.lower()


_LEAVES: dict[str, Callable[[tuple, dict[str, Any], dict[str, tuple[Any, str | None, bool]]], Any]] = {
    "ref": lambda e, typed, done: typed.get(e[1]),
    "lit": lambda e, typed, done: e[1],
    "blank": lambda e, typed, done: None,
    "eq": lambda e, typed, done: _equal_text(typed.get(e[1]), e[2]),
    "positive": lambda e, typed, done: _positive(typed.get(e[1])),
    "refused": lambda e, typed, done: _refused(*done[e[1]]),
}


def _single(a: Any) -> Any:
    while isinstance(a, (list, tuple)) and len(a):
        a = a[0]
    return None if isinstance(a, (list, tuple)) else a


POINTER = "@"        # ROW_CHECK's register "claims@赔偿说明": a bad row shows 「错误：见「赔偿说明」」


def see(header: str) -> str:
    """What a computed cell of an error row shows after 「错误：」 where the message is read
    in another column."""
    return f"见「{header}」"


def row_check(result: Any, register: Any, *cells: Any, call: Callable[[str], Callable[..., Any]]) -> Any:
    """ROW_CHECK(result, register, cells…): the row's first bad input as its computed cells
    show it — 「错误：」 and the message of 错误清单 — else ``result`` unchanged. A register
    written ``claims@赔偿说明`` shows where the message is read instead of the message.
    ``call`` gives the declared function of a Python name (the computed columns' calls)."""
    kind, _, shown_at = str(_single(register) or "").partition(POINTER)
    try:
        checks = checks_of(kind)
        if len(cells) != len(checks):
            raise RuleError(f"ROW_CHECK 应有 {len(checks)} 个输入单元格，收到 {len(cells)} 个（请用模板公式）")
        typed, errors = typed_row(checks, [_single(c) for c in cells], rules_in_force(today()))
        failed = None if errors else formula_error(kind, typed, call)
    except RuleError as e:
        return error_text(str(e))
    if (errors or failed is not None) and shown_at:
        return error_text(see(shown_at))
    if errors:
        return error_text(shown_error(*errors[0]))
    if failed is not None:
        return error_text(failed)
    value = _single(result)
    code = error_code(value)
    if code is not None:            # the wrapped formula gave an Excel error value
        return error_text(f"计算结果是 Excel 错误值 {code}")
    return to_excel(value)
