"""Ribbon button handlers: thin adapters between the live workbook and the headless logic.

Each handler reads the register on the active sheet through the one register model
(``workbooks.register.open_register`` over :class:`LiveBook`, a package view of the live
``xlwings.Book`` — or of an xlwings-like double in tests), calls the same function the
command line uses, and writes back / answers with a Chinese message box. Expected user situations (not
our template, wrong sheet, nothing selected, feature not installed) raise
:class:`UserMessage`; :func:`addin.dispatch.run` shows those and logs anything else.

Headless functions called (imported when the button is pressed, so a missing module only
disables its buttons):

* ``workbooks.register.open_register(path, package=LiveBook(book))`` -> the model
* ``desk.notices.batch.issue(rows, kind, out_dir, settings, on_duplicate=..., skip_invalid=True)``
  -> list of issued notices (``.number``, ``.docx``) with ``.problems`` / ``.skipped``
* ``desk.reminders.collect([loaded], today=date)`` -> DataFrame (one row per due item)
* ``desk.report.build(loaded, kind=kind, out_dir=dir)`` -> path of the report
* ``desk.analysis.build(loaded, month, today=date, out_dir=dir)`` -> path of the monthly analysis
* ``workbooks.build.build_quote(target)`` -> path of a fresh counter-quote workbook
* ``workbooks.spec.REGISTERS[kind]`` (sheet name, input headers) when present
* ``udfs.rulebook.rules_for(date).label()`` and the functions of ``udfs.xl``
"""
from __future__ import annotations

import datetime as dt
import importlib
import inspect
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np
import pandas as pd
import xlwings

from desk.notices.kinds import KINDS, issued_from, with_button
from workbooks.markers import MARKER_NAME

TITLE = "物流客服"
KIND_LABELS = {
    "claims": "理赔登记表", "complaints": "投诉登记表", "storage": "仓储保管登记",
    "cod": "代收货款登记", "quote": "柜台报价", "rules": "规则",
}
REGISTER_KINDS = ("claims", "complaints", "storage", "cod")
NOT_INSTALLED = "此功能尚未安装"
NOTICES_MODULE = "desk.notices.batch"


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


# ---------------------------------------------------------------- reading the live book

def import_feature(module: str) -> Any:
    """Import ``module``; if it (not one of its own imports) is missing: 此功能尚未安装."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise UserMessage(f"{NOT_INSTALLED}（缺少 {module}）。请联系管理员更新 logidesk。",
                              "critical") from exc
        raise


def headless_function(module: str, attr: str) -> Callable:
    fn = getattr(import_feature(module), attr, None)
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


_XL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!",
              "#GETTING_DATA"}


class LiveBook:
    """The live workbook seen as a ``workbooks.xlsx`` package, so the ribbon reads a register
    through the same model as the command line (header row found below title rows, columns
    in any order, typed inputs, outcomes)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.path = Path(str(getattr(book, "fullname", "") or "当前工作簿"))
        self.is_macro_enabled = self.path.suffix.lower() == ".xlsm"
        self.sheets = [SimpleNamespace(name=sh.name, state="visible", type="worksheet", part="")
                       for sh in book.sheets]
        self.defined_names: dict[str, str] = {}
        try:
            if MARKER_NAME in book.names:
                self.defined_names[MARKER_NAME] = book.names[MARKER_NAME].refers_to or ""
        except Exception:  # noqa: BLE001 - a broken name is "not our template"
            pass
        self._grids: dict[str, dict[int, list[Any]]] = {}

    def _grid(self, name: str) -> dict[int, list[Any]]:
        """{sheet row: values from column A} of the sheet's used range."""
        if name not in self._grids:
            from workbooks.xlsx.cells import (
                XlError,  # lazy: the register model costs 250 ms at start-up; quote, help never need it
            )
            sheet = self.book.sheets[name]
            rng = sheet.used_range
            values = rng.options(ndim=2, err_to_str=True).value or []
            pad = [None] * (rng.column - 1)
            grid = {}
            for i, row in enumerate(values):
                cells = [XlError(v) if isinstance(v, str) and v in _XL_ERRORS else v for v in row]
                if any(v is not None and v != "" for v in cells):
                    grid[rng.row + i] = pad + cells
            self._grids[name] = grid
        return self._grids[name]

    def head(self, sheet_name: str, n_rows: int = 30) -> list[tuple[int, list[Any]]]:
        return [(r, v) for r, v in sorted(self._grid(sheet_name).items()) if r <= n_rows]

    def read_small_sheet(self, name: str) -> list[list[Any]]:
        grid = self._grid(name)
        return [grid.get(r, []) for r in range(1, max(grid, default=0) + 1)]

    def iter_chunks(self, sheet_name: str, first_row: int, columns: Any = None,
                    formulas_of: Any = (), size: int = 50_000) -> Any:
        from workbooks.register import (
            MemoryChunk,  # lazy: the register model costs 250 ms at start-up; quote, help never need it
        )
        grid = self._grid(sheet_name)
        rows = [r for r in sorted(grid) if r >= first_row]
        width = max((len(grid[r]) for r in rows), default=0)
        cols = list(columns) if columns is not None else list(range(width))
        for k in range(0, len(rows), size):
            part = rows[k:k + size]
            values = {c: [grid[r][c] if c < len(grid[r]) else None for r in part] for c in cols}
            yield MemoryChunk(np.array(part, dtype=np.int64), values)


