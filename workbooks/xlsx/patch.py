"""Patching a block of worksheet rows: only the named cells change, every other byte is
copied from the input.

Edits are computed with numpy over a :class:`scan.Index` (which cell exists where, where a
missing cell goes), merged where they touch, and applied by one join over the block.
"""
from __future__ import annotations

import re
from itertools import repeat

import numpy as np

from .scan import Index

_S_ATTR = re.compile(rb' s="\d*"')
_R_ATTR_END = re.compile(rb'^<c r="[A-Z]+[0-9]+"')
_F_OPEN = re.compile(rb"<f\b([^>]*?)(/?)>")


class Edits:
    """Replacements of byte spans of a block: ``[start, end)`` → payload (str or bytes);
    ``start == end`` inserts. Added as arrays, in the order they must appear when two
    share a start (insertions before the cell they precede)."""

    def __init__(self) -> None:
        self.starts: list[np.ndarray] = []
        self.ends: list[np.ndarray] = []
        self.payloads: list[list] = []

    @classmethod
    def empty(cls) -> "Edits":
        return cls()

    def add(self, start: int, end: int, payload: bytes | str) -> None:
        self.extend(np.array([start], dtype=np.int64), np.array([end], dtype=np.int64), [payload])

    def extend(self, starts: np.ndarray, ends: np.ndarray, payloads: list) -> None:
        if len(starts):
            self.starts.append(np.asarray(starts, dtype=np.int64))
            self.ends.append(np.asarray(ends, dtype=np.int64))
            self.payloads.append(list(payloads))

    @property
    def start(self) -> list[int]:
        return np.concatenate(self.starts).tolist() if self.starts else []


def locate(ix: Index, rows: np.ndarray, col: int,
           keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For block rows ``rows`` (indexes into the row arrays) and a column: (cell index or -1,
    insertion position for a missing cell, row is self-closing). ``keys``: ``ix.key``, when
    the caller locates several columns in one block."""
    if keys is None:
        keys = ix.key
    want = ix.row_num[rows] * 16384 + col
    j = np.searchsorted(keys, want)
    jc = np.minimum(j, max(len(keys) - 1, 0))
    exists = (j < len(keys)) & (keys[jc] == want) if len(keys) else np.zeros(len(rows), bool)
    same_row = (j < len(keys)) & (ix.cell_row[jc] == rows) if len(keys) else np.zeros(len(rows), bool)
    insert = np.where(same_row, ix.cell_start[jc] if len(keys) else 0, ix.row_body_end[rows])
    return np.where(exists, jc, -1), insert, ix.row_closed[rows]


def restyle(tag: bytes, style: int) -> bytes:
    """A cell's start tag with another ``s``."""
    s = f' s="{style}"'.encode()
    if _S_ATTR.search(tag):
        return _S_ATTR.sub(s, tag, count=1)
    m = _R_ATTR_END.match(tag)
    return tag[:m.end()] + s + tag[m.end():] if m else tag


def keep_shared(ix: Index, cell: int, new_formula: bytes) -> bytes | None:
    """For a shared-formula cell: the ``<f>`` element to write so the group stays valid
    (the master keeps its ref/si with our text; a child keeps its reference), else None."""
    fs, fe = int(ix.f_start[cell]), int(ix.f_end[cell])
    if fs < 0 or ix.f_plain[cell]:
        return None
    element = ix.data[fs:fe]
    m = _F_OPEN.match(element)
    if m is None or b't="shared"' not in m.group(1):
        return None
    if m.group(2) == b"/":                           # a child: <f t="shared" si="0"/>
        return element
    return b"<f" + m.group(1) + b">" + new_formula + b"</f>"


def _encoded(payload: list) -> list[bytes]:
    """Payloads as bytes: the texts encoded with one join, one encode and one split (NUL
    cannot occur in XML, so it can separate them)."""
    is_bytes = np.fromiter(map(isinstance, payload, repeat(bytes)), dtype=bool, count=len(payload))
    if is_bytes.all():
        return payload
    where = np.flatnonzero(~is_bytes)
    texts = [payload[i] for i in where.tolist()]
    enc = "\x00".join(texts).encode("utf-8").split(b"\x00")
    if len(enc) != len(texts):
        enc = [t.encode("utf-8") for t in texts]
    if len(where) == len(payload):
        return enc
    out = np.array(payload + [None], dtype=object)[:-1]
    out[where] = np.array(enc + [None], dtype=object)[:-1]
    return out.tolist()


def apply(data: bytes, edits: Edits) -> bytes:
    """The block with the edits applied."""
    if not edits.starts:
        return data
    start = np.concatenate(edits.starts)
    end = np.concatenate(edits.ends)
    payload = [p for ps in edits.payloads for p in ps]
    order = np.lexsort((np.arange(len(start)), start))
    start, end = start[order], end[order]
    payload = [payload[i] for i in order.tolist()]
    if np.any(start[1:] < end[:-1]):
        raise ValueError("overlapping edits")
    # the bytes between edits (views: copied once, by the join), and the payloads between them
    view = memoryview(data)
    gaps = [view[a:b] for a, b in zip([0] + end.tolist(), start.tolist() + [len(data)])]
    out: list = [b""] * (2 * len(gaps) - 1)
    out[0::2] = gaps
    out[1::2] = _encoded(payload)
    return b"".join(out)
