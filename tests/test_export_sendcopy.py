"""Issue 12 item 2: the send copy (``logidesk export``) and the 汇总 that never looks clean.

Acceptance, with LibreOffice as the recipient without the add-in (own profile, recalculating
on load): the send copy shows no #NAME? and equals the engine cell for cell; a filled template
opened without the add-in shows 错误行数 > 0.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from excel_saved import excel_saved_copy
from lo_recalc import convert, make_profile, soffice
from python_calamine import CalamineWorkbook

from workbooks import export as E

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks" / "samples"
CLAIMS = SAMPLES / "理赔登记表_样例.xlsx"
NOW = dt.datetime(2026, 11, 20, 9, 30)
NAMES = E.our_function_names()


def _sheets(path: Path) -> dict[str, list[list]]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _trim(rows: list[list]) -> list[list]:
    """Rows as displayed: a formula showing "" and an empty cell look the same; trailing
    blank rows (the template's pre-filled formula rows) are dropped."""
    out = [list(r) for r in rows]
    while out and all(v == "" for v in out[-1]):
        out.pop()
    return out


def _without_note(rows: list[list]) -> list[list]:
    out = _trim(rows)
    if out and out[0] and str(out[0][-1]).startswith(E.NOTE_TITLE):
        out[0] = out[0][:-2]  # the note and the blank column before it
        width = len(out[0])
        out = [r[:width] for r in out]
    return out


@pytest.fixture(scope="module")
def engine_result(tmp_path_factory) -> Path:
    from workbooks.process import process_paths

    out = tmp_path_factory.mktemp("engine")
    process_paths([CLAIMS], out, progress=False)
    return next(out.glob("*.xlsx"))


@pytest.fixture(scope="module")
def send_copy(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("send") / "理赔_发送版.xlsx"
    before = CLAIMS.read_bytes()
    res = E.export(CLAIMS, out, now=NOW)
    assert CLAIMS.read_bytes() == before  # the input is never modified
    # the sample has 50 formula rows (the processor patches the clerk's rows, it does not add
    # the blank template's 500): 7 computed columns call our functions; 时限状态 is a native
    # TODAY() formula and stays live (50 of them, plus the 汇总 formulas)
    assert res.computed_by_engine and res.values == 50 * 7 and res.output == out
    assert res.kept_formulas >= 50
    return out


# ---------------------------------------------------------------- formulas → values

def test_needs_value() -> None:
    assert E.needs_value('IF(A2="","",COD_FEE(B2))', NAMES)
    assert E.needs_value("[1]!COD_FEE(B2)", NAMES)
    assert E.needs_value("SUM([2]Sheet1!A1:A3)", NAMES)      # a link to another workbook
    assert E.needs_value("cod_fee(B2)", NAMES)
    assert not E.needs_value('IF(A2="COD_FEE(B2)","",SUM(B2:B9))', NAMES)  # text, not a call
    assert not E.needs_value("TODAY()-B2", NAMES)


def test_convert_sheet_cases() -> None:
    xml = ('<sheetData><row r="1">'
           '<c r="A1" s="3"><f>COD_FEE(B1)</f><v>5</v></c>'
           '<c r="B1" s="4" t="str"><f>DEADLINE_STATUS("x",C1)</f><v>剩余3天</v></c>'
           '<c r="C1" t="str"><f>IF(D1="","",COD_FEE(D1))</f><v></v></c>'
           '<c r="D1"><f t="shared" ref="D1:D2" si="0">[1]!COD_FEE(E1)</f><v>6</v></c>'
           '<c r="E1"><f>SUM(A1:A2)</f><v>5</v></c>'
           '</row><row r="2"><c r="D2"><f t="shared" si="0"/><v>7</v></c></row></sheetData>')
    stats = E.SheetStats()
    out = E.convert_sheet(xml, NAMES, stats)
    assert '<c r="A1" s="3"><v>5</v></c>' in out
    assert '<c r="B1" s="4" t="inlineStr"><is><t xml:space="preserve">剩余3天</t></is></c>' in out
    assert '<c r="C1"/>' in out
    assert '<c r="D1"><v>6</v></c>' in out and '<c r="D2"><v>7</v></c>' in out
    assert "<f>SUM(A1:A2)</f>" in out  # native formulas stay live
    assert (stats.values, stats.kept, stats.bad) == (5, 1, [])
    bad = E.SheetStats()
    E.convert_sheet('<c r="A1" t="e"><f>COD_FEE(B1)</f><v>#NAME?</v></c><c r="A2"><f>COD_FEE(B2)</f></c>', NAMES, bad)
    assert bad.bad == ["A1（#NAME?）", "A2"]


def test_send_copy_equals_the_engine_and_keeps_everything_else(send_copy, engine_result) -> None:
    got, want = _sheets(send_copy), _sheets(engine_result)
    assert list(got) == list(want)
    for name in want:
        assert _without_note(got[name]) == _trim(want[name]), name
    p, q = _parts(send_copy), _parts(engine_result)
    sheet = p["xl/worksheets/sheet1.xml"].decode()
    for fm in re.findall(r"<f\b[^>]*>([^<]*)</f>", sheet):
        assert not E.needs_value(fm, NAMES), fm
    assert "[1]!" not in sheet and not [n for n in p if "externalLink" in n or "calcChain" in n]
    assert p["xl/styles.xml"] == q["xl/styles.xml"]
    ref = q["xl/worksheets/sheet1.xml"].decode()
    for tag in ("dataValidations", "sheetProtection", "cols", "pageSetup", "autoFilter", "pane"):
        want_tag = re.search(rf"<{tag}\b.*?(?:</{tag}>|/>)", ref, re.S)
        if want_tag:
            assert want_tag.group(0) in sheet, tag
    wb = p["xl/workbook.xml"].decode()
    assert 'fullCalcOnLoad="1"' in wb and "LOGIDESK_TEMPLATE" in wb and 'state="hidden"' in wb


def test_note_on_the_first_sheet(send_copy) -> None:
    first = _sheets(send_copy)["理赔登记表"]
    note = first[0][-1]
    import udfs
    assert note.startswith("发送版：") and "2026-11-20 09:30" in note and udfs.rules_version() in note
    assert first[0][-2] == "" and all(r[-1] == "" for r in first[1:])


def test_linked_workbook_gives_the_same_send_copy(tmp_path, engine_result, send_copy) -> None:
    saved = tmp_path / "理赔登记表_分部保存.xlsx"
    excel_saved_copy(engine_result, saved)
    out = E.export(saved, tmp_path / "b.xlsx", now=NOW).output
    assert _sheets(out) == _sheets(send_copy)
    assert not [n for n in _parts(out) if "externalLink" in n]


def _plain_workbook(path: Path, cached: str) -> None:
    """A finance sheet (not a register) with our functions typed in and Excel's cached values."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("对账")
    ws.write_number("A1", 1000)
    ws.write_formula("B1", "=COD_FEE(A1)", None, 6 if cached == "ok" else "#NAME?")
    ws.write_formula("C1", "=B1*2", None, 12)
    ws.data_validation("A1", {"validate": "decimal", "criteria": ">=", "value": 0})
    ws.protect()
    wb.close()


def test_other_workbooks_use_excels_cached_values(tmp_path) -> None:
    src = tmp_path / "对账.xlsx"
    _plain_workbook(src, "ok")
    res = E.export(src, now=NOW)
    assert res.output == tmp_path / "对账_发送版.xlsx" and not res.computed_by_engine
    sheet = _parts(res.output)["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="B1"><v>6</v></c>' in sheet and "<f>B1*2</f>" in sheet
    assert "<dataValidations" in sheet and "<sheetProtection" in sheet


def test_a_macro_workbook_becomes_a_plain_xlsx(tmp_path) -> None:
    import xlsxwriter

    from addin.xlam.build import build

    with zipfile.ZipFile(build(tmp_path / "addin")) as z:
        (tmp_path / "vbaProject.bin").write_bytes(z.read("xl/vbaProject.bin"))
    src = tmp_path / "宏.xlsm"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_vba_project(str(tmp_path / "vbaProject.bin"))
    ws = wb.add_worksheet("表")
    ws.write_number("A1", 1000)
    ws.write_formula("B1", "=COD_FEE(A1)", None, 6)
    wb.close()
    out = E.export(src, now=NOW).output
    assert out.name == "宏_发送版.xlsx"
    p = _parts(out)
    assert not [n for n in p if "vba" in n.lower()]
    assert b"macroEnabled" not in p["[Content_Types].xml"]
    assert b"vbaProject" not in p["xl/_rels/workbook.xml.rels"]
    assert _sheets(out)["表"][0][:2] == [1000.0, 6.0]


def test_failed_functions_are_refused_not_sent(tmp_path) -> None:
    src = tmp_path / "对账.xlsx"
    _plain_workbook(src, "#NAME?")
    with pytest.raises(E.ExportError, match=r"「对账」B1（#NAME\?）"):
        E.export(src, now=NOW)
    assert not (tmp_path / "对账_发送版.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".logidesk-export-")]


def test_send_copy_of_a_processed_result(tmp_path, engine_result, send_copy) -> None:
    """A clerk may export the result of `logidesk process` (named …_结果.xlsx)."""
    res = E.export(engine_result, tmp_path / "r.xlsx", now=NOW)
    assert res.computed_by_engine and _sheets(res.output) == _sheets(send_copy)


def test_cli_and_refusals(tmp_path, capsys) -> None:
    from cli.main import main

    assert main(["export", str(CLAIMS), "--out", str(tmp_path / "x.xlsx")]) == 0
    assert "已生成发送版" in capsys.readouterr().out and (tmp_path / "x.xlsx").exists()
    assert main(["export", str(tmp_path / "无.xlsx")]) == 1
    assert "找不到文件" in capsys.readouterr().err
    (tmp_path / "~$y.xlsx").write_bytes(b"")
    assert main(["export", str(CLAIMS), "--out", str(tmp_path / "y.xlsx")]) == 3   # open: the contract's 3
    assert "正在 Excel/WPS 中打开" in capsys.readouterr().err


# ---------------------------------------------------------------- 汇总 never looks clean

def test_summary_formula_counts_non_numbers_in_money_columns() -> None:
    from workbooks import layout
    from workbooks.spec import CLAIMS as TPL

    lines = dict(layout.summary_lines(TPL, 501))
    money = f"'{TPL.sheet}'!{TPL.letter('赔偿金额')}2:{TPL.letter('赔偿金额')}501"
    # rows with errors: a number column's non-empty text (xlwings failure texts too) or error value
    assert f"ISERROR({money})+ISTEXT({money})*ISNUMBER(1/LEN({money}))" in lines["错误行数"]
    text = f"'{TPL.sheet}'!{TPL.letter('赔偿说明')}2:{TPL.letter('赔偿说明')}501"
    assert f'ISERROR({text})+ISNUMBER(SEARCH("错误：",{text}))' in lines["错误行数"]
    assert lines["错误行数"].startswith("=SUMPRODUCT(--((") and "错误单元格数" not in lines
    assert lines["赔偿金额合计"].startswith(f"=IF((ROWS({money})-COUNT({money})-COUNTBLANK({money}))>0,")


# ---------------------------------------------------------------- LibreOffice, no add-in

@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory) -> Path:
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return make_profile(tmp_path_factory.mktemp("lo-profile"))


@pytest.mark.slow
def test_libreoffice_recalculates_the_send_copy_to_the_engine_values(send_copy, engine_result,
                                                                     lo_profile, tmp_path) -> None:
    recalced = convert(send_copy, tmp_path / "lo", lo_profile)
    xml = "".join(v.decode("utf-8", "replace") for n, v in _parts(recalced).items()
                  if n.startswith("xl/"))
    assert "#NAME?" not in xml and "Err:" not in xml
    got, want = _sheets(recalced), _sheets(engine_result)
    for name in want:
        assert _without_note(got[name]) == _trim(want[name]), name


@pytest.mark.slow
@pytest.mark.parametrize("sample", ["理赔登记表_样例.xlsx", "代收货款登记_样例.xlsx",
                                    "投诉登记表_样例.xlsx", "仓储保管登记_样例.xlsx"])
def test_a_template_without_the_addin_never_looks_clean(sample, lo_profile, tmp_path) -> None:
    recalced = convert(SAMPLES / sample, tmp_path / "lo", lo_profile)
    summary = {r[0]: r[1] for r in _sheets(recalced)["汇总"] if r and r[0]}
    rows = summary["登记行数"]
    # every filled row's computed cells are #NAME? in LibreOffice (but a row whose guard input
    # is blank, as the complaint sample's planted row without 投诉日期, shows none)
    assert 0 < summary["错误行数"] <= rows and (summary["错误行数"] == rows or sample.startswith("投诉"))
    for label, value in summary.items():
        if label.endswith("合计"):
            assert value == "有错误行，请先更正", label
