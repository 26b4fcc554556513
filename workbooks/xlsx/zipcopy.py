"""A zip writer for patched packages: unchanged members are copied raw (their compressed
bytes as they are in the input, no inflate/deflate), changed members are deflated with
ISA-L (``isal``, ~3× zlib's speed at level 1, same size) or zlib, and the large one is
streamed from a writer thread so compression overlaps the building of the XML.

Only public zipfile data is used (``ZipInfo.header_offset``, ``compress_size``, ``CRC`` …);
the archive is written by hand following APPNOTE 6.3 (zip64 records when an offset or a
size passes 4 GiB).
"""
from __future__ import annotations

import queue
import struct
import threading
import types
import zipfile
import zlib
from typing import IO, Iterable

_fast: types.ModuleType | None
try:                                     # pinned (constraints.txt); zlib is the fallback
    from isal import isal_zlib as _fast
except ImportError:                      # pragma: no cover - isal is a dependency
    _fast = None

LEVEL = 1
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_EOCD = struct.Struct("<IHHHHIIH")
_EOCD64 = struct.Struct("<IQHHIIQQQQ")
_LOC64 = struct.Struct("<IIQI")
_MAX32 = 0xFFFFFFFF
UTF8_FLAG = 0x800


SMALL_LEVEL = 6                          # zlib scale; ISA-L's levels are 0–3


def compressor(level: int = LEVEL):
    if _fast is not None:
        return _fast.compressobj(min(level, 3), _fast.DEFLATED, -15)
    return zlib.compressobj(level, zlib.DEFLATED, -15)


def crc32(data: bytes, value: int = 0) -> int:
    return (_fast.crc32 if _fast is not None else zlib.crc32)(data, value)


