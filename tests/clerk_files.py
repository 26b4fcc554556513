"""A claim register as clerks send it back, with everything people add to their workbooks:
a chart sheet, an embedded chart and an image, a pivot table with its cache, comments and
hyperlinks on the register sheet, merged cells, an extra sheet with formulas, a hidden
sheet, a defined name of their own — and, as an .xlsm, a VBA project. Written with
XlsxWriter on top of the template's layout (as Excel keeps it), the pivot parts added the
way Excel stores them."""
from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from workbooks import layout as L
from workbooks.build import validation_lists
from workbooks.samples import claim_rows
from workbooks.spec import CLAIMS, SETTINGS

EXTRA_SHEET = "统计"
CHART_SHEET = "图表"
HIDDEN_SHEET = "内部"


def png(width: int = 8, height: int = 6) -> bytes:
    """A small red PNG (no imaging library needed)."""
    raw = b"".join(b"\x00" + b"\xff\x20\x20" * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def vba_project() -> bytes:
    from addin.xlam.build import template_path
    with zipfile.ZipFile(template_path()) as z:
        return z.read("xl/vbaProject.bin")


def rich_register(path: Path, rows: list[dict[str, Any]] | None = None, xlsm: bool = False) -> Path:
    import xlsxwriter
    rows = claim_rows() if rows is None else rows
    tpl = CLAIMS
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_calc_mode("auto")
    if xlsm:
        wb.add_vba_project(_bytes_io(vba_project()), is_stream=True)
    styles = L.Styles(wb)
    names = validation_lists()
    refs = {n: f"={L.LISTS_SHEET}!${L.col_letter(i)}$2:${L.col_letter(i)}${len(v) + 1}"
            for i, (n, v) in enumerate(names.items())}
    ws = wb.add_worksheet(tpl.sheet)
    last_row = max(len(rows), 50) + 1
    L.setup_data_sheet(wb, ws, L.SheetSetup(tpl, last_row, SETTINGS[0][1], print_rows=len(rows) + 1),
                       styles, refs, names, extra_headers=["附件", "备注"])
    ncol = len(tpl.columns)
    for i in range(last_row - 1):
        r = i + 1
        row = rows[i] if i < len(rows) else {}
        for c, col in enumerate(tpl.columns):
            fmt = styles.cell(col.kind, computed=col.computed, wrap=col.wrap)
            if col.computed:
                ws.write_formula(r, c, tpl.formula(col, r + 1), fmt, "")
                continue
            v = row.get(col.header)
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v, fmt)
            elif isinstance(v, dt.date):
                ws.write_number(r, c, L.serial(v), fmt)
            else:
                ws.write_number(r, c, v, fmt)
    # what clerks add on the register sheet itself
    ws.write_comment(1, tpl.headers.index("运单号"), "客户来电确认，2026-09-10")
    ws.write_comment(3, tpl.headers.index("物品价值"), "发票金额待核")
    ws.write_url(1, ncol, "https://example.com/claims/SF1001000001.pdf", string="附件")
    ws.write_url(2, ncol, f"internal:'{EXTRA_SHEET}'!A1", string="见统计")
    ws.merge_range(1, ncol + 1, 2, ncol + 1, "同一客户两单", styles.text)
    # an extra sheet with formulas, a chart and an image
    ex = wb.add_worksheet(EXTRA_SHEET)
    sheet = f"'{tpl.sheet}'"
    a, g, j = tpl.letter("运单号"), tpl.letter("物品价值"), tpl.letter("运费")
    ex.write_string(0, 0, "物品价值合计")
    ex.write_formula(0, 1, f"=SUM({sheet}!{g}2:{g}{last_row})")
    ex.write_string(1, 0, "运费合计")
    ex.write_formula(1, 1, f"=SUM({sheet}!{j}2:{j}{last_row})")
    ex.write_string(2, 0, "登记件数")
    ex.write_formula(2, 1, f"=COUNTA({sheet}!{a}2:{a}{last_row})")
    ex.write_string(3, 0, "赔偿金额合计（引用汇总）")
    ex.write_formula(3, 1, "=汇总!B4")
    ex.merge_range(5, 0, 5, 3, "本表由网点自行维护", styles.note)
    ex.write_comment(0, 0, "网点统计")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "物品价值", "values": f"={sheet}!${g}$2:${g}${len(rows) + 1}"})
    ex.insert_chart(7, 0, chart)
    ex.insert_image(7, 8, "red.png", {"image_data": _bytes_io(png())})
    wb.define_name("网点合计", f"={EXTRA_SHEET}!$B$1")
    cs = wb.add_chartsheet(CHART_SHEET)
    chart2 = wb.add_chart({"type": "line"})
    chart2.add_series({"name": "运费", "values": f"={sheet}!${j}$2:${j}${len(rows) + 1}"})
    cs.set_chart(chart2)
    hid = wb.add_worksheet(HIDDEN_SHEET)
    hid.write_string(0, 0, "内部备注：不对外")
    hid.hide()
    L.write_summary(wb, styles, tpl, last_row, None)
    L.write_settings(wb, styles, SETTINGS)
    L.write_lists(wb, names)
    L.write_marker(wb, tpl.kind, tpl.version, {"名称": tpl.title})
    ws.activate()
    wb.close()
    d = tpl.letter("索赔类型")
    add_pivot(path, EXTRA_SHEET, tpl.sheet, f"{d}1:{d}{len(rows) + 1}",
              sorted({r["索赔类型"] for r in rows if r.get("索赔类型")}), len(rows))
    return path


