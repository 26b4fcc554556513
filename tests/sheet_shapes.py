"""The same workbook written in other valid shapes of sheet XML, as other writers produce
them (.NET Open XML SDK tools and ERP exports: a namespace prefix; scripts: attributes in
another order, no ``r`` attributes, inline strings, formulas without cached values; Mac
Excel: the 1904 date system; Excel: Alt+Enter line breaks stored as CR LF).

Each function copies a package member by member, rewriting only what its shape changes."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Callable

NS_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DAYS_1900_TO_1904 = 1462


def rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """``dst``: ``src`` with every member passed through ``change(name, data)``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))
    return dst


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/sheet") and name.endswith(".xml")


_TAG = re.compile(rb"<(/?)([A-Za-z][\w.-]*)(?=[\s/>])")


def prefixed_xml(data: bytes, prefix: bytes = b"x") -> bytes:
    """Every unprefixed element of the main namespace written as ``x:tag`` and the namespace
    declared under that prefix (as the Open XML SDK writes it)."""
    data = data.replace(b'xmlns="' + NS_MAIN + b'"', b"xmlns:" + prefix + b'="' + NS_MAIN + b'"', 1)
    return _TAG.sub(lambda m: b"<" + m.group(1) + prefix + b":" + m.group(2), data)


def prefixed(src: Path, dst: Path) -> Path:
    """Worksheets, workbook, styles and shared strings with a namespace prefix."""
    parts = ("xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml")
    return rewrite(src, dst, lambda n, d: prefixed_xml(d) if _is_sheet(n) or n in parts else d)


_ATTRS = re.compile(rb'\s+([\w:]+)="([^"]*)"')
_OPEN = re.compile(rb"<(row|c)\b([^>]*?)(/?)>")


def _shuffle(m: re.Match[bytes]) -> bytes:
    attrs = [(k, v) for k, v in _ATTRS.findall(m.group(2)) if k != b"r"]
    attrs.reverse()                                     # t before s, spans before …
    body = b"".join(b" " + k + b"='" + v + b"'" for k, v in attrs)   # single quotes too
    return b"<" + m.group(1) + body + b" " + m.group(3) + b">" if m.group(3) else b"<" + m.group(1) + body + b">"


def unordered_xml(data: bytes) -> bytes:
    """Rows and cells without ``r`` attributes (every row and cell present in order is
    implied by position), the other attributes reversed, single-quoted."""
    head, sep, rest = data.partition(b"<sheetData>")
    body, sep2, tail = rest.partition(b"</sheetData>")
    return head + sep + _OPEN.sub(_shuffle, _fill_gaps(body)) + sep2 + tail


_ROW = re.compile(rb'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
_CELL = re.compile(rb'<c r="([A-Z]+)\d+"[^>]*?(?:/>|>.*?</c>)', re.S)


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _fill_gaps(body: bytes) -> bytes:
    """Rows and cells made contiguous (empty ones added) so that dropping ``r`` keeps every
    cell where it was."""
    out, last = [], 0
    for m in _ROW.finditer(body):
        num = int(m.group(1))
        out += [b'<row r="%d"/>' % k for k in range(last + 1, num)]
        last = num
        row = m.group()
        cells, at = [], 0
        for c in _CELL.finditer(row):
            k = _col(c.group(1))
            cells += [b'<c r="X1"/>'] * (k - at - 1)
            at = k
            cells.append(c.group())
        if cells:
            start = row.index(b">") + 1
            row = row[:start] + b"".join(cells) + b"</row>"
        out.append(row)
    return b"".join(out)


def unordered(src: Path, dst: Path) -> Path:
    return rewrite(src, dst, lambda n, d: unordered_xml(d) if _is_sheet(n) else d)


def date1904(src: Path, dst: Path, date_styles: set[int]) -> Path:
    """The 1904 date system: ``<workbookPr date1904="1"/>`` and every number cell with a date
    style (``date_styles``: cellXfs indexes) 1462 days smaller, as Mac Excel saves the same dates."""
    def cell(m: re.Match[bytes]) -> bytes:
        if int(m.group(2)) not in date_styles:
            return m.group()
        x = float(m.group(3)) - DAYS_1900_TO_1904
        return m.group(1) + (b"%d" % x if x.is_integer() else repr(x).encode()) + b"</v>"

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            data, k = re.subn(rb"<workbookPr\b", b'<workbookPr date1904="1"', data, count=1)
            assert k == 1
            return data
        if _is_sheet(name):
            return re.sub(rb'(<c r="[A-Z]+\d+" s="(\d+)"><v>)([0-9.]+)</v>', cell, data)
        return data
    return rewrite(src, dst, change)


def crlf(src: Path, dst: Path, old: str, new: str) -> Path:
    """A shared string replaced by one holding literal CR LF line breaks (``new`` uses \\n)."""
    want = b"<t>" + old.encode() + b"</t>"
    put = b'<t xml:space="preserve">' + new.replace("\n", "\r\n").encode() + b"</t>"

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            assert want in data, old
            return data.replace(want, put, 1)
        return data
    return rewrite(src, dst, change)


def replace_cell(src: Path, dst: Path, ref: str, xml: bytes) -> Path:
    """One cell of the first sheet replaced by ``xml`` (its start tag and content)."""
    pat = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            data, k = pat.subn(xml, data, count=1)
            assert k == 1, ref
        return data
    return rewrite(src, dst, change)
