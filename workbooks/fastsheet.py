"""Fast rows for the result's data sheet.

XlsxWriter lays out the workbook (styles, validation, conditional formats, protection,
print setup, the other sheets) with the data sheet holding only its header row. The data
rows are then spliced into that sheet's XML while the package is copied. The XML is what
Excel itself writes for a filled-down register:

- input text through the shared-string table (``t="s"``), so the rows are mostly ASCII;
- each computed cell as its formula with the cached value in ``<v>``: viewers show the
  values, Excel with the add-in keeps live formulas;
- rows built a chunk at a time, each column's cells as one list comprehension and each
  row as one ``"".join`` (no per-cell call into a writer library, no quadratic
  concatenation); a chunk is compressed and dropped, so memory stays flat.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd

CHUNK = 20000
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
EMPTY, STR, NUM, DATE, OTHER = 0, 1, 2, 3, 4
_ORDINAL_DAY0 = dt.date(1899, 12, 30).toordinal()


def escape(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _num(values: Sequence[float]) -> list[str]:
    """Floats → shortest round-trip text, integral values without '.0'."""
    return [str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x) for x in values]


class SharedStrings:
    """The shared-string table: XlsxWriter's own entries first, ours appended."""

    def __init__(self, start: int = 0) -> None:
        self.index: dict[str, int] = {}
        self.strings: list[str] = []
        self.start = start
        self.refs = 0

    def codes(self, values: np.ndarray) -> np.ndarray:
        """Index of each string (values are all str)."""
        codes, uniques = pd.factorize(values)
        lookup = np.empty(len(uniques), dtype=np.int64)
        index, strings = self.index, self.strings
        for k, u in enumerate(uniques):
            i = index.get(u)
            if i is None:
                i = index[u] = self.start + len(strings)
                strings.append(u)
            lookup[k] = i
        self.refs += len(values)
        return lookup[codes]

    def xml_items(self) -> Iterator[str]:
        for s in self.strings:
            space = ' xml:space="preserve"' if s[:1].isspace() or s[-1:].isspace() else ""
            yield f"<si><t{space}>{escape(s)}</t></si>"


def _kinds(values: np.ndarray) -> np.ndarray:
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    k = np.full(len(values), OTHER, dtype=np.int8)
    k[types == type(None)] = EMPTY
    k[types == str] = STR
    k[(types == float) | (types == int)] = NUM
    k[types == dt.date] = DATE
    return k


