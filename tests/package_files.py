"""Workbook packages made in the tests: hostile ones (zip bombs, unsafe member names, limits
past Excel's) and the same register as other writers store it (the writer matrix).

Every transform reads a package and writes a new one; nothing larger than needed touches the
disk (a bomb's repeated piece is deflated once and written many times).
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Callable

from lxml import etree

from workbooks.xlsx.zipcopy import PackageWriter

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks" / "samples"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DAYS_1904 = 1462                        # 1904-01-01 is serial 1462 of the 1900 system
Edit = Callable[[bytes], bytes]


# ----------------------------------------------------------------------------- packages

def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def write_members(path: Path, parts: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def rewrite(src: Path, dst: Path, edits: dict[str, Edit | None], pattern: bool = False) -> Path:
    """A copy of ``src`` with members edited (``None`` removes the member); with
    ``pattern``, the keys are regular expressions over member names."""
    out = {}
    for name, data in members(src).items():
        edit = next((e for k, e in edits.items() if (re.fullmatch(k, name) if pattern else k == name)), data)
        if edit is None:
            continue
        out[name] = edit(data) if callable(edit) else edit
    return write_members(dst, out)


def raw_zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    """A zip with exactly these (name, data) entries, duplicates and unsafe names included
    (zipfile warns about a duplicate name but writes it)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in entries:
                info = zipfile.ZipInfo("placeholder", (2026, 1, 1, 0, 0, 0))
                info.filename = name             # as given: ZipInfo() would strip a leading "/"
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
    return path


