"""The one cell model (udfs.cellvalue) and shared formulas moved as Excel moves them."""
from __future__ import annotations

import datetime as dt
import random
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl.formula.translate import Translator

from udfs import cellvalue as CV, values as V
from udfs.errors import RuleError
from workbooks.inputs import read_column
from workbooks.xlsx import open_package
from workbooks.xlsx.formulas import shift

# ------------------------------------------------------------------ shared formulas

@pytest.mark.parametrize("formula, drow, dcol, want", [
    ("SUM(A:A)", 3, 2, "SUM(C:C)"),
    ("SUM($A:$A)", 3, 2, "SUM($A:$A)"),
    ("SUM($A:C)", 3, 2, "SUM($A:E)"),
    ("SUM(2:2)", 3, 2, "SUM(5:5)"),
    ("SUM($2:$2)", 3, 2, "SUM($2:$2)"),
    ("SUM(2:$4)", -1, 0, "SUM(1:$4)"),
    ("SUM(2:2)", -2, 0, "SUM(#REF!)"),
    ("SUM(A:A)", 0, -1, "SUM(#REF!)"),
    ("A1+$A1+A$1+$A$1", 1, 1, "B2+$A2+B$1+$A$1"),
    ("A1", -1, 0, "#REF!"),
    ("XFD1", 0, 1, "#REF!"),
    ("A1048576", 1, 0, "#REF!"),
    ('"A1"&A1&\'Q1 2026\'!B2', 1, 0, '"A1"&A2&\'Q1 2026\'!B3'),
    ("Sheet2!A:A+Sheet2!1:1", 1, 1, "Sheet2!B:B+Sheet2!2:2"),
    ("LOG10(A1)+ATAN2(B1,C1)", 1, 0, "LOG10(A2)+ATAN2(B2,C2)"),
    ("XFE1+A0+T1[金额]", 1, 1, "XFE1+A0+T1[金额]"),
    ("SUM(A1:B2)", 2, 0, "SUM(A3:B4)"),
])
def test_shift_moves_references_as_excel_fills_them(formula, drow, dcol, want):
    assert shift(formula, drow, dcol) == want


def _random_formula(rng: random.Random) -> str:
    def col() -> str:
        return rng.choice(["A", "B", "Z", "AA", "AZ", "XF", "C", "ZZ", "ABC"])

    def row() -> str:
        return str(rng.choice([1, 2, 9, 10, 99, 1000, 65536]))

    def dollar() -> str:
        return "$" if rng.random() < 0.3 else ""

    parts = []
    for _ in range(rng.randint(1, 5)):
        kind = rng.randrange(6)
        if kind == 0:
            parts.append(f"{dollar()}{col()}{dollar()}{row()}")
        elif kind == 1:
            parts.append(f"SUM({dollar()}{col()}:{dollar()}{col()})")
        elif kind == 2:
            parts.append(f"SUM({dollar()}{row()}:{dollar()}{row()})")
        elif kind == 3:
            parts.append(f"{dollar()}{col()}{dollar()}{row()}:{dollar()}{col()}{dollar()}{row()}")
        elif kind == 4:
            parts.append(f'"{col()}{row()}"')
        else:
            parts.append(f"'Q{rng.randint(1, 4)} 2026'!{dollar()}{col()}{dollar()}{row()}")
    return "+".join(parts)


def test_shift_agrees_with_an_independent_translator_on_generated_formulas():
    """openpyxl's Translator moves formulas the way Excel fills them (references that stay
    on the sheet); 2,000 generated formulas and offsets."""
    rng = random.Random(16)
    checked = 0
    for _ in range(2000):
        f = _random_formula(rng)
        origin_row, origin_col = rng.randint(1, 40), rng.randint(1, 30)
        drow, dcol = rng.randint(0, 30), rng.randint(0, 20)
        origin = f"{CV_col(origin_col)}{origin_row}"
        dest = f"{CV_col(origin_col + dcol)}{origin_row + drow}"
        want = Translator("=" + f, origin=origin).translate_formula(dest)[1:]
        assert shift(f, drow, dcol) == want, (f, drow, dcol)
        checked += 1
    assert checked == 2000


