"""Registers shaped like the ones clerks send back (for the benchmarks and the tests).

A clerk fills our template in Excel and saves it: every computed row keeps its formula and
Excel stores the cached value next to it; input text goes to the shared-string table;
dates are serials with a date format. ``excel_shaped(n, path)`` writes such a claim
register of ``n`` rows (the sample's 36 rows repeated with new waybill numbers, so about
19 % of the rows carry a planted error), streamed with XlsxWriter (constant memory).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd


def _cached(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What Excel with the add-in shows in each computed cell of the base rows."""
    from workbooks import process as P
    from workbooks.spec import CLAIMS
    frame = pd.DataFrame([{h: r.get(h) for h in CLAIMS.headers if not CLAIMS.column(h).computed}
                          for r in rows])
    computed, _ = P.process_frame("claims", frame)
    return computed.to_dict("records")


def _small(n: int, path: Path) -> Path:
    """The template filled with the base rows (XlsxWriter, shared strings, cached values)."""
    from workbooks import layout as L
    from workbooks.build import marker_details, validation_lists
    from workbooks.samples import claim_rows
    from workbooks.spec import CLAIMS as T
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    base = claim_rows()
    cached = _cached(base)
    wb = L.new_workbook(str(tmp), streaming=False, template_mode=False)
    styles = L.Styles(wb)
    names = validation_lists()
    refs = {name: f"={L.LISTS_SHEET}!${L.col_letter(i)}$2:${L.col_letter(i)}${len(v) + 1}"
            for i, (name, v) in enumerate(names.items())}
    ws = wb.add_worksheet(T.sheet)
    last_row = max(n + 1, T.rows + 1)
    L.setup_data_sheet(wb, ws, L.SheetSetup(T, last_row, print_rows=31), styles, refs, names)
    fmts = [styles.cell(c.kind, computed=c.computed, wrap=c.wrap) for c in T.columns]
    formulas = {c: T.formula(col, "\x00").split("\x00") for c, col in enumerate(T.columns) if col.computed}
    for i in range(last_row - 1):
        r = i + 1
        row_no = str(r + 1)
        if i < n:
            row, out = base[i % len(base)], cached[i % len(base)]
        else:
            row, out = {}, {}
        for c, col in enumerate(T.columns):
            if col.computed:
                v = out.get(col.header, "")
                f = row_no.join(formulas[c])
                if isinstance(v, (dt.date, dt.datetime)):
                    v = L.serial(v)
                ws.write_formula(r, c, f, fmts[c], "" if v is None else v)
                continue
            v = row.get(col.header)
            if col.header == "运单号" and i < n:
                v = f"BM{i:010d}"
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v, fmts[c])
            elif isinstance(v, dt.date):
                ws.write_number(r, c, L.serial(v), fmts[c])
            else:
                ws.write_number(r, c, v, fmts[c])
    L.write_summary(wb, styles, T, last_row, None)
    L.write_settings(wb, styles, list(T.settings))
    L.write_lists(wb, names)
    L.write_marker(wb, T.kind, T.version, marker_details(T.title))
    wb.close()
    os.replace(tmp, path)
    return path


def excel_shaped(n: int, path: Path) -> Path:
    """A claim register of ``n`` rows as Excel saves it: the template's 36 sample rows repeated
    (waybill numbers made unique, in the shared-string table), formulas with cached values in
    every computed row, blank formula rows up to the template's 500."""
    from workbooks.spec import CLAIMS as T
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    base_path = path.with_name(".base_claims.xlsx")
    if not base_path.exists():
        _small(36, base_path)
    with zipfile.ZipFile(base_path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
        sst = z.read("xl/sharedStrings.xml")
        others = [(i, z.read(i.filename)) for i in z.infolist()
                  if i.filename not in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")]
    rows = re.findall(rb"<row r=\"(\d+)\".*?</row>", sheet, re.S)
    bodies = re.findall(rb"<row r=\"\d+\".*?</row>", sheet, re.S)
    by_num = dict(zip((int(r) for r in rows), bodies))
    head = sheet[:sheet.index(b"<sheetData>") + 11] + by_num[1]
    tail = sheet[sheet.index(b"</sheetData>"):]
    last = max(n + 1, T.rows + 1)
    head = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{T.letter(T.headers[-1])}{last}"/>'.encode(), head)
    unique = int(re.search(rb'uniqueCount="(\d+)"', sst).group(1))
    count = int(re.search(rb' count="(\d+)"', sst).group(1))

    templates = [_REF_for(by_num[k], k) for k in range(2, 38)]
    blank = _REF_for(by_num[T.rows + 1], T.rows + 1)
    tmp = path.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for info, data in others:
            out.writestr(info, data)
        with out.open(_entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as f:
            f.write(head)
            buf = []
            for i in range(last - 1):
                r = i + 2
                if i < n:
                    parts, w_at = templates[i % 36]
                    row = str(r).encode().join(parts)
                    row = row.replace(b"\x00W\x00", str(unique + i).encode())
                else:
                    row = str(r).encode().join(blank[0])
                buf.append(row)
                if len(buf) >= 5000:
                    f.write(b"".join(buf))
                    buf = []
            f.write(b"".join(buf))
            f.write(tail)
        body = sst[:sst.rindex(b"</sst>")]
        body = re.sub(rb'uniqueCount="\d+"', f'uniqueCount="{unique + n}"'.encode(), body, count=1)
        body = re.sub(rb' count="\d+"', f' count="{count + n}"'.encode(), body, count=1)
        with out.open(_entry("xl/sharedStrings.xml"), "w", force_zip64=True) as f:
            f.write(body)
            for i in range(0, n, 10000):
                f.write("".join(f"<si><t>BM{k:010d}</t></si>" for k in range(i, min(n, i + 10000))).encode())
            f.write(b"</sst>")
    os.replace(tmp, path)
    return path


def script_written(n: int, path: Path) -> Path:
    """The same claim register of ``n`` rows as a script writes it: the Excel-shaped one
    loaded and saved by openpyxl (inline strings, every non-ASCII character of texts and
    formulas as a numeric character reference such as ``&#19981;``, formulas without
    cached values)."""
    import openpyxl
    if path.exists():
        return path
    src = excel_shaped(n, path.with_name(f"claims_excel_{n}.xlsx"))
    tmp = path.with_suffix(".part")
    openpyxl.load_workbook(src).save(tmp)
    os.replace(tmp, path)
    return path


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _REF_for(body: bytes, num: int) -> tuple[list[bytes], bool]:
    """A base row split where its row number goes; the waybill's string index as \\0W\\0."""
    body, k = re.subn(rb'(<c r="A%d" s="\d+" t="s"><v>)\d+(</v></c>)' % num, lambda m: m.group(1) + b"\x00W\x00" + m.group(2), body)
    pat = re.compile(rb'(?<=[A-Z])%d(?![0-9])|(?<=<row r=")%d(?=")' % (num, num))
    return pat.split(body), bool(k)


if __name__ == "__main__":
    import sys
    os.environ.setdefault("LOGIDESK_TODAY", "2026-11-23")
    print(excel_shaped(int(sys.argv[1]), Path(sys.argv[2])))
