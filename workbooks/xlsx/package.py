"""open_package(): what a workbook package holds, read without modifying it.

Refuses, with a plain Chinese reason, what is not an .xlsx/.xlsm package: an old .xls
(an OLE compound file), an encrypted workbook (OOXML inside an OLE file with an
``EncryptionInfo`` stream), an OpenDocument .ods, an .xlsb, a damaged zip (naming the part
that failed). Cell values are read by the streaming scanner of :mod:`.sheetxml`.

A hostile package is refused the same way (「文件已损坏：…」), before it costs memory or time:
unsafe or duplicate member names; parts inflating past the limits below (checked piece by
piece while inflating, never from the sizes the zip directory claims); rows, columns, texts
or shared-string indexes no spreadsheet program writes. The parts around the sheets are
parsed by lxml with entity expansion, DTDs and the network off.
"""
from __future__ import annotations

import posixpath
import re
import struct
import types
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import olefile
from lxml import etree

from udfs.errtext import detail_text, os_reason

from .cells import line_breaks, unescape_x, xml_text
from .scan import T_S, FormulaCells, Index, SharedFormulas, Values, decode_joined, index as index_rows, normalise
from .sheetxml import SheetStream

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK"
MACRO_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SAVE_AS = "请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再处理"

# What a package may inflate to. Checked while inflating, piece by piece: the sizes in the
# zip directory are written by whoever made the file and are never trusted.
MAX_RATIO = 200                # inflated ÷ compressed bytes so far. Real parts: 2–11× (a 100k-row
                               # register's sheet 7.9×, its shared strings 10.4×); a zip bomb ~1000×
RATIO_GRACE = 4 << 20          # the ratio is judged past 4 MiB inflated: a small, very regular part
                               # may exceed 200× (Apache POI, stricter: 100× past 100 KiB)
MAX_MEMBER_BYTES = 4 << 30     # one streamed part (a sheet): a full 1,048,576-row register is ~3 GiB
MAX_PART_BYTES = 256 << 20     # a part read whole into memory (shared strings, styles, workbook, rels):
                               # a 1M-row register's shared strings are ~30 MiB
MAX_TOTAL_BYTES = 8 << 30      # every part of one package together
MAX_MEMBERS = 20_000           # zip entries: Excel writes ~15 for a register, ~1,000 for a large book
# Excel's own sheet limits (a file beyond them was not written by a spreadsheet program)
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384
EXCEL_MAX_TEXT = 32_767        # characters in one cell
_OUT_PIECE = 4 << 20           # inflated bytes per read: memory stays bounded whatever the ratio


