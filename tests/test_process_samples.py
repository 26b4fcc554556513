"""Issue 3 acceptance: `logidesk process` on the samples (planted rows, exact values, input
bytes, locked output, atomic write, 错误清单, guarded totals, process_frame)."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from register_columns import cell, cells, index

import udfs
from workbooks import process as P
from workbooks.samples import planted, sample_path
from workbooks.spec import CLAIMS, COD, COMPLAINTS, REGISTERS, STORAGE
from workbooks.xlsx.cells import col_letter

TODAY = "2026-11-23"
D = dt.date


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    """Every sample processed once (today fixed), with the input hashes before."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGIDESK_TODAY", TODAY)
        work = tmp_path_factory.mktemp("samples")
        for kind in REGISTERS:
            shutil.copy(sample_path(kind), work)
        before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in work.iterdir()}
        out = tmp_path_factory.mktemp("out")
        summary = P.process_paths([work], out, progress=False)
        yield work, out, before, summary


def _sheet(path: Path, name: str) -> list[list]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _rows(path: Path, sheet: str) -> dict[str, dict]:
    rows = _sheet(path, sheet)
    head = rows[0]
    w = head.index("运单号")
    return {str(r[w]) if sheet != COMPLAINTS.sheet else str(r[w]) or f"row{i}": dict(zip(head, r))
            for i, r in enumerate(rows[1:], start=2) if any(v != "" for v in r)}


def _result(out: Path, kind: str) -> Path:
    return out / f"{REGISTERS[kind].sheet}_样例{P.RESULT_SUFFIX}.xlsx"


def test_exactly_the_planted_rows_are_reported(processed):
    _, _, _, summary = processed
    assert summary.ok and len(summary.files) == 4
    for f in summary.files:
        assert f.refused is None and f.output is not None
        assert f.error_rows == sorted(planted(f.kind)), f.kind


def test_input_files_are_not_modified(processed):
    work, _, before, _ = processed
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in work.iterdir()}
    assert after == before


def test_no_temp_files_left(processed):
    _, out, _, _ = processed
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{REGISTERS[k].sheet}_样例{P.RESULT_SUFFIX}.xlsx" for k in REGISTERS)