def register_on_sheet(ctx: Context, kind: str) -> Any:
    """The register on the *active* sheet through the model: an ``desk.registers.Loaded``
    (frame indexed by sheet row; ``.sheet`` its sheet name)."""
    from desk.registers import (  # lazy: the register model costs 250 ms at start-up; quote, help never need it
        Loaded,
        settings_of,
    )
    open_register = headless_function("workbooks.register", "open_register")
    from workbooks.register import (
        RegisterError,  # lazy: the register model costs 250 ms at start-up; quote, help never need it
    )
    sheet = ctx.book.sheets.active
    try:
        reg = open_register(LiveBook(ctx.book).path, package=LiveBook(ctx.book))
    except RegisterError as e:
        raise UserMessage(f"无法读取登记表：{getattr(e, 'message', e)}", "critical") from e
    if reg.kind != kind or reg.sheet_name != sheet.name:
        label = KIND_LABELS.get(kind, kind)
        raise UserMessage(f"当前工作表「{sheet.name}」不是{label}的登记表。\n"
                          f"请切换到工作表「{reg.sheet_name}」后再点此按钮。")
    frame = reg.frame(today=ctx.today)
    if frame.empty:
        raise UserMessage(f"登记表「{sheet.name}」还没有数据行。")
    return Loaded(reg.path, reg.kind, frame, settings_of(reg), list(reg.problems), reg.sheet_name)


def selected_rows(ctx: Context, reg: Any) -> pd.DataFrame:
    sel = getattr(ctx.book, "selection", None)
    if sel is None or sel.sheet.name != reg.sheet:
        raise UserMessage("请先在登记表中选中要处理的行（可多选），再点此按钮。")
    wanted = [r for r in range(sel.row, sel.last_cell.row + 1) if r in reg.frame.index]
    if not wanted:
        raise UserMessage("选中的单元格不在登记表的数据行内。请选中要处理的登记行后再试。")
    return reg.frame.loc[wanted]


def saved_path(book: Any) -> Path:
    """The workbook's file; outputs go beside it (as the command line does)."""
    try:
        full = Path(book.fullname)
    except Exception:  # noqa: BLE001
        full = Path("")
    if not full.is_absolute() or not full.parent.is_dir():
        raise UserMessage("请先保存工作簿（公告、报表保存在工作簿所在文件夹）。")
    return full


