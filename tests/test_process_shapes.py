"""Sheet shapes other writers produce, through the patching writer: shared formulas (what
Excel stores for a filled-down column), a calculation chain, columns in the clerk's order."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from register_columns import cell
from register_files import formula, make_register

from workbooks import process as P
from workbooks.samples import claim_rows
from workbooks.spec import CLAIMS
from workbooks.xlsx import open_package

TODAY = "2026-11-23"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)


def _rewrite(path: Path, name: str, fn) -> None:
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i, d in items:
            z.writestr(i, fn(d) if i.filename == name else d)


def test_shared_formulas_stay_a_valid_group(tmp_path):
    """Excel stores a filled-down formula once (the master) and children pointing at it."""
    rows = claim_rows()[:3]
    src = make_register(tmp_path / "shared.xlsx", CLAIMS, rows, formula_rows=6)
    col = CLAIMS.letter("免收运费")

    def share(xml: bytes) -> bytes:
        def repl(m):
            r = int(m.group(1))
            if r == 2:
                return f'<c r="{col}2"><f t="shared" ref="{col}2:{col}7" si="0">{m.group(2)}</f><v></v></c>'.encode()
            return f'<c r="{col}{r}"><f t="shared" si="0"/><v></v></c>'.encode()
        return re.sub(rb'<c r="' + col.encode() + rb'(\d+)"><f>(.*?)</f><v></v></c>', repl, xml)
    _rewrite(src, "xl/worksheets/sheet1.xml", share)
    assert b'si="0"/>' in zipfile.ZipFile(src).read("xl/worksheets/sheet1.xml")
    res = P.process_file(src, tmp_path / "o", progress=False)
    assert res.refused is None and res.rows == 3
    xml = zipfile.ZipFile(res.output).read("xl/worksheets/sheet1.xml")
    assert re.search(rb'<c r="' + col.encode() + rb'2" s="\d+"><f t="shared" ref="[A-Z0-9:]+" si="0">', xml)
    assert re.search(rb'<c r="' + col.encode() + rb'3" s="\d+"><f t="shared" si="0"/><v>45</v></c>', xml)
    [chunk] = open_package(res.output).iter_chunks(CLAIMS.sheet, 2, formulas_of=[CLAIMS.headers.index("免收运费")])
    idx = CLAIMS.headers.index("免收运费")
    assert chunk.formulas[idx][:3] == [CLAIMS.formula(CLAIMS.column("免收运费"), r)[1:] for r in (2, 3, 4)]
    assert chunk.values[idx][:3] == [45.0, 45.0, 0.0]          # partial damage: no waiver (CMP-4)


def test_calc_chain_is_dropped_with_its_references(tmp_path):
    src = make_register(tmp_path / "chain.xlsx", CLAIMS, claim_rows()[:2])
    with zipfile.ZipFile(src, "a") as z:
        z.writestr("xl/calcChain.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain '
                   f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="{cell("赔偿金额", 2)}" i="1"/>'
                   '</calcChain>')
    _rewrite(src, "xl/_rels/workbook.xml.rels", lambda d: d.replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>'))
    _rewrite(src, "[Content_Types].xml", lambda d: d.replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>'))
    res = P.process_file(src, tmp_path / "o", progress=False)
    assert res.refused is None
    z = zipfile.ZipFile(res.output)
    assert "xl/calcChain.xml" not in z.namelist()
    assert b"calcChain" not in z.read("xl/_rels/workbook.xml.rels") and b"calcChain" not in z.read("[Content_Types].xml")


def test_moved_columns_get_formulas_pointing_at_their_cells(tmp_path):
    order = list(reversed(CLAIMS.headers[:30])) + ["备注"] + CLAIMS.headers[30:]
    rows = claim_rows()[:2]
    src = make_register(tmp_path / "moved.xlsx", CLAIMS, rows, order=order)
    res = P.process_file(src, tmp_path / "o", progress=False)
    assert res.refused is None and res.rows == 2 and res.errors == []
    where = {h: i for i, h in enumerate(order)}
    pkg = open_package(res.output)
    comp = [where[c.header] for c in CLAIMS.computed]
    [chunk] = pkg.iter_chunks(CLAIMS.sheet, 2, formulas_of=comp)
    for c in CLAIMS.computed:
        assert chunk.formulas[where[c.header]] == [formula(CLAIMS, c.header, r, where)[1:] for r in (2, 3)]
    assert chunk.values[where["赔偿金额"]] == [3000.0, 135.0]


def test_a_result_processed_again_replaces_its_error_sheet(tmp_path):
    """A result renamed and sent back (clerks do): its 「错误清单」 is rewritten in place, not
    added a second time."""
    import shutil
    rows = claim_rows()[:3]
    rows[1] = dict(rows[1], 物品价值="三千")
    src = make_register(tmp_path / "a.xlsx", CLAIMS, rows)
    first = P.process_file(src, tmp_path / "o1", progress=False)
    again = tmp_path / "again.xlsx"
    shutil.copy(first.output, again)
    second = P.process_file(again, tmp_path / "o2", progress=False)
    assert second.refused is None and second.error_rows == first.error_rows == [3]
    names = [s.name for s in open_package(second.output).sheets]
    assert names.count("错误清单") == 1 and len(names) == len(open_package(first.output).sheets)
    assert open_package(second.output).read_small_sheet("错误清单") == open_package(first.output).read_small_sheet("错误清单")
