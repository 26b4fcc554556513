"""Hostile and broken packages: zip bombs stopped while inflating, rows, columns and texts
past Excel's limits, shared-string indexes outside the table, unsafe or duplicate member
names, entity expansion. Each is that file's failure (「文件已损坏：…」), never a crash of the
run, and nothing is written for it."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import package_files as PF
import pytest

from workbooks.process import main as process_main
from workbooks.xlsx import package as PK
from workbooks.xlsx.package import PackageError, open_package

CLAIMS = PF.SAMPLES / "理赔登记表_样例.xlsx"
SST_N = PF.sst_count(CLAIMS)
SHEET = "xl/worksheets/sheet1.xml"
SST = "xl/sharedStrings.xml"
TAIL = "；本文件未处理，请在 Excel 中打开并修复后另存为 .xlsx 再处理"
RATIO = f"文件已损坏：压缩比超过 {PK.MAX_RATIO} 倍（疑似压缩炸弹）"
DAMAGED_EXIT = 1  # a file to fix (docs/cli.md)
MAX_SECONDS = 10
MAX_PEAK = 500 << 20


def _parts() -> dict[str, bytes]:
    return PF.members(CLAIMS)


def _folder_run(tmp_path: Path, bad: Path) -> dict:
    """``logidesk process`` over a folder holding ``bad`` and the good sample, measured."""
    folder = tmp_path / "登记表"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(CLAIMS, folder / "好.xlsx")
    if bad.parent != folder:
        shutil.move(str(bad), folder / bad.name)
    return PF.measured_run([*PF.logidesk(), "process", str(folder), "--out", str(tmp_path / "out"), "--quiet"],
                           env={"LOGIDESK_HOME": str(tmp_path / "home")}, cwd=PF.ROOT)


def _assert_only_the_bad_file_failed(run: dict, tmp_path: Path, bad_name: str, message: str) -> None:
    lines = run["out"].splitlines()
    bad = tmp_path / "登记表" / bad_name
    assert f"✗ {bad}：{message}" in lines, run
    assert any(line.startswith(f"✓ {tmp_path / '登记表' / '好.xlsx'} → ") for line in lines), run
    assert lines[-1] == "合计：处理 1 个文件，36 行，错误行 7 行，1 个文件未处理", run
    assert "Traceback" not in run["err"]
    assert run["code"] == DAMAGED_EXIT
    assert not (tmp_path / "out" / (Path(bad_name).stem + "_结果.xlsx")).exists()
    assert (tmp_path / "out" / "好_结果.xlsx").exists()


# ----------------------------------------------------------------------------- zip bombs

def test_a_3mb_file_whose_sheet_inflates_to_3gb_is_stopped_early(tmp_path) -> None:
    head = PF.sheet_head(_parts()[SHEET]) + b'<row r="2"><c r="A2"><v>1</v></c></row>'
    bad = PF.bomb(CLAIMS, tmp_path / "炸弹.xlsx", SHEET, head, b" ", 3 << 30, b"</sheetData></worksheet>")
    assert bad.stat().st_size < 4 << 20
    with zipfile.ZipFile(bad) as z:
        assert z.getinfo(SHEET).file_size > (3 << 30) - (16 << 20)
    run = _folder_run(tmp_path, bad)
    _assert_only_the_bad_file_failed(run, tmp_path, "炸弹.xlsx", f"{RATIO}（部件 {SHEET}）{TAIL}")
    assert run["seconds"] < MAX_SECONDS and run["peak_bytes"] < MAX_PEAK, run


def test_2gb_of_empty_rows_are_stopped_early(tmp_path) -> None:
    head = PF.sheet_head(_parts()[SHEET])
    bad = PF.bomb(CLAIMS, tmp_path / "空行.xlsx", SHEET, head, b"<row/>", 2 << 30, b"</sheetData></worksheet>")
    run = _folder_run(tmp_path, bad)
    _assert_only_the_bad_file_failed(run, tmp_path, "空行.xlsx", f"{RATIO}（部件 {SHEET}）{TAIL}")
    assert run["seconds"] < MAX_SECONDS and run["peak_bytes"] < MAX_PEAK, run


def test_a_1gb_shared_string_is_stopped_early(tmp_path) -> None:
    sst = _parts()[SST]
    head = sst[:sst.index(b"</sst>")] + b"<si><t>"
    bad = PF.bomb(CLAIMS, tmp_path / "长文本.xlsx", SST, head, b"a", 1 << 30, b"</t></si></sst>")
    send = PF.measured_run([*PF.logidesk(), "export", str(bad), "--out", str(tmp_path / "发送版.xlsx")], cwd=PF.ROOT)
    assert send["code"] == 1 and send["err"].strip() == f"未生成发送版：无法读取 {bad}：{RATIO}（部件 {SST}）{TAIL}", send
    assert send["seconds"] < MAX_SECONDS and send["peak_bytes"] < MAX_PEAK, send
    assert not (tmp_path / "发送版.xlsx").exists()
    run = _folder_run(tmp_path, bad)
    _assert_only_the_bad_file_failed(run, tmp_path, "长文本.xlsx", f"{RATIO}（部件 {SST}）{TAIL}")
    assert run["seconds"] < MAX_SECONDS and run["peak_bytes"] < MAX_PEAK, run


def test_the_ratio_is_judged_on_what_was_inflated_not_on_the_declared_sizes(tmp_path) -> None:
    """A bomb whose directory claims a tiny uncompressed size is stopped all the same."""
    head = PF.sheet_head(_parts()[SHEET])
    bad = PF.bomb(CLAIMS, tmp_path / "b.xlsx", SHEET, head, b" ", 64 << 20, b"</sheetData></worksheet>")
    data = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as z:
        info = z.getinfo(SHEET)
    pos = data.index(SHEET.encode(), data.index(b"PK\x01\x02")) - 46   # its central directory entry
    assert data[pos:pos + 4] == b"PK\x01\x02"
    data[pos + 24:pos + 28] = (1000).to_bytes(4, "little")       # central directory: uncompressed size
    bad.write_bytes(bytes(data))
    with zipfile.ZipFile(bad) as z:
        assert z.getinfo(SHEET).file_size == 1000 and info.file_size > 64 << 20
    with pytest.raises(PackageError) as e:
        open_package(bad).read_small_sheet("理赔登记表")
    assert e.value.message == f"{RATIO}（部件 {SHEET}）{TAIL}"


def test_a_million_empty_rows_below_the_ratio_meet_the_row_limit(tmp_path) -> None:
    """Rows past 1,048,576 that compress like real data (numbered rows, ~20×) are refused
    by Excel's row limit."""
    head = PF.sheet_head(_parts()[SHEET])
    rows = b"".join(b'<row r="%d"/>' % r for r in range(60, 1_048_600))
    bad = PF.rewrite(CLAIMS, tmp_path / "多行.xlsx", {SHEET: head + rows + b"</sheetData></worksheet>"})
    with zipfile.ZipFile(bad) as z:
        assert z.getinfo(SHEET).file_size / z.getinfo(SHEET).compress_size < PK.MAX_RATIO
    with pytest.raises(PackageError) as e:
        open_package(bad).read_small_sheet("理赔登记表")
    assert e.value.message == f"文件已损坏：第 1048577 行超出 Excel 的最大行号 1048576（部件 {SHEET}）{TAIL}"