def _out_dir(book: Any) -> Path:
    return saved_path(book).parent


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
    reg = register_on_sheet(ctx, kind)
    errors = [e for errs in reg.frame["_errors"] for e in (errs or [])]
    counts = reg.frame["_outcome"].value_counts()
    msg = (f"已重新计算「{reg.sheet}」：共 {len(reg.frame)} 行，正确 {int(counts.get('ok', 0))} 行"
           + (f"，不予受理 {int(counts.get('refused', 0))} 行" if counts.get("refused") else "")
           + f"，有错误 {int(counts.get('invalid', 0))} 行。")
    if errors:
        table = pd.DataFrame([{"行号": e.row, "单元格": e.letter, "列名": e.column, "错误信息": e.message}
                              for e in errors])
        _write_table(ctx.book, "错误清单", table)
        ctx.ui.alert(msg + f"\n发现 {len(errors)} 处错误，详见工作表「错误清单」。", "critical")
    else:
        ctx.ui.alert(msg + "\n未发现错误。")


def deadlines(ctx: Context) -> None:
    kind = require_template(ctx, REGISTER_KINDS)
    reg = register_on_sheet(ctx, kind)
    due = headless_function("desk.reminders", "collect")([reg], today=ctx.today)
    due = pd.DataFrame(due)
    tail = headless_function("udfs.coverage", "suffix")(ctx.today)   # from 1 November: next year's holidays
    if due.empty:
        ctx.ui.alert(f"截至 {ctx.today.isoformat()}，没有到期或逾期的事项。{tail}")
        return
    _write_table(ctx.book, "时限提醒", due)
    cannot = int((due["提醒"] == "无法计算").sum()) if "提醒" in due.columns else 0
    ctx.ui.alert(f"截至 {ctx.today.isoformat()}，共 {len(due)} 件需要关注"
                 + (f"（其中 {cannot} 件无法计算，请先更正）" if cannot else "") + "，详见工作表「时限提醒」。" + tail,
                 "critical" if cannot else "info")


