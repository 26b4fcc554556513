"""The parts around the sheets read and edited as XML: ``.rels`` in any attribute order and
with a namespace prefix, the send copy of a signed .xlsm without orphan parts, and a
failure in one file staying that file's failure (process, deadlines, report, export)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import package_files as PF
import pytest
from lxml import etree

from workbooks import export as E
from workbooks.process import main as process_main
from workbooks.xlsx import parts as X
from workbooks.xlsx.package import open_package

CLAIMS = PF.SAMPLES / "理赔登记表_样例.xlsx"
SST_N = PF.sst_count(CLAIMS)
NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def _plain_book(path: Path) -> Path:
    """A workbook written by openpyxl (its .rels list Type and Target before Id) calling
    one of our functions with a cached value."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "对账"
    ws["A1"] = 1000
    ws["B1"] = "=COD_FEE(A1)"
    wb.save(path)
    parts = PF.members(path)
    sheet = parts["xl/worksheets/sheet1.xml"].replace(b"<f>COD_FEE(A1)</f><v></v>", b"<f>COD_FEE(A1)</f><v>6</v>")
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<f>COD_FEE(A1)</f></c>", b"<f>COD_FEE(A1)</f><v>6</v></c>")
    return PF.write_members(path, parts)


def assert_consistent(path: Path) -> dict[str, bytes]:
    """Parse every relationship and content type of a package: each internal target and
    each Override names a part that exists, each part has a content type, no ``.rels``
    belongs to a missing part."""
    parts = PF.members(path)
    ct = X.ContentTypes(parts["[Content_Types].xml"])
    overrides, defaults = ct.overrides(), ct.defaults()
    for name in parts:
        if name == "[Content_Types].xml" or name.endswith("/"):
            continue
        ext = X.extension(name)
        assert name in overrides or ext in defaults, f"{name}: no content type"
        owner = X.owner_of(name)
        if owner is not None:
            assert owner == "" or owner in parts, f"{name}: relationships of a missing part"
            for rid, typ, target, external in X.Rels(parts[name], owner).items():
                assert external or target in parts, f"{name} {rid} → {target}: missing"
    for part in overrides:
        assert part in parts, f"Override for missing {part}"
    used = {X.extension(n) for n in parts if n not in overrides}
    for ext in defaults:
        assert ext in used | {"xml", "rels"}, f"Default for .{ext} with no part"
    return parts


# ----------------------------------------------------------------------------- .rels

def test_export_reads_rels_with_type_and_target_before_id(tmp_path) -> None:
    src = _plain_book(tmp_path / "对账.xlsx")
    rels = PF.members(src)["xl/_rels/workbook.xml.rels"].decode()
    assert re.search(r"<Relationship [^>]*Type=[^>]*Id=", rels)           # openpyxl's order
    p = subprocess.run([sys.executable, "-m", "cli.main", "export", str(src)], capture_output=True,
                       text=True, cwd=PF.ROOT)
    assert p.returncode == 0 and "工作簿结构异常" not in p.stderr, p.stderr
    assert p.stdout.startswith(f"已生成发送版 {tmp_path / '对账_发送版.xlsx'}：使用 Excel 保存的计算结果，1 个单元格转为数值")
    out = assert_consistent(tmp_path / "对账_发送版.xlsx")
    assert '<c r="B1"><v>6</v></c>' in out["xl/worksheets/sheet1.xml"].decode()


def test_every_rels_in_type_first_order_and_prefixed_reads_the_same(tmp_path) -> None:
    bad = PF.rewrite(CLAIMS, tmp_path / "r.xlsx", {r".*\.rels": _prefix_rels}, pattern=True)
    assert b"<pr:Relationship " in PF.members(bad)["xl/_rels/workbook.xml.rels"]
    a, b = open_package(CLAIMS), open_package(bad)
    assert [(s.name, s.part, s.state) for s in b.sheets] == [(s.name, s.part, s.state) for s in a.sheets]
    assert b.shared_strings == a.shared_strings and b.styles_part == a.styles_part
    out = tmp_path / "out"
    assert process_main([str(bad), "--out", str(out), "--quiet"]) == 1  # done; the sample's planted error rows to fix
    parts = assert_consistent(out / "r_结果.xlsx")
    wb = X.Workbook(parts["xl/workbook.xml"])
    rels = X.Rels(parts["xl/_rels/workbook.xml.rels"], "xl/workbook.xml")
    assert [n for n, _ in wb.sheets()][-1] == "错误清单"
    assert rels.target(wb.sheets()[-1][1]) == "xl/worksheets/sheet6.xml"