def test_a_real_100k_row_sheet_is_far_inside_the_ratio() -> None:
    """The limits leave room: the sample's parts inflate 2–11× (the 100k-row bench register
    7.9×), the ratio limit is 200×."""
    with zipfile.ZipFile(CLAIMS) as z:
        worst = max(i.file_size / i.compress_size for i in z.infolist() if i.compress_size)
    assert worst < 12 and PK.MAX_RATIO == 200


# ----------------------------------------------------------------------------- Excel's limits

def _sheet_with(tmp_path: Path, name: str, rows: bytes) -> Path:
    head = PF.sheet_head(_parts()[SHEET])
    body = _parts()[SHEET]
    keep = body[len(head):body.index(b"</sheetData>")]
    return PF.rewrite(CLAIMS, tmp_path / name, {SHEET: head + keep + rows + b"</sheetData>"
                                                + body[body.index(b"</sheetData>") + len(b"</sheetData>"):]})


@pytest.mark.parametrize("name, rows, message", [
    ("行.xlsx", b'<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
     "文件已损坏：第 1048577 行超出 Excel 的最大行号 1048576"),
    ("列.xlsx", b'<row r="60"><c r="XFE60"><v>1</v></c></row>',
     "文件已损坏：第 16385 列超出 Excel 的最大列数 16384"),
    ("文本.xlsx", b'<row r="60"><c r="B60" t="inlineStr"><is><t>' + "货".encode() * 32768 + b"</t></is></c></row>",
     "文件已损坏：有 32768 个字符的单元格文本，超过 Excel 上限 32767 个字符"),
    ("编号.xlsx", b'<row r="60"><c r="B60" t="s"><v>99999</v></c></row>',
     f"文件已损坏：共享字符串编号 99999 超出范围（共 {SST_N} 条）"),
], ids=["row", "column", "text", "sst-index"])
def test_past_excels_limits_is_that_files_failure(tmp_path, name, rows, message) -> None:
    bad = _sheet_with(tmp_path, name, rows)
    run = _folder_run(tmp_path, bad)
    _assert_only_the_bad_file_failed(run, tmp_path, name, f"{message}（部件 {SHEET}）{TAIL}")


