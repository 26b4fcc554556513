"""A small, deterministic writer for [MS-CFB] compound files (version 3, 512-byte sectors).

``olefile`` reads compound files but can only overwrite a stream with one of the same size,
so the VBA project is written from scratch. Scope: storages and streams, mini stream for
streams under 4096 bytes, FAT up to 109 sectors (about 6.8 MB) - ample for a vbaProject.bin.
All timestamps and CLSIDs are zero, so the same input gives the same bytes.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
_MAX_HEADER_DIFAT = 109


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: dict[str, "_Entry"] = field(default_factory=dict)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = 1  # 0 red, 1 black
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    # [MS-CFB] 2.6.4: shorter names first, then by upper-cased UTF-16 code points.
    return (len(name.encode("utf-16-le")), name.upper())


def _chain(fat: list[int], start: int, count: int) -> None:
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else ENDOFCHAIN


def _directory_tree(streams: dict[str, bytes]) -> _Entry:
    """The root storage holding ``streams`` by their "STORAGE/…/NAME" paths."""
    root = _Entry("Root Entry", 5)
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            node = node.children.setdefault(part, _Entry(part, 1))
            if node.kind != 1:
                raise ValueError(f"{path}: {part} is a stream")
        if parts[-1] in node.children:
            raise ValueError(f"duplicate stream {path}")
        if len(parts[-1]) > 31:
            raise ValueError(f"name too long: {parts[-1]}")
        node.children[parts[-1]] = _Entry(parts[-1], 2, data=bytes(data))
    return root


def _sorted_children(node: _Entry) -> list[_Entry]:
    return sorted(node.children.values(), key=lambda e: _sort_key(e.name))


def _number(node: _Entry, entries: list[_Entry]) -> None:
    """Append ``node``'s descendants to ``entries`` (directory order: siblings together, then
    each storage's own children, depth first) and give each its index as ``sid``."""
    kids = _sorted_children(node)
    for child in kids:
        child.sid = len(entries)
        entries.append(child)
    for child in kids:
        if child.kind == 1:
            _number(child, entries)


