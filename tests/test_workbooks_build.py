"""Issue 3, item 1–2: templates built from the specs, and the sample registers."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from register_columns import cell, cells, index

import udfs
from workbooks import build, layout as L
from workbooks.samples import SAMPLES_DIR, generate, planted, sample_path
from workbooks.spec import CLAIMS, COD, REGISTERS

TODAY = "2026-11-23"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGIDESK_TODAY", TODAY)
        out = tmp_path_factory.mktemp("templates")
        yield build.build_all(out)


def _xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


def _sheet_xml(path: Path, sheet: str) -> str:
    from workbooks.xlsx import open_package
    return _xml(path, open_package(path).sheet(sheet).part)


def test_build_all_writes_every_template(built):
    assert sorted(p.name for p in built) == sorted(
        ["理赔登记表.xlsx", "投诉登记表.xlsx", "仓储保管登记.xlsx", "代收货款登记.xlsx", "VIP客户.xlsx", "柜台报价.xlsx",
         "规则.xlsx"])
    for p in built:
        assert p.stat().st_size < 200_000
        assert not list(p.parent.glob(".tmp-*"))


def test_marker_and_sheets(built):
    kinds = {"理赔登记表": "claims", "投诉登记表": "complaints", "仓储保管登记": "storage",
             "代收货款登记": "cod", "VIP客户": "vip", "柜台报价": "quote", "规则": "rules"}
    for p in built:
        wb = _xml(p, "xl/workbook.xml")
        assert f'<definedName name="LOGIDESK_TEMPLATE">"{kinds[p.stem]};1"</definedName>' in wb
        assert 'fullCalcOnLoad="1"' in wb                           # templates recalculate on open
        with CalamineWorkbook.from_path(str(p)) as w:
            names = w.sheet_names
            meta = {m.name: m.visible for m in w.sheets_metadata}
        assert names[0] == p.stem                                     # data sheet named after template
        assert str(meta[L.MARKER_SHEET]).lower().endswith("hidden")
    from workbooks.process import detect_kind
    assert detect_kind(built[0]) == ("claims", 1)


def test_claim_register_layout(built):
    path = next(p for p in built if p.stem == "理赔登记表")
    with CalamineWorkbook.from_path(str(path)) as w:
        head = w.get_sheet_by_name("理赔登记表").to_python()[0]
        settings = [r[0] for r in w.get_sheet_by_name("设置").to_python()[1:6]]
    assert head == CLAIMS.headers
    for h in ("运单号", "寄件日期", "索赔日期", "索赔类型", "索赔原因", "货物类别", "物品价值", "损失比例", "保价金额", "运费",
              "重量(kg)", "延误天数", "实际送达日期", "始发地", "目的地", "寄递范围", "电商件", "有正规发票", "实用性物品",
              "网点类型", "批货", "责任网点", "寄件人", "寄件人电话", "寄件地址", "收件人", "收件人电话", "收件地址",
              "已付金额", "结案日期", "受理判定", "赔偿金额", "免收运费", "网点赔付", "赔偿说明", "受理答复期限",
              "处理期限", "时限状态"):
        assert h in head
    assert settings == ["本网点", "公司名称", "联系人", "联系电话", "收款账号"]
    xml = _sheet_xml(path, "理赔登记表")
    # computed cells: formulas calling our functions by plain name (no _xlfn., no [1]! link)
    # the row gate: 受理判定 checks the row's inputs (ROW_CHECK), the others show its error
    checked = ("{运单号},{寄件日期},{索赔日期},{索赔类型},{索赔原因},{货物类别},{物品价值},{损失比例},{保价金额},{运费},"
               "{重量(kg)},{延误天数},{实际送达日期},{寄递范围},{电商件},{有正规发票},{实用性物品},{网点类型},{批货},"
               "{已付金额},{结案日期},{责任环节},{原因},{上报集团日期}")
    assert cells('<f>IF(COUNTBLANK({运单号}),"",ROW_CHECK(CLAIM_CHECK({寄件日期},{索赔日期},{索赔原因},{保价金额}&gt;0),'
                 '"claims@赔偿说明",' + checked + '))</f>', 2) in xml
    # CLM-8: a refused claim (受理判定) shows 0, and its refusal as the explanation
    gate = 'IF(LEFT({受理判定},3)="错误：","错误：见「赔偿说明」",'
    assert cells('<f>IF(COUNTBLANK({运单号}),"",' + gate + 'IF(LEFT({受理判定},4)="不予受理",0,IF({电商件}="是",'
                 'ECOM_COMPENSATION({索赔类型},{物品价值},{损失比例},{有正规发票},{实用性物品}),'
                 'COMPENSATION({索赔类型},{物品价值},{运费},{保价金额},{损失比例},{货物类别})))))</f>', 2) in xml
    assert cells('<f>IF(COUNTBLANK({运单号}),"",' + gate + 'IF(LEFT({受理判定},4)="不予受理",0,'
                 'FREIGHT_WAIVER({索赔类型},{运费},{损失比例}))))</f>', 2) in xml
    # 赔偿说明, the widest computed column, asks ROW_CHECK for a bad row's message
    assert cells('<f>IF(COUNTBLANK({运单号}),"",IF(LEFT({受理判定},3)="错误：",ROW_CHECK("","claims",' + checked + '),'
                 'IF(LEFT({受理判定},4)="不予受理",{受理判定},IF({电商件}="是","电商件：', 2) in xml
    assert cells('<f>IF(COUNTBLANK({运单号}),"",IF(LEFT({受理判定},3)="错误：","错误：见「赔偿说明」",'
                 'DEADLINE("索赔处理",{索赔日期},{寄递范围})))</f>', 501) in xml
    assert "_xlfn" not in xml and "[1]!" not in xml
    assert '<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>' in xml
    assert 'paperSize="9"' in xml and 'orientation="landscape"' in xml
    prot = re.search(r"<sheetProtection[^>]*/>", xml).group(0)
    assert "password" not in prot and 'sheet="1"' in prot           # protected, no password
    assert f'sqref="{cell("寄件日期", 2)}:{cell("寄件日期", 10001)}"' in xml and 'type="date"' in xml  # date validation
    assert f'<formula1>{L.LISTS_SHEET}!$A$2:$A$5</formula1>' in xml   # 索赔类型 from the rules data
    assert "<conditionalFormatting" in xml and "错误：" in xml


def test_validation_lists_come_from_the_rules(built):
    path = next(p for p in built if p.stem == "理赔登记表")
    with CalamineWorkbook.from_path(str(path)) as w:
        rows = w.get_sheet_by_name(L.LISTS_SHEET).to_python()
    lists = {rows[0][c]: [r[c] for r in rows[1:] if r[c] != ""] for c in range(len(rows[0]))}
    expect = udfs.rules_in_force(udfs.today())
    assert lists["claim_types"] == expect["claim_types"] == ["遗失", "破损", "内件不符", "延误"]
    assert lists["categories"] == expect["categories"]
    assert lists["places"] == expect["places"]
    assert lists["yes_no"] == ["是", "否"]


def test_input_columns_unlocked_computed_locked(built):
    path = next(p for p in built if p.stem == "代收货款登记")
    xml = _sheet_xml(path, "代收货款登记")
    styles = _xml(path, "xl/styles.xml")
    xfs = re.search(r"<cellXfs[^>]*>(.*)</cellXfs>", styles, re.S).group(1).split("<xf ")[1:]
    col_style = {i: int(m.group(3)) for m in
                 re.finditer(r'<col min="(\d+)" max="(\d+)" width="[^"]+" style="(\d+)"', xml)
                 for i in range(int(m.group(1)), int(m.group(2)) + 1)}
    unlocked = lambda s: 'locked="0"' in xfs[s]  # noqa: E731
    columns = ("运单号", "代收金额", "到账日期", "提款日期", "手续费", "提款期限", "状态")
    assert [unlocked(col_style[index(h, COD) + 1]) for h in columns] == [True, True, True, True, False, False, False]


def test_rules_sheet_lists_rules_with_ids(built):
    path = next(p for p in built if p.stem == "规则")
    with CalamineWorkbook.from_path(str(path)) as w:
        rows = w.get_sheet_by_name("规则").to_python()
    assert rows[0] == ["类别", "项目", "内容", "依据"]
    flat = {(r[0], r[1]): (r[2], r[3]) for r in rows[1:]}
    assert flat[("保价", "保价费")] == ("声明价值 × 0.5%，每票最低 5 元；不保价为 0", "INS-1")
    assert flat[("代收货款", "手续费")][0] == "≤2000 元：5 元；2000～10000 元：3‰；>10000 元：30 元"
    assert flat[("时限", "索赔处理")] == ("国内 30；港澳台 30；国际 60 个日历日", "DL-2")
    assert "sheetProtection" in _sheet_xml(path, "规则")


def test_quote_template_values(tmp_path, monkeypatch):
    """With the example shipment (the equivalence check's copy) the cached values are the quote."""
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    path = build.build_quote(tmp_path / "柜台报价.xlsx", example=True)
    with CalamineWorkbook.from_path(str(path)) as w:
        rows = {r[0]: r[1] for r in w.get_sheet_by_name("柜台报价").to_python()[1:] if r[0]}
    # freight left blank: the example tariff, zone B (福州 F, 上海 B → B), 40×30×20 ÷ 6000 = 4 kg
    # beats 3.2 kg: 12 + 3 × 5 = 27 (FRT-1, FRT-2); the quote says the tariff is an example
    assert rows["运费"] == "" and rows["始发地"] == "福州" and rows["计费运费"] == 27.0
    assert rows["运费说明"].endswith("示例运价，请管理员设置公司运价（FRT-1）")
    assert rows["保价费"] == 15.0 and rows["代收手续费"] == 15.0 and rows["合计"] == 57.0
    assert rows["仓储条款"] == "到货通知后免费保管3天，逾期每天按运费的5%计收，即1.35元/天（STO-1）"
    assert rows["保价判定"].startswith("只保灭失险；运单备注：只保灭失险，易碎品")


def test_quote_template_is_empty_and_dated_today(built):
    """Issue 10: no sample shipment; the date is a live TODAY(); computed lines blank, not errors."""
    from workbooks.spec import QUOTE_INPUTS, QUOTE_LINES, quote_cell, quote_row
    path = next(p for p in built if p.stem == "柜台报价")
    with CalamineWorkbook.from_path(str(path)) as w:
        rows = {r[0]: r[1] for r in w.get_sheet_by_name("柜台报价").to_python()[1:] if r[0]}
    assert all(rows[label] == "" for label in QUOTE_INPUTS)
    computed = [q.label for q in QUOTE_LINES if q.expr is not None]
    assert computed and all(rows[label] == "" for label in computed)
    assert rows["免费保管天数"] == 3.0                                   # STO-2, a rule, not an input
    xml = _sheet_xml(path, "柜台报价")
    assert re.search(f'<c r="{quote_cell("报价日期")}" s="\\d+"><f>TODAY\\(\\)</f>', xml)
    for label in computed:
        f = re.search(f'<c r="{quote_cell(label)}"[^>]*><f>([^<]*)</f>', xml).group(1)
        assert f.startswith('IF(COUNTA(B3:B13)=0,&quot;&quot;,') or f.startswith('IF(COUNTA(B3:B13)=0,"",'), label
    # printed alone: print area = the quote block and its note, fit to one page, A5 portrait
    last = quote_row(QUOTE_LINES[-1].label)
    assert f'<definedName name="_xlnm.Print_Area" localSheetId="0">柜台报价!$A$1:$C${last + 2}</definedName>' \
        in _xml(path, "xl/workbook.xml")
    assert '<pageSetup paperSize="11" orientation="portrait"/>' in xml
    assert '<pageSetUpPr fitToPage="1"/>' in xml


def test_quote_python_mirror_of_blank_inputs():
    from udfs.quote import quote
    q = quote(None, None, None, None, None, None)
    assert q["total"] == "" and q["cells"]["保价费"] == "" and q["cells"]["仓储条款"] == ""
    assert quote(None, None, None, None, "福州", None)["cells"]["日费率"] != ""   # one input → computed


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_templates_open_in_libreoffice(built, tmp_path):
    """Every template converts to PDF in headless LibreOffice; the first page has text."""
    pdf_dir = tmp_path / "pdf"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(pdf_dir), *map(str, built)],
                   check=True, capture_output=True, timeout=180)
    for p in built:
        pdf = pdf_dir / f"{p.stem}.pdf"
        assert pdf.exists() and pdf.stat().st_size > 5000, p.name
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
            assert "#NAME" not in text and "Err:" not in text, p.name
    text = subprocess.run(["pdftotext", "-l", "1", str(pdf_dir / "柜台报价.pdf"), "-"],
                          capture_output=True, text=True).stdout if shutil.which("pdftotext") else "保价费"
    assert "保价费" in text
    if shutil.which("pdftotext"):
        # built on TODAY (the cached value); LibreOffice recalculates TODAY() on open
        assert dt.date.today().isoformat() in text and "错误" not in text
        assert dt.date.today().isoformat() == TODAY or TODAY not in text