class InputColumn:
    """Values as read (str, float, int, date…); one style, another for bad cells."""

    def __init__(self, letter: str, values: np.ndarray, style: int, bad_style: int,
                 bad_rows: np.ndarray, serial: Callable[[Any], float], sst: SharedStrings) -> None:
        self.letter = letter
        self.values = values
        self.kinds = _kinds(values)
        self.sidx = np.full(len(values), -1, dtype=np.int64)
        is_str = self.kinds == STR
        if is_str.any():
            self.sidx[is_str] = sst.codes(values[is_str])
        self.style = f' s="{style}"'
        self.bad_style = f' s="{bad_style}"'
        self.bad = bad_rows
        self.serial = serial

    def cells(self, lo: int, hi: int, rows: list[str]) -> list[str]:
        n = hi - lo
        hi_v = min(hi, len(self.values))
        if lo >= hi_v:
            return [""] * n
        m = hi_v - lo
        kinds = self.kinds[lo:hi_v]
        tails = np.full(m, "", dtype=object)
        sel = kinds == STR
        if sel.any():
            tails[sel] = ' t="s"><v>' + self.sidx[lo:hi_v][sel].astype(str).astype(object) + "</v></c>"
        sel = kinds == NUM
        if sel.any():
            nums = np.array(_num(self.values[lo:hi_v][sel].astype(float).tolist()), dtype=object)
            tails[sel] = "><v>" + nums + "</v></c>"
        sel = kinds == DATE
        if sel.any():
            days = np.fromiter((v.toordinal() - _ORDINAL_DAY0 for v in self.values[lo:hi_v][sel]),
                               dtype=np.int64)
            tails[sel] = "><v>" + days.astype(str).astype(object) + "</v></c>"
        for i in np.flatnonzero(kinds == OTHER):
            tails[i] = self._other(self.values[lo + i])
        bad = self.bad[lo:hi_v]
        for i in np.flatnonzero(bad & (kinds == EMPTY)):
            tails[i] = "/>"
        pre = f'<c r="{self.letter}'
        if bad.any():
            styles = np.where(bad, self.bad_style, self.style).tolist()
            out = [f"{pre}{r}\"{s}{t}" if t else "" for r, s, t in zip(rows, styles, tails.tolist())]
        else:
            s = self.style
            out = [f"{pre}{r}\"{s}{t}" if t else "" for r, t in zip(rows, tails.tolist())]
        return out + [""] * (n - m)

    def _other(self, v: Any) -> str:
        if isinstance(v, bool):
            return f' t="b"><v>{int(v)}</v></c>'
        if isinstance(v, (dt.date, dt.datetime)):
            return f"><v>{_num([self.serial(v)])[0]}</v></c>"
        if isinstance(v, dt.time):
            return f"><v>{(v.hour * 3600 + v.minute * 60 + v.second) / 86400!r}</v></c>"
        if isinstance(v, dt.timedelta):
            return f"><v>{v.total_seconds() / 86400!r}</v></c>"
        if isinstance(v, (int, float, np.number)):
            return f"><v>{_num([float(v)])[0]}</v></c>"
        s = str(v)
        space = ' xml:space="preserve"' if s[:1].isspace() or s[-1:].isspace() else ""
        return f' t="inlineStr"><is><t{space}>{escape(s)}</t></is></c>'


class FormulaColumn:
    """A computed column: each cell's formula and cached value — number (float; NaN =
    none), text, or "" (guarded blank, pad rows). Not Excel's shared formulas: LibreOffice
    recalculates shared-formula cells with numeric results on load (→ #NAME? without the
    add-in) instead of showing the cached value."""

    def __init__(self, letter: str, parts: Sequence[str], style: int, number: np.ndarray,
                 text: np.ndarray) -> None:
        self.letter = letter
        self.parts = [escape(p) for p in parts]   # formula text split where the row number goes
        self.style = f' s="{style}"'
        self.number = number
        self.text = text

    def cells(self, lo: int, hi: int, rows: list[str]) -> list[str]:
        n = hi - lo
        hi_v = min(hi, len(self.number))
        m = max(hi_v - lo, 0)
        attrs = np.full(n, ' t="str">', dtype=object)
        values = np.full(n, "<v></v></c>", dtype=object)
        if m:
            num = self.number[lo:hi_v]
            txt = self.text[lo:hi_v]
            has_txt = np.fromiter((t is not None and t != "" for t in txt), dtype=bool, count=m)
            is_num = ~np.isnan(num) & ~has_txt
            if is_num.any():
                attrs[:m][is_num] = ">"
                values[:m][is_num] = "<v>" + np.array(_num(num[is_num].tolist()), dtype=object) + "</v></c>"
            if has_txt.any():
                values[:m][has_txt] = "<v>" + np.array([escape(t) for t in txt[has_txt]], dtype=object) + "</v></c>"
        parts, pre, s = self.parts, f'<c r="{self.letter}', self.style
        return [f'{pre}{r}"{s}{a}<f>{r.join(parts)}</f>{v}' for r, a, v in zip(rows, attrs.tolist(), values.tolist())]


