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

SUFFIX = "_发送版"
NOTE_TITLE = "发送版"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class ExportError(Exception):
    """Chinese message naming the file (and the cells) — shown as is."""


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
    try:
        from udfs.registry import FUNCTIONS

        return frozenset(f.excel_name for f in FUNCTIONS.values() if getattr(f, "excel", True))
    except ImportError:  # before the registry existed
        from addin.xlam.udfvba import xlfunc_metadata

        return frozenset(xlfunc_metadata())


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
_V = re.compile(r"<v>(.*?)</v>", re.S)
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
    shared_ours: dict[str, bool] = {}
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
        value = v.group(1)
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

def _rels_targets(xml: str) -> list[tuple[str, str, str]]:
    """(Id, Type, Target) of each relationship, its attributes in any order (openpyxl writes
    Type, Target, Id; Excel writes Id, Type, Target)."""
    out = []
    for m in re.finditer(r"<Relationship\b([^>]*?)/?>", xml):
        a = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if "Id" in a and "Target" in a:
            out.append((a["Id"], a.get("Type", ""), a["Target"]))
    return out


def _first_sheet_part(parts: dict[str, bytes]) -> str:
    wb = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    first = re.search(r'<sheet\b[^>]*?r:id="([^"]+)"', wb).group(1)
    for rid, _type, target in _rels_targets(rels):
        if rid == first:
            target = target.lstrip("/")
            return target if target.startswith("xl/") else "xl/" + target
    raise ExportError("工作簿结构异常：找不到第一张工作表")