def _rows_by_kind(kinds: tuple[str, ...], rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The selected rows of each kind a button issues: with several kinds (the damage button:
    破损公告, 内件不符公告) each row goes to the kind for its claim type; rows of other types
    go to the first kind, whose batch explains why they get no notice."""
    if len(kinds) == 1 or "索赔类型" not in rows.columns:
        return [(kinds[0], rows)]
    by_kind = {k: [i for i, t in rows["索赔类型"].items() if t in KINDS[k].claim_types] for k in kinds}
    rest = [i for i in rows.index if not any(i in v for v in by_kind.values())]
    by_kind[kinds[0]] = by_kind[kinds[0]] + rest
    return [(k, rows.loc[sorted(v)]) for k, v in by_kind.items() if v]


def _issue_rows(ctx: Context, kind: str, rows: pd.DataFrame, out_dir: Path,
                settings: dict[str, Any]) -> Any:
    """``desk.notices.batch.issue`` for ``rows``; a re-issue asks the user, a refused batch
    is a message box with the helper's own Chinese text."""
    notices = import_feature(NOTICES_MODULE)
    issue = headless_function(NOTICES_MODULE, "issue")

    def ask(waybill: str, existing: list) -> bool:
        nums = "、".join(str(getattr(r, "number", r)) for r in existing)
        return ctx.ui.confirm(f"运单 {waybill} 已有{kind}（{nums}）。\n是否重新生成一份？")

    try:
        return issue(rows, kind, out_dir, settings, on_duplicate=ask, skip_invalid=True)
    except getattr(notices, "NoticeError", ()) as exc:
        raise UserMessage(f"未生成{kind}：{exc}", "critical") from exc


def _batch_lines(kind: str, rows: pd.DataFrame, batch: Any, out_dir: Path) -> list[str]:
    """What one batch did: the notices issued, rows needing none, rows to fix, warnings."""
    lines = [f"已生成{kind} {len(batch)} 份（选中 {len(rows)} 行），保存在 {out_dir}"]
    lines += [f"  {n.number}  运单 {n.waybill}" for n in list(batch)[:10]]
    skipped = list(getattr(batch, "skipped", []))
    if skipped:
        lines.append(f"无需出具 {len(skipped)} 行：")
        lines += [f"  {p}" for p in skipped[:10]]
    problems = list(getattr(batch, "problems", []))
    if problems:
        lines.append(f"未生成 {len(problems)} 行：")
        lines += [f"  {p}" for p in problems[:10]]
    lines += [f"注意：{w}" for w in getattr(batch, "warnings", [])]
    return lines


def notice_handler(kind: str) -> Callable[[Context], None]:
    """Handler of the ribbon button of notice ``kind``, on the selected rows: it issues
    ``kind`` and the kinds declared as issued with it (:func:`desk.notices.kinds.issued_from`)."""
    kinds = issued_from(kind)

    def handler(ctx: Context) -> None:
        reg = register_on_sheet(ctx, require_template(ctx, ("claims",)))
        rows = selected_rows(ctx, reg)
        path = saved_path(ctx.book)
        settings = {**reg.settings, "_workbook": str(path)}
        out_dir = path.parent / "通知"
        lines: list[str] = []
        problems_total, issued_total, skipped_dups = 0, 0, []
        for notice_kind, part in _rows_by_kind(kinds, rows):
            batch = _issue_rows(ctx, notice_kind, part, out_dir, settings)
            issued_total += len(batch)
            problems_total += len(list(getattr(batch, "problems", [])))
            skipped_dups += list(getattr(batch, "skipped_duplicates", []))
            lines += _batch_lines(notice_kind, part, batch, out_dir)
        if skipped_dups:
            lines.append(f"已有通知、未重复生成：{'、'.join(map(str, skipped_dups[:10]))}")
        ctx.ui.alert("\n".join(lines), "critical" if problems_total and not issued_total else "info")

    handler.__name__ = f"notice_{'_'.join(kinds)}"
    return handler


def report15(ctx: Context) -> None:
    kind = require_template(ctx, ("claims",))
    reg = register_on_sheet(ctx, kind)
    path = headless_function("desk.report", "build")(reg, kind=kind, out_dir=_out_dir(ctx.book))
    ctx.ui.alert(f"十五日报表已生成：{path}")


def analysis(ctx: Context) -> None:
    kind = require_template(ctx, ("claims",))
    reg = register_on_sheet(ctx, kind)
    build = headless_function("desk.analysis", "build")
    month = headless_function("desk.analysis", "last_month")(ctx.today)
    path = build(reg, month, today=ctx.today, out_dir=_out_dir(ctx.book))
    ctx.ui.alert(f"月度货损分析（{month}）已生成：{path}")


def quote(ctx: Context) -> None:
    found = template_kind(ctx.book)
    if found and found[0] == "quote":
        ctx.book.app.calculate()
        ctx.ui.alert("当前已是柜台报价表：填写运费、声明价值等输入单元格即可得到报价。")
        return
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = Path(tempfile.gettempdir()) / "logidesk" / f"柜台报价-{stamp}.xlsx"
    path = headless_function("workbooks.build", "build_quote")(target)
    ctx.book.app.books.open(str(path))


def rules_version(ctx: Context) -> None:

    label = headless_function("udfs.rulebook", "rules_for")(ctx.today).label()
    ctx.ui.alert(f"当前生效规则：{label}\nxlwings {xlwings.__version__}")


def function_help(ctx: Context) -> None:
    mod = import_feature("udfs.xl")
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
    **{sp.button.id: notice_handler(sp.kind) for sp in with_button() if sp.button is not None},
    "btnReport15": report15,
    "btnAnalysis": analysis,
    "btnQuote": quote,
    "btnRulesVersion": rules_version,
    "btnFunctionHelp": function_help,
}
