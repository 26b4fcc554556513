"""Cell values as the reader hands them out, and the conversions between XML text and them."""
from __future__ import annotations

import datetime as dt
import re

ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
               "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
               "#UNKNOWN!")


class XlError(str):
    """An Excel error value such as ``XlError("#N/A")``: a str subclass so it prints as Excel
    shows it, but never equal to (or confused with) the text a clerk typed — test with
    ``isinstance(v, XlError)``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, XlError) and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(("XlError", str(self)))

    def __repr__(self) -> str:
        return f"XlError({str.__repr__(self)})"


EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
_MS_PER_DAY = 86_400_000


def from_serial(x: float, date1904: bool = False) -> dt.datetime:
    """Excel serial day number → datetime, rounded to the millisecond. In the 1900 system
    serials below 61 are shifted by Excel's phantom 1900-02-29 (serial 60 is shown as
    that non-existent day; it is read as 1900-02-28)."""
    if date1904:
        base = EPOCH_1904
    elif x < 61:
        base = EPOCH_1900 + dt.timedelta(days=1)
        if x >= 60:
            x = 59 + (x - 60)                   # the phantom day folds onto 02-28
    else:
        base = EPOCH_1900
    return base + dt.timedelta(milliseconds=round(x * _MS_PER_DAY))


def to_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    """datetime/date → Excel serial (the inverse of :func:`from_serial` for dates after 1900-03-01)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - (EPOCH_1904 if date1904 else EPOCH_1900)
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _entity(m: re.Match[str]) -> str:
    e = m.group(1)
    if e[0] == "#":
        return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
    return _NAMED[e]


def xml_text(raw: bytes) -> str:
    """Character data of an XML text node (UTF-8 bytes) → str: entities resolved and
    Excel's ``_xHHHH_`` escapes of control characters decoded."""
    s = raw.decode("utf-8")
    if "&" in s:
        s = _ENTITY.sub(_entity, s)
    if "_x" in s:
        s = _XESC.sub(lambda m: chr(int(m.group(1), 16)), s)
    return s


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
