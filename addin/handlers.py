"""Ribbon button handlers: thin adapters between the live workbook and the headless logic.

Each handler reads what it needs from the book (an ``xlwings.Book`` in Excel, or an
xlwings-like double in tests) into a DataFrame, calls the same function the command line
uses, and writes back / answers with a Chinese message box. Expected user situations (not
our template, wrong sheet, nothing selected, feature not installed) raise
:class:`UserMessage`; :func:`addin.dispatch.run` shows those and logs anything else.

Headless functions called (imported when the button is pressed, so a missing module only
disables its buttons):

* ``workbooks.process.process_frame(kind, df)`` -> (computed, errors) DataFrames
* ``addin.notices.issue(rows, kind, out_dir, settings, on_duplicate=..., skip_invalid=True)``
  -> list of issued notices (``.number``, ``.docx``) with ``.problems``
* ``addin.reminders.collect(kind, df, today=date)`` -> DataFrame (one row per due item)
* ``addin.report.build(df, kind=kind, out_dir=dir)`` -> path of the report
* ``workbooks.build.build_quote(target)`` -> path of a fresh counter-quote workbook
* ``workbooks.spec.REGISTERS[kind]`` (sheet name, input headers) when present
* ``udfs.rulebook.rules_for(date).label()`` and the functions of ``udfs.xl``
"""
from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

MARKER_NAME = "LOGIDESK_TEMPLATE"
TITLE = "物流客服"
KIND_LABELS = {
    "claims": "理赔登记表", "complaints": "投诉登记表", "storage": "仓储保管登记",
    "cod": "代收货款登记", "quote": "柜台报价", "rules": "规则",
}
REGISTER_KINDS = ("claims", "complaints", "storage", "cod")
KEY_HEADER = "运单号"  # every register has it; its row is the header row
_HEADER_SCAN_ROWS = 10
NOT_INSTALLED = "此功能尚未安装"


class UserMessage(Exception):
    """A situation the user can fix; shown as a message box, not logged as an error."""

    def __init__(self, text: str, mode: str = "info") -> None:
        super().__init__(text)
        self.text = text
        self.mode = mode


@dataclass
class Ui:
    """Message boxes through the workbook's application (``App.alert`` = VBA MsgBox)."""

    book: Any

    def alert(self, text: str, mode: str = "info") -> None:
        self.book.app.alert(text, title=TITLE, mode=mode)

    def confirm(self, text: str) -> bool:
        return self.book.app.alert(text, title=TITLE, buttons="yes_no", mode="info") == "yes"


@dataclass
class Context:
    book: Any
    ui: Ui
    today: dt.date


@dataclass
class Register:
    sheet: Any
    header_row: int  # Excel row number of the header
    first_col: int  # Excel column number of the first header cell
    frame: pd.DataFrame  # index = Excel row numbers


# ---------------------------------------------------------------- reading the live book

def _import(module: str) -> Any:
    """Import ``module``; if it (not one of its own imports) is missing: 此功能尚未安装."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise UserMessage(f"{NOT_INSTALLED}（缺少 {module}）。请联系管理员更新 logidesk。",
                              "critical") from exc
        raise


def _headless(module: str, attr: str) -> Callable:
    fn = getattr(_import(module), attr, None)
    if fn is None:
        raise UserMessage(f"{NOT_INSTALLED}（{module}.{attr}）。请联系管理员更新 logidesk。",
                          "critical")
    return fn


def template_kind(book: Any) -> tuple[str, str] | None:
    """(kind, version) from the hidden workbook name LOGIDESK_TEMPLATE, e.g. '="claims;1"'."""
    try:
        if MARKER_NAME not in book.names:
            return None
        refers_to = book.names[MARKER_NAME].refers_to or ""
    except Exception:  # noqa: BLE001 - a broken name is "not our template"
        return None
    text = refers_to.lstrip("=").strip().strip('"').strip()
    kind, _, version = text.partition(";")
    kind = kind.strip().lower()
    return (kind, version.strip()) if kind in KIND_LABELS else None


def require_template(ctx: Context, kinds: tuple[str, ...]) -> str:
    found = template_kind(ctx.book)
    if found is None:
        raise UserMessage(
            "当前工作簿不是物流客服模板（没有模板标记），无法执行此操作。\n"
            "请用「物流客服」模板新建或打开登记表后再试。", "critical")
    kind = found[0]
    if kind not in kinds:
        wanted = "、".join(KIND_LABELS[k] for k in kinds)
        raise UserMessage(f"此按钮用于{wanted}；当前工作簿是{KIND_LABELS[kind]}。")
    return kind


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _template_spec(kind: str) -> Any:
    """The workbook helper's spec of a register kind (sheet name, inputs), if installed."""
    try:
        from workbooks.spec import REGISTERS  # noqa: PLC0415 - optional at import time
    except ImportError:
        return None
    return REGISTERS.get(kind)


