"""Streaming reader of a worksheet part (``xl/worksheets/sheetN.xml``), cut into blocks of rows.

The sheet XML is large but regular: ``<sheetData>`` holds ``<row>`` elements holding ``<c>``
cells. :class:`SheetStream` reads the decompressed part a block at a time and cuts it at
row boundaries; :mod:`.scan` indexes each block (numpy over the bytes) and keeps every
cell's exact bytes, which the patching writer copies unchanged. Blocks come out in one
shape whatever the writer (see :class:`SheetStream`), so the indexer and the writer see
the same bytes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Protocol

from .scan import normalise

BLOCK = 1 << 22                      # 4 MiB of decompressed XML per read


class ByteSource(Protocol):
    """What a sheet part is read from: a zip member opened by zipfile or inflated by
    :class:`.package.InflatedMember`."""

    def read(self, n: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Grammar:
    """The tags the stream cuts at, for one namespace prefix (``b""`` for the default
    namespace, ``b"x:"`` …)."""

    prefix: bytes
    row_start: bytes
    sheet_data_open: re.Pattern[bytes]
    sheet_data_close: bytes


_GRAMMARS: dict[bytes, Grammar] = {}


def grammar(prefix: bytes = b"") -> Grammar:
    g = _GRAMMARS.get(prefix)
    if g is None:
        p = re.escape(prefix)
        g = _GRAMMARS[prefix] = Grammar(
            prefix,
            row_start=b"<" + prefix + b"row",
            sheet_data_open=re.compile(rb"<" + p + rb"sheetData\b[^>]*?(/?)>"),
            sheet_data_close=b"</" + prefix + b"sheetData>",
        )
    return g


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")


NS_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_XMLNS = re.compile(rb"""\sxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def unprefix(data: bytes, prefix: bytes, root_at: int = -1) -> bytes:
    """``data`` with ``prefix`` (``b"x:"``, bound to the spreadsheet namespace) taken off its
    elements; at ``root_at`` (the root element) the namespace is declared as the default
    one too. Element text cannot hold a raw ``<``, so only tags change."""
    if not prefix:
        return data
    if root_at >= 0:
        end = data.index(b">", root_at)
        tag = data[root_at:end]
        if not re.search(rb"\sxmlns\s*=", tag):
            uri = {k: v or w for k, v, w in _XMLNS.findall(tag)}[prefix[:-1]]
            data = data[:end] + b' xmlns="' + uri + b'"' + data[end:]
    return data.replace(b"<" + prefix, b"<").replace(b"</" + prefix, b"</")


_FIRST_ELEMENT = re.compile(rb"<(?![?!])([A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*")


def default_namespace(data: bytes) -> bytes:
    """A whole spreadsheet part (workbook, worksheet) in the default-namespace shape the
    product's patchers read: unchanged unless its root element carries a prefix of the
    spreadsheet namespace (see :class:`SheetStream`)."""
    m = _FIRST_ELEMENT.search(data)
    if m is None or not m.group(1):
        return data
    tag = data[m.start():data.index(b">", m.end())]
    decl = {k: v or w for k, v, w in _XMLNS.findall(tag)}
    if decl.get(m.group(1)[:-1]) not in (NS_MAIN, NS_STRICT) or decl.get(b"", NS_MAIN) != decl[m.group(1)[:-1]]:
        return data
    return unprefix(data, m.group(1), m.start())


