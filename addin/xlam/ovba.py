"""MS-OVBA 2.4.1 compression and decompression (the "CompressedContainer").

Written here rather than taken from PyPI: ``ms-ovba-compression`` 1.0.1 computes the maximum
copy length as ``0xFFFF << bit_count + 3`` and silently truncates long modules. Every module
written by the builder is read back by ``olevba`` in the tests.
"""
from __future__ import annotations

CHUNK = 4096
_MAX_CANDIDATES = 512  # bounded search keeps compression fast; any valid match is allowed


class OvbaError(ValueError):
    pass


def _bit_count(difference: int) -> int:
    """Number of offset bits of a CopyToken at ``difference`` bytes into the chunk (>= 4)."""
    bits = 4
    while (1 << bits) < difference:
        bits += 1
    return bits


def _longest_match(data: bytes, pos: int, table: dict[bytes, list[int]]) -> tuple[int, int]:
    """(length, offset) of the longest earlier copy of the bytes at ``pos`` among the last
    _MAX_CANDIDATES positions starting with the same 3 bytes; (0, 0) when there is none."""
    n = len(data)
    best_len, best_off = 0, 0
    if pos == 0 or pos + 3 > n:
        return best_len, best_off
    max_len = min((0xFFFF >> _bit_count(pos)) + 3, n - pos)
    for cand in reversed(table.get(data[pos:pos + 3], ())[-_MAX_CANDIDATES:]):
        length = 3
        while length < max_len and data[cand + length] == data[pos + length]:
            length += 1
        if length > best_len:
            best_len, best_off = length, pos - cand
            if length == max_len:
                break
    return best_len, best_off


def _remember(table: dict[bytes, list[int]], data: bytes, start: int, stop: int) -> None:
    """Index positions ``start`` … ``stop - 1`` by the 3 bytes starting there."""
    for p in range(start, min(stop, len(data) - 2)):
        table.setdefault(data[p:p + 3], []).append(p)


def _compress_tokens(data: bytes) -> bytes:
    """The body of a compressed chunk: flag bytes, each followed by up to 8 tokens (a literal
    byte, or a CopyToken when an earlier copy of 3 bytes or more exists)."""
    n = len(data)
    out = bytearray()
    table: dict[bytes, list[int]] = {}
    pos = 0
    while pos < n:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            best_len, best_off = _longest_match(data, pos, table)
            if best_len >= 3:
                token = ((best_off - 1) << (16 - _bit_count(pos))) | (best_len - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
            else:
                best_len = 1
                out.append(data[pos])
            _remember(table, data, pos, pos + best_len)
            pos += best_len
        out[flag_index] = flags
    return bytes(out)


def _compress_chunk(data: bytes) -> bytes:
    """One CompressedChunk (header + body) for ``len(data) <= 4096`` bytes."""
    body = _compress_tokens(data)
    if len(body) <= CHUNK:
        return (0xB000 | (len(body) + 2 - 3)).to_bytes(2, "little") + body
    if len(data) == CHUNK:  # incompressible full chunk: raw chunk (flag bit 0), exactly 4096 bytes
        return (0x3000 | (CHUNK + 2 - 3)).to_bytes(2, "little") + data
    # A raw chunk is always 4096 bytes (the spec pads with NULs), which would change the
    # module text; text never gets here, so refuse rather than corrupt.
    raise OvbaError("incompressible final chunk: cannot be stored without padding")


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(bytes(data[start:start + CHUNK]))
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (strict: raises on malformed input)."""
    if not container or container[0] != 0x01:
        raise OvbaError("not a CompressedContainer (signature byte must be 0x01)")
    out = bytearray()
    pos = 1
    end = len(container)
    while pos < end:
        if pos + 2 > end:
            raise OvbaError("truncated chunk header")
        header = int.from_bytes(container[pos:pos + 2], "little")
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise OvbaError(f"bad chunk signature at {pos}")
        chunk_end = min(pos + size, end)
        chunk_start_out = len(out)
        if not header & 0x8000:
            out += container[pos + 2:pos + 2 + CHUNK]
            pos += 2 + CHUNK
            continue
        p = pos + 2
        while p < chunk_end:
            flags = container[p]
            p += 1
            for bit in range(8):
                if p >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(container[p])
                    p += 1
                    continue
                token = int.from_bytes(container[p:p + 2], "little")
                p += 2
                bits = _bit_count(len(out) - chunk_start_out)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                src = len(out) - offset
                if src < chunk_start_out:
                    raise OvbaError("copy token points before the chunk start")
                for i in range(length):
                    out.append(out[src + i])
        pos = chunk_end
    return bytes(out)