def read_register(ctx: Context, kind: str) -> Register:
    """The register on the *active* sheet as a DataFrame indexed by Excel row number."""
    sheet = ctx.book.sheets.active
    spec = _template_spec(kind)
    expected = getattr(spec, "sheet", None)
    wrong = (f"当前工作表「{sheet.name}」不是{KIND_LABELS[kind]}的登记表。\n"
             + (f"请切换到工作表「{expected}」后再点此按钮。" if expected
                else "请切换到登记表工作表后再点此按钮。"))
    if expected and sheet.name != expected:
        raise UserMessage(wrong)
    rng = sheet.used_range
    values = rng.options(ndim=2).value or []
    header_at = None
    for i, row in enumerate(values[:_HEADER_SCAN_ROWS]):
        if KEY_HEADER in (_cell_text(v) for v in row):
            header_at = i
            break
    if header_at is None:
        raise UserMessage(wrong + f"（找不到表头「{KEY_HEADER}」）")
    header = [_cell_text(v) for v in values[header_at]]
    cols = [j for j, h in enumerate(header) if h]
    inputs = {c.header for c in getattr(spec, "inputs", ())} & set(header)
    # computed columns hold formulas down the whole template: a row is data if an input is filled
    judge = [j for j in cols if header[j] in inputs] or cols
    first_row = rng.row + header_at + 1
    rows = [(first_row + i, r) for i, r in enumerate(values[header_at + 1:])
            if any(_cell_text(r[j]) != "" for j in judge)]
    frame = pd.DataFrame([[r[j] for j in cols] for _, r in rows], columns=[header[j] for j in cols],
                         index=[n for n, _ in rows], dtype=object)
    if frame.empty:
        raise UserMessage(f"登记表「{sheet.name}」还没有数据行。")
    return Register(sheet, rng.row + header_at, rng.column + cols[0], frame)


def selected_rows(ctx: Context, reg: Register) -> pd.DataFrame:
    sel = getattr(ctx.book, "selection", None)
    if sel is None or sel.sheet.name != reg.sheet.name:
        raise UserMessage("请先在登记表中选中要处理的行（可多选），再点此按钮。")
    wanted = [r for r in range(sel.row, sel.last_cell.row + 1) if r in reg.frame.index]
    if not wanted:
        raise UserMessage("选中的单元格不在登记表的数据行内。请选中要处理的登记行后再试。")
    return reg.frame.loc[wanted]


def _saved_path(book: Any) -> Path:
    """The workbook's file; outputs go beside it (as the command line does)."""
    try:
        full = Path(book.fullname)
    except Exception:  # noqa: BLE001
        full = Path("")
    if not full.is_absolute() or not full.parent.is_dir():
        raise UserMessage("请先保存工作簿（公告、报表保存在工作簿所在文件夹）。")
    return full


def _out_dir(book: Any) -> Path:
    return _saved_path(book).parent


def read_settings(book: Any) -> dict[str, Any]:
    """Sheet 设置 of the live book: column A label, column B value (as the notices helper)."""
    names = [s.name for s in book.sheets]
    out: dict[str, Any] = {}
    if "设置" in names:
        for row in book.sheets["设置"].used_range.options(ndim=2).value or []:
            if len(row) >= 2 and _cell_text(row[0]):
                out[_cell_text(row[0]).rstrip("：:")] = None if _cell_text(row[1]) == "" else row[1]
    return out


def _write_table(book: Any, sheet_name: str, frame: pd.DataFrame) -> None:
    names = [s.name for s in book.sheets]
    sheet = book.sheets[sheet_name] if sheet_name in names else book.sheets.add(sheet_name)
    sheet.clear()
    rows = [list(map(str, frame.columns))] + [
        [None if (isinstance(v, float) and pd.isna(v)) else v for v in row]
        for row in frame.itertuples(index=False, name=None)]
    # Range.Value parses text as if typed ("=x" → formula, "0012" → 12, "1-2" → date); Excel's
    # prefix character ' keeps every text a string and is not part of the cell's value.
    rows = [["'" + v if isinstance(v, str) and v else v for v in row] for row in rows]
    sheet.range("A1").value = rows


# ---------------------------------------------------------------- handlers

def refresh(ctx: Context) -> None:
    kind = require_template(ctx, REGISTER_KINDS + ("quote",))
    ctx.book.app.calculate()  # computed cells are formulas calling our functions
    if kind == "quote":
        ctx.ui.alert("柜台报价已重新计算。")
        return
    reg = read_register(ctx, kind)
    _, errors = _headless("workbooks.process", "process_frame")(kind, reg.frame)
    errors = pd.DataFrame(errors)
    if "行号" in errors.columns:  # process_frame numbers rows as if the header were row 1
        pos = {i + 2: n for i, n in enumerate(reg.frame.index)}
        errors["行号"] = [pos.get(r, r) for r in errors["行号"]]
    msg = f"已重新计算「{reg.sheet.name}」：共 {len(reg.frame)} 行。"
    if len(errors):
        _write_table(ctx.book, "错误清单", errors)
        ctx.ui.alert(msg + f"\n发现 {len(errors)} 处错误，详见工作表「错误清单」。", "critical")
    else:
        ctx.ui.alert(msg + "\n未发现错误。")


