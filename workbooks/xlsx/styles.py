"""Formats the result adds to the clerk's own styles.xml (appended; nothing renumbered).

- ``highlight(xf)``: the clerk's cell format ``xf`` with the error fill (light red) and a
  dark-red font, for bad input cells — number format, borders, alignment and protection of
  the clerk's cell are kept;
- ``named(...)``: plain formats for the 「错误清单」 sheet (header, link, wrapped text).

Appending keeps every existing index valid, so no other part has to change.
"""
from __future__ import annotations

import copy
from typing import Any

from lxml import etree

ERROR_FILL = "FFFFC7CE"
ERROR_FONT = "FF9C0006"
HEADER_FILL = "FFE2EFDA"
LINK_FONT = "FF0563C1"


class StyleBook:
    def __init__(self, xml: bytes | None) -> None:
        if xml is None:
            xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
                   b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
                   b'<fill><patternFill patternType="gray125"/></fill></fills>'
                   b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                   b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                   b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
                   b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                   b'</styleSheet>')
            self.created = True
        else:
            self.created = False
        self.root = etree.fromstring(xml, etree.XMLParser(huge_tree=True, resolve_entities=False,
                                                          remove_blank_text=False))
        self.ns = etree.QName(self.root).namespace
        self.changed = False
        self._highlight: dict[int, int] = {}
        self._named: dict[tuple, int] = {}
        self._fills: dict[str, int] = {}
        self._fonts: dict[tuple, int] = {}

    @classmethod
    def with_indexes(cls, highlights: dict[int, int], named: dict[tuple, int]) -> StyleBook:
        """A book that gives the format indexes another process fixed (:meth:`fixed_indexes`):
        a worker process writes the same ones as its parent."""
        book = cls(None)
        book._highlight = dict(highlights)
        book._named = dict(named)
        return book

    def fixed_indexes(self) -> tuple[dict[int, int], dict[tuple, int]]:
        """The highlight and named formats given so far: format → index, key → index."""
        return dict(self._highlight), dict(self._named)

    def _q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}" if self.ns else tag

    def _list(self, tag: str) -> Any:
        el = self.root.find(self._q(tag))
        if el is None:
            el = etree.SubElement(self.root, self._q(tag))
            # keep the schema order of the children of styleSheet
            order = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
                     "dxfs", "tableStyles", "colors", "extLst"]
            self.root.remove(el)
            pos = 0
            for i, child in enumerate(self.root):
                name = etree.QName(child).localname
                if name in order and order.index(name) < order.index(tag):
                    pos = i + 1
            self.root.insert(pos, el)
        return el

    def _append(self, tag: str, el: Any) -> int:
        parent = self._list(tag)
        parent.append(el)
        parent.set("count", str(len(parent)))
        self.changed = True
        return len(parent) - 1

    def _fill(self, rgb: str) -> int:
        if rgb not in self._fills:
            fill = etree.Element(self._q("fill"))
            pf = etree.SubElement(fill, self._q("patternFill"), patternType="solid")
            etree.SubElement(pf, self._q("fgColor"), rgb=rgb)
            etree.SubElement(pf, self._q("bgColor"), indexed="64")
            self._fills[rgb] = self._append("fills", fill)
        return self._fills[rgb]

    def _font_like(self, font_id: int, rgb: str | None, bold: bool = False, underline: bool = False) -> int:
        key = (font_id, rgb, bold, underline)
        if key not in self._fonts:
            fonts = self._list("fonts")
            base = fonts[font_id] if font_id < len(fonts) else etree.Element(self._q("font"))
            font = copy.deepcopy(base)
            tags = {etree.QName(c).localname: c for c in font}
            # CT_Font children are a sequence: b, i, strike, …, color, sz, u, …, name, …
            if bold and "b" not in tags:
                font.insert(0, etree.Element(self._q("b")))
            if rgb is not None:
                if "color" in tags:
                    for k in list(tags["color"].attrib):
                        del tags["color"].attrib[k]
                    tags["color"].set("rgb", rgb)
                else:
                    anchor = next((i for i, c in enumerate(font) if etree.QName(c).localname in
                                   ("sz", "u", "vertAlign", "name", "family", "charset", "scheme")), len(font))
                    font.insert(anchor, etree.Element(self._q("color"), rgb=rgb))
            if underline and "u" not in tags:
                anchor = next((i for i, c in enumerate(font) if etree.QName(c).localname in
                               ("vertAlign", "name", "family", "charset", "scheme")), len(font))
                font.insert(anchor, etree.Element(self._q("u")))
            self._fonts[key] = self._append("fonts", font)
        return self._fonts[key]

    def xf_count(self) -> int:
        return len(self._list("cellXfs"))

    def highlight(self, xf: int) -> int:
        """Index of the clerk's format ``xf`` with the error fill and font."""
        if xf not in self._highlight:
            xfs = self._list("cellXfs")
            base = xfs[xf] if xf < len(xfs) else xfs[0] if len(xfs) else etree.Element(self._q("xf"))
            new = copy.deepcopy(base)
            new.set("fillId", str(self._fill(ERROR_FILL)))
            new.set("applyFill", "1")
            new.set("fontId", str(self._font_like(int(base.get("fontId", "0") or 0), ERROR_FONT)))
            new.set("applyFont", "1")
            self._highlight[xf] = self._append("cellXfs", new)
        return self._highlight[xf]

    def named(self, *, bold: bool = False, fill: str | None = None, link: bool = False,
              wrap: bool = False, border: bool = False) -> int:
        """A plain format based on the workbook's default font."""
        key = (bold, fill, link, wrap, border)
        if key not in self._named:
            new = etree.Element(self._q("xf"), numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")
            if bold or link:
                new.set("fontId", str(self._font_like(0, LINK_FONT if link else None, bold=bold, underline=link)))
                new.set("applyFont", "1")
            if fill:
                new.set("fillId", str(self._fill(fill)))
                new.set("applyFill", "1")
            if wrap:
                new.set("applyAlignment", "1")
                etree.SubElement(new, self._q("alignment"), wrapText="1", vertical="top")
            self._named[key] = self._append("cellXfs", new)
        return self._named[key]

    def xml(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