def _gf2_times(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


_SHIFTS: list[list[int]] = []            # _SHIFTS[k]: the CRC-32 register moved over 2**k zero bytes


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A + B from crc1 = crc(A), crc2 = crc(B) and len(B) (zlib's crc32_combine,
    which Python does not expose: GF(2) operators for 2**k zero bytes, built once)."""
    if not _SHIFTS:
        bit = [0xEDB88320] + [1 << n for n in range(31)]          # one zero bit
        for _ in range(3):                                         # → one zero byte
            bit = [_gf2_times(bit, v) for v in bit]
        _SHIFTS.append(bit)
        for _ in range(63):
            _SHIFTS.append([_gf2_times(_SHIFTS[-1], v) for v in _SHIFTS[-1]])
    k = 0
    while len2:
        if len2 & 1:
            crc1 = _gf2_times(_SHIFTS[k], crc1)
        len2 >>= 1
        k += 1
    return crc1 ^ crc2


def deflate_piece(data: bytes | list[bytes]) -> tuple[bytes, int, int]:
    """A piece of a streamed member deflated on its own (e.g. in a worker process), ending
    on a byte boundary with no final block: ``(deflated, crc32, length)`` for
    :meth:`StreamedMember.write_deflated`."""
    c = compressor()
    out, crc, size = [], 0, 0
    for part in (data if isinstance(data, list) else (data,)):
        out.append(c.compress(part))
        crc = crc32(part, crc)
        size += len(part)
    out.append(c.flush((_fast or zlib).Z_SYNC_FLUSH))
    return b"".join(out), crc, size


def _dos_time(date_time: tuple) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time[:6]
    y = max(y, 1980)
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


class _Entry:
    def __init__(self, name: bytes, flags: int, method: int, dtime: int, ddate: int, crc: int,
                 csize: int, usize: int, offset: int, external: int, internal: int = 0) -> None:
        self.name, self.flags, self.method = name, flags, method
        self.dtime, self.ddate = dtime, ddate
        self.crc, self.csize, self.usize = crc, csize, usize
        self.offset, self.external, self.internal = offset, external, internal


class PackageWriter:
    """Writes a zip to an open, seekable binary file."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.entries: list[_Entry] = []

    # -------------------------------------------------------------- members
    def _local(self, e: _Entry, zip64: bool) -> None:
        extra = b""
        csize, usize = e.csize, e.usize
        if zip64:
            extra = struct.pack("<HHQQ", 1, 16, e.usize, e.csize)
            csize = usize = _MAX32
        self.out.write(_LOCAL.pack(0x04034B50, 45 if zip64 else 20, e.flags, e.method, e.dtime, e.ddate,
                                   e.crc, csize, usize, len(e.name), len(extra)))
        self.out.write(e.name)
        self.out.write(extra)

    def copy_raw(self, src: zipfile.ZipFile, info: zipfile.ZipInfo, fp: IO[bytes]) -> None:
        """Copy one member of ``src`` unchanged (compressed bytes as they are)."""
        fp.seek(info.header_offset)
        head = fp.read(30)
        sig, _, _, _, _, _, _, _, _, nlen, elen = _LOCAL.unpack(head)
        if sig != 0x04034B50:
            raise zipfile.BadZipFile(f"{info.filename}: bad local header")
        fp.seek(info.header_offset + 30 + nlen + elen)
        name = info.filename.encode("utf-8")
        flags = info.flag_bits & UTF8_FLAG
        if any(b > 127 for b in name):
            flags |= UTF8_FLAG
        dtime, ddate = _dos_time(info.date_time)
        e = _Entry(name, flags, info.compress_type, dtime, ddate, info.CRC, info.compress_size,
                   info.file_size, self.out.tell(), info.external_attr, info.internal_attr)
        self._local(e, info.compress_size >= _MAX32 or info.file_size >= _MAX32)
        left = info.compress_size
        while left:
            block = fp.read(min(left, 1 << 20))
            if not block:
                raise zipfile.BadZipFile(f"{info.filename}: truncated")
            self.out.write(block)
            left -= len(block)
        self.entries.append(e)

    def write(self, name: str, data: bytes, date_time: tuple = (2026, 1, 1, 0, 0, 0),
              external: int = 0o600 << 16) -> None:
        """A new or changed member, deflated."""
        c = compressor(SMALL_LEVEL if len(data) < (1 << 20) else LEVEL)
        body = c.compress(data) + c.flush()
        raw = name.encode("utf-8")
        dtime, ddate = _dos_time(date_time)
        e = _Entry(raw, UTF8_FLAG if any(b > 127 for b in raw) else 0, zipfile.ZIP_DEFLATED, dtime, ddate,
                   crc32(data), len(body), len(data), self.out.tell(), external)
        self._local(e, False)
        self.out.write(body)
        self.entries.append(e)

    def stream(self, name: str, date_time: tuple = (2026, 1, 1, 0, 0, 0), big: bool = False,
               external: int = 0o600 << 16) -> "StreamedMember":
        """A member written piece by piece (deflated in a writer thread); close() it."""
        return StreamedMember(self, name, date_time, big, external)

    # -------------------------------------------------------------- directory
    def close(self) -> None:
        out = self.out
        start = out.tell()
        for e in self.entries:
            extra = b""
            usize, csize, offset = e.usize, e.csize, e.offset
            fields = []
            if usize >= _MAX32:
                fields.append(usize)
                usize = _MAX32
            if csize >= _MAX32:
                fields.append(csize)
                csize = _MAX32
            if offset >= _MAX32:
                fields.append(offset)
                offset = _MAX32
            if fields:
                extra = struct.pack("<HH", 1, 8 * len(fields)) + b"".join(struct.pack("<Q", f) for f in fields)
            out.write(_CENTRAL.pack(0x02014B50, 0x031E if e.external >> 16 else 20, 45 if fields else 20,
                                    e.flags, e.method, e.dtime, e.ddate, e.crc, csize, usize, len(e.name),
                                    len(extra), 0, 0, e.internal, e.external, offset))
            out.write(e.name)
            out.write(extra)
        end = out.tell()
        n = len(self.entries)
        size = end - start
        if n >= 0xFFFF or start >= _MAX32 or size >= _MAX32:
            out.write(_EOCD64.pack(0x06064B50, 44, 45, 45, 0, 0, n, n, size, start))
            out.write(_LOC64.pack(0x07064B50, 0, end, 1))
            out.write(_EOCD.pack(0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), min(size, _MAX32),
                                 min(start, _MAX32), 0))
        else:
            out.write(_EOCD.pack(0x06054B50, 0, 0, n, n, size, start, 0))