def strip_package(parts: dict[str, bytes], note: str, names: frozenset[str] | None = None,
                  values: dict[str, dict[str, Any]] | None = None) -> tuple[dict[str, bytes], ExportResult]:
    """The send copy's parts; ``values``: sheet name → cell → the engine's value."""
    names = our_function_names() if names is None else names
    res = ExportResult(Path(), Path(), note=note)
    out = dict(parts)
    bad: list[str] = []
    first = _first_sheet_part(out)
    wb_rels = out["xl/_rels/workbook.xml.rels"].decode("utf-8")
    sheet_names = dict(re.findall(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"',
                                  out["xl/workbook.xml"].decode("utf-8")))
    part_of_rid = {rid: ("xl/" + t.lstrip("/")) if not t.startswith("/xl/") else t[1:]
                   for rid, _ty, t in _rels_targets(wb_rels)}
    sheet_of_part = {part_of_rid.get(rid): name for name, rid in sheet_names.items()}
    for name in sorted(out):
        if re.fullmatch(r"xl/worksheets/[^/]+\.xml", name):
            stats = SheetStats()
            xml = convert_sheet(out[name].decode("utf-8"), names, stats,
                                (values or {}).get(sheet_of_part.get(name, "")))
            if name == first:
                xml, _ = add_note(xml, note)
            out[name] = xml.encode("utf-8")
            res.values += stats.values
            res.kept_formulas += stats.kept
            bad += [f"「{sheet_of_part.get(name, name)}」{c}" for c in stats.bad]
    # links and the calculation chain
    drop = [n for n in out if n.startswith("xl/externalLinks/") or n == "xl/calcChain.xml"]
    for n in drop:
        del out[n]
    res.removed_parts = drop
    keep_rels = [(rid, ty, t) for rid, ty, t in _rels_targets(wb_rels)
                 if not ty.endswith(("/externalLink", "/calcChain"))]
    dropped_rids = {rid for rid, ty, _t in _rels_targets(wb_rels)} - {rid for rid, _, _ in keep_rels}
    for rid in dropped_rids:
        wb_rels = re.sub(rf'<Relationship\b[^>]*?Id="{re.escape(rid)}"[^>]*/>', "", wb_rels)
    out["xl/_rels/workbook.xml.rels"] = wb_rels.encode("utf-8")
    wb = out["xl/workbook.xml"].decode("utf-8")
    wb = re.sub(r"<externalReferences>.*?</externalReferences>", "", wb, flags=re.S)
    wb = re.sub(r'<definedName\b[^>]*>[^<]*\[\d+\][^<]*</definedName>', "", wb)
    if "<calcPr" in wb:
        wb = re.sub(r"<calcPr\b([^>]*?)/>", lambda m: "<calcPr" + _set_attr(m.group(1), "fullCalcOnLoad", "1") + "/>", wb)
    else:
        wb = wb.replace("</workbook>", '<calcPr fullCalcOnLoad="1"/></workbook>')
    out["xl/workbook.xml"] = wb.encode("utf-8")
    ct = out["[Content_Types].xml"].decode("utf-8")
    ct = re.sub(r'<Override PartName="/xl/(?:externalLinks/[^"]+|calcChain\.xml)"[^>]*/>', "", ct)
    if "macroEnabled.main+xml" in ct:  # .xlsm: the send copy is a plain .xlsx without macros
        vba = [n for n in out if re.fullmatch(r"xl/vba[^/]*", n)]
        for n in vba:
            del out[n]
        res.removed_parts += vba
        ct = ct.replace("application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
        ct = re.sub(r'<Override PartName="/xl/vba[^"]*"[^>]*/>', "", ct)
        rels = out["xl/_rels/workbook.xml.rels"].decode("utf-8")
        rels = re.sub(r'<Relationship\b[^>]*?Target="/?(?:xl/)?vba[^"]*"[^>]*/>', "", rels)
        out["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    out["[Content_Types].xml"] = ct.encode("utf-8")
    if bad:
        shown = "、".join(bad[:20]) + ("……" if len(bad) > 20 else "")
        raise ExportError(f"有 {len(bad)} 个加载项函数单元格没有可用的计算结果（如在未装加载项的电脑上"
                          f"保存过的 #NAME?）：{shown}。请在装有加载项的 Excel 中重新计算并保存后再生成发送版。")
    return out, res


_MARKER = re.compile(rb'name="LOGIDESK_TEMPLATE"[^>]*>\s*(?:&quot;|")?([a-z_]+);')


def template_kind(parts: dict[str, bytes]) -> str | None:
    """The logidesk template kind of a workbook (claims, quote, vip, rules …), None if it is none."""
    m = _MARKER.search(parts.get("xl/workbook.xml", b""))
    return m.group(1).decode("ascii") if m else None


def _is_register(parts: dict[str, bytes]) -> bool:
    """A register the processor computes (the quote, VIP and rules workbooks are not)."""
    from .spec import REGISTERS
    return template_kind(parts) in REGISTERS


def quote_values(path: Path) -> dict[str, Any]:
    """The counter quote's computed lines (cell → value) as the engine computes them from the
    inputs typed on the sheet (``workbooks.quote``): the send copy never depends on whether
    Excel cached them (a copy saved by a program that does not calculate holds none)."""
    from .quote import quote
    from .spec import QUOTE_INPUTS, QUOTE_LINES, QUOTE_SHEET, quote_row
    from .xlsx.package import open_package
    rows = open_package(path).read_small_sheet(QUOTE_SHEET)

    def typed(label: str) -> Any:
        row = rows[quote_row(label) - 1] if len(rows) >= quote_row(label) else []
        v = row[1] if len(row) > 1 else None
        return None if v == "" else v
    day = typed("报价日期")
    on = day.date() if isinstance(day, dt.datetime) else day if isinstance(day, dt.date) else None
    got = {h: typed(h) for h in QUOTE_INPUTS}
    res = quote(got["运费"], got["声明价值"], got["代收金额"], got["货物类别"], got["始发地"], got["目的地"],
                per_item=got["单件价值"], on=on)
    return {f"B{quote_row(q.label)}": res["cells"][q.label] for q in QUOTE_LINES
            if q.expr is not None and q.label in res["cells"]}


def _read(path: Path) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            return infos, {i.filename: z.read(i.filename) for i in infos}
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExportError(f"无法读取 {path}：不是 .xlsx/.xlsm 文件或已损坏（{exc}）") from exc


def note_text(now: dt.datetime | None = None) -> str:
    import udfs

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
        raise ExportError(f"{output} 正在 Excel 中打开（有 {lock.name}），请先关闭")
    infos, parts = _read(source)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"无法创建输出文件夹 {output.parent}：{exc}") from exc
    engine = False
    with tempfile.TemporaryDirectory(prefix=".logidesk-export-", dir=output.parent) as tmp:
        if _is_register(parts):
            from workbooks.process import process_paths

            # a neutral name: the processor skips files named like its own results (…_结果),
            # and a send copy of a result is a normal request
            work = Path(tmp) / ("register" + source.suffix.lower())
            work.write_bytes(source.read_bytes())
            summary = process_paths([work], Path(tmp) / "out", progress=False)
            f = summary.files[0]
            if f.refused or f.output is None:
                raise ExportError(f"{source.name}：{f.refused or '处理失败'}")
            infos, parts = _read(f.output)
            engine = True
        values = None
        if template_kind(parts) == "quote":
            from .spec import QUOTE_SHEET
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
    from addin.cliutil import ArgumentParser  # Chinese usage, help and argument errors
    parser = ArgumentParser(quiet=False,
        prog="logidesk export",
        description="生成「发送版」：计算列转为数值，去掉加载项链接，给没有装加载项的人（其他网点、WPS、LibreOffice、手机）。")
    parser.add_argument("workbook", type=Path, help="登记表或使用了加载项函数的工作簿（.xlsx/.xlsm）")
    parser.add_argument("--out", type=Path, help=f"输出文件（默认：原文件名{SUFFIX}.xlsx，同一文件夹）")
    args = parser.parse_args(argv)
    try:
        res = export(args.workbook, args.out)
    except ExportError as exc:
        print(f"未生成发送版：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # disk full, permission denied while writing …
        print(f"未生成发送版：写入失败（{exc}）", file=sys.stderr)
        return 1
    how = "按规则重新计算后" if res.computed_by_engine else "使用 Excel 保存的计算结果"
    print(f"已生成发送版 {res.output}：{how}，{res.values} 个单元格转为数值，"
          f"保留 {res.kept_formulas} 个 Excel 自带公式。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
