"""Issue 9 item 2: the result is the clerk's own package with only the named parts changed.

The clerk file has a chart sheet, an embedded chart and an image, a pivot table, comments
and hyperlinks on the register sheet, merged cells, an extra sheet with formulas, a hidden
sheet, a defined name of its own, and (as .xlsm) a VBA project. Every zip member other than
the register sheet, 汇总, workbook.xml, its .rels, [Content_Types].xml and styles.xml must
be stored byte for byte as in the input (compressed bytes included), the register sheet's
non-computed cells too (bad input cells differ only in their style index), and LibreOffice
must open the result and recompute what it can to our values.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess

import pytest
from clerk_files import CHART_SHEET, EXTRA_SHEET, HIDDEN_SHEET, members, raw_members, rich_register

from workbooks import process as P
from workbooks.spec import CLAIMS
from workbooks.xlsx import open_package, scan as SC

TODAY = "2026-11-23"
MACRO_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGIDESK_TODAY", TODAY)
        work = tmp_path_factory.mktemp("clerk")
        src = [rich_register(work / "网点理赔.xlsx"), rich_register(work / "网点理赔.xlsm", xlsm=True)]
        before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in src}
        out = tmp_path_factory.mktemp("out")
        summary = P.process_paths([work], out, progress=False)
        yield src, out, before, summary


def _named(pkg) -> dict[str, str]:
    return {s.name: s.part for s in pkg.sheets}


def test_both_processed_to_their_own_names(done):
    src, out, before, summary = done
    assert summary.ok
    assert sorted(p.name for p in out.iterdir()) == ["网点理赔_结果.xlsm", "网点理赔_结果.xlsx"]
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in src} == before     # inputs untouched
    for f in summary.files:
        assert f.rows == 36 and f.error_rows == [31, 32, 33, 34, 35, 36, 37]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_every_other_part_is_stored_byte_for_byte(done, suffix):
    src, out, _, _ = done
    source = next(p for p in src if p.suffix == suffix)
    result = out / f"网点理赔_结果{suffix}"
    pin, pout = open_package(source), open_package(result)
    parts = _named(pin)
    changed = {parts[CLAIMS.sheet], parts["汇总"], "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
               "[Content_Types].xml", "xl/styles.xml"}
    raw_in, raw_out = raw_members(source), raw_members(result)
    added = set(raw_out) - set(raw_in)
    assert added == {_named(pout)["错误清单"]}
    assert set(raw_in) - set(raw_out) == set()                       # nothing dropped (no calcChain here)
    for name, data in raw_in.items():
        if name not in changed:
            assert raw_out[name] == data, name                       # raw copy, not re-deflated
    kept = {"xl/vbaProject.bin", "xl/pivotTables/pivotTable1.xml", "xl/pivotCache/pivotCacheDefinition1.xml",
            "xl/media/image1.png", "xl/chartsheets/sheet1.xml", "xl/charts/chart1.xml", "xl/comments1.xml",
            "xl/drawings/vmlDrawing1.vml", parts[EXTRA_SHEET], parts[HIDDEN_SHEET], "xl/sharedStrings.xml"}
    if suffix == ".xlsx":
        kept.discard("xl/vbaProject.bin")
    assert kept <= set(raw_in) - changed


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_workbook_keeps_sheets_states_names_and_macro_type(done, suffix):
    src, out, _, _ = done
    source = next(p for p in src if p.suffix == suffix)
    pin, pout = open_package(source), open_package(out / f"网点理赔_结果{suffix}")
    assert [(s.name, s.state, s.type) for s in pout.sheets] == \
        [(s.name, s.state, s.type) for s in pin.sheets] + [("错误清单", "visible", "worksheet")]
    assert (CHART_SHEET, "visible", "chartsheet") in [(s.name, s.state, s.type) for s in pout.sheets]
    assert (HIDDEN_SHEET, "hidden", "worksheet") in [(s.name, s.state, s.type) for s in pout.sheets]
    assert pout.defined_names == pin.defined_names
    assert pout.is_macro_enabled == (suffix == ".xlsm")
    if suffix == ".xlsm":
        assert pout.content_types["xl/workbook.xml"] == MACRO_CT
    wb_in, wb_out = members(source)["xl/workbook.xml"].decode(), members(pout.path)["xl/workbook.xml"].decode()
    # only the added sheet and calcPr (no recalculation on open) differ
    strip = lambda x: re.sub(r"<calcPr[^>]*/>", "", re.sub(r'<sheet [^>]*name="错误清单"[^>]*/>', "", x))  # noqa: E731
    assert strip(wb_out) == strip(wb_in)
    assert "fullCalcOnLoad" not in wb_out


def test_register_sheet_changes_only_computed_cells_and_bad_formats(done):
    src, out, _, summary = done
    source, result = src[0], out / "网点理赔_结果.xlsx"
    pin = open_package(source)
    part = _named(pin)[CLAIMS.sheet]
    a, b = members(source)[part], members(result)[part]
    ha, hb = a[:a.index(b"<sheetData>")], b[:b.index(b"<sheetData>")]
    ta, tb = a[a.index(b"</sheetData>"):], b[b.index(b"</sheetData>"):]
    assert ha == hb and ta == tb                     # cols, views, validation, merges, links, comments
    assert b"<mergeCell " in ta and b"<hyperlink " in ta and b"legacyDrawing" in ta
    ia = SC.index(a[len(ha) + 11:len(a) - len(ta)])
    ib = SC.index(b[len(hb) + 11:len(b) - len(tb)])
    computed = {CLAIMS.headers.index(c.header) for c in CLAIMS.computed}
    bad = {(e.row, e.letter) for f in summary.files[:1] for e in f.errors if e.input}
    cells_a = {(int(ia.row_num[ia.cell_row[i]]), int(ia.cell_col[i])): a[len(ha) + 11 + ia.cell_start[i]:
                                                                           len(ha) + 11 + ia.cell_end[i]]
               for i in range(len(ia.cell_start))}
    cells_b = {(int(ib.row_num[ib.cell_row[i]]), int(ib.cell_col[i])): b[len(hb) + 11 + ib.cell_start[i]:
                                                                           len(hb) + 11 + ib.cell_end[i]]
               for i in range(len(ib.cell_start))}
    assert set(cells_b) >= set(cells_a)
    restyled = 0
    for key, cell in cells_a.items():
        if key[1] in computed:
            continue
        if cells_b[key] != cell:
            restyled += 1
            assert re.sub(rb' s="\d+"', b"", cells_b[key]) == re.sub(rb' s="\d+"', b"", cell), key
    assert restyled == len([e for e in summary.files[0].errors if e.input and e.value not in (None, "")])
    assert bad


def test_styles_are_appended_not_renumbered(done):
    src, out, _, _ = done
    a = members(src[0])["xl/styles.xml"].decode()
    b = members(out / "网点理赔_结果.xlsx")["xl/styles.xml"].decode()
    xfs = lambda x: re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", x.split("<cellXfs")[1].split("</cellXfs>")[0])  # noqa: E731
    assert xfs(b)[:len(xfs(a))] == xfs(a) and len(xfs(b)) > len(xfs(a))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_and_recalculates_to_our_values(done, tmp_path):
    """LibreOffice opens both results; forced to recalculate on load (its profile says so),
    the cells it can compute (sums and counts over the inputs, the row count of 汇总) equal
    ours; our own functions it cannot compute."""
    src, out, _, summary = done
    profile = tmp_path / "lo"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        "<value>0</value></prop></item></oor:items>", encoding="utf-8")
    conv = tmp_path / "conv"
    for suffix in (".xlsx", ".xlsm"):
        r = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                            "xlsx:Calc MS Excel 2007 XML", "--outdir", str(conv / suffix[1:]),
                            str(out / f"网点理赔_结果{suffix}")], capture_output=True, text=True, timeout=240)
        assert r.returncode == 0, r.stderr
        got = open_package(conv / suffix[1:] / "网点理赔_结果.xlsx")
        ours = open_package(out / f"网点理赔_结果{suffix}")
        mine = ours.read_small_sheet(EXTRA_SHEET)
        theirs = got.read_small_sheet(EXTRA_SHEET)
        from workbooks.samples import claim_rows
        rows = claim_rows()
        values = sum(r["物品价值"] for r in rows if isinstance(r.get("物品价值"), (int, float)))
        freight = sum(r["运费"] for r in rows if isinstance(r.get("运费"), (int, float)))
        assert theirs[0][1] == values and theirs[1][1] == freight and theirs[2][1] == 36.0
        assert mine[0][1] == 0.0            # the input's own cached values are kept as they were
        s = got.read_small_sheet("汇总")
        assert s[1][0] == "登记行数" and s[1][1] == 36.0 == ours.read_small_sheet("汇总")[1][1]