def bomb(src: Path, dst: Path, member: str, head: bytes, unit: bytes, size: int, tail: bytes) -> Path:
    """A copy of ``src`` whose ``member`` inflates to ``head`` + ``unit`` repeated up to
    ``size`` bytes + ``tail``: one 16 MiB piece deflated once at level 9 (~1000×), written
    as often as needed, so a 3 GB part costs ~3 MB of disk and a second to make."""
    piece = unit * ((16 << 20) // len(unit))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = c.compress(piece) + c.flush(zlib.Z_FULL_FLUSH)
    deflated = (body, zlib.crc32(piece), len(piece))

    def write_member(w: PackageWriter) -> None:
        s = w.stream(member)
        s.write(head)
        for _ in range(size // len(piece)):
            s.write_deflated(deflated)
        s.write(tail)
        s.close()
    with zipfile.ZipFile(src) as z, open(src, "rb") as raw, open(dst, "wb") as out:
        w = PackageWriter(out)
        for info in z.infolist():
            if info.filename == member:
                write_member(w)
            else:
                w.copy_raw(z, info, raw)
        if member not in z.namelist():
            write_member(w)
        w.close()
    return dst


def sheet_head(xml: bytes) -> bytes:
    """A worksheet part up to and including ``<sheetData>``."""
    return xml[:xml.index(b"<sheetData>") + len(b"<sheetData>")]


def measured_run(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> dict:
    """Run ``argv`` in a fresh Python that waits for it: exit code, output, wall seconds and
    the peak resident memory of the command (``RUSAGE_CHILDREN`` of that Python: the
    largest of its children, i.e. of this command alone)."""
    code = ("import json, resource, subprocess, sys, time\n"
            "t = time.monotonic()\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "secs = time.monotonic() - t\n"
            "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
            "print(json.dumps({'code': p.returncode, 'out': p.stdout, 'err': p.stderr,"
            " 'seconds': secs, 'peak_bytes': rss}))\n")
    p = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                       env={**os.environ, **(env or {})}, cwd=cwd, check=True)
    return json.loads(p.stdout)


def logidesk() -> list[str]:
    return [sys.executable, "-m", "cli.main"]


# ----------------------------------------------------------------------------- XML rewrites

def _tree(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True))


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rels_type_first(data: bytes) -> bytes:
    """A ``.rels`` part with every Relationship written ``Type``, ``Target``, ``Id`` (as
    openpyxl and most scripts write them)."""
    root = _tree(data)
    out = [b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="' + NS_PKG_REL.encode() + b'">']
    for el in root:
        attrs = [("Type", el.get("Type")), ("Target", el.get("Target")), ("TargetMode", el.get("TargetMode")),
                 ("Id", el.get("Id"))]
        out.append(b"<Relationship " + b" ".join(f'{k}="{v}"'.encode() for k, v in attrs if v is not None) + b"/>")
    return b"".join(out) + b"</Relationships>"


def prefixed(data: bytes, prefix: str = "x") -> bytes:
    """A SpreadsheetML part with its main namespace bound to ``prefix`` (``<x:worksheet>``,
    ``<x:c>``), as the .NET Open XML SDK writes it."""
    root = _tree(data)

    def copy(el: etree._Element, nsmap: dict | None) -> etree._Element:
        new = etree.Element(el.tag, nsmap=nsmap) if nsmap else etree.Element(el.tag)
        for k, v in el.attrib.items():
            new.set(k, v)
        new.text, new.tail = el.text, el.tail
        for child in el:
            if isinstance(child.tag, str):
                new.append(copy(child, None))
        return new

    nsmap = {k: v for k, v in root.nsmap.items() if k is not None}
    nsmap[prefix] = NS_MAIN
    return _bytes(copy(root, nsmap))


def date_styles(parts: dict[str, bytes]) -> set[int]:
    """cellXfs indexes whose number format shows a date (the package reader's own test)."""
    from workbooks.xlsx.package import _BUILTIN_DATE_FORMATS, is_date_format
    root = _tree(parts["xl/styles.xml"])
    custom = {int(el.get("numFmtId")): el.get("formatCode") for el in root.iter(f"{{{NS_MAIN}}}numFmt")}
    xfs = root.find(f"{{{NS_MAIN}}}cellXfs")
    out = set()
    for i, el in enumerate(xfs):
        fid = int(el.get("numFmtId", "0"))
        if (is_date_format(custom[fid]) if fid in custom else fid in _BUILTIN_DATE_FORMATS):
            out.add(i)
    return out


def to_1904(src: Path, dst: Path) -> Path:
    """The same workbook in the 1904 date system: ``date1904="1"`` and every date cell's
    serial moved back 1,462 days (what Excel shows stays the same)."""
    parts = members(src)
    dates = date_styles(parts)
    wb = _tree(parts["xl/workbook.xml"])
    pr = wb.find(f"{{{NS_MAIN}}}workbookPr")
    if pr is None:
        pr = etree.Element(f"{{{NS_MAIN}}}workbookPr")
        wb.insert(0, pr)
    pr.set("date1904", "1")
    parts["xl/workbook.xml"] = _bytes(wb)
    for name in [n for n in parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]:
        root = _tree(parts[name])
        for c in root.iter(f"{{{NS_MAIN}}}c"):
            v = c.find(f"{{{NS_MAIN}}}v")
            if int(c.get("s", "0")) in dates and c.get("t", "n") == "n" and v is not None and v.text:
                x = float(v.text) - DAYS_1904
                v.text = repr(int(x)) if x == int(x) else repr(x)
        parts[name] = _bytes(root)
    return write_members(dst, parts)


def uncached(data: bytes) -> bytes:
    """A worksheet whose formulas carry no cached value (``<f>…</f>`` and no ``<v>``)."""
    root = _tree(data)
    for c in root.iter(f"{{{NS_MAIN}}}c"):
        if c.find(f"{{{NS_MAIN}}}f") is not None:
            for v in c.findall(f"{{{NS_MAIN}}}v"):
                c.remove(v)
            c.attrib.pop("t", None)
    return _bytes(root)


def _sst(parts: dict[str, bytes]) -> list[str]:
    if "xl/sharedStrings.xml" not in parts:
        return []
    root = _tree(parts["xl/sharedStrings.xml"])
    return ["".join(t.text or "" for t in si.iter(f"{{{NS_MAIN}}}t")) for si in root.iter(f"{{{NS_MAIN}}}si")]


def inline_strings(src: Path, dst: Path) -> Path:
    """Every shared-string cell written as an inline string; no shared-string part."""
    parts = members(src)
    table = _sst(parts)
    for name in [n for n in parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]:
        root = _tree(parts[name])
        for c in root.iter(f"{{{NS_MAIN}}}c"):
            if c.get("t") == "s":
                v = c.find(f"{{{NS_MAIN}}}v")
                c.remove(v)
                c.set("t", "inlineStr")
                t = etree.SubElement(etree.SubElement(c, f"{{{NS_MAIN}}}is"), f"{{{NS_MAIN}}}t")
                t.text = table[int(v.text)]
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        parts[name] = _bytes(root)
    parts.pop("xl/sharedStrings.xml", None)
    rels = _tree(parts["xl/_rels/workbook.xml.rels"])
    for el in list(rels):
        if el.get("Type", "").endswith("/sharedStrings"):
            rels.remove(el)
    parts["xl/_rels/workbook.xml.rels"] = _bytes(rels)
    ct = _tree(parts["[Content_Types].xml"])
    for el in list(ct):
        if el.get("PartName") == "/xl/sharedStrings.xml":
            ct.remove(el)
    parts["[Content_Types].xml"] = _bytes(ct)
    return write_members(dst, parts)


def line_breaks(data: bytes, cr: bool) -> bytes:
    """A shared-string part with a line break after each 市 of its texts (a two-line
    address): LF, or CR LF as Excel stores Alt+Enter (the CR as ``&#13;``, which an XML
    parser keeps)."""
    return data.replace("市".encode(), "市".encode() + (b"&#13;\n" if cr else b"\n"))


# ----------------------------------------------------------------------------- other writers

def via_openpyxl(src: Path, dst: Path) -> Path:
    """Loaded and saved by openpyxl (formulas kept, cached values dropped, its own rels order)."""
    from openpyxl import load_workbook
    wb = load_workbook(src)
    wb.save(dst)
    return dst


def via_xlsxwriter(src: Path, dst: Path) -> Path:
    """Written by XlsxWriter from what openpyxl reads: values, formulas with the cached
    value, date formats, sheet states and the defined names."""
    import xlsxwriter
    from openpyxl import load_workbook
    formulas, values = load_workbook(src), load_workbook(src, data_only=True)
    out = xlsxwriter.Workbook(str(dst), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    fmts: dict[str, object] = {}
    for ws in formulas.worksheets:
        target = out.add_worksheet(ws.title)
        cached = values[ws.title]
        if ws.sheet_state != "visible":
            target.hide() if ws.sheet_state == "hidden" else target.very_hidden()
        for row in ws.iter_rows():
            for cell in row:
                _write_cell(out, target, cell, cached.cell(cell.row, cell.column).value, fmts)
    for name, dn in formulas.defined_names.items():
        out.define_name(name, "=" + dn.attr_text)
    for ws in formulas.worksheets:
        for name, dn in ws.defined_names.items():
            out.define_name(f"'{ws.title}'!{name}", "=" + dn.attr_text)
    out.close()
    return dst


def _write_cell(book, ws, cell, cached, fmts: dict) -> None:
    v = cell.value
    if v is None:
        return
    fmt = None
    if cell.number_format and cell.number_format != "General":
        fmt = fmts.get(cell.number_format) or fmts.setdefault(cell.number_format,
                                                              book.add_format({"num_format": cell.number_format}))
    r, c = cell.row - 1, cell.column - 1
    if isinstance(v, str) and v.startswith("=") and cell.data_type == "f":
        ws.write_formula(r, c, v, fmt, "" if cached is None else cached)
    elif isinstance(v, (dt.datetime, dt.date)):
        ws.write_datetime(r, c, v, fmt)
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v, fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def via_libreoffice(src: Path, dst: Path, profile: Path) -> Path:
    """Opened and saved as .xlsx by LibreOffice (``soffice --convert-to xlsx``, own profile)."""
    import shutil
    work = dst.parent / (dst.stem + "_lo")
    work.mkdir(parents=True, exist_ok=True)
    copy = work / ("in" + src.suffix)
    shutil.copyfile(src, copy)
    outdir = work / "out"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(copy)],
                   check=True, capture_output=True, timeout=180)
    shutil.move(str(outdir / "in.xlsx"), dst)
    return dst


def variant(name: str, src: Path, dst: Path, profile: Path | None = None) -> Path:
    """``src`` as writer/variant ``name`` stores it (see :data:`VARIANTS`)."""
    sheets = r"xl/worksheets/sheet\d+\.xml"
    if name == "original":
        return write_members(dst, members(src))
    if name == "openpyxl":
        return via_openpyxl(src, dst)
    if name == "xlsxwriter":
        return via_xlsxwriter(src, dst)
    if name == "libreoffice":
        return via_libreoffice(src, dst, profile)
    if name == "date1904":
        return to_1904(src, dst)
    if name == "prefix":
        return rewrite(src, dst, {sheets: prefixed, r"xl/sharedStrings\.xml": prefixed,
                                  r"xl/workbook\.xml": prefixed, r"xl/styles\.xml": prefixed}, pattern=True)
    if name == "uncached":
        return rewrite(src, dst, {sheets: uncached}, pattern=True)
    if name == "rels_order":
        return rewrite(src, dst, {r".*\.rels": rels_type_first}, pattern=True)
    if name == "inline":
        return inline_strings(src, dst)
    if name in ("lf", "crlf"):
        return rewrite(src, dst, {"xl/sharedStrings.xml": lambda d: line_breaks(d, name == "crlf")})
    raise KeyError(name)


VARIANTS = ("original", "openpyxl", "xlsxwriter", "libreoffice", "date1904", "prefix", "uncached",
            "rels_order", "inline", "lf", "crlf")
BASE = {"crlf": "lf"}     # what a variant must read as: CR LF as the same text with LF
CELL_LEVEL = {  # read wrong today because of how cells are read (the cell-level work)
    "date1904": "cell level: dates of a 1904-system workbook",
    "prefix": "cell level: namespace-prefixed sheet XML",
    "crlf": "cell level: CR LF line breaks",
    "uncached": "the send copy refuses the empty rows' formulas without results (the writer keeps them)",
}


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in entries.items():
            z.writestr(k, v)
    return buf.getvalue()


def sst_count(path: Path) -> int:
    """Entries of a package's shared-string table (what a 'shared string out of range' message counts)."""
    with zipfile.ZipFile(path) as z:
        return len(etree.fromstring(z.read("xl/sharedStrings.xml")))
