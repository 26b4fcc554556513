"""Registers written by other writers in other valid shapes read exactly as the ones we
write: a namespace prefix, attributes in any order and quoting, no ``r`` attributes, the
1904 date system, CR LF line breaks, formulas saved without their results, unreadable
number cells — at the reader level (identical chunks) and end to end through the CLI."""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
import sheet_shapes as S
from register_columns import cell, index

from desk.notices.cli import main as notices_main
from desk.reminders import main as deadlines_main
from desk.report import main as report_main
from workbooks import process as P
from workbooks.spec import CLAIMS
from workbooks.xlsx import open_package

SAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "samples" / "理赔登记表_样例.xlsx"
TODAY = "2026-11-23"
# the sample's 36 rows (test_process_samples): rows 31–37 carry planted errors
SUMMARY = ["  理赔登记表：36 行，错误行 7 行，错误 7 处",
           "  赔偿金额合计：有错误行，请先更正（无错误的行合计 21,256.00 元）",
           "  免收运费合计：有错误行，请先更正（无错误的行合计 1,261.00 元）",
           "  网点赔付合计：有错误行，请先更正（无错误的行合计 12,950.00 元）"]


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)


def date_styles() -> set[int]:
    return {i for i, d in enumerate(open_package(SAMPLE).date_styles) if d}


def _openpyxl(src: Path, dst: Path) -> Path:
    """As a script saves it: inline strings, numeric character references, no cached values."""
    import openpyxl
    openpyxl.load_workbook(src).save(dst)
    return dst


SHAPES = {
    "openpyxl": _openpyxl,
    "prefixed": S.prefixed,
    "unordered": S.unordered,
    "date1904": lambda src, dst: S.date1904(src, dst, date_styles()),
}


def shaped(tmp_path: Path, shape: str) -> Path:
    d = tmp_path / shape
    d.mkdir(exist_ok=True)
    dst = d / "理赔登记表.xlsx"
    if shape == "plain":
        return Path(shutil.copy(SAMPLE, dst))
    return SHAPES[shape](SAMPLE, dst)


def run(capsys, *args) -> tuple[int, str]:
    code = P.main([*map(str, args), "--quiet"])
    return code, capsys.readouterr().out


# ------------------------------------------------------------------ reader level

def chunk_of(path: Path):
    pkg = open_package(path)
    cols = list(range(len(CLAIMS.headers)))
    computed = [i for i, h in enumerate(CLAIMS.headers) if CLAIMS.column(h).computed]
    [chunk] = pkg.iter_chunks(CLAIMS.sheet, 2, columns=cols, formulas_of=computed)
    return chunk


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_reads_as_the_same_chunks_and_small_sheets(tmp_path, shape):
    plain, other = chunk_of(SAMPLE), chunk_of(shaped(tmp_path, shape))
    assert other.rows.tolist() == plain.rows.tolist() == list(range(2, 52))
    assert other.values == plain.values
    assert dict(other.formulas) == dict(plain.formulas)
    a, b = open_package(SAMPLE), open_package(shaped(tmp_path, shape))
    # openpyxl drops the cached values of 汇总's formulas: those cells are NotCalculated there
    for sheet in ("理赔登记表", "设置", "_lists") + (("汇总",) if shape != "openpyxl" else ()):
        assert b.read_small_sheet(sheet) == a.read_small_sheet(sheet), sheet
    row2 = b.read_small_sheet("理赔登记表")[1]
    assert row2[index("运单号")] == "SF1001000001" and row2[index("物品价值")] == 3000.0 and row2[index("保价金额")] == 5000.0
    assert str(row2[index("寄件日期")]) == "2026-09-02 00:00:00" and str(row2[index("索赔日期")]) == "2026-09-10 00:00:00"


