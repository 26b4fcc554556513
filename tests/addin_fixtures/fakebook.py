"""An xlwings-like stand-in for a live workbook, loaded from an .xlsx with openpyxl.

Implements the part of the xlwings API the ribbon handlers use: ``book.names`` (``in``,
``[]`` -> ``.refers_to``), ``book.sheets`` (iteration, ``[name]``, ``.active``, ``.add``),
``sheet.used_range`` / ``sheet.range`` / ``sheet.clear``, ``range.options(ndim=2).value``,
``range.row/column/last_cell``, ``book.selection``, ``book.app.alert/calculate/books.open``.
Everything shown to the user is recorded in ``book.app.alerts``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string


class FakeName:
    def __init__(self, refers_to: str) -> None:
        self.refers_to = refers_to


class FakeRange:
    def __init__(self, sheet: "FakeSheet", row: int, col: int, last_row: int, last_col: int,
                 ndim: int | None = None) -> None:
        self.sheet, self.row, self.column = sheet, row, col
        self._last = (last_row, last_col)
        self._ndim = ndim

    @property
    def last_cell(self) -> "FakeRange":
        return FakeRange(self.sheet, *self._last, *self._last)

    def options(self, ndim: int | None = None, **_: Any) -> "FakeRange":
        return FakeRange(self.sheet, self.row, self.column, *self._last, ndim=ndim)

    @property
    def value(self) -> Any:
        grid = [[self.sheet.cells.get((r, c)) for c in range(self.column, self._last[1] + 1)]
                for r in range(self.row, self._last[0] + 1)]
        if self._ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        if len(grid) == 1:
            return grid[0]
        if all(len(r) == 1 for r in grid):
            return [r[0] for r in grid]
        return grid

    @value.setter
    def value(self, data: Any) -> None:
        if not isinstance(data, list):
            data = [[data]]
        elif data and not isinstance(data[0], list):
            data = [data]
        for i, row in enumerate(data):
            for j, v in enumerate(row):
                self.sheet.cells[(self.row + i, self.column + j)] = _as_excel_stores(v)


class FakeFormula(str):
    """What Excel makes of a text assigned through Range.Value that starts with "="."""


def _as_excel_stores(v: Any) -> Any:
    """Range.Value = text behaves like typing: a leading ' is Excel's text prefix (not part of
    the value); "=…" becomes a formula. (Numeric-looking texts would become numbers too.)"""
    if isinstance(v, str) and not isinstance(v, FakeFormula):
        if v.startswith("'"):
            return v[1:]
        if v.startswith(("=", "+", "@")) and len(v) > 1:
            return FakeFormula(v)
    return v


def _a1(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref.upper())
    return int(m.group(2)), column_index_from_string(m.group(1))


class FakeSheet:
    def __init__(self, book: "FakeBook", name: str) -> None:
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], Any] = {}

    @property
    def used_range(self) -> FakeRange:
        used = [k for k, v in self.cells.items() if v is not None]
        if not used:
            return FakeRange(self, 1, 1, 1, 1)
        rows, cols = [r for r, _ in used], [c for _, c in used]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if isinstance(first, str):
            a, _, b = first.partition(":")
            (r1, c1), (r2, c2) = _a1(a), _a1(b or a)
        else:
            (r1, c1) = first
            (r2, c2) = last or first
        return FakeRange(self, r1, c1, r2, c2)

    def clear(self) -> None:
        self.cells.clear()

    def activate(self) -> None:
        self.book.sheets.active = self


class FakeSheets:
    def __init__(self, book: "FakeBook") -> None:
        self.book = book
        self._sheets: list[FakeSheet] = []
        self.active: FakeSheet | None = None

    def __iter__(self):
        return iter(list(self._sheets))

    def __getitem__(self, key: str | int) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        for s in self._sheets:
            if s.name == key:
                return s
        raise KeyError(key)

    def add(self, name: str | None = None, **_: Any) -> FakeSheet:
        sheet = FakeSheet(self.book, name or f"Sheet{len(self._sheets) + 1}")
        self._sheets.append(sheet)
        self.active = sheet
        return sheet


class FakeBooks:
    def __init__(self) -> None:
        self.opened: list[str] = []

    def open(self, path: str) -> None:
        self.opened.append(path)


class FakeApp:
    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        self.answer = "no"  # what the user presses in a yes/no box
        self.calculations = 0
        self.books = FakeBooks()

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok",
              mode: str | None = None, callback: str | None = None) -> str:
        self.alerts.append({"prompt": prompt, "title": title, "mode": mode, "buttons": buttons})
        return self.answer if buttons == "yes_no" else "ok"

    def calculate(self) -> None:
        self.calculations += 1


class FakeBook:
    def __init__(self, path: Path) -> None:
        self.fullname = str(path)
        self.name = Path(path).name
        self.app = FakeApp()
        self.sheets = FakeSheets(self)
        self.names: dict[str, FakeName] = {}
        self.selection: FakeRange | None = None
        wb = openpyxl.load_workbook(path)
        for name, dn in wb.defined_names.items():
            self.names[name] = FakeName("=" + dn.attr_text)
        for ws in wb.worksheets:
            sheet = self.sheets.add(ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        sheet.cells[(cell.row, cell.column)] = cell.value
        self.sheets.active = self.sheets[wb.active.title]

    def select(self, sheet: str, ref: str) -> None:
        s = self.sheets[sheet]
        s.activate()
        self.selection = s.range(ref)

    @property
    def last_alert(self) -> str:
        return self.app.alerts[-1]["prompt"] if self.app.alerts else ""
