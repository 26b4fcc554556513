"""Read the xlwings template's vbaProject.bin and write a new one with our modules.

[MS-OVBA] layout: ``PROJECT`` (text), ``PROJECTwm`` (module names), ``VBA/_VBA_PROJECT``
(version 0xFFFF: Office ignores any cache and compiles from source), ``VBA/dir`` (compressed
records) and one compressed stream per module. Every module is written as *source only*
(MODULEOFFSET 0), so what Excel compiles is exactly the text we generated.
"""
from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

import olefile

from . import ovba
from .cfb import write_cfb

# dir-stream record ids used below ([MS-OVBA] 2.3.4.2)
PROJECTNAME = 0x0004
PROJECTVERSION = 0x0009
PROJECTMODULES = 0x000F
PROJECTCOOKIE = 0x0013
MODULENAME = 0x0019
MODULENAMEUNICODE = 0x0047
MODULESTREAMNAME = 0x001A
MODULESTREAMNAMEUNICODE = 0x0032
MODULEDOCSTRING = 0x001C
MODULEDOCSTRINGUNICODE = 0x0048
MODULEOFFSET = 0x0031
MODULEHELPCONTEXT = 0x001E
MODULECOOKIE = 0x002C
MODULETYPE_STD = 0x0021
MODULETYPE_OTHER = 0x0022
MODULE_TERMINATOR = 0x002B
DIR_TERMINATOR = 0x0010
PROJECTCODEPAGE = 0x0003


@dataclass
class Module:
    name: str
    kind: str  # "std" (.bas), "class" (.cls), "document" (ThisWorkbook / sheets)
    source: str  # full module text including its Attribute lines, CRLF line ends
    docstring: bytes = b""


@dataclass
class VbaProject:
    codepage: int
    project_id: str
    header_records: list[tuple[int, bytes]]  # dir records before PROJECTMODULES
    project_text: str  # PROJECT stream (module lines replaced on write)
    vba_project_stream: bytes
    modules: list[Module]

    @property
    def encoding(self) -> str:
        return f"cp{self.codepage}"


def _records(data: bytes) -> list[tuple[int, bytes]]:
    out = []
    i = 0
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        if rid == PROJECTVERSION:  # Reserved=4, then 4+2 bytes of version
            size = 6
        out.append((rid, bytes(data[i + 6:i + 6 + size])))
        i += 6 + size
    return out


def read_project(vba_bin: bytes) -> VbaProject:
    ole = olefile.OleFileIO(io.BytesIO(vba_bin))
    recs = _records(ovba.decompress(ole.openstream("VBA/dir").read()))
    codepage = next(struct.unpack("<H", d)[0] for r, d in recs if r == PROJECTCODEPAGE)
    enc = f"cp{codepage}"
    idx = next(i for i, (r, _) in enumerate(recs) if r == PROJECTMODULES)
    header = recs[:idx]
    project_text = ole.openstream("PROJECT").read().decode(enc)
    kinds: dict[str, str] = {}
    for line in project_text.splitlines():
        key, _, value = line.partition("=")
        if key in ("Document", "Class", "Module", "BaseClass"):
            kinds[value.split("/")[0]] = {"Document": "document", "Module": "std"}.get(key, "class")
    id_match = re.search(r'^ID="(\{[^}]+\})"', project_text, re.M)
    if id_match is None:
        raise ValueError("PROJECT stream has no ID=\"{...}\" line")
    project_id = id_match.group(1)

    modules: list[Module] = []
    cur: dict[int, bytes] = {}
    for rid, data in recs[idx + 1:]:
        cur.setdefault(rid, data)
        if rid == MODULE_TERMINATOR:
            name = cur[MODULENAME].decode(enc)
            stream = cur[MODULESTREAMNAME].decode(enc)
            offset = struct.unpack("<I", cur[MODULEOFFSET])[0]
            raw = ole.openstream(f"VBA/{stream}").read()
            source = ovba.decompress(raw[offset:]).decode(enc)
            modules.append(Module(name, kinds[name], source, cur.get(MODULEDOCSTRING, b"")))
            cur = {}
    return VbaProject(codepage, project_id, header, project_text,
                      ole.openstream("VBA/_VBA_PROJECT").read(), modules)


def _rec(rid: int, data: bytes) -> bytes:
    if rid == PROJECTVERSION:
        return struct.pack("<HI", rid, 4) + data
    return struct.pack("<HI", rid, len(data)) + data