def test_claim_values_exact(processed):
    _, out, _, _ = processed
    rows = _rows(_result(out, "claims"), CLAIMS.sheet)
    expect = {  # 运单号: (受理判定, 赔偿金额, 免收运费, 网点赔付)
        "SF1001000001": ("受理", 3000.00, 45.00, ""),          # insured: min(loss, insured) CMP-1
        "SF1001000002": ("受理", 135.00, 45.00, ""),           # uninsured: 3 × freight CMP-1
        "SF1001000003": ("受理", 300.00, 0.00, ""),            # partial damage 25 % CMP-2, CMP-4
        "SF1001000004": ("受理", 1200.00, 30.00, ""),          # total damage
        "SF1001000005": ("受理", 0.00, 0.00, ""),              # fragile damage CMP-6
        "SF1001000007": ("受理", 180.00, 60.00, ""),           # jewellery insured → uninsured CMP-7
        "SF1001000008": ("受理", 36.00, 0.00, ""),             # mismatch 30 % of 3 × 40 CMP-5
        # CMP-3 Decision: a plain delay (no share lost) pays 0.00 goods compensation; the
        # freight is still waived (CMP-4)
        "SF1001000009": ("受理", 0.00, 35.00, ""),             # delay CMP-3
        "JD2002000001": ("受理", 500.00, 12.00 * 0, ""),       # e-commerce partial damage cap ECM-1
        "JD2002000002": ("受理", 2000.00, 12.00, ""),          # ECM-2
        "TB2002000003": ("受理", 1000.00, 10.00, ""),          # ECM-3 practical
        "TB2002000004": ("受理", 700.00, 10.00, ""),           # ECM-3 other
        "PD2002000005": ("受理", 2000.00, 0.00, ""),           # mismatch capped by ECM-2
        "ZT3003000001": ("受理", 90.00, 30.00, 1000.00),       # NET-1
        "ZT3003000002": ("受理", 90.00, 30.00, 200.00),        # NET-2 capped by actual value NET-3
        # NET-9: 12 waybills × 1,000 = 12,000 → batch cap 10,000 (the value 12,000 is above it)
        "ZT3003000003": ("受理", 780.00, 260.00, 10000.00),    # batch cap NET-1, NET-9
        # plain delays: customer 0.00 (CMP-3 Decision), freight waived (CMP-4); network as before
        "ZT3003000004": ("受理", 0.00, 18.00, 150.00),         # NET-5 3 days × 50
        "ZT3003000005": ("受理", 0.00, 28.00, 500.00),         # NET-5 > 1 kg cap
        "ZT3003000006": ("受理", 0.00, 16.00, 100.00),         # NET-6
        "ZT3003000007": ("受理", 0.00, 90.00, 1000.00),        # NET-7
    }
    for waybill, (check, comp, waiver, net) in expect.items():
        r = rows[waybill]
        assert (r["受理判定"], r["赔偿金额"], r["免收运费"], r["网点赔付"]) == (check, comp, waiver, net), waybill
    assert rows["SF1001000012"]["受理判定"].startswith("不予受理：超过一年索赔时效")
    assert rows["SF1001000013"]["受理判定"] == "不予受理：客户自行包装导致的破损（CLM-6）"
    assert rows["SF1001000014"]["受理判定"] == "受理"                 # force majeure, insured
    assert rows["SF1001000015"]["受理判定"] == "不予受理：不可抗力造成的损失（未保价）（CLM-5）"
    r = rows["SF1001000001"]
    assert r["受理答复期限"] in (dt.date(2026, 9, 11), dt.datetime(2026, 9, 11))   # DL-1 24 h
    assert r["处理期限"] == dt.date(2026, 10, 10)                   # DL-2 30 days
    assert r["时限状态"] == "按时完成"
    assert rows["SF1001000010"]["处理期限"] == dt.date(2026, 10, 24)   # 港澳台 30
    assert rows["SF1001000011"]["处理期限"] == dt.date(2026, 10, 31)   # 国际 60
    assert rows["SF1001000016"]["时限状态"] == "剩余25天"              # 11-18 + 30 = 12-18
    assert rows["JD2002000001"]["赔偿说明"] == "电商件：按电商件赔偿标准计算（ECM-1～ECM-5）"
    # an error row shows its message once, in its widest computed cell; the others point at it
    assert rows["SF1001000018"]["赔偿说明"].startswith("错误：物品价值应为数字")
    assert rows["SF1001000018"]["赔偿金额"] == rows["SF1001000018"]["受理判定"] == "错误：见「赔偿说明」"


def test_good_rows_equal_udfs_called_one_by_one(processed, monkeypatch):
    """Independent of the spec's expressions: the scalar API per row."""
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    _, out, _, _ = processed
    bad = set(planted("claims"))
    rows = _sheet(_result(out, "claims"), CLAIMS.sheet)
    head = rows[0]
    checked = 0
    for i, raw in enumerate(rows[1:], start=2):
        r = {h: (None if v == "" else v) for h, v in zip(head, raw)}
        if i in bad or r["运单号"] is None:
            continue
        args = (r["索赔类型"], r["物品价值"], r["运费"], r["保价金额"], r["损失比例"], r["货物类别"])
        insured = isinstance(r["保价金额"], (int, float)) and r["保价金额"] > 0
        check = udfs.claim_check(r["寄件日期"], r["索赔日期"], r["索赔原因"], insured)
        if check.startswith("不予受理"):       # CLM-8: refused claims show 0 and the refusal
            assert raw[head.index("受理判定")] == raw[head.index("赔偿说明")] == check
            assert (raw[head.index("赔偿金额")], raw[head.index("免收运费")]) == (0, 0)
            checked += 1
            continue
        if r["电商件"] == "是":
            comp = udfs.ecom_compensation(r["索赔类型"], r["物品价值"], r["损失比例"], r["有正规发票"], r["实用性物品"])
        else:
            comp = udfs.compensation(*args)
            assert raw[head.index("赔偿说明")] == udfs.compensation_explain(*args)
        assert Decimal(str(raw[head.index("赔偿金额")])) == comp
        assert Decimal(str(raw[head.index("免收运费")])) == udfs.freight_waiver(r["索赔类型"], r["运费"], r["损失比例"])
        insured = isinstance(r["保价金额"], (int, float)) and r["保价金额"] > 0
        assert raw[head.index("受理判定")] == udfs.claim_check(r["寄件日期"], r["索赔日期"], r["索赔原因"], insured)
        if r["网点类型"]:
            assert Decimal(str(raw[head.index("网点赔付")])) == udfs.network_compensation(
                r["索赔类型"], r["物品价值"], r["延误天数"], r["重量(kg)"], r["网点类型"], r["批货"])
        due = udfs.deadline("索赔处理", r["索赔日期"], r["寄递范围"])
        assert raw[head.index("处理期限")] in (due, dt.datetime.combine(due, dt.time()))
        assert raw[head.index("时限状态")] == udfs.deadline_status("索赔处理", r["索赔日期"], r["结案日期"], None,
                                                                    r["寄递范围"])
        checked += 1
    assert checked == 29


