"""What a clerk, finance and counter staff trip on around the amounts, end to end through the
CLI: a result beside its input counted once by every folder walk, a quiet half month, the
error list naming the input cell to fix, one error count, prompts and the 规则 sheet from the
checks' own declarations, one alias vocabulary, send copies of every workbook we build,
replies in the ledger list, document language and print settings, and the add-in's VBA.
Dates and amounts by hand from RULES.md."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from register_columns import cell, index, letter

from desk.notices.samples import CLAIM_COLUMNS, claim_row, write_register
from desk.reminders import main as deadlines_main
from desk.report import main as report_main
from workbooks.process import main as process_main
from workbooks.spec import CLAIMS, COMPLAINTS

SHIP = dt.datetime(2026, 10, 1)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOGIDESK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOGIDESK_LEDGER_URL", raising=False)
    return tmp_path


# 1. A result beside its input (the default out/ of `process`) is not read again.
def test_default_flow_counts_each_deadline_once(home: Path, monkeypatch, capsys) -> None:
    desk = home / "鼓楼"
    write_register(desk / "登记表.xlsx", [
        claim_row("A1", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 10, 26)),  # DL-2: due 11-25
        claim_row("A2", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 11, 2)),   # due 12-02
    ])
    monkeypatch.chdir(desk)
    assert process_main(["登记表.xlsx", "--quiet"]) == 0
    assert (desk / "out" / "登记表_结果.xlsx").exists()
    capsys.readouterr()
    assert deadlines_main([".", "--today", "2026-11-27", "--within", "7"]) == 0
    out = capsys.readouterr().out
    assert out.count(" A1 ") == 1 and out.count(" A2 ") == 1
    assert "已逾期 1 件，今日到期 0 件，7 天内到期 1 件" in out
    # a result copied to another folder on its own is still read (its input is not there)
    other = home / "财务"
    other.mkdir()
    shutil.copy(desk / "out" / "登记表_结果.xlsx", other / "登记表_结果.xlsx")
    assert deadlines_main([str(other), "--today", "2026-11-27", "--within", "7"]) == 0
    out = capsys.readouterr().out
    assert "登记表_结果.xlsx" in out and "已逾期 1 件，今日到期 0 件，7 天内到期 1 件" in out
    # both folders at once: the branch's result under out/ is its input's; the copy is another file
    from workbooks.folders import walk
    w = walk([desk, other], results=True)
    assert [p.name for p in w.files] == ["登记表.xlsx", "登记表_结果.xlsx"]
    assert w.files[1].parent == other
    assert [s.path.parent.name for s in w.ignored if s.key == "result"] == ["out"]


# 2. A half month without claims: a report with 0 件, not an internal error.
def test_report_of_a_quiet_half_month(home: Path, capsys) -> None:
    reg = write_register(home / "reg" / "登记表.xlsx",
                         [claim_row("A1", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 11, 6))])
    out = home / "报表.xlsx"
    assert report_main([str(reg.parent), "--period", "2026-11-下半月", "--today", "2026-12-01",
                        "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2026-11-下半月，1 个理赔登记表，货损货差案件 0 件，建议赔偿 0.00 元，已付 0.00 元，逾期 0 件" in printed
    summary = pd.read_excel(out, sheet_name="汇总", header=3, engine="calamine").set_index("网点")
    assert summary.loc["福州鼓楼网点", "件数"] == 0


# 8b. Two branches' files of the same name: the report names their folders.
def test_same_named_files_show_their_folder(home: Path, capsys) -> None:
    for branch in ("福州", "厦门"):
        write_register(home / "b" / branch / "理赔登记表.xlsx",
                       [claim_row("A1", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 11, 6))])
    out = home / "报表.xlsx"
    assert report_main([str(home / "b"), "--period", "2026-11-上半月", "--today", "2026-12-01",
                        "--out", str(out)]) == 1
    check = pd.read_excel(out, sheet_name="需核对", header=2, engine="calamine")
    assert check.loc[0, "说明"] == "同一索赔已在 厦门/理赔登记表.xlsx「理赔登记表」第2行 计入，此处不再重复计算"
    assert check.loc[0, "来源"] == "福州/理赔登记表.xlsx「理赔登记表」第2行"
    assert "需核对：福州/理赔登记表.xlsx「理赔登记表」第2行（A1）" in capsys.readouterr().err


# 3 + 4. 「错误清单」 names and links the input cell to fix, once per problem; one count everywhere.
def test_error_list_points_at_the_input_to_fix(home: Path, capsys) -> None:
    import re
    import zipfile

    from workbooks.xlsx.package import open_package
    reg = write_register(home / "登记表.xlsx", [
        claim_row("B1", "遗失", 寄件日期=dt.datetime(2026, 11, 2), 索赔日期=dt.datetime(2026, 10, 30)),
        claim_row("B2", "延误", 延误天数=6, **{"重量(kg)": None}),  # 直营, 6 days: the cap needs the weight
        claim_row("B3", "破损", 损失比例=None),                # CMP-8: a share is required
        claim_row("B4", "遗失"),
    ])
    assert process_main([str(reg), "--out", str(home / "out")]) == 1
    printed = capsys.readouterr().out
    assert "理赔登记表：4 行，错误行 3 行，错误 3 处" in printed
    res = home / "out" / "登记表_结果.xlsx"
    pkg = open_package(res)
    body = pkg.read_small_sheet("错误清单")[1:]
    assert [(int(r[0]), r[1], r[2], r[5]) for r in body] == [
        (2, "索赔日期", cell("索赔日期", 2, CLAIM_COLUMNS), "CLM-7"), (3, "重量(kg)", cell("重量(kg)", 3, CLAIM_COLUMNS), "NET-5"),
        (4, "损失比例", cell("损失比例", 4, CLAIM_COLUMNS), "CMP-8")]
    assert body[0][4] == "索赔日期 2026-10-30 早于寄件日期 2026-11-02（CLM-7）"
    assert body[1][4] == "缺少重量(kg)：延误封顶按 1 kg 以内/以上区分（NET-5）"
    assert body[2][4] == "缺少损失比例：破损、内件不符须填写损失比例（如 0.4 或 40%），不按 100% 计算（CMP-2、CMP-8）"
    assert body[0][3] == "2026-10-30"                       # what was typed in the input cell
    with zipfile.ZipFile(res) as z:
        part = next(s.part for s in pkg.sheets if s.name == "错误清单")
        links = re.findall(r'<hyperlink ref="(C\d+)" location="([^"]+)"', z.read(part).decode("utf-8"))
    assert links == [("C2", f"'理赔登记表'!{cell('索赔日期', 2, CLAIM_COLUMNS)}"),     # 错误清单's own column C
                     ("C3", f"'理赔登记表'!{cell('重量(kg)', 3, CLAIM_COLUMNS)}"),
                     ("C4", f"'理赔登记表'!{cell('损失比例', 4, CLAIM_COLUMNS)}")]
    # in print an error row shows its message once
    sheet = pkg.read_small_sheet("理赔登记表")
    row4 = [str(v) for v in sheet[3]]
    assert sum("缺少损失比例" in v for v in row4) == 1
    assert row4.count("错误：见「赔偿说明」") == 6   # in the wide column; 网点赔付 is blank (no 网点类型)
    assert row4[34].startswith("错误：缺少损失比例")


def test_one_error_count_for_the_demo_sample(home: Path, capsys) -> None:
    """Console, 「错误清单」 and 汇总 of the demo's claim sample: 7 rows with errors, 7 problems
    (was 7 errors against 错误单元格数 51)."""
    from workbooks.samples import sample_path
    from workbooks.xlsx.package import open_package
    assert process_main([str(sample_path("claims")), "--out", str(home / "out")]) == 1
    printed = capsys.readouterr().out
    assert "理赔登记表：36 行，错误行 7 行，错误 7 处" in printed
    pkg = open_package(home / "out" / "理赔登记表_样例_结果.xlsx")
    assert len(pkg.read_small_sheet("错误清单")) == 1 + 7
    summary = {r[0]: r[1] for r in pkg.read_small_sheet("汇总")[1:]}
    assert summary["错误行数"] == 7 and "错误单元格数" not in summary


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from workbooks.build import main as build_main
    out = tmp_path_factory.mktemp("templates")
    assert build_main(["--out", str(out)]) == 0
    return out


def _validations(path: Path, sheet: str) -> dict[str, object]:
    from openpyxl import load_workbook
    ws = load_workbook(path)[sheet]
    heads = {c.column_letter: c.value for c in ws[1]}
    return {heads[str(dv.sqref).split(":")[0].rstrip("0123456789")]: dv for dv in ws.data_validations.dataValidation}


# 5. The template's prompt on 损失比例 is the declared argument the check uses (CMP-8); the
#    规则 sheet shows Chinese names and cites no file outside the product.
def test_prompts_and_rules_sheet_from_the_declarations(built: Path) -> None:
    from openpyxl import load_workbook
    share = _validations(built / "理赔登记表.xlsx", "理赔登记表")["损失比例"]
    assert share.prompt == "损失比例 0–1：破损、内件不符必填（CMP-8）；延误为延误毁损的比例，默认 0（CMP-3）；遗失为 1"
    assert "空=100%" not in share.prompt
    for name in ("规则.xlsx", "柜台报价.xlsx", "理赔登记表.xlsx"):
        wb = load_workbook(built / name)
        if "规则" not in wb.sheetnames:
            continue
        rows = {(r[0], r[1]): r[2] for r in wb["规则"].iter_rows(min_row=2, values_only=True)}
        text = " ".join(str(v) for v in rows.values())
        assert "RULES.md" not in text and "general" not in text and "handicraft" not in text
        assert "jewelry" not in text and "fragile" not in text
        assert rows[("货物类别", "普通货物")] == "可保价（又称：普通、一般货物、普货）"
        assert rows[("货物类别", "工艺品")] == "不予保价"
        assert rows[("货物类别", "易碎品")] == "只保灭失险（又称：易碎）"
        assert rows[("版本", "2024.1")].startswith("2024 年版（公司理赔与服务规则摘要）")


# 6. One vocabulary: what the 规则 sheet advertises (又称：普通) the register accepts, as the functions do.
def test_register_accepts_the_aliases_the_functions_accept(built: Path, home: Path, capsys) -> None:
    import udfs
    from workbooks.xlsx.package import open_package
    category = _validations(built / "理赔登记表.xlsx", "理赔登记表")["货物类别"]
    assert category.errorStyle == "warning" and "又称" in category.error   # Excel lets the clerk keep 普通
    reg = write_register(home / "登记表.xlsx", [
        claim_row("C1", "遗失", 货物类别="普通", 物品价值=1000, 运费=20, 保价金额=None),
        claim_row("C2", "丢失", 货物类别="普货", 物品价值=1000, 运费=20, 保价金额=None),
        claim_row("C3", "遗失", 货物类别="电子产品", 物品价值=1000, 运费=20, 保价金额=None),
    ])
    assert udfs.compensation("遗失", 1000, 20, None, None, "普通") == udfs.compensation("遗失", 1000, 20)
    assert process_main([str(reg), "--out", str(home / "out")]) == 1
    assert "理赔登记表：3 行，错误行 1 行，错误 1 处" in capsys.readouterr().out
    pkg = open_package(home / "out" / "登记表_结果.xlsx")
    errors = pkg.read_small_sheet("错误清单")[1:]
    assert [(int(r[0]), r[2]) for r in errors] == [(4, cell("货物类别", 4, CLAIM_COLUMNS))]
    assert errors[0][4].startswith("货物类别「电子产品」不在下拉列表中")
    rows = pkg.read_small_sheet("理赔登记表")
    # uninsured 遗失: min(1,000, 3 × 20) = 60.00 (CMP-1), for the alias as for the name
    amount = index("赔偿金额", CLAIM_COLUMNS)
    assert rows[1][amount] == rows[2][amount] == 60.0


# 7. A send copy of the counter quote (and of the VIP and rules workbooks) is made; the quote's
#    lines are the engine's, whether or not Excel cached them.
@pytest.mark.slow
def test_send_copy_of_the_counter_quote(built: Path, home: Path, capsys) -> None:
    from lo_recalc import convert, make_profile, soffice
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    from workbooks.export import main as export_main
    # the counter clerk's quote, filled by a program that does not calculate (no cached values)
    quote = home / "报价.xlsx"
    wb = load_workbook(built / "柜台报价.xlsx")
    ws = wb["柜台报价"]
    from workbooks.spec import quote_row
    for label, v in (("运费", 120), ("声明价值", 3000), ("货物类别", "易碎品"), ("单件价值", 3000), ("代收金额", 5000),
                     ("始发地", "福州"), ("目的地", "上海")):
        ws.cell(quote_row(label), 2).value = v
    wb.save(quote)
    assert export_main([str(quote), "--out", str(home / "send" / "报价_发送版.xlsx")]) == 0
    assert "按规则重新计算后，7 个单元格转为数值，保留 3 个 Excel 自带公式" in capsys.readouterr().out
    for name in ("VIP客户.xlsx", "规则.xlsx"):
        assert export_main([str(built / name), "--out", str(home / "send" / name)]) == 0, name
    capsys.readouterr()
    with CalamineWorkbook.from_path(str(home / "send" / "报价_发送版.xlsx")) as book:
        cells = {r[0]: r[1] for r in book.get_sheet_by_name("柜台报价").to_python()[1:] if r and r[0]}
    # INS-1 3,000 × 0.5 % = 15.00 (minimum 1 元); COD-1 5,000 × 3 ‰ = 15.00
    assert cells["保价费"] == 15 and cells["代收手续费"] == 15
    assert cells["保价判定"].startswith("只保灭失险")
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    recalced = convert(home / "send" / "报价_发送版.xlsx", home / "lo", make_profile(home / "lo-profile"))
    with CalamineWorkbook.from_path(str(recalced)) as book:
        cells = {r[0]: r[1] for r in book.get_sheet_by_name("柜台报价").to_python()[1:] if r and r[0]}
    assert cells["合计"] == 150                    # 120 + 15 + 15, recomputed without the add-in
    assert cells["仓储条款"] == "到货通知后免费保管3天，逾期每天按运费的5%计收，即6.00元/天（STO-1）"


# 8a. A reply recorded without a workbook shows in --list (and leaves the reminders).
def test_reply_recorded_without_a_workbook_is_listed(home: Path, capsys) -> None:
    from desk.notices.cli import main as notices_main
    reg = write_register(home / "reg" / "登记表.xlsx",
                         [claim_row("R1", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 11, 10))])
    assert notices_main([str(reg), "--kind", "遗失公告", "--no-pdf", "--date", "2026-11-20"]) == 0
    assert "YS-2026-00001 至 YS-2026-00001" in capsys.readouterr().out
    assert notices_main(["--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].split("\t")[5] == "未回复"
    assert notices_main(["--replied", "YS-2026-00001", "--date", "2026-11-25"]) == 0
    assert "已登记回复：YS-2026-00001" in capsys.readouterr().out
    assert notices_main(["--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].endswith("：1 份通知，已回复 1 份")
    assert listed[1].split("\t")[:3] == ["YS-2026-00001", "遗失公告", "R1"]
    assert listed[1].split("\t")[5] == "已回复 2026-11-25"
    assert deadlines_main([str(reg.parent), "--today", "2026-11-26", "--within", "30"]) == 0
    assert "公告回复" not in capsys.readouterr().out


# 9. Documents: language, print settings, the demo's letters, the complaint register's rule.
def test_documents_language_and_print_settings(built: Path, home: Path, capsys) -> None:
    import zipfile

    from openpyxl import load_workbook

    from desk.notices.cli import main as notices_main
    reg = write_register(home / "reg" / "登记表.xlsx",
                         [claim_row("D1", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 11, 10))])
    assert notices_main([str(reg), "--kind", "遗失公告", "--no-pdf", "--date", "2026-11-20"]) == 0
    doc = next((home / "reg" / "通知").glob("YS-2026-00001_*.docx"))
    with zipfile.ZipFile(doc) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
    assert '<w:lang w:val="zh-CN" w:eastAsia="zh-CN"' in styles and "en-US" not in styles
    wb = load_workbook(built / "理赔登记表.xlsx")
    # 设置: each 说明 across A:B, its row as high as its wrapped lines (no overlap)
    st = wb["设置"]
    notes = [r for r in range(1, st.max_row + 1) if str(st.cell(r, 1).value or "").startswith("说明：")]
    assert len(notes) == 2 and notes[1] == notes[0] + 1
    assert {str(m) for m in st.merged_cells.ranges} >= {f"A{r}:B{r}" for r in notes}
    # the first note fits one line (14 pt); the protection note (≈50 characters) takes 3
    assert 14 <= st.row_dimensions[notes[0]].height < 15 and 42 <= st.row_dimensions[notes[1]].height < 43
    # 赔偿说明 wraps and every row is three lines high: printed in full
    ws = wb["理赔登记表"]
    col = next(c.column_letter for c in ws[1] if c.value == "赔偿说明")
    assert ws[f"{col}2"].alignment.wrap_text and 42 <= ws.sheet_format.defaultRowHeight < 43
    # the empty complaint form prints its header and 6 rows (one page tall), not 30 five-line rows
    cpl = load_workbook(built / "投诉登记表.xlsx")["投诉登记表"]
    assert cpl.print_area == f"'投诉登记表'!$A$1:${letter(COMPLAINTS.headers[-1], COMPLAINTS)}$7"
    assert ws.print_area == f"'理赔登记表'!$A$1:${letter(CLAIMS.headers[-1])}$11"   # 10 three-line rows


def test_complaint_done_before_start_cites_cpl1(home: Path, capsys) -> None:
    from workflow_helpers import write_kind

    from workbooks.xlsx.package import open_package
    reg = write_kind(home / "投诉.xlsx", "complaints", [
        {"投诉日期": dt.datetime(2026, 11, 10), "投诉人": "王女士", "投诉类别": "服务态度",
         "结案日期": dt.datetime(2026, 11, 8)},
    ])
    assert process_main([str(reg), "--out", str(home / "out")]) == 1
    assert "投诉登记表：1 行，错误行 1 行，错误 1 处" in capsys.readouterr().out
    body = open_package(home / "out" / "投诉_结果.xlsx").read_small_sheet("错误清单")[1:]
    assert [(int(r[0]), r[1], r[2], r[4], r[5]) for r in body] == [
        (2, "结案日期", cell("结案日期", 2, COMPLAINTS), "结案日期 2026-11-08 早于投诉日期 2026-11-10（CPL-1）", "CPL-1")]


@pytest.mark.slow
def test_demo_sends_each_vip_customer_one_letter(home: Path) -> None:
    from desk.ledger import Ledger
    from desk.notices.demo import demo_step
    demo_step(home / "build")
    recs = Ledger.open(str(home / "build" / "demo" / "logidesk-台账.sqlite3")).all()
    letters = sorted((r.waybill, r.kind) for r in recs if r.kind.startswith("VIP"))
    assert letters == [("福州鑫达贸易有限公司", "VIP恭喜函"), ("闽侯恒通电子商行", "VIP服务取消通知函")]


# 10. The add-in's VBA: object results are assigned with Set (or read as text); the relink
#     handler restores the saved state on every path and names a link it cannot change.
@pytest.fixture(scope="module")
def xlam_modules(tmp_path_factory) -> dict[str, object]:
    import zipfile

    from addin.xlam import build as B
    from addin.xlam.vbaproject import read_project
    path = B.build(tmp_path_factory.mktemp("xlam"))
    with zipfile.ZipFile(path) as z:
        return {m.name: m for m in read_project(z.read("xl/vbaProject.bin")).modules}


def test_vba_assigns_objects_with_set(xlam_modules) -> None:
    from vba_syntax import object_lets

    from addin import ribbon
    from addin.xlam import appevents, udfvba
    for name in ("ThisWorkbook", appevents.CLASS_NAME, appevents.HELPER_MODULE, ribbon.VBA_MODULE,
                 udfvba.VBA_MODULE_NAME):
        m = xlam_modules[name]
        assert object_lets(m.source, m.kind) == [], name
    helper = xlam_modules[appevents.HELPER_MODULE].source
    assert ('registered = XLPy.Str(XLPy.Call(XLPy.Module("addin.fnhelp"), "register", XLPy.Tuple(ThisWorkbook)))'
            in helper)
    # the check fails on the statement the add-in used to have, and on a typed object variable
    call = 'XLPy.Call(XLPy.Module("addin.fnhelp"), "register", XLPy.Tuple(ThisWorkbook))'
    old = helper.replace(f"registered = XLPy.Str({call})", f"registered = {call}")
    assert [t for _, t in object_lets(old, "std")] == [f"registered = {call}"]
    typed = 'Attribute VB_Name = "M"\r\nSub X()\r\n    Dim wb As Workbook\r\n    wb = ActiveWorkbook\r\nEnd Sub\r\n'
    assert [ln for ln, _ in object_lets(typed, "std")] == [4]


def test_relink_restores_saved_state_and_names_failures(xlam_modules) -> None:
    import re

    from addin.xlam import appevents
    src = xlam_modules[appevents.CLASS_NAME].source
    body = re.search(r"Public Sub RepointLinks\(.*?End Sub", src, re.S).group(0)
    lines = [ln.strip() for ln in body.split("\r\n")]
    # every exit after the saved state is read goes through Done:, which restores it first
    after = lines[lines.index("wasSaved = Wb.Saved"):]
    assert "Exit Sub" not in after and lines[lines.index("Done:") + 1] == "Wb.Saved = wasSaved"
    assert "Wb.ChangeLink source, ThisWorkbook.FullName, xlLinkTypeExcelLinks" in lines
    assert 'If Err.Number <> 0 Then failed = failed & vbLf & source & " (" & Err.Description & ")"' in lines
    texts = ["".join(chr(int(c, 16)) for c in codes.split())
             for codes in re.findall(r'LogideskText\("([0-9A-F ]+)"\)', body)]
    assert texts == ["logidesk：工作簿「", "」中指向其他位置 logidesk.xlam 的链接未能改到本机加载项，相关公式可能显示 #NAME? 或旧值：",
                     "请在「数据」→「编辑链接」中把源更改为："]
    assert "MsgBox " in body and "vbExclamation" in body


def test_a_register_made_with_the_former_status_texts_is_still_ours(home: Path, capsys) -> None:
    """Registers built before the status messages named their dates and rule hold the former
    formula (「完成日期早于起算日期（DL-1）」): still the template's formula, not one typed over
    it — no error, and the result holds the current formula."""
    import openpyxl
    from workflow_helpers import sheet_formulas

    from workbooks.register import open_register, previous_formula
    from workbooks.samples import sample_path
    old = home / "旧登记表.xlsx"
    wb = openpyxl.load_workbook(sample_path("claims"))
    ws = wb[CLAIMS.sheet]
    for r in range(2, 38):                 # the 36 claims, with the formulas templates wrote before
        for col in CLAIMS.computed:
            ws.cell(r, CLAIMS.headers.index(col.header) + 1,
                    "=" + previous_formula(col, lambda h, r=r: f"{CLAIMS.letter(h)}{r}"))
    wb.save(old)
    assert "完成日期早于起算日期（DL-1）" in openpyxl.load_workbook(old)[CLAIMS.sheet][cell("时限状态", 2)].value
    reg = open_register(old)
    assert [e for ev in reg.iter_evaluations() for e in ev.errors if e.kind == "override"] == []
    assert reg.tally().error_rows == [31, 32, 33, 34, 35, 36, 37]
    assert process_main([str(old), "--out", str(home / "out")]) == 1   # done, rows to fix
    formulas = sheet_formulas(home / "out" / "旧登记表_结果.xlsx")
    # the 36 claims' status cells are rewritten (the empty pre-filled rows below are left as they were)
    assert sum("结案日期早于索赔日期（DL-2）" in f for f in formulas) == 36
