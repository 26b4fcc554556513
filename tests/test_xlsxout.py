"""The one safe writer (desk/xlsxout.py): write_table writes the same cells as write_rows —
byte for byte the same worksheet XML — every text a string, never a formula."""
from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desk import xlsxout  # noqa: E402

VALUES = [
    "运单 A1", "", None, "=HYPERLINK(\"http://evil.example\",\"点我\")", "=cmd|' /C calc'!A0", "{=SUM(1)}",
    "+1+1", "-2+3", "@SUM(A1)", "http://evil.example", "a & b < c > d \"q\"", " leading", "trailing ",
    "tab\tin", "line\nbreak", "ctrl\x01\x1f", "_x0041_ literal", "\ufffe", "x" * 40000, "😀" * 20000,
    Decimal("1234.56"), Decimal("0"), Decimal("-0.01"), Decimal("NaN"), 3, 0, -7, 2.5, float("nan"),
    float("inf"), True, False, dt.date(2026, 11, 23), dt.date(1900, 1, 1), dt.date(1900, 2, 28),
    dt.date(1900, 3, 1), dt.datetime(2026, 11, 23, 8, 30, 15), pd.Timestamp("2026-11-02 12:00"), pd.NaT,
    np.int64(42), np.float64(1.25), np.float64("nan"), np.datetime64("NaT"), Path("a/b.xlsx"),
]