def test_storage_cod_complaint_values(processed):
    _, out, _, _ = processed
    s = _rows(_result(out, "storage"), STORAGE.sheet)
    assert [s[w]["仓储保管费"] for w in ("FZ4004000001", "FZ4004000002", "FZ4004000003", "FZ4004000004",
                                        "FZ4004000006", "FZ4004000008")] == [0.0, 0.0, 12.0, 25.65, 48.3, 17.57]
    assert s["FZ4004000004"]["日费率"] == 0.05 and s["FZ4004000004"]["计费天数"] == 6   # STO-2, STO-3
    assert s["FZ4004000009"]["计费天数"] == "" and s["FZ4004000009"]["仓储保管费"] == ""  # not picked up
    c = _rows(_result(out, "cod"), COD.sheet)
    assert [c[f"DS500500000{i}"]["手续费"] for i in range(1, 10)] == [5.0, 5.0, 6.0, 15.0, 30.0, 30.0, 30.0, 5.0, 20.0]
    assert c["DS5005000001"]["提款期限"] == dt.date(2026, 11, 10) and c["DS5005000001"]["状态"] == "按时完成"
    assert c["DS5005000006"]["状态"] == "今日到期"                   # 2026-08-23 + 3 months (COD-2)
    assert c["DS5005000003"]["状态"] == "剩余8天"
    assert c["DS5005000008"]["提款期限"] == ""                      # no arrival date yet
    rows = _sheet(_result(out, "complaints"), COMPLAINTS.sheet)
    head = rows[0]
    first = dict(zip(head, rows[1]))
    assert first["级别"] == "简单★（1个工作日）"
    assert first["处理期限"] == dt.date(2026, 11, 3) and first["法定答复期限"] == dt.date(2026, 11, 9)
    assert first["时限状态"] == "按时完成"
    assert first["回答要点"].startswith("【服务态度】回答要点：")
    row17 = dict(zip(head, rows[16]))
    assert row17["回答要点"].startswith("错误：2027年的节假日安排尚未收录")       # DATE-5, shown once
    assert row17["处理期限"] == row17["级别"] == "错误：见「回答要点」"


def test_error_sheet_and_highlight(processed):
    _, out, _, summary = processed
    path = _result(out, "claims")
    errs = _sheet(path, "错误清单")
    assert errs[0] == ["行号", "列名", "单元格", "值", "错误信息", "规则编号"]
    body = [r for r in errs[1:] if r[0] != ""]
    assert [(int(r[0]), r[1], r[2], r[5]) for r in body] == [
        (31, "物品价值", cell("物品价值", 31), "CMP-1"), (32, "货物类别", cell("货物类别", 32), "INS-4"),
        (33, "索赔日期", cell("索赔日期", 33), "CLM-7"), (34, "损失比例", cell("损失比例", 34), "CMP-2"),
        (35, "网点类型", cell("网点类型", 35), "NET-1"), (36, "索赔日期", cell("索赔日期", 36), "CLM-7"),
        (37, "重量(kg)", cell("重量(kg)", 37), "NET-5")]
    assert body[0][3] == "三千元左右" and "物品价值应为数字" in body[0][4]
    # the bad input cell carries the highlight style (a fill), the good one does not
    import zipfile
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    import re
    s_bad = re.search(rf'<c r="{cell("物品价值", 31)}" s="(\d+)"', sheet).group(1)
    s_ok = re.search(rf'<c r="{cell("物品价值", 30)}" s="(\d+)"', sheet).group(1)
    assert s_bad != s_ok
    xfs = re.search(r"<cellXfs[^>]*>(.*)</cellXfs>", styles, re.S).group(1).split("<xf ")[1:]
    fills = re.search(r"<fills[^>]*>(.*)</fills>", styles, re.S).group(1).split("<fill>")[1:]
    fill_of = lambda s: fills[int(re.search(r'fillId="(\d+)"', xfs[int(s)]).group(1))]  # noqa: E731
    assert "FFC7CE" in fill_of(s_bad) and "FFC7CE" not in fill_of(s_ok)