def test_a_shared_string_over_32767_characters_is_refused(tmp_path) -> None:
    sst = _parts()[SST]
    bad = PF.rewrite(CLAIMS, tmp_path / "s.xlsx", {SST: sst.replace(b"</sst>", b"<si><t>" + b"x" * 32768 + b"</t></si></sst>")})
    with pytest.raises(PackageError) as e:
        open_package(bad).shared_strings
    assert e.value.message == f"文件已损坏：有 32768 个字符的文本，超过 Excel 单元格上限 32767 个字符（部件 {SST}）{TAIL}"


def test_32767_characters_are_still_a_cell(tmp_path) -> None:
    ok = _sheet_with(tmp_path, "ok.xlsx", b'<row r="60"><c r="B60" t="inlineStr"><is><t>'
                     + "货".encode() * 32767 + b"</t></is></c></row>")
    rows = open_package(ok).read_small_sheet("理赔登记表")
    assert rows[59][1] == "货" * 32767


def test_small_sheets_check_the_same_limits(tmp_path) -> None:
    bad = _sheet_with(tmp_path, "r.xlsx", b'<row r="1048577"><c r="A1048577"><v>1</v></c></row>')
    with pytest.raises(PackageError) as e:
        open_package(bad).read_small_sheet("理赔登记表")
    assert e.value.message == f"文件已损坏：第 1048577 行超出 Excel 的最大行号 1048576（部件 {SHEET}）{TAIL}"
    bad = _sheet_with(tmp_path, "s.xlsx", b'<row r="60"><c r="B60" t="s"><v>400</v></c></row>')
    with pytest.raises(PackageError) as e:
        open_package(bad).read_small_sheet("理赔登记表")
    assert e.value.message == f"文件已损坏：共享字符串编号 400 超出范围（共 {SST_N} 条）（部件 {SHEET}）{TAIL}"


# ----------------------------------------------------------------------------- member names

@pytest.mark.parametrize("evil, detail", [
    ("../../x", "压缩包内有不安全的部件名「../../x」"),
    ("/x", "压缩包内有不安全的部件名「/x」"),
    ("xl/../../x", "压缩包内有不安全的部件名「xl/../../x」"),
    ("xl\\..\\x", "压缩包内有不安全的部件名「xl\\..\\x」"),
    ("C:/x", "压缩包内有不安全的部件名「C:/x」"),
    ("xl/workbook.xml", "压缩包内部件「xl/workbook.xml」出现两次"),
    ("XL/Workbook.xml", "压缩包内部件「XL/Workbook.xml」出现两次"),
])
def test_unsafe_or_duplicate_member_names_are_refused_and_nothing_is_written(tmp_path, evil, detail) -> None:
    entries = list(_parts().items()) + [(evil, b"<x/>")]
    bad = PF.raw_zip(tmp_path / "坏.xlsx", entries)
    message = f"文件已损坏：{detail}（部件 {evil}）{TAIL}"
    with pytest.raises(PackageError) as e:
        open_package(bad)
    assert e.value.message == message and e.value.reason == "damaged"
    out = tmp_path / "out"
    assert process_main([str(bad), "--out", str(out), "--quiet"]) == DAMAGED_EXIT
    assert not out.exists() or not any(out.rglob("*"))
    assert not (tmp_path / "x").exists() and not Path("/x").exists()
    from workbooks import export as E
    with pytest.raises(E.ExportError) as e:
        E.export(bad, tmp_path / "send" / "坏_发送版.xlsx")
    assert str(e.value) == f"无法读取 {bad}：{message}"
    assert not (tmp_path / "send" / "坏_发送版.xlsx").exists()


# ----------------------------------------------------------------------------- entities

def test_entity_expansion_stays_off(tmp_path) -> None:
    """A billion-laughs DOCTYPE in the workbook part: lxml neither expands nor loads it."""
    laughs = (b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(b'<!ENTITY %s "&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;">' % ((bytes([98 + i]),) + (bytes([97 + i]),) * 10)
                         for i in range(8))
              + b'<!ENTITY ext SYSTEM "file:///etc/passwd">]>')
    wb = _parts()["xl/workbook.xml"]
    body = wb[wb.index(b"<workbook"):]
    body = body.replace(b'name="LOGIDESK_TEMPLATE"', b'name="LOGIDESK_TEMPLATE" comment="&i;&ext;"', 1)
    bad = PF.rewrite(CLAIMS, tmp_path / "e.xlsx", {"xl/workbook.xml": laughs + body})
    with pytest.raises(PackageError) as e:
        open_package(bad)
    assert e.value.message.startswith("文件已损坏，无法读取部件 xl/workbook.xml：XML 格式错误（第 1 行第")
    assert "Maximum entity amplification" in e.value.original  # libxml2 stopped the expansion
    one = PK.xml_root(laughs + body.replace(b"&i;&ext;", b"&b;"), bad, "xl/workbook.xml")
    text = PK.etree.tostring(one)             # a harmless entity: left unexpanded, nothing read from disk
    assert b"&b;" in text and b"root:" not in text