def _link_siblings(node: _Entry) -> None:
    """Link each storage's children as a balanced red-black tree (left/right/child, colour)."""
    kids = _sorted_children(node)
    depth: dict[int, int] = {}

    def build(lo: int, hi: int, d: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        depth[mid] = d
        kids[mid].left = build(lo, mid, d + 1)
        kids[mid].right = build(mid + 1, hi, d + 1)
        return kids[mid].sid

    node.child = build(0, len(kids), 0)
    if depth:
        deepest = max(depth.values())
        for i, d in depth.items():
            # Middle splits keep every empty link at depth >= deepest - 1, so colouring
            # only the deepest level red keeps equal black heights.
            kids[i].color = 0 if (d == deepest and d > 0) else 1
    for kid in kids:
        if kid.kind == 1:
            _link_siblings(kid)


def _mini_stream(entries: list[_Entry]) -> tuple[bytearray, list[int], list[_Entry]]:
    """(mini stream bytes, mini FAT, streams too big for it): places every stream under
    MINI_CUTOFF bytes in the mini stream and sets its size and start."""
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in entries:
        if e.kind != 2:
            continue
        e.size = len(e.data)
        if e.size == 0:
            e.start = ENDOFCHAIN
        elif e.size < MINI_CUTOFF:
            n = -(-e.size // MINI_SECTOR)
            e.start = len(minifat)
            minifat.extend([0] * n)
            _chain(minifat, e.start, n)
            mini += e.data + b"\0" * (n * MINI_SECTOR - e.size)
        else:
            big.append(e)
    return mini, minifat, big


def _sectors(nbytes: int) -> int:
    return -(-nbytes // SECTOR)


def _pack_ints(values: list[int]) -> bytes:
    return b"".join(struct.pack("<I", v) for v in values)


@dataclass
class _Layout:
    """Sector counts and start sectors of each region, and the FAT chaining them."""
    n_fat: int
    n_dir: int
    n_minifat: int
    n_mini: int
    fat: list[int]
    dir_start: int
    minifat_start: int
    total: int  # sectors after the header


def _layout(root: _Entry, n_entries: int, minifat_bytes: bytes, mini: bytearray,
            big: list[_Entry]) -> _Layout:
    """Sectors in file order: FAT, directory, mini FAT, mini stream, then each big stream
    (sets the start of the root entry and of the big streams)."""
    n_dir = _sectors(n_entries * 128)
    n_minifat = _sectors(len(minifat_bytes))
    n_mini = _sectors(len(mini))
    payload = n_dir + n_minifat + n_mini + sum(_sectors(e.size) for e in big)
    n_fat = 1
    while n_fat * (SECTOR // 4) < payload + n_fat:
        n_fat += 1
    if n_fat > _MAX_HEADER_DIFAT:
        raise ValueError("compound file too large for this writer (needs DIFAT sectors)")

    fat = [FREESECT] * (n_fat * SECTOR // 4)
    for i in range(n_fat):
        fat[i] = FATSECT
    cur = n_fat
    dir_start = cur
    _chain(fat, cur, n_dir)
    cur += n_dir
    minifat_start = cur if n_minifat else ENDOFCHAIN
    _chain(fat, cur, n_minifat)
    cur += n_minifat
    root.start = cur if n_mini else ENDOFCHAIN
    root.size = len(mini)
    _chain(fat, cur, n_mini)
    cur += n_mini
    for e in big:
        n = _sectors(e.size)
        e.start = cur
        _chain(fat, cur, n)
        cur += n
    total = n_fat + payload
    assert cur == total
    return _Layout(n_fat, n_dir, n_minifat, n_mini, fat, dir_start, minifat_start, total)


def _header(layout: _Layout) -> bytes:
    header = bytearray()
    header += bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, layout.n_fat, layout.dir_start, 0, MINI_CUTOFF,
                          layout.minifat_start, layout.n_minifat, ENDOFCHAIN, 0)
    difat = list(range(layout.n_fat)) + [FREESECT] * (_MAX_HEADER_DIFAT - layout.n_fat)
    header += _pack_ints(difat)
    assert len(header) == SECTOR
    return bytes(header)


def _direntry(e: _Entry | None) -> bytes:
    """One 128-byte directory entry; ``None`` is an unused entry (padding)."""
    if e is None:
        return (b"\0" * 64 + struct.pack("<HBB", 0, 0, 0)
                + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM) + b"\0" * 36
                + struct.pack("<IQ", 0, 0))
    name = e.name.encode("utf-16-le")
    rec = name + b"\0" * (64 - len(name))
    rec += struct.pack("<HBB", len(name) + 2, e.kind, e.color)
    rec += struct.pack("<III", e.left, e.right, e.child)
    rec += b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16  # clsid, state, times
    start = e.start if e.kind != 1 else 0
    rec += struct.pack("<IQ", start, e.size if e.kind != 1 else 0)
    assert len(rec) == 128
    return rec


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """Return a compound file holding ``streams`` ({"VBA/dir": b"...", "PROJECT": ...})."""
    root = _directory_tree(streams)
    entries: list[_Entry] = [root]  # directory order: root first, then depth-first
    _number(root, entries)
    _link_siblings(root)
    mini, minifat, big = _mini_stream(entries)
    minifat_bytes = _pack_ints(minifat)
    layout = _layout(root, len(entries), minifat_bytes, mini, big)

    out = bytearray(_header(layout))
    out += _pack_ints(layout.fat)
    dir_bytes = b"".join(_direntry(e) for e in entries)
    dir_bytes += _direntry(None) * ((layout.n_dir * SECTOR - len(dir_bytes)) // 128)
    out += dir_bytes
    out += minifat_bytes + b"\xff" * (layout.n_minifat * SECTOR - len(minifat_bytes))
    out += mini + b"\0" * (layout.n_mini * SECTOR - len(mini))
    for e in big:
        out += e.data + b"\0" * (_sectors(e.size) * SECTOR - e.size)
    assert len(out) == SECTOR * (1 + layout.total)
    return bytes(out)
