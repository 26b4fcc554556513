"""Cell values as the reader hands them out, and the conversions between XML text and them."""
from __future__ import annotations

import re

# the one cell model (udfs.cellvalue) defines what the reader hands out
from udfs.cellvalue import (  # noqa: E402,F401
    DAYS_1900_TO_1904,
    EPOCH_1900,
    EPOCH_1904,
    ERROR_CODES,
    NotCalculated,
    Unreadable,
    XlError,
    from_serial,
    line_breaks,
    to_serial,
)

_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _entity(m: re.Match[str]) -> str:
    e = m.group(1)
    if e[0] == "#":
        return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
    return _NAMED[e]


def xml_text(raw: bytes) -> str:
    """Character data of an XML text node (UTF-8 bytes) → str: entities resolved, Excel's
    ``_xHHHH_`` escapes of control characters decoded, and line breaks as the cell model
    has them (CR LF and CR → LF, however stored: literally, ``&#13;`` or ``_x000D_``)."""
    if b"\r" in raw:                     # literal line ends first, as an XML parser reads them
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    s = raw.decode("utf-8")
    if "&" in s:
        s = _ENTITY.sub(_entity, s)
    if "_x" in s:
        s = _XESC.sub(lambda m: chr(int(m.group(1), 16)), s)
    return line_breaks(s)


def unescape_x(s: str) -> str:
    """Excel's ``_xHHHH_`` escapes decoded (text already free of XML entities)."""
    return _XESC.sub(lambda m: chr(int(m.group(1), 16)), s) if "_x" in s else s


_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]|_x[0-9A-Fa-f]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")


def escape(text: str) -> str:
    """str → XML character data as Excel writes it (control characters as ``_xHHHH_``, a
    literal ``_xHHHH_`` protected by escaping its underscore)."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def escape_attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")


def number_text(x: float) -> str:
    """A float as Excel stores it: shortest round-trip text, integral values without '.0'."""
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def col_index(letters: str) -> int:
    """Excel column letters → 0-based index."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def col_letter(index: int) -> str:
    """0-based column index → Excel letters."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out