def test_samples_are_reproducible_and_committed(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    paths = generate(tmp_path)
    for kind, p in paths.items():
        committed = sample_path(kind, SAMPLES_DIR)
        assert p.read_bytes() == committed.read_bytes(), f"regenerate: python -m workbooks.samples ({kind})"
        assert 5_000 < p.stat().st_size < 300_000


def test_samples_cover_every_claim_type_and_profile():
    from workbooks.samples import claim_rows
    rows = claim_rows()
    assert {r["索赔类型"] for r in rows} == {"遗失", "破损", "内件不符", "延误"}
    assert {r["网点类型"] for r in rows} >= {"直营", "代理期", "第三方"}
    assert {r["寄递范围"] for r in rows} == {"国内", "港澳台", "国际"}
    assert any(r["电商件"] == "是" and r["有正规发票"] == "否" for r in rows)
    assert {r["索赔原因"] for r in rows} >= {"客户自行包装", "不可抗力"}
    covers = {udfs.rules_for(None).categories[r["货物类别"]]["cover"] for r in rows
              if r["货物类别"] in udfs.rules_in_force()["categories"]}
    assert covers == {"full", "loss_only", "none"}
    assert all(len(planted(k)) >= 3 for k in REGISTERS)


def test_build_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    assert build.main(["--out", str(tmp_path)]) == 0
    assert "已生成" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == sorted(
        ["理赔登记表.xlsx", "投诉登记表.xlsx", "仓储保管登记.xlsx", "代收货款登记.xlsx", "VIP客户.xlsx", "柜台报价.xlsx",
         "规则.xlsx"])


def test_complaint_template_wraps_the_answer_scripts(built):
    """回答要点: a wrapped column style, 60 wide, and rows five lines high (issue 10)."""
    from workbooks.spec import COMPLAINTS
    path = next(p for p in built if p.stem == "投诉登记表")
    xml = _sheet_xml(path, "投诉登记表")
    n = COMPLAINTS.headers.index("回答要点") + 1
    style = int(re.search(f'<col min="{n}" max="{n}" width="60.7109375" style="(\\d+)"', xml).group(1))
    assert '<sheetFormatPr defaultRowHeight="69.75" customHeight="1"/>' in xml
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", _xml(path, "xl/styles.xml"), re.S).group(1)
    xf = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", xfs, re.S)[style]
    assert 'wrapText="1"' in xf
    m = index("投诉内容", COMPLAINTS) + 1
    other = int(re.search(f'<col min="{m}" max="{m}" width="[\\d.]+" style="(\\d+)"', xml).group(1))
    assert 'wrapText="1"' not in re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", xfs, re.S)[other]


@pytest.mark.parametrize("stem, name", [("VIP客户", "VIP客户登记表"), ("柜台报价", "柜台报价"), ("规则", "规则")])
def test_templates_without_batch_are_named_in_chinese(built, stem, name):
    """Processing a built VIP, quote or rules template says so by its Chinese name (not 'vip')."""
    from workbooks.register import RegisterError, open_register
    path = next(p for p in built if p.stem == stem)
    with pytest.raises(RegisterError) as e:
        open_register(path)
    assert e.value.reason == "no_batch" and e.value.message.startswith(f"{path.name}：{name}模板无需批量计算")
