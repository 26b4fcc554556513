"""「发送版」: a copy of a workbook for people without the add-in (another branch, head office
on WPS Office, LibreOffice, a phone).

    logidesk export 登记表.xlsx [--out 登记表_发送版.xlsx]

* A logidesk register is first computed by the engine (``workbooks.process``: the same values
  ``logidesk process`` writes); any other workbook keeps the values Excel cached, and is
  refused when a cell calling our functions holds an error or no value (e.g. ``#NAME?`` from a
  PC without the add-in) — a send copy never carries a failure as if it were a result.
* Every cell whose formula calls one of our functions, or links to another workbook
  (``[1]!COD_FEE(B2)``), becomes its value: numbers stay numbers, texts become inline strings,
  error values stay error values. Native formulas (SUM, COUNTIF, TODAY() …) stay live; every
  application computes them the same way.
* Nothing else changes: styles and number formats, data validation, sheet protection, column
  widths, print settings, hidden sheets, defined names (except ones pointing into a link).
  Link parts (``xl/externalLinks``) and the stale calculation chain are removed (an .xlsm also
  loses its VBA project: the send copy is always a plain .xlsx); the workbook asks for a full
  recalculation on load so native formulas agree with the values.
* A note right of the used range in row 1 of the first sheet says when the copy was computed
  and by which rules version.

The work happens on the package's XML (zip level): openpyxl would drop parts it does not model.
The output is written to a temp file and renamed; the input is never modified.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

import udfs
from cli import console
from udfs.errors import RuleError
from udfs.errtext import detail_text, os_reason
from udfs.quote import quote
from udfs.registry import excel_names

from .spec import QUOTE_INPUTS, QUOTE_LINES, QUOTE_SHEET, REGISTERS, quote_row
from .xlsx.package import PackageError, open_package, read_parts
from .xlsx.parts import CT_MACRO_MAIN, CT_SHEET_MAIN, ContentTypes, Rels, Workbook, rels_part, remove_parts

SUFFIX = "_发送版"
NOTE_TITLE = "发送版"


class ExportError(Exception):
    """Chinese message naming the file (and the cells) — shown as is; ``code`` the exit
    code it means (1 a file to fix, 3 open, 4 the environment)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class ExportResult:
    source: Path
    output: Path
    values: int = 0                 # cells converted to values
    kept_formulas: int = 0          # native formulas left live
    removed_parts: list[str] = field(default_factory=list)
    note: str = ""
    computed_by_engine: bool = False


# ------------------------------------------------------------------ formulas

def our_function_names() -> frozenset[str]:
    return excel_names()


_STRING = r'"(?:[^"]|"")*"'
_CALL = re.compile(rf"({_STRING})|((?:\[\d+\]!)?)([A-Za-z_][A-Za-z0-9_.]*)\s*\(")
_LINK = re.compile(rf"({_STRING})|(\[\d+\])")


def needs_value(formula: str, names: frozenset[str]) -> bool:
    """True when Excel without the add-in could not compute ``formula``: it calls one of our
    functions (with or without ``[n]!``) or refers into another workbook (``[n]Sheet!A1``)."""
    for m in _CALL.finditer(formula):
        if m.group(1):
            continue
        if m.group(2) or m.group(3).upper() in names:
            return True
    return any(m.group(2) for m in _LINK.finditer(formula))


# ------------------------------------------------------------------ sheet XML

