"""Clerk files made the way people make them, for the register-model tests: title rows above
the header, columns in their own order, clerk columns, Excel error cells, values typed over
the formulas of computed columns. Written with openpyxl (as a file saved by a spreadsheet
program: formulas without cached values, error cells as error cells)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

import openpyxl
from openpyxl.workbook.defined_name import DefinedName

from workbooks.spec import SETTINGS, Template, col_letter

MARKER = "LOGIDESK_TEMPLATE"


def formula(tpl: Template, header: str, row: int, where: dict[str, int]) -> str:
    """The template's formula of a computed cell, pointing at the columns where they are."""
    return "=" + tpl.column(header).excel(lambda h: f"{col_letter(where[h])}{row}")


def make_register(path: Path, tpl: Template, rows: Sequence[dict[str, Any]], *,
                  order: Sequence[str] | None = None, titles: Sequence[str] = (),
                  formula_rows: int = 0, marker: bool = True, sheet: str | None = None,
                  headers: dict[str, str] | None = None) -> Path:
    """A register sheet: ``titles`` rows above the header, then the header in ``order``
    (template headers and any others, e.g. "备注"; "" for a blank header), then the rows.
    Computed cells get the template formula unless the row gives a value for them (typed
    by hand). ``formula_rows`` pre-fills formulas below the data as a template does.
    ``headers`` renames header cells (template header → what the clerk wrote)."""
    order = list(order or tpl.headers)
    headers = headers or {}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet or tpl.sheet
    for r, t in enumerate(titles, start=1):
        ws.cell(r, 1, t)
    hr = len(titles) + 1
    where = {h: i for i, h in enumerate(order) if h}
    for i, h in enumerate(order):
        ws.cell(hr, i + 1, headers.get(h, h) if h else None)
    computed = {c.header for c in tpl.computed}
    n = max(len(rows), formula_rows)
    for k in range(n):
        r = hr + 1 + k
        data = rows[k] if k < len(rows) else {}
        for h, i in where.items():
            if h in data:
                v = data[h]
                if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                    v = dt.datetime(v.year, v.month, v.day)
                c = ws.cell(r, i + 1, v)
                if isinstance(v, dt.datetime):
                    c.number_format = "yyyy-mm-dd"
            elif h in computed:
                try:
                    ws.cell(r, i + 1, formula(tpl, h, r, where))
                except KeyError:          # a column it needs was deleted
                    pass
    st = wb.create_sheet("设置")
    st.append(["项目", "内容"])
    for k, v in SETTINGS:
        st.append([k, v])
    if marker:
        wb.defined_names[MARKER] = DefinedName(MARKER, attr_text=f'"{tpl.kind};{tpl.version}"')
        mk = wb.create_sheet("_logidesk")
        mk.append(["模板类型", tpl.kind])
        mk.append(["模板版本", str(tpl.version)])
        mk.sheet_state = "hidden"
    wb.save(path)
    return path