def _sheets(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")}


def _build(path: Path, how: str, rows: list[list], streaming: bool = True, heights=None, per_cell=None) -> Path:
    with xlsxout.workbook(path, streaming=streaming) as wb:
        cell = wb.add_format({"border": 1})
        date = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
        money = wb.add_format({"border": 1, "num_format": "#,##0.00"})
        alert = wb.add_format({"border": 1, "bold": True})
        ws = wb.add_worksheet("表")
        ws.write_string(0, 0, "标题", alert)
        for j in range(len(rows[0])):
            ws.write_string(2, j, f"列{j}", cell)
        ws.set_column(0, 3, 12)
        ws.freeze_panes(3, 0)
        fmts = None if per_cell is None else {1: [alert if x else None for x in per_cell]}
        if how == "rows":
            for i, values in enumerate(rows):
                if heights and heights[i]:
                    ws.set_row(3 + i, heights[i])
                for j, v in enumerate(values):
                    f = alert if (fmts and j == 1 and fmts[1][i]) else cell
                    xlsxout.write(ws, 3 + i, j, v, f, date, money)
        else:
            xlsxout.write_table(ws, 3, list(zip(*rows)), cell, date, money, cell_formats=fmts, heights=heights)
        ws.autofilter(2, 0, 2 + len(rows), len(rows[0]) - 1)
        wb.add_worksheet("后")  .write_string(0, 0, "另一表")
    return path


def _table(n_cols: int = 4, values: list = VALUES) -> list[list]:
    vals = values * 3
    return [[vals[(i * n_cols + j) % len(vals)] for j in range(n_cols)] for i in range(len(vals))]


def _cells(path: Path) -> list[list[tuple]]:
    import openpyxl
    ws = openpyxl.load_workbook(path)["表"]
    return [[(c.value, c.data_type, c.number_format, c.font.b, c.border.left.style, c.alignment.wrap_text)
             for c in row] for row in ws.iter_rows()] + [[(ws.row_dimensions[r].height,) for r in range(1, ws.max_row + 1)]]


@pytest.mark.parametrize("streaming", [True, False])
def test_write_table_is_write_rows(tmp_path: Path, streaming: bool) -> None:
    """Same cells, formats, heights; in streaming mode the same worksheet XML byte for byte
    but the style numbers (XlsxWriter numbers formats in the order they are first saved)."""
    # openpyxl decodes _x005F_ in shared strings only: a literal "_x0041_" reads back
    # differently from the shared (non-streaming) and the inline cells, so not compared there
    rows = _table(values=VALUES if streaming else [v for v in VALUES if v != "_x0041_ literal"])
    heights = [None if i % 3 else 16 * (1 + i % 5) + 2 for i in range(len(rows))]
    heights[1] = 15  # the default height: no attribute
    per_cell = [i % 4 == 0 for i in range(len(rows))]
    a_path = _build(tmp_path / "a.xlsx", "rows", rows, streaming, heights, per_cell)
    b_path = _build(tmp_path / "b.xlsx", "table", rows, streaming, heights, per_cell)
    a, b = _sheets(a_path), _sheets(b_path)
    assert a.keys() == b.keys()
    if streaming:
        for name in a:
            assert re.sub(rb' s="\d+"', b"", a[name]) == re.sub(rb' s="\d+"', b"", b[name]), name
    assert _cells(a_path) == _cells(b_path)


@pytest.mark.parametrize("column", [
    [Decimal("1.10"), None, Decimal("-3"), Decimal("123456789.12")],            # money fast path
    [Decimal("1.10"), Decimal("NaN"), None, Decimal("2")],                     # … and its fallback
    [dt.date(2026, 11, 1), None, dt.date(1900, 3, 1), dt.date(9999, 12, 31)],  # date fast path
    [dt.date(2026, 11, 1), dt.date(1900, 2, 28), dt.date(1900, 1, 1), None],   # … the 1900 bug
    ["a", None, "", "b"], [None, None, None, None]])
def test_one_kind_columns(tmp_path: Path, column: list) -> None:
    rows = [[v, "x", 1] for v in column]
    a = _sheets(_build(tmp_path / "a.xlsx", "rows", rows))
    b = _sheets(_build(tmp_path / "b.xlsx", "table", rows))
    for name in a:
        assert re.sub(rb' s="\d+"', b"", a[name]) == re.sub(rb' s="\d+"', b"", b[name]), name


def test_texts_are_strings_never_formulas(tmp_path: Path) -> None:
    rows = [[v, "<r><t>rich?</t></r>", "x"] for v in VALUES[:12]]
    out = _build(tmp_path / "t.xlsx", "table", rows)
    xml = _sheets(out)["xl/worksheets/sheet1.xml"].decode()
    assert not re.search(r"<f[ >/]|<hyperlink", xml)
    # a clerk's text that looks like an XlsxWriter rich string stays escaped text
    assert "<r><t>rich?" not in xml and "&lt;r&gt;&lt;t&gt;rich?" in xml
    import openpyxl
    ws = openpyxl.load_workbook(out)["表"]
    assert ws.cell(4, 1).value == "运单 A1"
    assert ws.cell(7, 1).value == "=HYPERLINK(\"http://evil.example\",\"点我\")" and ws.cell(7, 1).data_type == "s"
    assert ws.cell(8, 1).value == "=cmd|' /C calc'!A0" and ws.cell(8, 1).data_type == "s"
    assert ws.cell(4, 2).value == "<r><t>rich?</t></r>"
    assert re.search(r'<dimension ref="A1:C15"/>', xml)


def test_nothing_below_a_table(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with xlsxout.workbook(tmp_path / "x.xlsx") as wb:
            ws = wb.add_worksheet("表")
            xlsxout.write_table(ws, 0, [["a", "b"], ["c", "d"]], wb.add_format({"border": 1}))
            ws.write_string(5, 0, "below")
    assert not list(tmp_path.iterdir())  # nothing left behind


def test_small_and_empty_tables(tmp_path: Path) -> None:
    with xlsxout.workbook(tmp_path / "s.xlsx") as wb:
        f = wb.add_format({"border": 1})
        ws = wb.add_worksheet("表")
        assert xlsxout.write_table(ws, 2, [[], []], f) == 1
        ws2 = wb.add_worksheet("单列")  # one column, three formats: written cell by cell
        assert xlsxout.write_table(ws2, 0, [[Decimal("1.5"), dt.date(2026, 1, 2), "x"]], f,
                                   wb.add_format({"num_format": "yyyy-mm-dd"}),
                                   wb.add_format({"num_format": "0.00"})) == 2
    import openpyxl
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["单列"]
    assert [c.value for c in ws["A"]] == [1.5, dt.datetime(2026, 1, 2), "x"]


INJECT = ('<r><t>a</t></r></is></c><c r="C1"><f>HYPERLINK("http://evil.example","点我")</f><v>0</v></c>'
          '<c r="D1" t="inlineStr"><is><r><t>b</t></r>')


@pytest.mark.parametrize("streaming", [True, False])
def test_rich_string_looking_text_is_escaped(tmp_path: Path, streaming: bool) -> None:
    """XlsxWriter passes a text shaped <r>…</r> into the sheet XML unescaped (its own rich
    string markup): through our writer it stays one escaped text cell, no formula."""
    out = tmp_path / "r.xlsx"
    with xlsxout.workbook(out, streaming=streaming) as wb:
        ws = wb.add_worksheet("表")
        f = wb.add_format({"bold": True})
        xlsxout.write(ws, 0, 0, INJECT, f)
        xlsxout.write(ws, 1, 0, "<r>plain</r>")
        xlsxout.write_rows(ws, 2, [[INJECT, 0, "<r></r>"]], f)
        ws.write_number(3, 0, 0)  # a real 0 stays a 0
    xml = "".join(v.decode() for v in _sheets(out).values())
    assert not re.search(r"<f[ >/]|<hyperlink", xml)
    import openpyxl
    ws = openpyxl.load_workbook(out)["表"]
    assert ws["A1"].value == INJECT and ws["A1"].font.b and ws["C1"].value is None
    assert ws["A2"].value == "<r>plain</r>"
    assert [ws["A3"].value, ws["B3"].value, ws["C3"].value] == [INJECT, 0, "<r></r>"] and ws["A4"].value == 0


def test_only_in_our_workbooks(tmp_path: Path) -> None:
    """Cells put in at save time need xlsxout.workbook(): elsewhere a loud error, never a
    table or a text silently missing."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(tmp_path / "plain.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("表")
    f = wb.add_format({"border": 1})
    with pytest.raises(ValueError):
        xlsxout.write_table(ws, 0, [["a", "b"], ["c", "d"]], f)
    with pytest.raises(ValueError):
        xlsxout.write(ws, 0, 0, "<r>x</r>", f)
    xlsxout.write(ws, 1, 0, "plain", f)  # the rest is written as always
    wb.close()