def _prefix_rels(data: bytes) -> bytes:
    """``<pr:Relationships xmlns:pr=…>`` with Type, Target, Id in that order."""
    root = etree.fromstring(data)
    out = [f'<?xml version="1.0" encoding="UTF-8"?><pr:Relationships xmlns:pr="{PF.NS_PKG_REL}">']
    for el in root:
        out.append(f'<pr:Relationship Type="{el.get("Type")}" Target="{el.get("Target")}" Id="{el.get("Id")}"/>')
    return ("".join(out) + "</pr:Relationships>").encode()


def test_strict_namespaces_read_the_sheets(tmp_path) -> None:
    """An ISO strict workbook part (purl.oclc.org namespaces) names its sheets the same."""
    strict_main = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    strict_r = b"http://purl.oclc.org/ooxml/officeDocument/relationships"
    bad = PF.rewrite(CLAIMS, tmp_path / "s.xlsx", {"xl/workbook.xml": lambda d: d.replace(
        PF.NS_MAIN.encode(), strict_main).replace(PF.NS_R.encode(), strict_r)})
    assert [s.name for s in open_package(bad).sheets] == [s.name for s in open_package(CLAIMS).sheets]
    assert E._first_sheet_part(PF.members(bad)) == "xl/worksheets/sheet1.xml"


# ----------------------------------------------------------------------------- signed .xlsm

def _signed_xlsm(tmp_path: Path) -> Path:
    import xlsxwriter
    from clerk_files import vba_project
    (tmp_path / "vbaProject.bin").write_bytes(vba_project())
    (tmp_path / "vbaProjectSignature.bin").write_bytes(b"\x00signature" * 40)
    src = tmp_path / "签名宏.xlsm"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_signed_vba_project(str(tmp_path / "vbaProject.bin"), str(tmp_path / "vbaProjectSignature.bin"))
    ws = wb.add_worksheet("表")
    ws.write_number("A1", 1000)
    ws.write_formula("B1", "=COD_FEE(A1)", None, 6)
    wb.close()
    return src


def test_the_send_copy_of_a_signed_xlsm_leaves_nothing_pointing_at_a_removed_part(tmp_path) -> None:
    src = _signed_xlsm(tmp_path)
    before = PF.members(src)
    assert {"xl/vbaProject.bin", "xl/vbaProjectSignature.bin", "xl/_rels/vbaProject.bin.rels"} <= set(before)
    assert b'Extension="bin"' in before["[Content_Types].xml"]
    res = E.export(src, tmp_path / "签名宏_发送版.xlsx")
    assert res.removed_parts == ["xl/vbaProject.bin", "xl/vbaProjectSignature.bin"]
    parts = assert_consistent(res.output)
    assert not [n for n in parts if "vba" in n.lower()]
    ct = X.ContentTypes(parts["[Content_Types].xml"])
    assert "bin" not in ct.defaults()
    assert not [t for t in ct.overrides().values() if "vba" in t.lower() or "macroEnabled" in t]
    assert ct.overrides()["xl/workbook.xml"] == X.CT_SHEET_MAIN
    for name in parts:
        if name.endswith(".rels"):
            assert b"vba" not in parts[name].lower(), name


def test_a_bin_part_still_in_use_keeps_its_default(tmp_path) -> None:
    """Printer settings are .bin parts too: removing the VBA project keeps their Default."""
    src = _signed_xlsm(tmp_path)
    parts = PF.members(src)
    parts["xl/printerSettings/printerSettings1.bin"] = b"\x00" * 64
    sheet_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="' + PF.NS_PKG_REL + '">'
                  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                  'relationships/printerSettings" Target="../printerSettings/printerSettings1.bin"/></Relationships>')
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = sheet_rels.encode()
    src = PF.write_members(tmp_path / "打印.xlsm", parts)
    out = E.export(src, tmp_path / "打印_发送版.xlsx").output
    got = assert_consistent(out)
    assert "xl/printerSettings/printerSettings1.bin" in got
    assert X.ContentTypes(got["[Content_Types].xml"]).defaults()["bin"] == "application/vnd.ms-office.vbaProject"