class SheetStream:
    """A worksheet part cut into: ``head`` (everything up to and including ``<sheetData>``),
    blocks of complete rows, and ``tail`` (``</sheetData>`` to the end). ``blocks()`` may be
    iterated once; ``tail`` is known after it ends.

    Every piece comes out in one shape, whatever the writer: the spreadsheet namespace as
    the default one (a sheet written with a prefix, ``<x:worksheet xmlns:x="…main">``, has
    the prefix taken off its elements and the namespace declared as default: the same
    document), and every row with its ``r`` attribute (rows without one numbered after the
    previous row, see :func:`scan.normalise`)."""

    def __init__(self, raw: ByteSource, part: str) -> None:
        self.raw = raw
        self.part = part
        self.head = b""
        self.tail = b""
        self.grammar = grammar()
        self.prefix = b""                    # the writer's prefix of the spreadsheet namespace
        self.empty = False                   # <sheetData/>
        self._buf = b""
        self._last_row = 0
        self._start()

    def _read(self) -> bytes:
        return self.raw.read(BLOCK)

    def _start(self) -> None:
        buf = b""
        while True:
            data = self._read()
            buf += data
            m_root = _ROOT.search(buf)
            if m_root and buf.find(b">", m_root.end()) >= 0:
                prefix = self._main_prefix(buf, m_root)
                g = grammar(prefix)
                m = g.sheet_data_open.search(buf, m_root.end())
                if m:
                    self.prefix = prefix
                    self.head = self._unprefix(buf[:m.end()], m_root.start())
                    if m.group(1):            # <sheetData/>
                        self.empty = True
                        rest = buf[m.end():]
                        while data:
                            data = self._read()
                            rest += data
                        self.tail = self._unprefix(rest)
                        return
                    self._buf = buf[m.end():]
                    return
            if not data:
                raise ValueError("缺少 <sheetData>")

    @staticmethod
    def _main_prefix(buf: bytes, m_root: re.Match[bytes]) -> bytes:
        """``b"x:"`` when the root element is ``x:worksheet`` in the spreadsheet namespace
        (its prefix declared on the root), ``b""`` for the default namespace."""
        prefix = m_root.group(1) or b""
        if not prefix:
            return b""
        tag = buf[m_root.start():buf.index(b">", m_root.end())]
        decl = {k: v or w for k, v, w in _XMLNS.findall(tag)}
        if decl.get(prefix[:-1]) not in (NS_MAIN, NS_STRICT):
            raise ValueError(f"工作表的命名空间前缀 {prefix[:-1].decode(errors='replace')} 未声明为表格命名空间")
        if decl.get(b"", decl[prefix[:-1]]) != decl[prefix[:-1]]:
            raise ValueError("工作表同时使用了另一个默认命名空间，无法读取")
        return prefix

    def _unprefix(self, data: bytes, root_at: int = -1) -> bytes:
        return unprefix(data, self.prefix, root_at)

    def _shaped(self, block: bytes) -> bytes:
        """A block of whole rows in the one shape (see the class docstring)."""
        block = self._unprefix(block)
        first = block.find(b"<row")
        last = block.rfind(b'<row r="')
        # a row without r continues the previous block's numbering: number the block here
        # (a later row without r is numbered by the indexer, which knows its row above)
        if first >= 0 and (block[first:first + 8] != b'<row r="' or block.find(b"<row", last + 1) >= 0):
            block = normalise(block, self._last_row)
            last = block.rfind(b'<row r="')
        if last >= 0:
            self._last_row = int(block[last + 8:block.index(b'"', last + 8)])
        return block

    def blocks(self) -> Iterator[bytes]:
        """Blocks of whole ``<row>`` elements (plus any whitespace between them)."""
        if self.empty:
            return
        g = grammar(self.prefix)
        buf = self._buf
        self._buf = b""
        close = g.sheet_data_close
        searched = 0                         # buf[:searched] holds no '</sheetData>' (searched once)
        while True:
            end = buf.find(close, searched)
            if end >= 0:
                if end:
                    yield self._shaped(buf[:end])
                rest = buf[end:]
                data = self._read()
                while data:
                    rest += data
                    data = self._read()
                self.tail = self._unprefix(rest)
                return
            data = self._read()
            if not data:
                raise ValueError("缺少 </sheetData>")
            cut = buf.rfind(g.row_start)
            if cut > 0:
                yield self._shaped(buf[:cut])
                buf = buf[cut:]
            searched = max(0, len(buf) - len(close) + 1)
            buf += data