def test_formulas_and_cached_values_in_result(processed):
    import zipfile
    _, out, _, _ = processed
    with zipfile.ZipFile(_result(out, "cod")) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        wb = z.read("xl/workbook.xml").decode()
    # the row gate (ROW_CHECK over the checked inputs) wraps the first computed column
    assert f'<c r="{cell("手续费", 2, COD)}" s=' in sheet
    assert cells('<f>IF(COUNTBLANK({运单号}),"",ROW_CHECK(COD_FEE({代收金额}),"cod",{运单号},{代收金额},{到账日期},{提款日期}))'
                 '</f><v>5</v>', 2, COD) in sheet
    assert "_xlfn" not in sheet and "[1]!" not in sheet               # plain add-in names
    assert "fullCalcOnLoad" not in wb and 'calcId="191029"' in wb     # viewers keep the cached values
    assert 'LOGIDESK_TEMPLATE' in wb


def test_totals_are_guarded(processed):
    _, out, _, summary = processed
    s = {r[0]: r[1] for r in _sheet(_result(out, "claims"), "汇总")[1:]}
    assert s["登记行数"] == 36
    assert s["赔偿金额合计"] == "有错误行，请先更正"
    f = next(f for f in summary.files if f.kind == "claims")
    assert f.totals["赔偿金额合计"] == "有错误行，请先更正"
    text = summary.text()
    assert "理赔登记表：36 行，错误行 7 行" in text and "合计：处理 4 个文件，78 行，错误行 17 行" in text


def test_totals_without_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    df = pd.DataFrame({"运单号": ["A1", "A2", "A3"], "代收金额": [800, 5000, 36800],
                       "到账日期": [D(2026, 11, 1)] * 3, "提款日期": [None] * 3})
    from workbooks.samples import write_filled
    src = write_filled(COD, df.to_dict("records"), tmp_path / "cod.xlsx")
    res = P.process_file(src, tmp_path / "out", progress=False)
    assert res.error_rows == [] and res.totals == {"手续费合计": Decimal("50.00")}
    s = {r[0]: r[1] for r in _sheet(res.output, "汇总")[1:]}
    assert s == {"登记行数": 3, "错误行数": 0, "手续费合计": 50.0}


def test_locked_output_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    src = sample_path("cod")
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"{src.stem}{P.RESULT_SUFFIX}.xlsx"
    target.write_bytes(b"previous result")
    (out / f"~${target.name}").write_bytes(b"lock")
    code = P.main([str(src), "--out", str(out), "--quiet"])
    assert code == 3
    assert "正在被打开" in capsys.readouterr().out
    assert target.read_bytes() == b"previous result"
    assert sorted(p.name for p in out.iterdir()) == sorted([target.name, f"~${target.name}"])


def test_not_a_template_and_missing_file(tmp_path, capsys):
    bad = tmp_path / "plain.xlsx"
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(bad))
    wb.add_worksheet("Sheet1").write(0, 0, "x")
    wb.close()
    assert P.main([str(bad), str(tmp_path / "nope.xlsx"), "--out", str(tmp_path / "o")]) == 1
    out = capsys.readouterr().out
    assert "不是 logidesk 模板" in out and "文件或文件夹不存在" in out


def test_other_sheets_and_settings_kept(tmp_path, monkeypatch):
    """A clerk's extra sheet, extra column and 设置 values survive processing."""
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    import openpyxl
    src = tmp_path / "cod.xlsx"
    shutil.copy(sample_path("cod"), src)
    wb = openpyxl.load_workbook(src)
    ws = wb.create_sheet("备注")
    ws["A1"], ws["B2"] = "月度核对", 123.5
    after = len(COD.headers)                        # a clerk's column right of the template's
    wb["代收货款登记"][f"{col_letter(after)}1"] = "经办人"
    wb["代收货款登记"][f"{col_letter(after)}3"] = "小王"
    wb["设置"]["B2"] = "厦门思明营业部"
    wb.save(src)
    res = P.process_file(src, tmp_path / "out", progress=False)
    assert res.refused is None
    assert _sheet(res.output, "备注")[:2] == [["月度核对", ""], ["", 123.5]]
    data = _sheet(res.output, "代收货款登记")
    assert data[0][after] == "经办人" and data[2][after] == "小王"
    assert _sheet(res.output, "设置")[1][:2] == ["本网点", "厦门思明营业部"]