def test_removed_parts_take_only_what_nothing_else_uses() -> None:
    rel = ('<?xml version="1.0"?><Relationships xmlns="' + PF.NS_PKG_REL + '">{}</Relationships>')
    one = '<Relationship Id="rId{}" Type="t" Target="{}"/>'
    parts = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                               b'<Default Extension="xml" ContentType="application/xml"/>'
                               b'<Default Extension="png" ContentType="image/png"/></Types>',
        "_rels/.rels": rel.format(one.format(1, "a.xml")).encode(),
        "a.xml": b"<a/>", "b.xml": b"<b/>", "shared.png": b"png", "only.png": b"png",
        "_rels/a.xml.rels": rel.format(one.format(1, "b.xml") + one.format(2, "shared.png")).encode(),
        "_rels/b.xml.rels": rel.format(one.format(1, "shared.png") + one.format(2, "only.png")).encode(),
    }
    assert X.remove_parts(parts, {"b.xml"}) == ["b.xml", "only.png"]
    assert sorted(parts) == ["[Content_Types].xml", "_rels/.rels", "_rels/a.xml.rels", "a.xml", "shared.png"]
    assert X.Rels(parts["_rels/a.xml.rels"], "a.xml").items() == [("rId2", "t", "shared.png", False)]


# ----------------------------------------------------------------------------- one file's failure

def _folder_with(tmp_path: Path, edits: dict[str, bytes]) -> Path:
    folder = tmp_path / "登记表"
    folder.mkdir()
    shutil.copyfile(CLAIMS, folder / "好.xlsx")
    sheet = PF.members(CLAIMS)["xl/worksheets/sheet1.xml"]
    cut = sheet.index(b"</sheetData>")
    for name, row in edits.items():
        PF.rewrite(CLAIMS, folder / name, {"xl/worksheets/sheet1.xml": sheet[:cut] + row + sheet[cut:]})
    return folder


SST_DAMAGED = (f"文件已损坏：共享字符串编号 99999 超出范围（共 {SST_N} 条）（部件 xl/worksheets/sheet1.xml）；"
               "本文件未处理，请在 Excel 中打开并修复后另存为 .xlsx 再处理")


def test_process_over_a_folder_goes_on_after_a_fault_of_ours(tmp_path, monkeypatch, capsys) -> None:
    """A fault in reading one file (here: the writer raising for it) is logged and named;
    every other file is processed; the run ends with exit 5 (docs/cli.md)."""
    from workbooks import pipeline, result
    folder = _folder_with(tmp_path, {"坏.xlsx": b'<row r="60"><c r="B60" t="s"><v>99999</v></c></row>'})
    shutil.copyfile(CLAIMS, folder / "甲.xlsx")
    real = result.write_result

    def flaky(pkg, reg, target, **kw):
        if pkg.path.name == "甲.xlsx":
            raise TypeError("a bug")
        return real(pkg, reg, target, **kw)

    monkeypatch.setattr(pipeline, "write_result", flaky)    # the name the processor calls
    monkeypatch.setenv("LOGIDESK_HOME", str(tmp_path / "home"))
    code = process_main([str(folder), "--out", str(tmp_path / "out"), "--quiet"])
    lines = capsys.readouterr().out.splitlines()
    log = tmp_path / "home" / "logs" / "logidesk.log"
    assert code == 5
    assert f"✗ {folder / '甲.xlsx'}：处理失败：程序内部错误，本文件未处理，其他文件照常处理；" \
           f"详情已写入日志：{log}，请发给管理员。" in lines
    assert f"✗ {folder / '坏.xlsx'}：{SST_DAMAGED}" in lines
    assert lines[-1] == "合计：处理 1 个文件，36 行，错误行 7 行，2 个文件未处理"
    assert (tmp_path / "out" / "好_结果.xlsx").exists() and not (tmp_path / "out" / "甲_结果.xlsx").exists()
    assert "TypeError: a bug" in log.read_text(encoding="utf-8")


