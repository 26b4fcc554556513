"""workbooks.xlsx reader (issue 9): typed values, error cells, dates (1900/1904), shared
formulas, and the refusals of what is not an .xlsx package."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlsxwriter

from workbooks.xlsx import PackageError, XlError, open_package
from workbooks.xlsx.cells import escape, from_serial, to_serial, xml_text
from workbooks.xlsx.formulas import shift
from workbooks.xlsx.package import is_date_format


def _openpyxl_book(path: Path, epoch1904: bool = False) -> Path:
    wb = openpyxl.Workbook()
    if epoch1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "数据"
    ws.append(["标题行：2026 年理赔"])
    ws.append(["运单号", "日期", "金额", "错误", "布尔", "时间"])
    ws.append(["SF1", dt.datetime(2026, 3, 1), 12.5, "#N/A", True, dt.datetime(2026, 3, 1, 14, 30)])
    ws.append([" 带空格 ", dt.date(2026, 3, 2), 3, "#VALUE!", False, None])
    ws["A6"] = "隔行"
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def test_values_dates_errors_and_blank_rows(tmp_path):
    pkg = open_package(_openpyxl_book(tmp_path / "a.xlsx"))
    assert [(s.name, s.state, s.type) for s in pkg.sheets] == [("数据", "visible", "worksheet"),
                                                               ("隐藏", "hidden", "worksheet")]
    head = pkg.head("数据")
    assert head[0] == (1, ["标题行：2026 年理赔"])
    assert head[2] == (3, ["SF1", dt.datetime(2026, 3, 1), 12.5, XlError("#N/A"), True,
                           dt.datetime(2026, 3, 1, 14, 30)])
    r4 = head[3][1]
    assert r4[0] == " 带空格 "                       # not trimmed: the model trims
    assert isinstance(r4[2], float) and r4[2] == 3.0
    assert isinstance(r4[3], XlError) and r4[3] != "#VALUE!" and str(r4[3]) == "#VALUE!"
    assert r4[4] is False
    [chunk] = list(pkg.iter_chunks("数据", 3, columns=[0, 3], size=2))   # whole blocks of rows
    assert chunk.rows.tolist() == [3, 4, 6]                                 # row 5 does not exist
    assert chunk.values == {0: ["SF1", " 带空格 ", "隔行"], 3: [XlError("#N/A"), XlError("#VALUE!"), None]}
    assert pkg.read_small_sheet("数据")[4] == []
    assert pkg.read_small_sheet("隐藏") == []


def test_1904_date_system(tmp_path):
    pkg = open_package(_openpyxl_book(tmp_path / "mac.xlsx", epoch1904=True))
    assert pkg.date1904
    assert pkg.head("数据")[2][1][1] == dt.datetime(2026, 3, 1)


def test_inline_rich_and_formula_cells(tmp_path):
    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表")
    bold = wb.add_format({"bold": True})
    ws.write_rich_string(0, 0, "甲", bold, "乙", "丙")
    ws.write_formula(0, 1, '=IF(A1="","",LEN(A1))', None, 3)
    ws.write_formula(0, 2, '="x"&"<y>"', None, "x<y>")
    ws.write_string(0, 3, "a\x01b_x0041_")
    ws.write_number(0, 4, 46082, wb.add_format({"num_format": 'yyyy"年"m"月"d"日"'}))
    wb.close()
    pkg = open_package(path)
    [(r, vals)] = pkg.head("表")
    assert vals == ["甲乙丙", 3.0, "x<y>", "a\x01b_x0041_", dt.datetime(2026, 3, 1)]
    [chunk] = pkg.iter_chunks("表", 1, formulas_of=[1, 2])
    assert chunk.formulas == {1: ['IF(A1="","",LEN(A1))'], 2: ['"x"&"<y>"']}


def test_shared_formulas_are_expanded(tmp_path):
    """Excel stores filled-down formulas as one shared master and children without text."""
    path = tmp_path / "shared.xlsx"
    openpyxl.Workbook().save(path)
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2+$A$1</f>'
             '<v>3</v></c></row><row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>5</v></c></row>'
             '<row r="3"><c r="B3"><f t="shared" si="0"/><v>1</v></c></row></sheetData></worksheet>')
    _replace_member(path, "xl/worksheets/sheet1.xml", sheet.encode())
    chunks = list(open_package(path).iter_chunks("Sheet", 2, formulas_of=[1]))
    assert chunks[0].formulas == {1: ["A2*2+$A$1", "A3*2+$A$1"]}
    assert chunks[0].values[1] == [5.0, 1.0]


def _replace_member(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i, d in items:
            z.writestr(i, data if i.filename == name else d)


def test_helpers():
    assert from_serial(46082.0) == dt.datetime(2026, 3, 1)
    assert from_serial(46082.5) == dt.datetime(2026, 3, 1, 12)
    assert from_serial(1.0) == dt.datetime(1900, 1, 1)
    assert from_serial(61.0) == dt.datetime(1900, 3, 1)
    assert from_serial(0.0, date1904=True) == dt.datetime(1904, 1, 1)
    assert to_serial(dt.date(2026, 3, 1)) == 46082
    assert xml_text(escape("a<&>\x02_x0041_".encode().decode()).encode()) == "a<&>\x02_x0041_"
    assert shift('IF(A2="A2",$B$2+C2,LOG10(D2))', 3, 0) == 'IF(A5="A2",$B$2+C5,LOG10(D5))'
    assert is_date_format("yyyy-mm-dd") and is_date_format('[$-804]yyyy"年"m"月"') and is_date_format("[h]:mm")
    assert not is_date_format("#,##0.00") and not is_date_format('0.00"天"') and not is_date_format("0.00E+00")
    assert not is_date_format("@") and not is_date_format('"日期"@')


# ----------------------------------------------------------------------------- refusals

def _good(tmp_path: Path) -> Path:
    return _openpyxl_book(tmp_path / "good.xlsx")


def test_missing_file(tmp_path):
    with pytest.raises(PackageError) as e:
        open_package(tmp_path / "nope.xlsx")
    assert e.value.reason == "missing" and e.value.message == "文件不存在"


def test_old_xls_is_refused_with_save_as(tmp_path):
    from addin.xlam.cfb import write_cfb
    path = tmp_path / "old.xls"
    path.write_bytes(write_cfb({"Workbook": b"\x09\x08" + b"\x00" * 600}))
    with pytest.raises(PackageError) as e:
        open_package(path)
    assert e.value.reason == "xls"
    assert e.value.message == ("这是旧版 Excel 97-2003 工作簿（.xls），本程序只处理 .xlsx/.xlsm；请另存为 .xlsx"
                               "（请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再处理）")


def test_encrypted_workbook_asks_to_remove_the_password(tmp_path):
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile
    plain = _good(tmp_path)
    path = tmp_path / "locked.xlsx"
    with open(plain, "rb") as f, open(path, "wb") as out:
        OOXMLFile(f).encrypt("1234", out)
    assert msoffcrypto.OfficeFile(open(path, "rb")).is_encrypted()
    with pytest.raises(PackageError) as e:
        open_package(path)
    assert e.value.reason == "encrypted"
    assert e.value.message == ("工作簿设有打开密码（已加密），无法读取；请去掉密码后再处理"
                               "（Excel：文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码后保存）")


def test_ods_is_refused_with_save_as(tmp_path):
    path = tmp_path / "表.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(PackageError) as e:
        open_package(path)
    assert e.value.reason == "ods" and "请另存为 .xlsx" in e.value.message


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("运单号,金额\nSF1,3\n", encoding="utf-8")
    with pytest.raises(PackageError) as e:
        open_package(path)
    assert e.value.reason == "damaged" and e.value.part == "zip"
    csv = tmp_path / "x.csv"
    csv.write_text("a,b\n")
    with pytest.raises(PackageError) as e:
        open_package(csv)
    assert e.value.reason == "not_xlsx" and e.value.message == "不是 Excel 工作簿（.xlsx/.xlsm）"


def test_truncated_zip_is_damaged(tmp_path):
    good = _good(tmp_path).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(PackageError) as e:
        open_package(path)
    assert e.value.reason == "damaged" and e.value.part == "zip"
    assert e.value.message.startswith("文件已损坏，无法读取部件 zip")


def test_corrupt_sheet_names_the_part(tmp_path):
    path = _good(tmp_path)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(path.read_bytes())
    for i in range(start + 5, start + 40):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    pkg = open_package(path)                   # the directory and workbook.xml are fine
    with pytest.raises(PackageError) as e:
        list(pkg.iter_chunks("数据", 1))
    assert e.value.reason == "damaged" and e.value.part == "xl/worksheets/sheet1.xml"
    assert e.value.message.startswith("文件已损坏，无法读取部件 xl/worksheets/sheet1.xml")


def test_broken_workbook_xml_names_the_part(tmp_path):
    path = _good(tmp_path)
    _replace_member(path, "xl/workbook.xml", b"<workbook><sheets>")
    with pytest.raises(PackageError) as e:
        open_package(path)
    assert e.value.reason == "damaged" and e.value.part == "xl/workbook.xml"


def test_stored_formulas_compare_like_their_decoded_texts(tmp_path):
    """The model compares formulas with its template on the stored (escaped) bytes; the
    answer must be the one the decoded texts give, however the writer escaped them."""
    path = tmp_path / "stored.xlsx"
    openpyxl.Workbook().save(path)
    rows = [
        '<row r="1"><c r="B1" t="str"><f t="shared" ref="B1:B6" si="0">A1&amp;"&gt;"</f><v>x</v></c></row>',
        '<row r="2"><c r="B2"><f>A2&amp;"&gt;"</f></c></row>',                       # Excel's escaping
        '<row r="3"><c r="B3"><f>A3&amp;&quot;&gt;&quot;</f></c></row>',             # LibreOffice's
        '<row r="4"><c r="B4"><f>A4&amp;"&#62;"</f></c></row>',                       # a character reference
        '<row r="5"><c r="B5"><f>A5*2</f></c></row>',                                 # not the template
        '<row r="6"><c r="B6"><f t="shared" si="0"/></c></row>',                      # shared child
        '<row r="7"><c r="B7"><v>3</v></c></row>',                                    # no formula
        '<row r="8"><c r="B8"><f></f><v>0</v></c></row>',                             # empty formula
    ]
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + "".join(rows) + '</sheetData></worksheet>')
    _replace_member(path, "xl/worksheets/sheet1.xml", sheet.encode())
    [chunk] = open_package(path).iter_chunks("Sheet", 2, formulas_of=[1])
    parts = ["A", '&">"']
    texts = chunk.formulas[1]
    assert texts == ['A2&">"', 'A3&">"', 'A4&">"', "A5*2", 'A6&">"', None, ""]
    stored = chunk.formula_cells[1]
    assert stored.equal_template(parts, chunk.rows).tolist() == [t == f"A{r}" + '&">"'
                                                                 for t, r in zip(texts, chunk.rows.tolist())]
    assert stored.has.tolist() == [t is not None for t in texts]
    assert stored.texts_at(np.array([1, 3, 5])).tolist() == [None, 'A3&">"', None, "A5*2", None, None, None]


def test_sheet_with_a_wrong_crc_is_damaged(tmp_path):
    path = _good(tmp_path)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    crc = info.CRC.to_bytes(4, "little")
    wrong = ((info.CRC + 1) & 0xFFFFFFFF).to_bytes(4, "little")
    at = data.index(crc)
    while at >= 0:                                 # local header and central directory
        data[at:at + 4] = wrong
        at = data.find(crc, at + 4)
    path.write_bytes(bytes(data))
    pkg = open_package(path)
    with pytest.raises(PackageError) as e:
        list(pkg.iter_chunks("数据", 1))
    assert e.value.reason == "damaged" and e.value.part == "xl/worksheets/sheet1.xml"
    assert "校验和不符" in e.value.message and e.value.original.startswith("Bad CRC-32")


def test_cells_at_the_very_end_of_the_sheet_data(tmp_path):
    """The indexer reads the block's bytes in place (no padding): cells that end the last
    row, right before </sheetData>, are still read."""
    path = tmp_path / "end.xlsx"
    openpyxl.Workbook().save(path)
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c><c r="B1" t="inlineStr"/></row>'
             '<row r="2"><c r="A2"><v>7</v></c><c r="B2" t="inlineStr"/></row></sheetData></worksheet>')
    _replace_member(path, "xl/worksheets/sheet1.xml", sheet.encode())
    [chunk] = open_package(path).iter_chunks("Sheet", 1, columns=[0, 1])
    assert chunk.values == {0: ["甲", 7.0], 1: ["", ""]}           # as before: an empty inline string


def test_number_texts_read_exactly_as_float_reads_them():
    from workbooks.xlsx.scan import numbers
    cases = ["0", "-0", "12", "3000.0", "0.25", "-12.5", ".5", "5.", "007", "0.1", "0.30000000000000004",
             "123456789012345", "1234567890123456", "999999999999999.9", "0.000000000000001", "1e5", "1.5E-3",
             "+3", "2.9999999999999996", "46267", "-0.000001", "12345.678901234"]
    data = "".join(f"<v>{c}</v>" for c in cases).encode()
    starts = np.cumsum([0] + [len(c) + 7 for c in cases[:-1]]) + 3
    got, bad = numbers(np.frombuffer(data, np.uint8), starts, starts + np.array([len(c) for c in cases]))
    assert not bad.any()
    want = np.array([float(c) for c in cases])
    assert got.view(np.int64).tolist() == want.view(np.int64).tolist()       # bit for bit (-0.0 too)


def test_template_texts_are_the_joined_row_formulas():
    from workbooks.xlsx.scan import template_texts
    parts = [b"IF(A", b'="","",F(D', b",\xe4\xb8\x8d", b")"]
    for rows in ([2, 3, 9, 10, 99, 100, 12345], [7], [], [3, 2, 10]):
        r = np.array(rows, dtype=np.int64)
        assert template_texts(parts, r) == b"\x00".join(str(x).encode().join(parts) for x in rows)
        assert template_texts([b"N()"], r) == b"\x00".join([b"N()"] * len(rows))