def CV_col(n: int) -> str:
    from workbooks.xlsx.cells import col_letter
    return col_letter(n - 1)


def _sheet_package(path: Path, rows: str) -> Path:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" '
                   'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{ns}"><sheetData>{rows}</sheetData></worksheet>')
    return path


def test_parse_reads_shared_formulas_of_any_column_without_a_type_error(tmp_path):
    rows = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:C3" si="0">SUM(A:A)+A1+2:2</f>'
            '<v>5</v></c><c r="C1"><f t="shared" si="0"/><v>0</v></c></row>'
            '<row r="3"><c r="B3"><f t="shared" si="0"/><v>5</v></c><c r="C3"><f t="shared" si="0"/></c></row>')
    pkg = open_package(_sheet_package(tmp_path / "s.xlsx", rows))
    rd = pkg.reader("S")
    got = [(r, v, f) for block in rd.blocks() for r, v, f in rd.parse(block, None, [1, 2])]
    assert got == [(1, {0: 1.0, 1: 5.0, 2: 0.0}, {1: "SUM(A:A)+A1+2:2", 2: "SUM(B:B)+B1+2:2"}),
                   (3, {1: 5.0, 2: CV.NotCalculated("（共享公式 0）")}, {1: "SUM(A:A)+A3+4:4", 2: "SUM(B:B)+B3+4:4"})]
    rd.close()
    [chunk] = pkg.iter_chunks("S", 1, columns=[0, 1, 2], formulas_of=[1, 2])
    assert chunk.formulas[2] == ["SUM(B:B)+B1+2:2", "SUM(B:B)+B3+4:4"]


def test_rows_without_r_continue_across_blocks(tmp_path, monkeypatch):
    from workbooks.xlsx import sheetxml
    monkeypatch.setattr(sheetxml, "BLOCK", 64)           # many small blocks
    rows = "".join(f"<row><c><v>{i}</v></c><c t='inlineStr'><is><t>x{i}</t></is></c></row>" for i in range(1, 41))
    pkg = open_package(_sheet_package(tmp_path / "s.xlsx", rows))
    sheet = pkg.read_small_sheet("S")
    assert sheet == [[float(i), f"x{i}"] for i in range(1, 41)]
    [chunk] = pkg.iter_chunks("S", 1, columns=[0, 1])
    assert chunk.rows.tolist() == list(range(1, 41)) and chunk.values[1][-1] == "x40"


# ------------------------------------------------------------------ the cell model

@pytest.mark.parametrize("x, blank", [
    (None, True), ("", True), ("  \u3000", True), ("\u200b", True), (float("nan"), True), (np.nan, True),
    (pd.NaT, True), (pd.NA, True), (Decimal("NaN"), True), (" 0 ", False), (0.0, False), (False, False),
    (CV.XlError("#N/A"), False), (CV.NotCalculated("=1+1"), False), (CV.Unreadable("abc"), False),
    (dt.date(2026, 1, 1), False), (Decimal("0"), False),
])
def test_one_blank(x, blank):
    assert CV.is_blank(x) is blank
    assert V.is_blank(x) is blank                   # the engine's is the model's
    from desk.notices.register import is_blank as notice_blank
    from workbooks.inputs import is_blank as input_blank
    assert notice_blank(x) is blank and input_blank(x) is blank


