"""The patching zip writer: pieces deflated elsewhere (worker processes) join the streamed
member as a valid deflate stream with the right CRC-32 and size."""
from __future__ import annotations

import io
import os
import random
import zipfile
import zlib

import pytest

from workbooks.xlsx.zipcopy import PackageWriter, crc32_combine, deflate_piece


@pytest.mark.parametrize("n1,n2", [(0, 0), (1, 0), (0, 5), (10, 1000), (12345, 98765), (3, 1 << 20)])
def test_crc32_combine_is_the_crc_of_the_join(n1, n2):
    a, b = os.urandom(n1), os.urandom(n2)
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_pieces_deflated_elsewhere_join_the_member():
    rng = random.Random(7)
    buf = io.BytesIO()
    w = PackageWriter(buf)
    s = w.stream("xl/worksheets/sheet1.xml")
    parts = []
    for i in range(30):
        # repetitive text, so a compressor that referred back across a piece would corrupt it
        d = (b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i)) * rng.randrange(0, 3000)
        parts.append(d)
        if i % 3 == 0:
            s.write(d)
        else:
            s.write_deflated(deflate_piece(d))
    s.close()
    w.write("a.xml", b"<a/>")
    w.close()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        assert z.testzip() is None
        assert z.read("xl/worksheets/sheet1.xml") == b"".join(parts)
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == sum(map(len, parts))
        assert z.read("a.xml") == b"<a/>"