_CELL = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_F = re.compile(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_V = re.compile(r"<v>(.*?)</v>|<v/>", re.S)          # an empty cached value is <v></v> or <v/>
_ATTR = lambda name: re.compile(rf'\s{name}="([^"]*)"')  # noqa: E731


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _attr(attrs: str, name: str) -> str | None:
    m = _ATTR(name).search(attrs)
    return m.group(1) if m else None


def _set_attr(attrs: str, name: str, value: str | None) -> str:
    attrs = _ATTR(name).sub("", attrs)
    return attrs + (f' {name}="{value}"' if value is not None else "")


@dataclass
class SheetStats:
    values: int = 0
    kept: int = 0
    bad: list[str] = field(default_factory=list)   # cells of ours without a usable value


def value_xml(attrs: str, value: Any) -> str:
    """A cell holding ``value`` (the engine's): number, inline text, or empty for "" / None."""
    if value is None or value == "":
        return f"<c{_set_attr(attrs, 't', None)}/>"
    if isinstance(value, dt.datetime):
        value = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    elif isinstance(value, dt.date):
        value = (value - dt.date(1899, 12, 30)).days
    if isinstance(value, bool):
        return f"<c{_set_attr(attrs, 't', 'b')}><v>{int(value)}</v></c>"
    if isinstance(value, (int, float, Decimal)):
        return f"<c{_set_attr(attrs, 't', None)}><v>{value}</v></c>"
    body = f'<is><t xml:space="preserve">{escape(str(value))}</t></is>'
    return f"<c{_set_attr(attrs, 't', 'inlineStr')}>{body}</c>"


def convert_sheet(xml: str, names: frozenset[str], stats: SheetStats,
                  values: dict[str, Any] | None = None) -> str:
    """Replace formulas that need the add-in by their cached values (two passes: shared
    formula groups are decided by their master cell's text); ``values`` (cell → value) are
    the engine's own results, written instead of what Excel cached."""
    shared_ours: dict[str | None, bool] = {}
    for m in _CELL.finditer(xml):
        f = _F.search(m.group(3) or "")
        if f and _attr(f.group(1), "t") == "shared" and f.group(2):
            shared_ours[_attr(f.group(1), "si")] = needs_value(_unescape(f.group(2)), names)

    def cell(m: re.Match) -> str:
        attrs, inner = m.group(1), m.group(3)
        if inner is None:
            return m.group(0)
        f = _F.search(inner)
        if not f:
            return m.group(0)
        f_attrs, text = f.group(1), f.group(2)
        if _attr(f_attrs, "t") == "shared" and not text:
            ours = shared_ours.get(_attr(f_attrs, "si"), False)
        else:
            ours = needs_value(_unescape(text or ""), names)
        if not ours:
            stats.kept += 1
            return m.group(0)
        ref = _attr(attrs, "r") or "?"
        v = _V.search(inner)
        kind = _attr(attrs, "t")
        stats.values += 1
        if values is not None and ref in values:
            return value_xml(attrs, values[ref])
        if v is None:
            stats.bad.append(ref)
            return f"<c{_set_attr(attrs, 't', None)}/>"
        value = v.group(1) or ""
        if kind == "e":
            stats.bad.append(f"{ref}（{_unescape(value)}）")
            return f"<c{attrs}><v>{value}</v></c>"
        if kind == "str":
            if value == "":  # a formula showing "" (blank row): an empty cell keeps its style
                return f"<c{_set_attr(attrs, 't', None)}/>"
            body = f'<is><t xml:space="preserve">{value}</t></is>'
            return f"<c{_set_attr(attrs, 't', 'inlineStr')}>{body}</c>"
        return f"<c{attrs}><v>{value}</v></c>"  # number (t absent) or boolean (t="b")

    return _CELL.sub(cell, xml)


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _col_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def add_note(xml: str, text: str) -> tuple[str, str]:
    """Put ``text`` in row 1, two columns right of the last used column; returns (xml, ref)."""
    last = 0
    for m in re.finditer(r'<c\b[^>]*\sr="([A-Z]+)\d+"', xml):
        last = max(last, _col_number(m.group(1)))
    ref = f"{_col_letters(last + 2)}1"
    cell = f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'
    row1 = re.search(r'<row\b[^>]*\sr="1"[^>]*?(/>|>)', xml)
    if row1 and row1.group(1) == ">":
        end = xml.index("</row>", row1.end())
        xml = xml[:end] + cell + xml[end:]
    elif row1:  # <row r="1" .../>
        xml = xml[:row1.start()] + row1.group(0)[:-2] + ">" + cell + "</row>" + xml[row1.end():]
    else:
        xml = re.sub(r"<sheetData\s*/>", "<sheetData></sheetData>", xml, count=1)
        xml = xml.replace("<sheetData>", f'<sheetData><row r="1">{cell}</row>', 1)
    xml = re.sub(r'(<row\b[^>]*\sr="1"[^>]*?)\sspans="[^"]*"', r"\1", xml, count=1)
    dim = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"', xml)
    if dim:
        last_row = dim.group(4) or dim.group(2)
        xml = xml.replace(dim.group(0), f'<dimension ref="{dim.group(1)}{dim.group(2)}:'
                                        f'{_col_letters(last + 2)}{last_row}"', 1)
    return xml, ref


# ------------------------------------------------------------------ package

class _Book:
    """The workbook part of a package held in memory, its relationships and sheets (read as
    XML: any attribute order, any namespace prefix)."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        try:
            root = Rels(parts["_rels/.rels"], "")
            self.part = next((t for _i, ty, t, ext in root.items()
                              if ty.endswith("/officeDocument") and not ext), "xl/workbook.xml")
            self.workbook = Workbook(parts[self.part])
            self.rels = Rels(parts.get(rels_part(self.part), b"<Relationships/>"), self.part)
        except KeyError as exc:
            raise ExportError(f"工作簿结构异常：缺少部件 {exc.args[0]}") from None
        except etree.XMLSyntaxError as exc:
            raise ExportError(f"工作簿结构异常：XML 格式错误（{exc}）") from None
        self.sheets = [(name, self.rels.target(rid)) for name, rid in self.workbook.sheets()]

    def first_sheet(self) -> str:
        if not self.sheets or self.sheets[0][1] is None:
            raise ExportError("工作簿结构异常：找不到第一张工作表")
        return self.sheets[0][1]

    def worksheets(self) -> list[str]:
        return [t for _i, ty, t, ext in self.rels.items() if ty.endswith("/worksheet") and not ext]

    def parts_of(self, *types: str) -> set[str]:
        return {t for _i, ty, t, ext in self.rels.items() if ty.endswith(types) and not ext}


def _first_sheet_part(parts: dict[str, bytes]) -> str:
    return _Book(parts).first_sheet()


def strip_package(parts: dict[str, bytes], note: str, names: frozenset[str] | None = None,
                  values: dict[str, dict[str, Any]] | None = None) -> tuple[dict[str, bytes], ExportResult]:
    """The send copy's parts; ``values``: sheet name → cell → the engine's value."""
    names = our_function_names() if names is None else names
    res = ExportResult(Path(), Path(), note=note)
    out = dict(parts)
    bad: list[str] = []
    book = _Book(out)
    first = book.first_sheet()
    sheet_of_part = {part: name for name, part in book.sheets}
    for name in book.worksheets():
        if name not in out:
            continue
        stats = SheetStats()
        xml = convert_sheet(out[name].decode("utf-8"), names, stats,
                            (values or {}).get(sheet_of_part.get(name, "")))
        if name == first:
            xml, _ = add_note(xml, note)
        out[name] = xml.encode("utf-8")
        res.values += stats.values
        res.kept_formulas += stats.kept
        bad += [f"「{sheet_of_part.get(name, name)}」{c}" for c in stats.bad]
    # links and the calculation chain; an .xlsm also loses its VBA project (and what only it
    # leads to: its signatures), the send copy is always a plain .xlsx without macros
    ct = ContentTypes(out["[Content_Types].xml"])
    macro = ct.overrides().get(book.part) == CT_MACRO_MAIN
    drop = book.parts_of("/externalLink", "/calcChain")
    drop |= {n for n in out if n.startswith("xl/externalLinks/") or n == "xl/calcChain.xml"}
    if macro:
        drop |= book.parts_of("/vbaProject") | ({"xl/vbaProject.bin"} & set(out))
        ct.set_part(book.part, CT_SHEET_MAIN)
        out["[Content_Types].xml"] = ct.bytes()
    book.workbook.drop_links()
    book.workbook.recalc_on_load()
    out[book.part] = book.workbook.bytes()
    res.removed_parts = remove_parts(out, drop)
    if bad:
        shown = "、".join(bad[:20]) + ("……" if len(bad) > 20 else "")
        raise ExportError(f"有 {len(bad)} 个加载项函数单元格没有可用的计算结果（如在未装加载项的电脑上"
                          f"保存过的 #NAME?）：{shown}。请在装有加载项的 Excel 中重新计算并保存后再生成发送版。")
    return out, res


def template_kind(parts: dict[str, bytes]) -> str | None:
    """The logidesk template kind of a workbook (claims, quote, vip, rules …), None if it is none:
    the first field of its LOGIDESK_TEMPLATE defined name (read as XML)."""
    try:
        text = _Book(parts).workbook.defined_names().get("LOGIDESK_TEMPLATE")
    except ExportError:
        return None
    m = re.match(r'\s*"?([a-z_]+);', text or "")
    return m.group(1) if m else None


def _is_register(parts: dict[str, bytes]) -> bool:
    """A register the processor computes (the quote, VIP and rules workbooks are not)."""
    return template_kind(parts) in REGISTERS


def quote_values(path: Path) -> dict[str, Any]:
    """The counter quote's computed lines (cell → value) as the engine computes them from the
    inputs typed on the sheet (``workbooks.quote``): the send copy never depends on whether
    Excel cached them (a copy saved by a program that does not calculate holds none)."""
    rows = open_package(path).read_small_sheet(QUOTE_SHEET)

    def typed(label: str) -> Any:
        row = rows[quote_row(label) - 1] if len(rows) >= quote_row(label) else []
        v = row[1] if len(row) > 1 else None
        return None if v == "" else v
    day = typed("报价日期")
    on = day.date() if isinstance(day, dt.datetime) else day if isinstance(day, dt.date) else None
    got = {h: typed(h) for h in QUOTE_INPUTS}
    res = quote(got["运费"], got["声明价值"], got["代收金额"], got["货物类别"], got["始发地"], got["目的地"],
                per_item=got["单件价值"], on=on, weight=got["重量"], length=got["长"], width=got["宽"],
                height=got["高"])
    return {f"B{quote_row(q.label)}": res["cells"][q.label] for q in QUOTE_LINES
            if q.expr is not None and q.label in res["cells"]}


def _read(path: Path) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    try:
        return read_parts(path)
    except PackageError as exc:
        raise ExportError(f"无法读取 {path}：{exc.message}") from exc
    except zipfile.BadZipFile as exc:
        raise ExportError(f"无法读取 {path}：不是 .xlsx/.xlsm 文件或已损坏（{detail_text(str(exc))}）") from exc
    except OSError as exc:
        raise ExportError(f"无法读取 {path}：{os_reason(exc)}", 4) from exc


def note_text(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return (f"{NOTE_TITLE}：本表计算列已于 {now:%Y-%m-%d %H:%M} 按规则版本 {udfs.rules_version()} "
            "计算并转为数值（logidesk），未安装加载项也能查看；如需修改请使用原表。")


def export(source: Path, output: Path | None = None, now: dt.datetime | None = None) -> ExportResult:
    source = Path(source)
    if not source.is_file():
        raise ExportError(f"找不到文件 {source}")
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ExportError(f"{source.name}：只支持 .xlsx / .xlsm 工作簿")
    output = Path(output) if output else source.with_name(source.stem + SUFFIX + ".xlsx")
    if output.resolve() == source.resolve():
        raise ExportError("发送版不能覆盖原文件，请换一个输出文件名")
    lock = output.with_name("~$" + output.name)
    if lock.exists():
        raise ExportError(f"{output} 正在 Excel 中打开（有 {lock.name}），请先关闭", 3)
    infos, parts = _read(source)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"无法创建输出文件夹 {output.parent}：{os_reason(exc)}", 4) from exc
    engine = False
    with tempfile.TemporaryDirectory(prefix=".logidesk-export-", dir=output.parent) as tmp:
        if _is_register(parts):
            from .pipeline import process_paths  # lazy: the processor adds ~170 ms at start-up, for registers only

            # a neutral name: the processor skips files named like its own results (…_结果),
            # and a send copy of a result is a normal request
            work = Path(tmp) / ("register" + source.suffix.lower())
            work.write_bytes(source.read_bytes())
            try:
                summary = process_paths([work], Path(tmp) / "out", progress=False)
            except RuleError as exc:   # the rules data itself (a damaged company rules file)
                raise ExportError(str(exc)) from None
            f = summary.files[0]
            if f.refused or f.output is None:
                raise ExportError(f"{source.name}：{f.refused or '处理失败'}", f.code)
            infos, parts = _read(f.output)
            engine = True
        values = None
        if template_kind(parts) == "quote":
            values = {QUOTE_SHEET: quote_values(source)}
            engine = True
        out_parts, res = strip_package(parts, note_text(now), values=values)
        target_tmp = Path(tmp) / "out.xlsx"
        with zipfile.ZipFile(target_tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for info in infos:
                if info.filename in out_parts:
                    z.writestr(info, out_parts[info.filename])
        target_tmp.replace(output)
    res.source, res.output, res.computed_by_engine = source, output, engine
    return res


def demo_step(out: Path) -> str:
    """Step of ``logidesk demo`` (install.py): a send copy of the sample claim register."""
    sample = Path(__file__).resolve().parent / "samples" / "理赔登记表_样例.xlsx"
    res = export(sample, Path(out) / "demo" / "send" / (sample.stem + SUFFIX + ".xlsx"))
    return f"{res.output}：{res.values} 个计算单元格转为数值，保留 {res.kept_formulas} 个 Excel 自带公式"


def main(argv: list[str] | None = None) -> int:
    parser = console.ArgumentParser(
        prog="logidesk export",
        description="生成「发送版」：计算列转为数值，去掉加载项链接，给没有装加载项的人（其他网点、WPS、LibreOffice、手机）。")
    parser.add_argument("workbook", type=Path, help="登记表或使用了加载项函数的工作簿（.xlsx/.xlsm）")
    parser.add_argument("--out", type=Path, help=f"输出文件（.xlsx），或已有的文件夹（默认：原文件名{SUFFIX}.xlsx，同一文件夹）")
    args = parser.parse_args(argv)
    return console.run("export", lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    source = Path(args.workbook)
    out = console.out_file(args.out, source.with_name(source.stem + SUFFIX + ".xlsx"))
    console.check_name_length(out)
    console.refuse_if_open([out])
    try:
        res = export(source, out)
    except ExportError as exc:
        console.say(f"未生成发送版：{exc}", err=True)
        return exc.code
    except OSError as exc:  # disk full, read-only, permission denied while writing …
        return console.os_failure("export", exc, f"发送版 {out} 未生成，原文件未改动。")
    how = "按规则重新计算后" if res.computed_by_engine else "使用 Excel 保存的计算结果"
    console.say(f"已生成发送版 {res.output}：{how}，{res.values} 个单元格转为数值，"
           f"保留 {res.kept_formulas} 个 Excel 自带公式。")
    return console.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