def test_text_is_trimmed_half_width_with_lf_line_breaks():
    assert CV.clean_text("  ＳＦ１００１\u200b ") == "SF1001"
    assert CV.clean_text("福州市\r\n鼓楼区\r五四路\n88 号 ") == "福州市\n鼓楼区\n五四路\n88 号"
    col = read_column("text", "收件地址", None, ["福州市\r\n鼓楼区", "a\rb" * 1, None])
    assert col.values.tolist() == ["福州市\n鼓楼区", "a\nb", None]
    many = read_column("text", "收件地址", None, [f"第{i}行\r\n地址" for i in range(40)])
    assert many.values[7] == "第7行\n地址"


@pytest.mark.parametrize("d", [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1),
                               dt.date(2026, 11, 7), dt.datetime(2026, 11, 7, 13, 30)])
def test_serials_round_trip_in_both_date_systems(d):
    moment = d if isinstance(d, dt.datetime) else dt.datetime(d.year, d.month, d.day)
    for system in (False, True):
        assert CV.from_serial(CV.to_serial(d, system), system) == moment


def test_the_1904_system_is_1462_days_later_in_serials():
    assert CV.to_serial(dt.date(2026, 11, 7)) == 46333.0
    assert CV.to_serial(dt.date(2026, 11, 7), True) == 46333.0 - 1462
    assert CV.as_date(44871.0, True) == dt.date(2026, 11, 7)
    assert CV.as_date(44871.0) == dt.date(2022, 11, 6)


def test_values_that_are_not_values_say_why_with_the_rule():
    assert CV.problem(CV.NotCalculated("=150*2"), "保价金额", "INS-1") == \
        "保价金额：公式没有计算结果，请在 Excel 中重新计算后保存（单元格公式 =150*2）（INS-1）"
    assert CV.problem(CV.XlError("#N/A"), "保价金额", "INS-1") == \
        "保价金额是 Excel 错误值 #N/A（不能当作空白），请更正该单元格或其引用的单元格（INS-1）"
    assert CV.problem("#N/A", "保价金额", "INS-1") is None       # typed text is text
    with pytest.raises(RuleError, match="公式没有计算结果") as e:
        V.money(CV.NotCalculated("=150*2"), "保价金额", "INS-1", __import__("udfs").rules_for(None))
    assert e.value.rule == "INS-1"
    with pytest.raises(RuleError, match="数字单元格中存放的是「abc」"):
        V.when(CV.Unreadable("abc"), "寄件日期", "CLM-7")
    col = read_column("money", "保价金额", "INS-1", [CV.NotCalculated("=150*2"), 300.0, None])
    assert col.values.tolist() == [None, 300.0, None] and col.blank.tolist() == [False, False, True]
    assert col.problem[0].startswith("保价金额：公式没有计算结果")


def test_notice_converters_are_the_models():
    from desk.notices.register import as_date, as_decimal
    assert as_decimal(np.float64(321.5)) == Decimal("321.5")
    assert as_decimal("1,200元") == Decimal("1200")
    assert as_date("2026/11/07") == dt.date(2026, 11, 7)
    assert as_date(pd.Timestamp("2026-11-07 08:00")) == dt.date(2026, 11, 7)
    assert CV.as_date("下周", lenient=True) is None
    with pytest.raises(ValueError):
        as_date(CV.XlError("#N/A"))


def test_workers_are_chosen_by_rows_as_well_as_by_xml_size(monkeypatch):
    from workbooks import result as R
    monkeypatch.delenv("LOGIDESK_WORKERS", raising=False)
    monkeypatch.setattr(R.os, "cpu_count", lambda: 2)
    head = b'<worksheet><dimension ref="A1:AL%d"/><sheetData>'
    small_xml = R.PARALLEL_FROM // 2                # a compact writer: many rows, fewer bytes
    assert R.workers_for(small_xml, head % (R.PARALLEL_ROWS + 1)) == 2
    assert R.workers_for(small_xml, head % (R.PARALLEL_ROWS - 1)) == 0
    assert R.workers_for(1 << 20, head % 1_048_576) == 0        # a dimension that overstates
    assert R.workers_for(R.PARALLEL_FROM, head % 10) == 2