def deadlines(ctx: Context) -> None:
    kind = require_template(ctx, ("claims", "complaints"))
    reg = read_register(ctx, kind)
    due = _headless("addin.reminders", "collect")(kind, reg.frame, today=ctx.today)
    due = pd.DataFrame(due)
    if due.empty:
        ctx.ui.alert(f"截至 {ctx.today.isoformat()}，没有到期或逾期的事项。")
        return
    _write_table(ctx.book, "时限提醒", due)
    ctx.ui.alert(f"截至 {ctx.today.isoformat()}，共 {len(due)} 件需要关注，详见工作表「时限提醒」。")


def _notice(notice_kind: str) -> Callable[[Context], None]:
    """Handler for one notice kind of ``addin.notices`` (破损公告 …) on the selected rows."""

    def handler(ctx: Context) -> None:
        kind = require_template(ctx, ("claims",))
        reg = read_register(ctx, kind)
        rows = selected_rows(ctx, reg)
        path = _saved_path(ctx.book)
        notices = _import("addin.notices")
        issue = _headless("addin.notices", "issue")
        settings = {**read_settings(ctx.book), "_workbook": str(path)}
        out_dir = path.parent / "通知"

        def ask(waybill: str, existing: list) -> bool:
            nums = "、".join(str(getattr(r, "number", r)) for r in existing)
            return ctx.ui.confirm(f"运单 {waybill} 已有{notice_kind}（{nums}）。\n是否重新生成一份？")

        try:
            batch = issue(rows, notice_kind, out_dir, settings, on_duplicate=ask, skip_invalid=True)
        except getattr(notices, "NoticeError", ()) as exc:  # the helper's own Chinese message
            raise UserMessage(f"未生成{notice_kind}：{exc}", "critical") from exc
        lines = [f"已生成{notice_kind} {len(batch)} 份（选中 {len(rows)} 行），保存在 {out_dir}"]
        lines += [f"  {n.number}  运单 {n.waybill}" for n in list(batch)[:10]]
        problems = list(getattr(batch, "problems", []))
        if problems:
            lines.append(f"未生成 {len(problems)} 行：")
            lines += [f"  {p}" for p in problems[:10]]
        skipped = list(getattr(batch, "skipped_duplicates", []))
        if skipped:
            lines.append(f"已有通知、未重复生成：{'、'.join(map(str, skipped[:10]))}")
        ctx.ui.alert("\n".join(lines), "critical" if problems and not len(batch) else "info")

    handler.__name__ = f"notice_{notice_kind}"
    return handler


def report15(ctx: Context) -> None:
    kind = require_template(ctx, ("claims",))
    reg = read_register(ctx, kind)
    path = _headless("addin.report", "build")(reg.frame, kind=kind, out_dir=_out_dir(ctx.book))
    ctx.ui.alert(f"十五日报表已生成：{path}")


def quote(ctx: Context) -> None:
    found = template_kind(ctx.book)
    if found and found[0] == "quote":
        ctx.book.app.calculate()
        ctx.ui.alert("当前已是柜台报价表：填写运费、声明价值等输入单元格即可得到报价。")
        return
    import tempfile

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = Path(tempfile.gettempdir()) / "logidesk" / f"柜台报价-{stamp}.xlsx"
    path = _headless("workbooks.build", "build_quote")(target)
    ctx.book.app.books.open(str(path))


def rules_version(ctx: Context) -> None:
    import xlwings

    label = _headless("udfs.rulebook", "rules_for")(ctx.today).label()
    ctx.ui.alert(f"当前生效规则：{label}\nxlwings {xlwings.__version__}")


def function_help(ctx: Context) -> None:
    import inspect

    mod = _import("udfs.xl")
    rows = []
    for name, fn in sorted(vars(mod).items()):
        if callable(fn) and name.isupper() and getattr(fn, "__module__", "") == mod.__name__:
            doc = (inspect.getdoc(fn) or "").splitlines()
            rows.append({"函数": name, "参数": str(inspect.signature(fn)),
                         "说明": doc[0] if doc else ""})
    if not rows:
        raise UserMessage("udfs.xl 中没有找到工作表函数。", "critical")
    _write_table(ctx.book, "函数说明", pd.DataFrame(rows))
    ctx.ui.alert(f"共 {len(rows)} 个函数，已列在工作表「函数说明」。用法示例：=COD_FEE(B2)")


HANDLERS: dict[str, Callable[[Context], None]] = {
    "btnRefresh": refresh,
    "btnDeadlines": deadlines,
    "btnNoticeDamage": _notice("破损公告"),
    "btnNoticeLoss": _notice("遗失公告"),
    "btnNoticeDelay": _notice("延误公告"),
    "btnClaimLetter": _notice("索赔函"),
    "btnClaimReport": _notice("理赔申请报告书"),
    "btnReport15": report15,
    "btnQuote": quote,
    "btnRulesVersion": rules_version,
    "btnFunctionHelp": function_help,
}