class StreamedMember:
    """Deflate + CRC + write in a background thread (both release the GIL), so building
    the next rows in Python overlaps compressing the previous ones."""

    def __init__(self, writer: PackageWriter, name: str, date_time: tuple, big: bool, external: int) -> None:
        self.w = writer
        raw = name.encode("utf-8")
        dtime, ddate = _dos_time(date_time)
        self.entry = _Entry(raw, UTF8_FLAG if any(b > 127 for b in raw) else 0, zipfile.ZIP_DEFLATED,
                            dtime, ddate, 0, 0, 0, writer.out.tell(), external)
        self.zip64 = big
        writer._local(self.entry, big)
        self.data_start = writer.out.tell()
        self.q: queue.Queue[bytes | list[bytes] | tuple[bytes, int, int] | None] = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="deflate", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        c = compressor()
        dirty = False                    # c holds input not yet flushed to a byte boundary
        crc = 0
        size = 0
        out = self.w.out
        ended = False                    # the closing None was taken: nothing left to drain
        try:
            while True:
                data = self.q.get()
                if data is None:
                    ended = True
                    break
                if isinstance(data, tuple):          # deflated elsewhere (deflate_piece)
                    body, pcrc, plen = data
                    if dirty:
                        out.write(c.flush((_fast or zlib).Z_SYNC_FLUSH))
                    # a fresh compressor after it: nothing may refer back across the piece
                    c, dirty = compressor(), False
                    out.write(body)
                    crc = crc32_combine(crc, pcrc, plen)
                    size += plen
                    continue
                for part in (data if isinstance(data, list) else (data,)):
                    crc = crc32(part, crc)
                    size += len(part)
                    out.write(c.compress(part))
                dirty = True
            out.write(c.flush())
        except BaseException as e:  # noqa: BLE001 — re-raised in the caller's thread
            self.error = e
            # drain until close()'s None — unless the failure was the final flush after it
            # (disk full at the very end): waiting then would hang the run for ever
            while not ended and self.q.get() is not None:
                pass
            return
        self.entry.crc, self.entry.usize = crc, size

    def write(self, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        if data:
            self.q.put(data)

    def write_deflated(self, piece: tuple[bytes, int, int]) -> None:
        """Append a piece made by :func:`deflate_piece` (in order with :meth:`write`)."""
        if self.error is not None:
            raise self.error
        if piece[2]:
            self.q.put(piece)

    def writelines(self, parts: Iterable[bytes]) -> None:
        """Several pieces as one hand-over to the thread (no join, one queue slot)."""
        if self.error is not None:
            raise self.error
        parts = [p for p in parts if p]
        if parts:
            self.q.put(parts)

    def close(self) -> None:
        self.q.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        out = self.w.out
        end = out.tell()
        e = self.entry
        e.csize = end - self.data_start
        if not self.zip64 and (e.csize >= _MAX32 or e.usize >= _MAX32):
            raise OverflowError(f"{e.name.decode()}: larger than 4 GiB")
        out.seek(e.offset)
        self.w._local(e, self.zip64)
        out.seek(end)
        self.w.entries.append(e)

    def abort(self) -> None:
        """Stop the thread without finishing the member (the caller discards the file)."""
        try:
            self.q.put_nowait(None)
        except queue.Full:
            pass
        self.thread.join(timeout=5)