def rows_xml(cells: Callable[[int, int, list[str]], list[list[str]]], first_row: int, n_rows: int,
             on_chunk: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """UTF-8 XML of sheet rows ``first_row`` … (1-based), in chunks; ``cells(lo, hi, rows)``
    gives each column's cell XML for data rows lo…hi-1."""
    for lo in range(0, n_rows, CHUNK):
        hi = min(lo + CHUNK, n_rows)
        rows = [str(r) for r in range(first_row + lo, first_row + hi)]
        heads = [f'<row r="{r}">' for r in rows]
        cols = cells(lo, hi, rows)
        yield "".join(["".join(t) + "</row>" for t in zip(heads, *cols)]).encode("utf-8")
        if on_chunk:
            on_chunk(hi - lo)


def _sst_xml(old: str | None, sst: SharedStrings) -> str:
    if old is None:
        head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0">')
        body, tail = "", "</sst>"
    else:
        m = re.search(r"<sst [^>]*>", old)
        assert m is not None
        head, rest = old[:m.end()], old[m.end():]
        body, tail = rest.rsplit("</sst>", 1)[0], "</sst>"
    count = int(re.search(r'count="(\d+)"', head).group(1)) + sst.refs           # type: ignore[union-attr]
    unique = int(re.search(r'uniqueCount="(\d+)"', head).group(1)) + len(sst.strings)  # type: ignore[union-attr]
    head = re.sub(r' count="\d+"', f' count="{count}"', head)
    head = re.sub(r'uniqueCount="\d+"', f'uniqueCount="{unique}"', head)
    return head + body + "".join(sst.xml_items()) + tail


def existing_sst_count(package: str) -> int:
    with zipfile.ZipFile(package) as z:
        if "xl/sharedStrings.xml" not in z.namelist():
            return 0
        head = z.read("xl/sharedStrings.xml")[:400].decode("utf-8", "replace")
    m = re.search(r'uniqueCount="(\d+)"', head)
    return int(m.group(1)) if m else 0


def splice(package: str, sheet_entry: str, dimension: str, chunks: Iterator[bytes], target: str,
           sst: SharedStrings) -> None:
    """Copy the XlsxWriter package to ``target``: rows inserted before </sheetData> of
    ``sheet_entry`` (dimension fixed), our strings appended to the shared-string table."""
    with zipfile.ZipFile(package) as src, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        names = src.namelist()
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                data = _sst_xml(data.decode("utf-8"), sst).encode("utf-8")
            elif info.filename == "[Content_Types].xml" and "xl/sharedStrings.xml" not in names and sst.strings:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels" and "xl/sharedStrings.xml" not in names and sst.strings:
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSst1" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            if info.filename != sheet_entry:
                dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
                continue
            xml = data.decode("utf-8")
            xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', xml, count=1)
            if "</sheetData>" in xml:
                head, tail = xml.split("</sheetData>", 1)
            else:                                   # <sheetData/> when no row was written
                head, tail = xml.split("<sheetData/>", 1)
                head += "<sheetData>"
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            # level 1: the data sheet is most of the file; level 6 costs 3× the time
            setattr(entry, "compress_level" if hasattr(zipfile.ZipInfo, "compress_level")
                    else "_compresslevel", 1)
            with dst.open(entry, "w", force_zip64=True) as out:
                out.write(head.encode("utf-8"))
                for chunk in chunks:
                    out.write(chunk)
                out.write(("</sheetData>" + tail).encode("utf-8"))
        if "xl/sharedStrings.xml" not in names and sst.strings:
            dst.writestr("xl/sharedStrings.xml", _sst_xml(None, sst).encode("utf-8"))


def sheet_entry_for(package: str, sheet_name: str) -> str:
    """The zip entry of a sheet by name (workbook.xml + its relationships)."""
    with zipfile.ZipFile(package) as z:
        wb = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    name = escape(sheet_name)
    m = re.search(rf'<sheet name="{re.escape(name)}" sheetId="\d+" r:id="(rId\d+)"', wb)
    if not m:
        raise KeyError(sheet_name)
    t = re.search(rf'Id="{m.group(1)}" Type="[^"]+" Target="([^"]+)"', rels) or \
        re.search(rf'Target="([^"]+)"[^>]*Id="{m.group(1)}"', rels)
    assert t is not None
    target = t.group(1).lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def replace_file(tmp: str, target: str) -> None:
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
