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


def _compress_chunk(data: bytes) -> bytes:
    """One CompressedChunk (header + body) for ``len(data) <= 4096`` bytes."""
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
            best_len, best_off = 0, 0
            if pos > 0 and pos + 3 <= n:
                bits = _bit_count(pos)
                max_len = min((0xFFFF >> bits) + 3, n - pos)
                for cand in reversed(table.get(data[pos:pos + 3], ())[-_MAX_CANDIDATES:]):
                    length = 3
                    while length < max_len and data[cand + length] == data[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == max_len:
                            break
            if best_len >= 3:
                bits = _bit_count(pos)
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                for p in range(pos, pos + best_len):
                    if p + 3 <= n:
                        table.setdefault(data[p:p + 3], []).append(p)
                pos += best_len
            else:
                out.append(data[pos])
                if pos + 3 <= n:
                    table.setdefault(data[pos:pos + 3], []).append(pos)
                pos += 1
        out[flag_index] = flags
    if len(out) <= CHUNK:
        return (0xB000 | (len(out) + 2 - 3)).to_bytes(2, "little") + bytes(out)
    if n == CHUNK:  # incompressible full chunk: raw chunk (flag bit 0), exactly 4096 bytes
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