def _bytes_io(data: bytes):
    import io
    return io.BytesIO(data)


def add_pivot(path: Path, on_sheet: str, source_sheet: str, ref: str, types: list[str], n: int) -> None:
    """A pivot table (count by 索赔类型) with its cache, stored as Excel stores it:
    xl/pivotCache/ (definition + records, related from workbook.xml), xl/pivotTables/
    (related from the sheet it stands on)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    wbx = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    sheet_rid = re.search(rf'<sheet name="{on_sheet}" sheetId="\d+" r:id="(rId\d+)"', wbx).group(1)
    sheet_part = "xl/" + re.search(rf'Id="{sheet_rid}" Type="[^"]+" Target="([^"]+)"', rels).group(1)
    cache = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1" '
             f'refreshOnLoad="0" createdVersion="6" refreshedVersion="6" minRefreshableVersion="3" recordCount="{n}">'
             f'<cacheSource type="worksheet"><worksheetSource ref="{ref}" sheet="{source_sheet}"/></cacheSource>'
             f'<cacheFields count="1"><cacheField name="索赔类型" numFmtId="0"><sharedItems count="{len(types)}">'
             + "".join(f'<s v="{t}"/>' for t in types) + '</sharedItems></cacheField></cacheFields>'
             '</pivotCacheDefinition>')
    records = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<pivotCacheRecords xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" count="{n}">'
               + "<r><x v=\"0\"/></r>" * n + '</pivotCacheRecords>')
    table = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<pivotTableDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'name="数据透视表1" cacheId="1" applyNumberFormats="0" applyBorderFormats="0" applyFontFormats="0" '
             'applyPatternFormats="0" applyAlignmentFormats="0" applyWidthHeightFormats="1" dataCaption="值" '
             'updatedVersion="6" minRefreshableVersion="3" createdVersion="6" indent="0" outline="1" outlineData="1">'
             f'<location ref="F1:G{len(types) + 2}" firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/>'
             f'<pivotFields count="1"><pivotField axis="axisRow" dataField="1" showAll="0"><items count="{len(types) + 1}">'
             + "".join(f'<item x="{i}"/>' for i in range(len(types))) + '<item t="default"/>'
             '</items></pivotField></pivotFields><rowFields count="1"><field x="0"/></rowFields>'
             f'<rowItems count="{len(types) + 1}">' + "".join(f'<i><x v="{i}"/></i>' for i in range(len(types)))
             + '<i t="grand"><x/></i></rowItems>'
             '<colItems count="1"><i/></colItems><dataFields count="1"><dataField name="计数项:索赔类型" fld="0" '
             'subtotal="count" baseField="0" baseItem="0"/></dataFields></pivotTableDefinition>')
    parts["xl/pivotCache/pivotCacheDefinition1.xml"] = cache.encode()
    parts["xl/pivotCache/pivotCacheRecords1.xml"] = records.encode()
    parts["xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/pivotCacheRecords" '
        'Target="pivotCacheRecords1.xml"/></Relationships>').encode()
    parts["xl/pivotTables/pivotTable1.xml"] = table.encode()
    parts["xl/pivotTables/_rels/pivotTable1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/pivotCacheDefinition" '
        'Target="../pivotCache/pivotCacheDefinition1.xml"/></Relationships>').encode()
    srels_name = sheet_part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    srels = parts.get(srels_name, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                                   'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                   '</Relationships>').encode()).decode()
    srels = srels.replace("</Relationships>", '<Relationship Id="rIdPivot1" Type="http://schemas.openxmlformats.org/'
                          'officeDocument/2006/relationships/pivotTable" Target="../pivotTables/pivotTable1.xml"/>'
                          "</Relationships>")
    parts[srels_name] = srels.encode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdPC1" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/pivotCacheDefinition" '
                        'Target="pivotCache/pivotCacheDefinition1.xml"/></Relationships>')
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    after = "</definedNames>" if "</definedNames>" in wbx else "</sheets>"
    wbx = wbx.replace("<calcPr", '<pivotCaches><pivotCache cacheId="1" r:id="rIdPC1"/></pivotCaches><calcPr', 1) \
        if "<calcPr" in wbx else wbx.replace(after, after + '<pivotCaches><pivotCache cacheId="1" r:id="rIdPC1"/>'
                                             '</pivotCaches>', 1)
    parts["xl/workbook.xml"] = wbx.encode()
    ct = parts["[Content_Types].xml"].decode()
    base = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    ct = ct.replace("</Types>",
                    f'<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" ContentType="{base}pivotCacheDefinition+xml"/>'
                    f'<Override PartName="/xl/pivotCache/pivotCacheRecords1.xml" ContentType="{base}pivotCacheRecords+xml"/>'
                    f'<Override PartName="/xl/pivotTables/pivotTable1.xml" ContentType="{base}pivotTable+xml"/></Types>')
    parts["[Content_Types].xml"] = ct.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def raw_members(path: Path) -> dict[str, bytes]:
    """Each member's stored (compressed) bytes, as they are in the file."""
    out = {}
    with zipfile.ZipFile(path) as z, open(path, "rb") as f:
        for info in z.infolist():
            f.seek(info.header_offset)
            head = f.read(30)
            n, e = struct.unpack("<HH", head[26:30])
            f.seek(info.header_offset + 30 + n + e)
            out[info.filename] = f.read(info.compress_size)
    return out


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}