_MODULE_KEYS = ("Document", "Class", "Module", "BaseClass", "Package")


def _module_lines(modules: list[Module]) -> list[str]:
    """The PROJECT stream's ProjectModules lines: one per module, by its kind."""
    lines = []
    for m in modules:
        if m.kind == "document":
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind == "class":
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    return lines


def _project_stream(p: VbaProject, name: str) -> bytes:
    """The template's PROJECT text with our modules in place of its module lines (at the first
    one), ``Name=`` set to ``name`` and one [Workspace] line per module."""
    lines = p.project_text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    module_lines = _module_lines(p.modules)
    section = None
    for line in lines:
        if line.startswith("["):
            section = line
            out.append(line)
            if line == "[Workspace]":
                out += [f"{m.name}=0, 0, 0, 0, C" for m in p.modules]
            continue
        key = line.partition("=")[0]
        if section is None and key in _MODULE_KEYS:
            out += module_lines
            module_lines = []
        elif section is None and key == "Name":
            out.append(f'Name="{name}"')
        elif section != "[Workspace]" or not line.strip():
            out.append(line)
    text = "\r\n".join(out)
    if not text.endswith("\r\n\r\n"):
        text = text.rstrip("\r\n") + "\r\n\r\n"
    return text.encode(p.encoding)


def write_project(p: VbaProject, name: str) -> bytes:
    """Serialize ``p`` as vbaProject.bin bytes; ``name`` is the VBA project name."""
    enc = p.encoding
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,127}", name):
        raise ValueError(f"invalid VBA project name {name!r}")
    names = [m.name for m in p.modules]
    if len(set(n.lower() for n in names)) != len(names):
        raise ValueError(f"duplicate module names: {names}")
    dir_bytes = bytearray()
    for rid, data in p.header_records:
        if rid == PROJECTNAME:
            data = name.encode(enc)
        dir_bytes += _rec(rid, data)
    dir_bytes += _rec(PROJECTMODULES, struct.pack("<H", len(p.modules)))
    dir_bytes += _rec(PROJECTCOOKIE, struct.pack("<H", 0xFFFF))
    streams: dict[str, bytes] = {}
    for m in p.modules:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", m.name):
            raise ValueError(f"invalid VBA module name {m.name!r}")
        bname, uname = m.name.encode(enc), m.name.encode("utf-16-le")
        dir_bytes += _rec(MODULENAME, bname) + _rec(MODULENAMEUNICODE, uname)
        dir_bytes += _rec(MODULESTREAMNAME, bname) + _rec(MODULESTREAMNAMEUNICODE, uname)
        doc = m.docstring
        dir_bytes += _rec(MODULEDOCSTRING, doc)
        dir_bytes += _rec(MODULEDOCSTRINGUNICODE, doc.decode(enc).encode("utf-16-le"))
        dir_bytes += _rec(MODULEOFFSET, struct.pack("<I", 0))
        dir_bytes += _rec(MODULEHELPCONTEXT, struct.pack("<I", 0))
        dir_bytes += _rec(MODULECOOKIE, struct.pack("<H", 0xFFFF))
        dir_bytes += _rec(MODULETYPE_STD if m.kind == "std" else MODULETYPE_OTHER, b"")
        dir_bytes += _rec(MODULE_TERMINATOR, b"")
        try:
            source = m.source.encode(enc)
        except UnicodeEncodeError as exc:
            raise ValueError(f"module {m.name}: text not representable in {enc}: {exc}") from exc
        streams[f"VBA/{m.name}"] = ovba.compress(source)
    dir_bytes += struct.pack("<HI", DIR_TERMINATOR, 0)

    wm = bytearray()
    for m in p.modules:
        wm += m.name.encode(enc) + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
    wm += b"\0\0"
    streams["PROJECT"] = _project_stream(p, name)
    streams["PROJECTwm"] = bytes(wm)
    streams["VBA/_VBA_PROJECT"] = p.vba_project_stream
    streams["VBA/dir"] = ovba.compress(bytes(dir_bytes))
    return write_cfb(streams)


def std_module_source(name: str, body: str) -> str:
    """Text of a standard module: its VB_Name attribute line, then ``body`` with CRLF ends."""
    body = body.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    return (f'Attribute VB_Name = "{name}"\n' + body).replace("\n", "\r\n")