def test_process_frame_api(monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    df = pd.DataFrame({"运单号": ["A", "B", None], "代收金额": [2000.01, "五千", None],
                       "到账日期": [D(2026, 11, 1), D(2026, 11, 2), None], "提款日期": [None, None, None]})
    computed, errors = P.process_frame("cod", df)
    assert list(computed.columns) == ["手续费", "提款期限", "状态"]
    assert computed.loc[0, "手续费"] == 6.0 and computed.loc[0, "提款期限"] == dt.datetime(2027, 2, 1)
    assert computed.loc[1, "手续费"].startswith("错误：代收金额应为数字")   # no text column: the gate
    assert computed.loc[1, "状态"] == "错误：见「手续费」"
    assert computed.loc[2].tolist() == ["", "", ""]
    assert errors[["行号", "列名", "单元格", "规则编号"]].values.tolist() == [[3, "代收金额", cell("代收金额", 3, COD), "COD-1"]]


def test_large_register_is_chunked_and_linear(tmp_path, monkeypatch):
    """A register read in many blocks and chunks: every row written, rows in order."""
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    from workbooks import result
    from workbooks.xlsx import sheetxml
    monkeypatch.setattr(sheetxml, "BLOCK", 1500)
    monkeypatch.setattr(result, "CHUNK_ROWS", 7)
    rows = [{"运单号": f"W{i:03d}", "代收金额": 100 * i, "到账日期": D(2026, 11, 1)} for i in range(1, 30)]
    from workbooks.samples import write_filled
    src = write_filled(COD, rows, tmp_path / "c.xlsx")
    res = P.process_file(src, tmp_path / "o", progress=False)
    data = _sheet(res.output, COD.sheet)
    assert [r[index("运单号", COD)] for r in data[1:30]] == [f"W{i:03d}" for i in range(1, 30)]
    assert [r[index("手续费", COD)] for r in data[1:30]] == [float(udfs.cod_fee(100 * i)) for i in range(1, 30)]


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or poppler not installed")
def test_result_shows_cached_values_in_libreoffice(processed, tmp_path):
    """A viewer without the add-in shows the numbers, not #NAME? (LibreOffice recalculates
    some formula kinds on load, e.g. shared formulas, so this is checked for real)."""
    import subprocess
    _, out, _, _ = processed
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(_result(out, "claims"))],
                   check=True, capture_output=True, timeout=180)
    pdf = next(tmp_path.glob("*.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "#NAME" not in text and "Err:" not in text
    assert "3,000.00" in text and "10,000.00" in text and "按时完成" in text


def test_complaint_result_wraps_the_answer_scripts(processed):
    """Issue 10: the 回答要点 cells of the result wrap, in a wide column, in rows high enough
    (the style comes from the register's own column and default row height)."""
    import openpyxl
    _, out, _, _ = processed
    col = next(c for c in COMPLAINTS.columns if c.header == "回答要点")
    letter = COMPLAINTS.letter("回答要点")
    ws = openpyxl.load_workbook(_result(out, "complaints"), data_only=True)[COMPLAINTS.sheet]
    scripts = [ws[f"{letter}{r}"] for r in range(2, ws.max_row + 1) if str(ws[f"{letter}{r}"].value or "").startswith("【")]
    assert len(scripts) >= 12
    assert all(c.alignment.wrap_text for c in scripts)
    assert round(ws.column_dimensions[letter].width) == col.width + 1       # XlsxWriter adds padding
    high = 14 * col.lines                                                   # points, to the pixel
    assert ws.sheet_format.customHeight and abs(ws.sheet_format.defaultRowHeight - high) < 1
    assert all(ws.row_dimensions[c.row].height is None or abs(ws.row_dimensions[c.row].height - high) < 1
               for c in scripts)


def test_every_answer_script_fits_its_rows():
    """Each category's script fits in the 回答要点 rows at about 0.6 CJK characters per width unit
    (LibreOffice shows about 0.66); a longer script in the rules needs more lines."""
    import math
    col = next(c for c in COMPLAINTS.columns if c.header == "回答要点")
    for name in udfs.rules_in_force()["complaints"]:
        text = str(udfs.complaint_script(name))
        lines = sum(max(1, math.ceil(sum(1 if ord(ch) > 0x2E80 else 0.5 for ch in part) / (col.width * 0.6)))
                    for part in text.split("\n"))
        assert lines <= col.lines, name