def test_a_cell_no_reader_expected_never_stops_the_folder(tmp_path, monkeypatch, capsys) -> None:
    """A number cell holding text (``<v>abc</v>``): whatever that cell becomes, every other
    file of the folder is still processed and nothing prints a traceback."""
    folder = _folder_with(tmp_path, {"abc.xlsx": b'<row r="60"><c r="J60"><v>abc</v></c></row>'})
    monkeypatch.setenv("LOGIDESK_HOME", str(tmp_path / "home"))
    code = process_main([str(folder), "--out", str(tmp_path / "out"), "--quiet"])
    cap = capsys.readouterr()
    lines = cap.out.splitlines()
    assert any(line.startswith(f"✓ {folder / '好.xlsx'} → ") for line in lines)
    assert any(line.startswith(f"✗ {folder / 'abc.xlsx'}：") or line.startswith(f"✓ {folder / 'abc.xlsx'} → ")
               for line in lines)
    assert "Traceback" not in cap.out + cap.err and code in (0, 1, 3, 5)
    assert (tmp_path / "out" / "好_结果.xlsx").exists()


@pytest.mark.parametrize("command", ["deadlines", "report"])
def test_deadlines_and_report_name_a_damaged_file_and_read_the_others(tmp_path, command) -> None:
    folder = _folder_with(tmp_path, {"坏.xlsx": b'<row r="60"><c r="B60" t="s"><v>99999</v></c></row>'})
    extra = (["--today", "2026-11-20"] if command == "deadlines"
             else ["--period", "2026-11-上半月", "--out", str(tmp_path / "r.xlsx")])
    p = subprocess.run([sys.executable, "-m", "cli.main", command, str(folder), *extra], capture_output=True,
                       text=True, cwd=PF.ROOT, env={**__import__("os").environ, "LOGIDESK_HOME": str(tmp_path / "h")})
    assert "Traceback" not in p.stderr and p.returncode == 1, p.stderr
    text = p.stdout + p.stderr
    if command == "deadlines":
        assert f"  无法计算 —  无单号  {SST_DAMAGED}  〔坏.xlsx〕" in text.splitlines()
        assert "〔好.xlsx「理赔登记表」第13行〕" in text
    else:
        assert f"需核对：坏.xlsx：{SST_DAMAGED}" in text.splitlines()
        assert text.startswith(f"已生成 {tmp_path / 'r.xlsx'}：2026-11-上半月，1 个理赔登记表")


def test_export_of_a_damaged_register_names_it_and_writes_nothing(tmp_path) -> None:
    folder = _folder_with(tmp_path, {"坏.xlsx": b'<row r="60"><c r="B60" t="s"><v>99999</v></c></row>'})
    p = subprocess.run([sys.executable, "-m", "cli.main", "export", str(folder / "坏.xlsx")], capture_output=True,
                       text=True, cwd=PF.ROOT)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.strip() == f"未生成发送版：坏.xlsx：{SST_DAMAGED}"
    assert not (folder / "坏_发送版.xlsx").exists()


def test_a_damaged_company_rules_file_stops_process_once_naming_file_and_line(tmp_path) -> None:
    rules = tmp_path / "company_rules.toml"
    rules.write_text("[holidays\nx = = 1\n", encoding="utf-8")
    folder = _folder_with(tmp_path, {})
    shutil.copyfile(CLAIMS, folder / "乙.xlsx")
    p = subprocess.run([sys.executable, "-m", "cli.main", "process", str(folder), "--out", str(tmp_path / "o"),
                        "--quiet"], capture_output=True, text=True, cwd=PF.ROOT,
                       env={**__import__("os").environ, "LOGIDESK_COMPANY_RULES": str(rules),
                            "LOGIDESK_HOME": str(tmp_path / "h")})
    assert p.returncode == 4 and "Traceback" not in p.stderr and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"未处理任何文件：公司规则文件 {rules} ")
    assert re.search(r"(line 1\b|第 ?1 ?行)", lines[0]) and lines[0].endswith("（LAW-5）")
    assert not (tmp_path / "o").exists()