class PackageError(Exception):
    """A file that is not a readable .xlsx/.xlsm package. ``message`` is plain Chinese for
    the user; ``reason`` is one of xls, ods, encrypted, damaged, not_xlsx, missing;
    ``part`` names the package part that failed (damaged)."""

    def __init__(self, message: str, reason: str, path: Path | str | None = None,
                 part: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.path = Path(path) if path is not None else None
        self.part = part
        self.original = ""           # a damaged file: the library's own words (English)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple:
        """Pickled whole: a refusal raised in a worker process reaches the parent intact."""
        return (type(self), (self.message, self.reason, self.path, self.part))


def damaged(path: Path | str, part: str, detail: str = "") -> PackageError:
    """The refusal of a damaged package; a library's English detail (zip, XML, OS) becomes
    Chinese (:func:`udfs.errtext.detail_text`), the original stays on ``.original``."""
    more = f"：{detail_text(detail)}" if detail else ""
    err = PackageError(f"文件已损坏，无法读取部件 {part}{more}；请在 Excel 中打开并修复后另存为 .xlsx 再处理",
                       "damaged", path, part)
    err.original = detail
    return err


def unreadable(path: Path | str, e: OSError) -> PackageError:
    """A file the OS will not let us read, the reason in Chinese (没有权限, 文件名过长 …)."""
    return PackageError(f"无法打开文件：{os_reason(e)}", "missing", path)


def unsafe(path: Path | str, part: str, detail: str) -> PackageError:
    """A package that breaks a limit or names its parts unsafely (hostile or broken)."""
    return PackageError(f"文件已损坏：{detail}（部件 {part}）；本文件未处理，请在 Excel 中打开并修复后另存为 .xlsx 再处理",
                        "damaged", path, part)


def check_names(infos: Sequence[zipfile.ZipInfo], path: Path | str) -> None:
    """Refuse member names that could escape a folder or hide a part: absolute, with ``..``,
    a drive or backslash, or the same part twice (part names compare case-insensitively,
    OPC Part 2 §6.3.5)."""
    if len(infos) > MAX_MEMBERS:
        raise unsafe(path, "zip", f"压缩包有 {len(infos)} 个部件，超过上限 {MAX_MEMBERS}")
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        parts = name.split("/")
        if (name.startswith("/") or "\\" in name or ":" in parts[0] or "\x00" in name
                or any(p in ("..", ".") for p in parts)):
            raise unsafe(path, name, f"压缩包内有不安全的部件名「{name}」")
        key = name.lower()
        if key in seen:
            raise unsafe(path, name, f"压缩包内部件「{name}」出现两次")
        seen.add(key)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise unsafe(path, name, f"部件使用了 Excel 不用的压缩方式（{info.compress_type}）")


def _largest_uint(a: np.ndarray, start: np.ndarray, end: np.ndarray) -> int:
    """The largest of the unsigned decimal numbers at ``a[start:end]`` (digit by digit over
    all spans at once: 20× faster than converting byte strings); spans that are not plain
    digits are left to the cell reader (-1 when none is)."""
    width = end - start
    ok = (width > 0) & (width <= 18)
    start, width = start[ok], width[ok]
    if not len(start):
        return -1
    value = np.zeros(len(start), dtype=np.int64)
    for k in range(int(width.max())):
        live = k < width
        d = a[np.minimum(start + k, len(a) - 1)].astype(np.int64) - 48
        ok = ~live | ((d >= 0) & (d <= 9))
        value = np.where(live, value * 10 + d, value)
        start, width, value = start[ok], width[ok], value[ok]
    return int(value.max()) if len(value) else -1


class Budget:
    """Bytes inflated per part of one package (the largest read of each part counts once
    towards :data:`MAX_TOTAL_BYTES`)."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.parts: dict[str, int] = {}

    def charge(self, part: str, size: int) -> None:
        if size > self.parts.get(part, 0):
            self.parts[part] = size
            total = sum(self.parts.values())
            if total > MAX_TOTAL_BYTES:
                raise unsafe(self.path, part, f"解压后总大小超过上限 {MAX_TOTAL_BYTES >> 30} GiB")


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str                          # zip member, e.g. "xl/worksheets/sheet1.xml"
    state: str                         # "visible" | "hidden" | "veryHidden"
    type: str                          # "worksheet" | "chartsheet" | "dialogsheet" | "macrosheet"
    sheet_id: int = 0
    rel_id: str = ""


@dataclass
class Chunk:
    """Rows of a sheet as read: ``rows`` are the sheet row numbers (1-based) of the rows that
    exist in the XML, in order; ``values[col]`` one value per row (blank = None);
    ``formulas[col]`` the formula text (without '=') or None, for the formulas_of columns
    (decoded on first use); ``formula_cells[col]`` the same formulas as stored, for a
    comparison with the template that decodes only the cells unlike it."""

    rows: np.ndarray
    values: dict[int, list[Any]]
    formulas: Mapping[int, list[str | None]] = field(default_factory=dict)
    formula_cells: dict[int, FormulaCells] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)


class LazyFormulas(Mapping):
    """``Chunk.formulas`` of the reader: column → list of formula texts, each column
    decoded when it is first asked for (most passes only compare the stored bytes)."""

    def __init__(self, cells: dict[int, FormulaCells]) -> None:
        self._cells = cells
        self._texts: dict[int, list[str | None]] = {}

    def __getitem__(self, col: int) -> list[str | None]:
        got = self._texts.get(col)
        if got is None:
            got = self._texts[col] = self._cells[col].texts()
        return got

    def __contains__(self, col: object) -> bool:
        return col in self._cells

    def __iter__(self) -> Iterator[int]:
        return iter(self._cells)

    def __len__(self) -> int:
        return len(self._cells)

    def __repr__(self) -> str:
        return repr(dict(self))


# Used only on a cell longer than 32,767 bytes, to measure its text: a tag is "<" up to the
# next ">" (attribute values cannot hold a raw "<", XML 1.0 §3.1), formulas are dropped whole.
_TAG = re.compile(rb"<[^>]*>")
_FORMULA_EL = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?f>)", re.S)

_BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKET = re.compile(r"\[[^\]]*\]")
_ELAPSED = re.compile(r"\[(h+|m+|s+)\]", re.I)


def is_date_format(code: str) -> bool:
    """A number format that shows a date or a time (Excel's own test, simplified: any of
    y/m/d/h/s, or an elapsed [h]/[m]/[s], outside quotes, escapes and [colour]/[locale])."""
    first = code.split(";")[0]
    if _ELAPSED.search(first):
        return True
    body = _BRACKET.sub("", _QUOTED.sub("", first)).lower()
    if body in ("general", "@", ""):
        return False
    return bool(re.search(r"[ymdhs]", body.replace("general", "")))


def _q(tag: str, ns: str = NS_MAIN) -> str:
    return f"{{{ns}}}{tag}"


def _resolve(base_part: str, target: str) -> str:
    """A relationship target relative to the part that owns the .rels → zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def rels_part(part: str) -> str:
    d, n = posixpath.split(part)
    return posixpath.join(d, "_rels", n + ".rels")


def read_rels(z: zipfile.ZipFile, part: str, path: Path,
              budget: Budget | None = None) -> dict[str, tuple[str, str, str]]:
    """Relationships of a part: Id → (type, resolved target part, TargetMode)."""
    name = rels_part(part)
    try:
        info = z.getinfo(name)
    except KeyError:
        return {}
    try:
        data = read_member(path, info, MAX_PART_BYTES, budget)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as e:
        raise damaged(path, name, str(e)) from None
    return parse_rels(data, part, path)


def parse_rels(data: bytes, part: str, path: Path | str = "") -> dict[str, tuple[str, str, str]]:
    """A ``.rels`` part parsed as XML (any attribute order, any namespace prefix, both the
    transitional and the strict namespace): Id → (type, resolved target, TargetMode)."""
    name = rels_part(part)
    root = xml_root(data, path, name)
    out = {}
    for r in root:
        if not isinstance(r.tag, str) or etree.QName(r).localname != "Relationship" or r.get("Id") is None:
            continue
        mode = r.get("TargetMode", "Internal")
        tgt = r.get("Target", "")
        out[r.get("Id")] = (r.get("Type", ""), tgt if mode == "External" else _resolve(part, tgt), mode)
    return out


_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True, no_network=True, load_dtd=False)