def test_prefixed_sheet_is_written_back_unprefixed_with_the_namespace_declared(tmp_path, capsys):
    src = shaped(tmp_path, "prefixed")
    assert b"<x:c " in zipfile.ZipFile(src).read("xl/worksheets/sheet1.xml")
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1 and out.splitlines()[1:5] == SUMMARY
    sheet = zipfile.ZipFile(tmp_path / "o" / "理赔登记表_结果.xlsx").read("xl/worksheets/sheet1.xml")
    assert sheet.count(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"') == 1
    assert b"<x:c" not in sheet and b"</x:row>" not in sheet
    from lxml import etree
    root = etree.fromstring(sheet)
    assert etree.QName(root).localname == "worksheet"
    assert root.find("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheetData") is not None


def test_a_prefix_bound_to_another_namespace_is_a_damaged_file(tmp_path, capsys):
    src = S.rewrite(SAMPLE, tmp_path / "bad.xlsx", lambda n, d: S.prefixed_xml(d).replace(
        b'xmlns:x="' + S.NS_MAIN + b'"', b'xmlns:x="urn:other"') if n == "xl/worksheets/sheet1.xml" else d)
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1                           # a file to fix, not processed (docs/cli.md)
    assert f"✗ {src}：文件已损坏，无法读取部件 xl/worksheets/sheet1.xml：工作表的命名空间前缀 x 未声明为" \
           "表格命名空间；请在 Excel 中打开并修复后另存为 .xlsx 再处理" in out.splitlines()


@pytest.mark.parametrize("shape", ["plain", *sorted(SHAPES)])
def test_process_gives_the_same_amounts_and_dates_in_every_shape(tmp_path, capsys, shape):
    src = shaped(tmp_path, shape)
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1
    assert out.splitlines()[1:5] == SUMMARY
    res = open_package(tmp_path / "o" / "理赔登记表_结果.xlsx")
    assert res.date1904 == (shape == "date1904")
    row2 = res.read_small_sheet(CLAIMS.sheet)[1]
    # 遗失, value 3,000.00 insured for 5,000.00: the lesser (CMP-1), freight 45.00 waived (CMP-4)
    # 网点类型 blank: 网点赔付 shows ""
    assert [row2[index(h)] for h in ("赔偿金额", "免收运费", "网点赔付")] == [3000.0, 45.0, ""]
    # 索赔日期 2026-09-10: the same deadlines as the sample's 1900-system file
    assert [str(row2[index("受理答复期限")]), str(row2[index("处理期限")]), row2[index("时限状态")]] == \
        ["2026-09-11 00:00:00", "2026-10-10 00:00:00", "按时完成"]
    sheet = zipfile.ZipFile(tmp_path / "o" / "理赔登记表_结果.xlsx").read("xl/worksheets/sheet1.xml")
    due2 = re.search(f'<c r="{cell("处理期限", 2)}"[^>]*><f>[^<]*</f><v>([^<]*)</v>'.encode(), sheet).group(1)
    assert due2 == (b"44843" if shape == "date1904" else b"46305")      # 2026-10-10 in each system
    # every sheet of the result (汇总 totals, 错误清单 too) as the plain file's result
    (tmp_path / "p").mkdir()
    plain = open_package(P.process_file(shaped(tmp_path / "p", "plain"), tmp_path / "po", progress=False).output)
    assert [s.name for s in res.sheets] == [s.name for s in plain.sheets]
    for s in plain.sheets:
        assert res.read_small_sheet(s.name) == plain.read_small_sheet(s.name), s.name


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_deadlines_notices_and_report_are_the_same_in_every_shape(tmp_path, capsys, shape):
    outs = {}
    for which in ("plain", shape):
        src = shaped(tmp_path, which)
        assert deadlines_main([str(src.parent), "--no-ledger", "--today", "2026-09-20", "--show-all"]) == 1
        text = capsys.readouterr().out
        assert "已逾期  2026-09-03  SF1001000012  已逾期17天" in text
        assert notices_main([str(src), "--kind", "索赔函", "--rows", "2", "--out", str(tmp_path / which / "n"),
                             "--ledger", str(tmp_path / which / "l.sqlite3"), "--no-pdf", "--date", TODAY]) == 0
        capsys.readouterr()
        [docx] = (tmp_path / which / "n").rglob("*.docx")
        report = tmp_path / which / "report.xlsx"
        assert report_main([str(src), "--period", "2026-09-上半月", "--out", str(report), "--today", TODAY, "-q"]) == 1
        assert "货损货差案件 4 件，建议赔偿 9,435.00 元，已付 3,045.00 元，逾期 3 件" in capsys.readouterr().out
        pkg = open_package(report)
        sheets = {s.name: pkg.read_small_sheet(s.name) for s in pkg.sheets}
        outs[which] = (text, zipfile.ZipFile(docx).read("word/document.xml"), sheets)
    assert outs[shape][0] == outs["plain"][0]
    assert outs[shape][1] == outs["plain"][1]
    assert "福州市鼓楼区五四路 88 号".encode() in outs["plain"][1]
    assert outs[shape][2] == outs["plain"][2]
    assert outs[shape][2]["汇总"][4] == ["福州仓山营业部", 4.0, 9435.0, 3045.0, 6390.0, 3.0]


# ------------------------------------------------------------------ line breaks

@pytest.mark.parametrize("stored", [b"\r\n", b"_x000D_\n", b"&#13;&#10;", b"\r"])
def test_line_breaks_read_as_lf_however_stored(tmp_path, capsys, stored):
    lf = S.crlf(SAMPLE, tmp_path / "lf.xlsx", "福州市鼓楼区五四路 88 号", "福州市鼓楼区\n五四路 88 号")
    lf_xml = zipfile.ZipFile(lf).read("xl/sharedStrings.xml").replace(b"\r\n", b"\n")
    other = S.rewrite(lf, tmp_path / "crlf.xlsx", lambda n, d: d.replace(
        "福州市鼓楼区\r\n".encode(), "福州市鼓楼区".encode() + stored) if n == "xl/sharedStrings.xml" else d)
    assert lf_xml != zipfile.ZipFile(other).read("xl/sharedStrings.xml")
    assert open_package(other).read_small_sheet(CLAIMS.sheet)[1][index("寄件地址")] == "福州市鼓楼区\n五四路 88 号"
    docs = []
    for src in (lf, other):
        assert notices_main([str(src), "--kind", "索赔函", "--rows", "2", "--out", str(tmp_path / src.stem),
                             "--ledger", str(tmp_path / f"{src.stem}.sqlite3"), "--no-pdf", "--date", TODAY]) == 0
        [docx] = (tmp_path / src.stem).rglob("*.docx")
        docs.append(zipfile.ZipFile(docx).read("word/document.xml"))
    capsys.readouterr()
    assert docs[0] == docs[1]
    assert b"&#13;" not in docs[1] and b"\r" not in docs[1] and "五四路 88 号".encode() in docs[1]


def test_inline_rich_text_and_typed_cells_read_as_text_dates_and_errors(tmp_path):
    waybill, shipped, claimed, kind, value = (cell(h, 3) for h in ("运单号", "寄件日期", "索赔日期", "索赔类型", "物品价值"))
    cells = {
        waybill: f'<c r="{waybill}" t="inlineStr"><is><r><rPr><b/></rPr><t>SF</t></r><r><t xml:space="preserve">'
                 f'10_x000D_\r\n01</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></is></c>'.encode(),
        shipped: f'<c r="{shipped}" t="d"><v>2026-09-04</v></c>'.encode(),
        claimed: f'<c r="{claimed}" t="d"><v>2026-09-12T08:30:00</v></c>'.encode(),
        kind: f'<c r="{kind}" t="str"><f>"遗"&amp;"失"</f><v>遗失</v></c>'.encode(),
        value: f'<c r="{value}" t="e"><v>#DIV/0!</v></c>'.encode(),
    }
    src = SAMPLE
    for i, (ref, xml) in enumerate(cells.items()):
        src = S.replace_cell(src, tmp_path / f"c{i}.xlsx", ref, xml)
    row3 = open_package(src).read_small_sheet(CLAIMS.sheet)[2]
    assert row3[index("运单号")] == "SF10\n01"
    assert [str(row3[index("寄件日期")]), str(row3[index("索赔日期")])] == ["2026-09-04 00:00:00", "2026-09-12 08:30:00"]
    assert row3[index("索赔类型")] == "遗失"
    from workbooks.xlsx.cells import XlError
    assert row3[index("物品价值")] == XlError("#DIV/0!") and isinstance(row3[index("物品价值")], XlError)


# ------------------------------------------------------------------ cells without a value

def _errors(path: Path) -> list[list]:
    return open_package(path).read_small_sheet("错误清单")[1:]


def test_an_input_formula_without_its_result_is_an_error_never_a_blank(tmp_path, capsys):
    insured = cell("保价金额", 2)
    src = S.replace_cell(SAMPLE, tmp_path / "f.xlsx", insured, f'<c r="{insured}" s="3"><f>2500*2</f><v></v></c>'.encode())
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1
    lines = out.splitlines()
    # row 2 (3,000.00 compensation, 45.00 freight waived) leaves the error-free totals
    assert lines[1:5] == ["  理赔登记表：36 行，错误行 8 行，错误 8 处",
                          "  赔偿金额合计：有错误行，请先更正（无错误的行合计 18,256.00 元）",
                          "  免收运费合计：有错误行，请先更正（无错误的行合计 1,216.00 元）",
                          "  网点赔付合计：有错误行，请先更正（无错误的行合计 12,950.00 元）"]
    message = "保价金额：公式没有计算结果，请在 Excel 中重新计算后保存（单元格公式 =2500*2）（INS-1）"
    assert _errors(tmp_path / "o" / "f_结果.xlsx")[0] == [2.0, "保价金额", insured, "=2500*2", message, "INS-1"]
    row2 = open_package(tmp_path / "o" / "f_结果.xlsx").read_small_sheet(CLAIMS.sheet)[1]
    assert row2[index("赔偿说明")] == "错误：" + message
    assert row2[index("受理判定")] == row2[index("赔偿金额")] == "错误：见「赔偿说明」"
    assert 22.5 not in row2 and 3000.0 not in [row2[index(h)] for h in ("赔偿金额", "免收运费", "网点赔付")]


def test_a_formula_without_v_and_a_shared_child_without_result_are_flagged(tmp_path, capsys):
    insured, insured3, freight = cell("保价金额", 2), cell("保价金额", 3), cell("运费", 3)
    src = S.replace_cell(SAMPLE, tmp_path / "a.xlsx", insured,
                         f'<c r="{insured}" s="3"><f t="shared" ref="{insured}:{insured3}" si="7">2500*2</f></c>'.encode())
    src = S.replace_cell(src, tmp_path / "b.xlsx", freight, f'<c r="{freight}" s="3"><f>15*3</f><v/></c>'.encode())
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1 and "  有错误的行：2、3、31、32、33、34、35、36、37（详见「错误清单」）" in out
    errs = _errors(tmp_path / "o" / "b_结果.xlsx")
    assert errs[0][:4] == [2.0, "保价金额", insured, "=2500*2"]
    assert errs[1] == [3.0, "运费", freight, "=15*3",
                       "运费：公式没有计算结果，请在 Excel 中重新计算后保存（单元格公式 =15*3）（CMP-1）", "CMP-1"]


def test_a_number_cell_holding_text_is_that_cells_error(tmp_path, capsys):
    insured = cell("保价金额", 2)
    src = S.replace_cell(SAMPLE, tmp_path / "abc.xlsx", insured, f'<c r="{insured}" s="3"><v>abc</v></c>'.encode())
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1 and "Traceback" not in out
    assert "  有错误的行：2、31、32、33、34、35、36、37（详见「错误清单」）" in out
    assert _errors(tmp_path / "o" / "abc_结果.xlsx")[0] == [
        2.0, "保价金额", insured, "abc",
        "保价金额的单元格内容已损坏：数字单元格中存放的是「abc」，请在 Excel 中重新输入该单元格（INS-1）", "INS-1"]


def test_a_shared_string_index_out_of_range_is_a_damaged_file_and_the_folder_goes_on(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    waybill = cell("运单号", 2)
    S.replace_cell(SAMPLE, folder / "a_bad.xlsx", waybill, f'<c r="{waybill}" s="1" t="s"><v>99999</v></c>'.encode())
    shutil.copy(SAMPLE, folder / "b_good.xlsx")
    code, out = run(capsys, folder, "--out", tmp_path / "o")
    assert code == 1
    n = len(open_package(SAMPLE).shared_strings)
    lines = out.splitlines()
    assert f"✗ {folder / 'a_bad.xlsx'}：文件已损坏：共享字符串编号 99999 超出范围（共 {n} 条）" \
           "（部件 xl/worksheets/sheet1.xml）；本文件未处理，请在 Excel 中打开并修复后另存为 .xlsx 再处理" in lines
    assert f"✓ {folder / 'b_good.xlsx'} → {tmp_path / 'o' / 'b_good_结果.xlsx'}" in lines
    assert lines[-1] == "合计：处理 1 个文件，36 行，错误行 7 行，1 个文件未处理"


@pytest.mark.parametrize("shape", [
    *sorted(SHAPES)])
def test_the_send_copy_is_the_same_in_every_shape(tmp_path, shape):
    import datetime as dt

    from workbooks.export import export
    at = dt.datetime(2026, 11, 23, 9, 30)
    copies = {}
    for which in ("plain", shape):
        out = tmp_path / which / "发送版.xlsx"
        res = export(shaped(tmp_path, which), out, now=at)
        assert (res.values, res.kept_formulas) == (350, 55)
        pkg = open_package(out)
        assert pkg.date1904 == (which == "date1904")
        copies[which] = {s.name: pkg.read_small_sheet(s.name) for s in pkg.sheets}
    assert copies[shape] == copies["plain"]
    row2 = copies[shape][CLAIMS.sheet][1]
    assert [row2[index("赔偿金额")], row2[index("免收运费")]] == [3000.0, 45.0]
    assert str(row2[index("处理期限")]) == "2026-10-10 00:00:00"
