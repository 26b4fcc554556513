"""MS-OVBA compression and the CFB writer used for vbaProject.bin."""
from __future__ import annotations

import io
import zipfile

import olefile
import pytest
from hypothesis import given, settings, strategies as st
from oletools.olevba import decompress_stream

from addin.xlam import ovba
from addin.xlam.build import template_path
from addin.xlam.cfb import write_cfb
from addin.xlam.vbaproject import read_project


def _olevba_decompress(data: bytes) -> bytes:
    out = decompress_stream(bytearray(data))
    return out.encode("latin-1") if isinstance(out, str) else bytes(out)


@pytest.fixture(scope="module")
def template_ole() -> olefile.OleFileIO:
    with zipfile.ZipFile(template_path()) as z:
        return olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))


@settings(max_examples=60, deadline=None)
@given(st.one_of(
    st.binary(max_size=9000),
    st.text(alphabet="Sub End If Then\r\n ()=\"'abcxyz0123456789", max_size=20000).map(str.encode),
))
def test_roundtrip_own_and_olevba(data: bytes) -> None:
    try:
        packed = ovba.compress(data)
    except ovba.OvbaError:
        # only an incompressible short final chunk of random bytes may be refused
        tail = data[len(data) // 4096 * 4096:]
        assert 0 < len(tail) < 4096 and len(set(tail)) > 16
        return
    assert ovba.decompress(packed) == data
    assert _olevba_decompress(packed) == data


def test_long_copy_tokens_not_truncated() -> None:
    # ms-ovba-compression 1.0.1 truncated exactly this: runs longer than its wrong maximum
    # copy length. A 4 KB run forces maximum-length tokens at every bit count.
    data = b"x" * 50_000 + b"'" + b"ab" * 30_000 + bytes(range(256)) * 40
    packed = ovba.compress(data)
    assert len(packed) < len(data) // 4
    assert ovba.decompress(packed) == data
    assert _olevba_decompress(packed) == data


def test_template_streams_decompress_identically(template_ole: olefile.OleFileIO) -> None:
    # Streams written by Office/xlwings (source at offset 0): same text as olevba's reader.
    for path in ("VBA/dir", "VBA/xlwings"):
        raw = template_ole.openstream(path).read()
        text = ovba.decompress(raw)
        assert text == _olevba_decompress(raw)
        assert len(text) > 1000


def test_decompress_rejects_garbage() -> None:
    with pytest.raises(ovba.OvbaError):
        ovba.decompress(b"\x02abc")
    with pytest.raises(ovba.OvbaError):
        ovba.decompress(b"\x01\x00\x00")  # bad chunk signature


def test_cfb_roundtrip_with_olefile(template_ole: olefile.OleFileIO) -> None:
    streams = {"/".join(p): template_ole.openstream(p).read() for p in template_ole.listdir()}
    streams["Big/Stream"] = bytes(range(256)) * 40  # >= 4096: regular sectors
    streams["Big/Tiny"] = b"1"
    streams["Empty"] = b""
    data = write_cfb(streams)
    assert data == write_cfb(dict(reversed(list(streams.items()))))  # order-independent
    ole = olefile.OleFileIO(io.BytesIO(data))
    got = {"/".join(p): ole.openstream(p).read() for p in ole.listdir()}
    assert got == streams


def test_cfb_many_streams_tree() -> None:
    streams = {f"S/{i:03d}name": bytes([i % 256]) * (i * 37) for i in range(150)}
    ole = olefile.OleFileIO(io.BytesIO(write_cfb(streams)))
    assert {"/".join(p): ole.openstream(p).read() for p in ole.listdir()} == streams


def test_template_project_parses(template_ole: olefile.OleFileIO) -> None:
    with zipfile.ZipFile(template_path()) as z:
        project = read_project(z.read("xl/vbaProject.bin"))
    names = [m.name for m in project.modules]
    assert {"ThisWorkbook", "Sheet2", "Dictionary", "xlwings"} <= set(names)
    assert project.codepage == 1252