def xml_root(data: bytes, path: Path | str, part: str) -> Any:
    """A package part parsed by lxml with entity expansion, DTD loading and network access
    off (raises a "damaged" PackageError naming the part)."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as e:
        raise damaged(path, part, f"XML 格式错误（{e}）") from None


def sniff(path: Path) -> None:
    """Refuse what is not a zip package, with the reason (raises PackageError)."""
    if not path.exists():
        raise PackageError("文件不存在", "missing", path)
    if path.is_dir():
        raise PackageError("这是文件夹，不是 Excel 工作簿", "not_xlsx", path)
    try:
        with open(path, "rb") as f:
            magic = f.read(8)
    except OSError as e:
        raise unreadable(path, e) from None
    suffix = path.suffix.lower()
    if magic == OLE_MAGIC:
        try:
            with olefile.OleFileIO(str(path)) as ole:
                encrypted = ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
        except Exception:  # noqa: BLE001 — any failure to read the OLE container: call it damaged
            raise damaged(path, "OLE", "复合文档结构无法读取") from None
        if encrypted:
            raise PackageError("工作簿设有打开密码（已加密），无法读取；请去掉密码后再处理"
                               "（Excel：文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码后保存）",
                               "encrypted", path)
        raise PackageError(f"这是旧版 Excel 97-2003 工作簿（.xls），本程序只处理 .xlsx/.xlsm；"
                           f"请另存为 .xlsx（{SAVE_AS}）", "xls", path)
    if magic[:2] != ZIP_MAGIC:
        if suffix in (".xlsx", ".xlsm", ".xltx", ".xltm"):
            raise damaged(path, "zip", "不是有效的 zip 压缩包")
        raise PackageError("不是 Excel 工作簿（.xlsx/.xlsm）", "not_xlsx", path)


_SI = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_SIMPLE_T = re.compile(rb"<t(?: xml:space=\"preserve\")?>([^<]*)</t>$|<t/>$")


_SST_BODY = re.compile(rb"<sst\b[^>]*>(.*)</sst>", re.S)
_PLAIN_SI = re.compile(rb'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>')
_PLAIN_SIS = re.compile(rb'(?:<si><t(?: xml:space="preserve")?>[^<]*</t></si>)*')


def _plain_sst(data: bytes) -> list[str] | None:
    """The table when every entry is one plain ``<t>`` (Excel's usual form): all texts
    found by one C-level findall and decoded together (the per-entry loop cost ~3 µs an
    entry, 0.4 s for a 100k-row register's table); None when any entry is otherwise."""
    body = _SST_BODY.search(data)
    if body is None or _PLAIN_SIS.fullmatch(body.group(1)) is None:
        return None
    texts = _PLAIN_SI.findall(body.group(1))
    return decode_joined(b"\x00".join(texts)) if texts else []


def parse_sst(data: bytes) -> list[str]:
    """The shared-string table: plain entries by a regex, rich text (runs, phonetic guides)
    and unusual ones by lxml."""
    if b"<si>" not in data and b"<si/>" not in data:
        return _prefixed_sst(data) if b":si>" in data else []
    plain = _plain_sst(data)
    if plain is not None:
        return plain
    out = []
    for m in _SI.finditer(data):
        body = m.group(1)
        if body is None:
            out.append("")
            continue
        t = _SIMPLE_T.match(body)
        if t is not None:
            raw = t.group(1) or b""
            s = raw.decode("utf-8")
            out.append(xml_text(raw) if "&" in s or "_x" in s or "\r" in s else s)
            continue
        si = etree.fromstring(b'<si xmlns="' + NS_MAIN.encode() + b'">' + body + b"</si>")
        out.append(_si_text(si))
    return out


def _si_text(si: Any) -> str:
    """The text of a parsed ``<si>``: its runs' texts, phonetic guides left out."""
    return line_breaks(unescape_x("".join(t.text or "" for t in si.iter("{*}t")
                                          if etree.QName(t.getparent()).localname != "rPh")))


def _prefixed_sst(data: bytes) -> list[str]:
    """A table written with a prefixed namespace (``<x:si>``): the slow, general way."""
    root = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
    return [_si_text(si) for si in root.iter("{*}si")]


_inflater: types.ModuleType
try:                                     # pinned (constraints.txt); zlib is the fallback
    from isal import isal_zlib as _inflater
except ImportError:                      # pragma: no cover - isal is a dependency
    _inflater = zlib

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_RAW_PIECE = 1 << 19                      # compressed bytes per read (~4 MiB of sheet XML)


class InflatedMember:
    """A stored or deflated zip member read piece by piece (ISA-L's inflate, ``isal``, ~2×
    zlib's speed on sheet XML: 0.18 s against 0.42 s for a 272 MB part), with the limits of
    this module checked on every piece (ratio so far, size of the part, the package's total)
    and its CRC checked at the end, like ``ZipFile.open``. Only public zip data is used
    (``ZipInfo.header_offset``, ``compress_size``, ``CRC``) and the local header layout of
    APPNOTE 4.3.7. ``read()`` returns the next piece (at most 4 MiB; b"" at the end)."""

    def __init__(self, path: Path, info: zipfile.ZipInfo, limit: int = MAX_MEMBER_BYTES,
                 budget: Budget | None = None) -> None:
        self.name = info.filename
        self.path = path
        self._limit = limit
        self._budget = budget
        self._fp = open(path, "rb")
        try:
            self._fp.seek(info.header_offset)
            head = self._fp.read(_LOCAL_HEADER.size)
            if len(head) != _LOCAL_HEADER.size or _LOCAL_HEADER.unpack(head)[0] != 0x04034B50:
                raise zipfile.BadZipFile(f"Bad magic number for file header of {self.name!r}")
            nlen, elen = _LOCAL_HEADER.unpack(head)[9:]
            self._fp.seek(info.header_offset + _LOCAL_HEADER.size + nlen + elen)
        except BaseException:
            self._fp.close()
            raise
        self._left = self._compressed_total = info.compress_size
        self._stored = info.compress_type == zipfile.ZIP_STORED
        self._inflate = None if self._stored else _inflater.decompressobj(-15)
        self._tail = b""                  # compressed bytes read but not yet inflated
        self._crc = 0
        self._want_crc = info.CRC
        self._want_size = info.file_size
        self._size = 0
        self._done = False

    @staticmethod
    def usable(info: zipfile.ZipInfo) -> bool:
        """Stored or deflated members that are not encrypted (every part Excel writes)."""
        return info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and not info.flag_bits & 1

    def _next(self) -> bytes:
        """The next inflated piece (may be b"" before the end)."""
        if not self._tail and self._left:
            self._tail = self._fp.read(min(self._left, _RAW_PIECE))
            self._left -= len(self._tail)
            if not self._tail:
                raise EOFError(f"{self.name}: 压缩数据不完整")
        if self._stored:
            out, self._tail = self._tail, b""
            return out
        inflate = self._inflate
        assert inflate is not None                # a deflated member has its inflater
        try:
            out = inflate.decompress(self._tail, _OUT_PIECE)
            self._tail = inflate.unconsumed_tail
            if not self._left and not self._tail:
                out += inflate.flush()
        except _inflater.error as e:
            raise zlib.error(str(e)) from None
        return out

    def _check(self, size: int) -> None:
        if size > self._limit:
            raise unsafe(self.path, self.name, f"部件解压后超过 {self._limit >> 20} MiB 上限")
        used = self._compressed_total - self._left - len(self._tail)
        if size > RATIO_GRACE and size > MAX_RATIO * max(used, 1):
            raise unsafe(self.path, self.name, f"压缩比超过 {MAX_RATIO} 倍（疑似压缩炸弹）")
        if self._budget is not None:
            self._budget.charge(self.name, size)

    def read(self, n: int = -1) -> bytes:
        while not self._done:
            out = self._next()
            self._crc = _inflater.crc32(out, self._crc)
            self._size += len(out)
            self._check(self._size)
            if not self._left and not self._tail:
                self._done = True
                if self._crc != self._want_crc or self._size != self._want_size:
                    raise zipfile.BadZipFile(f"Bad CRC-32 for file {self.name!r}")
            if out:
                return out
        return b""

    def read_all(self) -> bytes:
        pieces: list[bytes] = []
        while True:
            piece = self.read()
            if not piece:
                return b"".join(pieces)
            pieces.append(piece)

    def close(self) -> None:
        self._fp.close()


def read_member(path: Path, info: zipfile.ZipInfo, limit: int = MAX_PART_BYTES,
                budget: Budget | None = None) -> bytes:
    """A whole member, inflated within the limits (raises PackageError, zipfile.BadZipFile,
    zlib.error or EOFError)."""
    if not InflatedMember.usable(info):
        raise unsafe(path, info.filename, "部件已加密或使用了 Excel 不用的压缩方式")
    m = InflatedMember(path, info, limit, budget)
    try:
        return m.read_all()
    finally:
        m.close()


def _zip(path: Path) -> zipfile.ZipFile:
    """The package's zip directory; a damaged directory raises PackageError."""
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        raise damaged(path, "zip", f"压缩包目录损坏（{e}）") from None


def read_parts(path: Path | str) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    """Every member of a package, inflated within the limits (for a writer that rebuilds
    the package in memory); unsafe or duplicate names refused. Raises PackageError."""
    path = Path(path)
    sniff(path)
    with _zip(path) as z:
        infos = z.infolist()
        check_names(infos, path)
        budget = Budget(path)
        out = {}
        for info in infos:
            try:
                out[info.filename] = read_member(path, info, MAX_MEMBER_BYTES, budget)
            except (zipfile.BadZipFile, zlib.error, EOFError) as e:
                raise damaged(path, info.filename, str(e)) from None
    return infos, out


def open_package(path: Path | str) -> Package:
    """Open a package for reading; raises :class:`PackageError`. Never modifies the file."""
    path = Path(path)
    sniff(path)
    try:
        z = _zip(path)
    except OSError as e:
        raise unreadable(path, e) from None
    with z:
        check_names(z.infolist(), path)
        names = set(z.namelist())
        if "mimetype" in names:
            try:
                mime = read_member(path, z.getinfo("mimetype"), 1 << 10)[:100]
            except Exception:  # noqa: BLE001 — an unreadable mimetype only means "not an .ods"
                mime = b""
            if b"opendocument.spreadsheet" in mime:
                raise PackageError(f"这是 OpenDocument 表格（.ods），本程序只处理 .xlsx/.xlsm；请另存为 .xlsx"
                                   f"（{SAVE_AS}）", "ods", path)
        if "xl/workbook.bin" in names:
            raise PackageError(f"这是 Excel 二进制工作簿（.xlsb），本程序只处理 .xlsx/.xlsm；请另存为 .xlsx"
                               f"（{SAVE_AS}）", "not_xlsx", path)
        if "[Content_Types].xml" not in names:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                raise damaged(path, "[Content_Types].xml", "部件缺失")
            raise PackageError("不是 Excel 工作簿（.xlsx/.xlsm）", "not_xlsx", path)
        pkg = Package(path, names)
        pkg._load(z)
    return pkg


class Package:
    """A workbook package opened for reading (the zip is reopened per read; nothing is
    held open between calls)."""

    def __init__(self, path: Path, names: set[str]) -> None:
        self.path = path
        self.names = names
        self.workbook_part = "xl/workbook.xml"
        self.content_types: dict[str, str] = {}        # part (no leading '/') → content type
        self.default_types: dict[str, str] = {}        # extension → content type
        self.sheets: list[SheetInfo] = []
        self.defined_names: dict[str, str] = {}
        self.date1904 = False
        self.workbook_rels: dict[str, tuple[str, str, str]] = {}
        self.sst_part: str | None = None
        self.styles_part: str | None = None
        self.budget = Budget(path)

    # ------------------------------------------------------------------ loading
    def _read(self, z: zipfile.ZipFile, part: str) -> bytes:
        try:
            return read_member(self.path, z.getinfo(part), MAX_PART_BYTES, self.budget)
        except KeyError:
            raise damaged(self.path, part, "部件缺失") from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as e:
            raise damaged(self.path, part, str(e)) from None

    def read_part(self, part: str) -> bytes:
        """A whole part (at most :data:`MAX_PART_BYTES` inflated; raises PackageError)."""
        with self.zip() as z:
            return self._read(z, part)

    def open_member(self, info: zipfile.ZipInfo) -> InflatedMember:
        """A streamed read of a (large) part within this package's limits."""
        return InflatedMember(self.path, info, MAX_MEMBER_BYTES, self.budget)

    def _xml(self, z: zipfile.ZipFile, part: str) -> Any:
        return xml_root(self._read(z, part), self.path, part)

    def _load(self, z: zipfile.ZipFile) -> None:
        self._load_content_types(z)
        root_rels = read_rels(z, "", self.path, self.budget) if "_rels/.rels" in self.names else {}
        for typ, target, _ in root_rels.values():
            if typ.endswith("/officeDocument"):
                self.workbook_part = target
        if self.workbook_part not in self.names:
            raise damaged(self.path, self.workbook_part, "部件缺失")
        wb = self._xml(z, self.workbook_part)
        ns = etree.QName(wb).namespace or NS_MAIN
        self.workbook_rels = read_rels(z, self.workbook_part, self.path, self.budget)
        pr = wb.find(f"{{{ns}}}workbookPr")
        if pr is not None:
            self.date1904 = pr.get("date1904", "false").lower() in ("1", "true")
        self._load_sheets(wb.find(f"{{{ns}}}sheets"))
        self._load_defined_names(wb.find(f"{{{ns}}}definedNames"))
        for typ, target, _ in self.workbook_rels.values():
            if typ.endswith("/sharedStrings"):
                self.sst_part = target
            elif typ.endswith("/styles"):
                self.styles_part = target

    def _load_content_types(self, z: zipfile.ZipFile) -> None:
        """[Content_Types].xml: the parts' overrides and the extensions' defaults."""
        for el in self._xml(z, "[Content_Types].xml"):
            tag = etree.QName(el).localname
            if tag == "Override" and el.get("PartName"):
                self.content_types[el.get("PartName").lstrip("/")] = el.get("ContentType", "")
            elif tag == "Default" and el.get("Extension"):
                self.default_types[el.get("Extension").lower()] = el.get("ContentType", "")

    def _load_sheets(self, sheets_el: Any) -> None:
        """The workbook's ``<sheets>``, each sheet with the part its relationship names."""
        for el in (sheets_el if sheets_el is not None else []):
            rid = el.get(f"{{{NS_R}}}id") or el.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
            rel = self.workbook_rels.get(rid or "")
            if rel is None:
                raise damaged(self.path, rels_part(self.workbook_part), f"工作表「{el.get('name')}」的关系缺失")
            typ = rel[0].rsplit("/", 1)[-1]
            self.sheets.append(SheetInfo(el.get("name", ""), rel[1], el.get("state", "visible"),
                                         typ, int(el.get("sheetId", "0") or 0), rid or ""))

    def _load_defined_names(self, dn: Any) -> None:
        """The workbook's ``<definedNames>``; a sheet's own names as 「sheet!name」."""
        names_by_index = [s.name for s in self.sheets]
        for el in (dn if dn is not None else []):
            name = el.get("name", "")
            local = el.get("localSheetId")
            if local is not None and local.isdigit() and int(local) < len(names_by_index):
                name = f"{names_by_index[int(local)]}!{name}"
            self.defined_names[name] = el.text or ""

    # ------------------------------------------------------------------ properties
    @property
    def is_macro_enabled(self) -> bool:
        return self.content_types.get(self.workbook_part, "") == MACRO_CT or "xl/vbaProject.bin" in self.names

    def zip(self) -> zipfile.ZipFile:
        try:
            return zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as e:
            raise damaged(self.path, "zip", str(e)) from None

    def sheet(self, name: str) -> SheetInfo:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    @cached_property
    def shared_strings(self) -> list[str]:
        part = self.sst_part
        if not part or part not in self.names:
            return []
        with self.zip() as z:
            data = self._read(z, part)
        try:
            out = parse_sst(data)
        except (etree.XMLSyntaxError, ValueError) as e:
            raise damaged(self.path, part, str(e)) from None
        longest = max(map(len, out), default=0)
        if longest > EXCEL_MAX_TEXT:
            raise unsafe(self.path, part, f"有 {longest} 个字符的文本，超过 Excel 单元格上限 {EXCEL_MAX_TEXT} 个字符")
        return out

    def check_block(self, part: str, ix: Index) -> None:
        """Refuse a block of rows no spreadsheet program writes: a row past 1,048,576, a
        column past XFD (16,384), a shared-string index outside the table, a cell text over
        32,767 characters (raises PackageError)."""
        over = ix.row_num[ix.row_num > EXCEL_MAX_ROWS] if len(ix.row_num) else ix.row_num
        if len(over):                   # the first row past the limit (rows without r count on)
            raise unsafe(self.path, part, f"第 {int(over[0])} 行超出 Excel 的最大行号 {EXCEL_MAX_ROWS}")
        if not len(ix.cell_col):
            return
        if int(ix.cell_col.max()) >= EXCEL_MAX_COLS:
            raise unsafe(self.path, part, f"第 {int(ix.cell_col.max()) + 1} 列超出 Excel 的最大列数 {EXCEL_MAX_COLS}")
        ss = (ix.cell_type == T_S) & (ix.v_start >= 0) & (ix.v_end > ix.v_start)
        if ss.any():
            top = _largest_uint(ix.a, ix.v_start[ss], ix.v_end[ss])
            if top >= len(self.shared_strings):
                raise unsafe(self.path, part, f"共享字符串编号 {top} 超出范围（共 {len(self.shared_strings)} 条）")
        long = np.flatnonzero(ix.cell_end - ix.cell_start > EXCEL_MAX_TEXT)
        for j in long.tolist():
            self._check_text(part, ix.data[ix.cell_start[j]:ix.cell_end[j]])

    def _check_text(self, part: str, cell: bytes) -> None:
        """A cell longer than 32,767 bytes: its text (value or inline runs, formula aside)
        measured in characters."""
        body = _FORMULA_EL.sub(b"", cell)
        text = xml_text(_TAG.sub(b"", body))
        if len(text) > EXCEL_MAX_TEXT:
            raise unsafe(self.path, part, f"有 {len(text)} 个字符的单元格文本，超过 Excel 上限 {EXCEL_MAX_TEXT} 个字符")

    def check_row(self, part: str, row: int, values: Mapping[int, Any]) -> None:
        """The same limits for one row read cell by cell (small sheets)."""
        if row > EXCEL_MAX_ROWS:
            raise unsafe(self.path, part, f"第 {row} 行超出 Excel 的最大行号 {EXCEL_MAX_ROWS}")
        if values and max(values) >= EXCEL_MAX_COLS:
            raise unsafe(self.path, part, f"第 {max(values) + 1} 列超出 Excel 的最大列数 {EXCEL_MAX_COLS}")
        for v in values.values():
            if isinstance(v, str) and len(v) > EXCEL_MAX_TEXT:
                raise unsafe(self.path, part, f"有 {len(v)} 个字符的单元格文本，超过 Excel 上限 {EXCEL_MAX_TEXT} 个字符")

    @cached_property
    def styles_root(self) -> Any | None:
        part = self.styles_part
        if not part or part not in self.names:
            return None
        with self.zip() as z:
            return self._xml(z, part)

    @cached_property
    def date_styles(self) -> np.ndarray:
        """bool per cellXfs index: the cell's number format shows a date/time."""
        root = self.styles_root
        if root is None:
            return np.zeros(0, dtype=bool)
        ns = etree.QName(root).namespace or NS_MAIN
        custom = {}
        fmts = root.find(f"{{{ns}}}numFmts")
        for el in (fmts if fmts is not None else []):
            custom[int(el.get("numFmtId", "-1"))] = el.get("formatCode", "")
        xfs = root.find(f"{{{ns}}}cellXfs")
        out = []
        for el in (xfs if xfs is not None else []):
            fid = int(el.get("numFmtId", "0") or 0)
            out.append(is_date_format(custom[fid]) if fid in custom else fid in _BUILTIN_DATE_FORMATS)
        return np.array(out, dtype=bool)

    # ------------------------------------------------------------------ cells
    def reader(self, sheet_name: str) -> "CellReader":
        return CellReader(self, self.sheet(sheet_name))

    def head(self, sheet_name: str, n_rows: int = 30) -> list[tuple[int, list[Any]]]:
        """The first ``n_rows`` rows of the sheet that hold a value: (1-based row, dense values)."""
        out: list[tuple[int, list[Any]]] = []
        rd = self.reader(sheet_name)
        for block in rd.blocks():
            for r, values, _ in self._parsed(rd, block):
                if any(v is not None for v in values.values()):
                    width = max(values) + 1
                    out.append((r, [values.get(c) for c in range(width)]))
                    if len(out) >= n_rows:
                        rd.close()
                        return out
        return out

    def read_small_sheet(self, name: str) -> list[list[Any]]:
        """Every row of a (small) sheet, dense: ``out[i]`` is sheet row i + 1."""
        rows: list[list[Any]] = []
        rd = self.reader(name)
        for block in rd.blocks():
            for r, values, _ in self._parsed(rd, block):
                while len(rows) < r - 1:
                    rows.append([])
                width = max(values) + 1 if values else 0
                rows.append([values.get(c) for c in range(width)])
        while rows and not any(v is not None for v in rows[-1]):
            rows.pop()
        return rows

    def _parsed(self, rd: "CellReader", block: bytes) -> Iterator[tuple[int, dict[int, Any], dict]]:
        """``rd.parse`` of a block within Excel's limits; a shared-string index outside the
        table is a damaged file, not a crash."""
        it = rd.parse(block, None, ())
        while True:
            try:
                r, values, forms = next(it)
            except StopIteration:
                return
            except IndexError:
                raise unsafe(self.path, rd.sheet.part,
                             f"共享字符串编号超出范围（共 {len(self.shared_strings)} 条）") from None
            self.check_row(rd.sheet.part, r, values)
            yield r, values, forms

    def iter_chunks(self, sheet_name: str, first_row: int, columns: Sequence[int] | None = None,
                    formulas_of: Sequence[int] = (), size: int = 50_000) -> Iterator[Chunk]:
        """Rows ``first_row`` … of a sheet in chunks of ``size`` rows (streamed: memory holds
        one chunk)."""
        rd = self.reader(sheet_name)
        try:
            yield from rd.chunks(first_row, columns, formulas_of, size)
        finally:
            rd.close()


_SLICE = 1 << 18                          # bytes of rows parsed at a time by CellReader.parse


class CellReader:
    """One streaming read of a sheet part (used by the reader and the patching writer)."""

    def __init__(self, pkg: Package, sheet: SheetInfo) -> None:
        self.pkg = pkg
        self.sheet = sheet
        if sheet.type != "worksheet":
            raise PackageError(f"「{sheet.name}」是图表工作表，没有单元格", "not_xlsx", pkg.path)
        self.sst = pkg.shared_strings
        self.dates = pkg.date_styles
        self.date1904 = pkg.date1904
        self._z = pkg.zip()
        try:
            info = self._z.getinfo(sheet.part)
            self._f = pkg.open_member(info) if InflatedMember.usable(info) else self._z.open(info)
        except KeyError:
            self._z.close()
            raise damaged(pkg.path, sheet.part, "部件缺失") from None
        except (zipfile.BadZipFile, OSError) as e:
            self._z.close()
            raise damaged(pkg.path, sheet.part, str(e)) from None
        self._values = Values(self.sst, self.dates, self.date1904)
        self.shared_formulas = SharedFormulas()
        self._last_indexed = 0
        try:
            self.stream = SheetStream(self._f, sheet.part)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as e:
            self.close()
            raise damaged(pkg.path, sheet.part, str(e)) from None

    def close(self) -> None:
        try:
            self._f.close()
        finally:
            self._z.close()

    def blocks(self) -> Iterator[bytes]:
        try:
            yield from self.stream.blocks()
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as e:
            raise damaged(self.pkg.path, self.sheet.part, str(e)) from None

    def parse(self, block: bytes, columns: set[int] | None, formulas_of: Sequence[int],
              first_row: int = 1) -> Iterator[tuple[int, dict[int, Any], dict[int, str | None]]]:
        """(row, {col: value}, {col: formula}) of each row of a block (row ≥ first_row),
        read through the same index and value conversion as :meth:`chunks` (so a small
        sheet and a register give every cell the same value). Lazy by slices of whole rows:
        a caller that needs the first rows (the header search) reads ~256 KiB, not the
        block (0.3 s for a 4 MiB block of a 100k-row register)."""
        start = 0
        while start < len(block):
            cut = block.rfind(b"<row", start + 1, start + _SLICE) if len(block) - start > _SLICE else -1
            end = cut if cut > start else len(block)
            yield from self._parse(block[start:end], columns, formulas_of, first_row)
            start = end

    def _parse(self, block: bytes, columns: set[int] | None, formulas_of: Sequence[int],
               first_row: int) -> Iterator[tuple[int, dict[int, Any], dict[int, str | None]]]:
        ix = self.index(block)
        self.pkg.check_block(self.sheet.part, ix)       # Excel's limits, shared-string range
        if len(ix.row_num):
            self._last_indexed = int(ix.row_num[-1])
        want_f = set(formulas_of)
        nc = len(ix.cell_start)
        keep = np.ones(nc, dtype=bool)
        if columns is not None:
            keep = np.isin(ix.cell_col, sorted(set(columns) | want_f))
        sel = np.flatnonzero(keep)
        try:
            vals = self._values.column(ix, sel, nc, sel, nc) if len(sel) else np.full(nc, None, dtype=object)
        except ValueError as e:
            raise damaged(self.pkg.path, self.sheet.part, str(e)) from None
        forms: dict[int, str | None] = {}
        if want_f:
            forms = self._formulas_of(ix, want_f)
        by_row: list[dict[int, Any]] = [{} for _ in range(len(ix.row_num))]
        for j, c, r in zip(sel.tolist(), ix.cell_col[sel].tolist(), ix.cell_row[sel].tolist()):
            if vals[j] is not None:
                by_row[r][c] = vals[j]
        row_forms: list[dict[int, str | None]] = [{} for _ in range(len(ix.row_num))]
        for j, text in forms.items():
            row_forms[int(ix.cell_row[j])][int(ix.cell_col[j])] = text
        for k, r in enumerate(ix.row_num.tolist()):
            if r >= first_row:
                yield r, by_row[k], row_forms[k]

    def _formulas_of(self, ix: Index, want: set[int]) -> dict[int, str | None]:
        """Cell index → formula text of the cells of columns ``want`` holding a formula
        (shared formulas moved to their cell, masters remembered across blocks)."""
        out: dict[int, str | None] = {}
        data = ix.data
        cells = np.flatnonzero((ix.f_start >= 0) & np.isin(ix.cell_col, sorted(want)))
        for j in cells.tolist():
            s, e = int(ix.f_start[j]), int(ix.f_end[j])
            if ix.f_plain[j]:
                out[j] = decode_joined(data[s + 3:e - 4])[0]
            else:
                out[j] = self.shared_formulas.read(data[s:e], int(ix.row_num[ix.cell_row[j]]), int(ix.cell_col[j]))
        return out

    def index(self, block: bytes) -> Index:
        """The :class:`Index` of a block (normalised first when its shape is unusual)."""
        try:
            return index_rows(block)
        except (ValueError, IndexError):
            try:
                return index_rows(normalise(block, self._last_indexed))
            except (ValueError, IndexError, KeyError, AttributeError) as e:
                raise damaged(self.pkg.path, self.sheet.part, f"XML 格式错误（{e}）") from None

    def indexes(self) -> Iterator[Index]:
        """The sheet's rows, one :class:`Index` per block of complete rows."""
        for block in self.blocks():
            ix = self.index(block)
            self.pkg.check_block(self.sheet.part, ix)
            if len(ix.row_num):
                self._last_indexed = int(ix.row_num[-1])
            yield ix

    def chunk_of(self, ixs: list[Index], first_row: int, columns: Sequence[int] | None,
                 formulas_of: Sequence[int]) -> Chunk:
        """The typed values of indexed blocks as one :class:`Chunk` (rows ≥ first_row); a
        part whose cells cannot be read (a shared-string index beyond the table) is damaged."""
        try:
            return self._chunk(ixs, first_row, columns, formulas_of)
        except ValueError as e:
            raise damaged(self.pkg.path, self.sheet.part, str(e)) from None

    def _chunk(self, ixs: list[Index], first_row: int, columns: Sequence[int] | None,
               formulas_of: Sequence[int]) -> Chunk:
        conv = self._values
        rows: list[np.ndarray] = []
        vals: dict[int, list[np.ndarray]] = {}
        if columns is None:
            cols = sorted(set().union(*(set(np.unique(ix.cell_col).tolist()) for ix in ixs)) | set(formulas_of)) \
                if ixs else sorted(formulas_of)
        else:
            cols = sorted(set(columns) | set(formulas_of))
        fcols = sorted(set(formulas_of))
        top = max(cols + fcols, default=-1) + 1
        vpos = np.full(top + 1, -1, dtype=np.int64)
        vpos[cols] = np.arange(len(cols))
        fpos = np.full(top + 1, -1, dtype=np.int64)
        fpos[fcols] = np.arange(len(fcols))
        stored: dict[int, tuple[list, list, dict]] = {c: ([], [], {}) for c in fcols}
        base = 0
        for ix in ixs:
            keep = ix.row_num >= first_row
            n = len(ix.row_num)
            cc = np.minimum(ix.cell_col, top)
            if cols:
                where = vpos[cc]
                sel = np.flatnonzero(where >= 0)
                slots = where[sel] * n + ix.cell_row[sel]
                # a formula of a formulas_of column is read there: its missing result needs no text
                grid = conv.column(ix, sel, n, slots, len(cols) * n,
                                   fpos[cc[sel]] >= 0 if fcols else None).reshape(len(cols), n)
                for k, c in enumerate(cols):
                    vals.setdefault(c, []).append(grid[k][keep])
            if fcols:
                self._formula_cells(ix, fpos[cc], keep, base, stored)
            rows.append(ix.row_num[keep])
            base += int(keep.sum())
        row_arr = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        cells = {c: FormulaCells(base, np.concatenate(pp) if pp else np.zeros(0, dtype=np.int64),
                                    b"\x00".join(jj), other)
                 for c, (pp, jj, other) in stored.items()}
        return Chunk(row_arr, {c: np.concatenate(v).tolist() for c, v in vals.items()},
                     LazyFormulas(cells), cells)

    def _formula_cells(self, ix: Index, where: np.ndarray, keep: np.ndarray, base: int,
                       stored: dict[int, tuple[list, list, dict]]) -> None:
        """Add one block's formulas of the wanted columns (``where``: slot of each cell's
        column, -1 = not wanted) to ``stored``: per column the chunk positions and escaped
        bytes of plain formulas, and the decoded text of the others."""
        sel = np.flatnonzero(where >= 0)
        has = ix.f_start[sel] >= 0
        other: dict[int, str | None] = {}
        data = ix.data
        for j in sel[has & ~ix.f_plain[sel]].tolist():     # shared masters first come first (all rows)
            other[j] = self.shared_formulas.read(data[ix.f_start[j]:ix.f_end[j]], int(ix.row_num[ix.cell_row[j]]),
                                         int(ix.cell_col[j]))
        kept = np.cumsum(keep) - 1
        for k, (positions, joined, texts) in enumerate(stored.values()):
            cells = sel[where[sel] == k]
            cells = cells[keep[ix.cell_row[cells]]]
            pos = base + kept[ix.cell_row[cells]]
            if len(pos) > 1 and not np.all(pos[1:] > pos[:-1]):     # a cell given twice: the last counts
                last = np.append(pos[1:] != pos[:-1], True)
                cells, pos = cells[last], pos[last]
            fs = ix.f_start[cells]
            plain = (fs >= 0) & ix.f_plain[cells]
            if plain.any():
                positions.append(pos[plain])
                joined.append(b"\x00".join([data[s:e] for s, e in
                                            zip((fs[plain] + 3).tolist(), (ix.f_end[cells[plain]] - 4).tolist())]))
            for j, p in zip(cells[(fs >= 0) & ~plain].tolist(), pos[(fs >= 0) & ~plain].tolist()):
                texts[p] = other[j]

    def chunks(self, first_row: int, columns: Sequence[int] | None, formulas_of: Sequence[int],
               size: int) -> Iterator[Chunk]:
        pending: list[Index] = []
        count = 0
        for ix in self.indexes():
            count += int(np.sum(ix.row_num >= first_row))
            pending.append(ix)
            if count >= size:
                yield self.chunk_of(pending, first_row, columns, formulas_of)
                pending, count = [], 0
        if count:
            yield self.chunk_of(pending, first_row, columns, formulas_of)
