"""End to end, as a clerk and finance staff work: fill a register (title row, a refused claim,
an error row, a 内件不符 claim, a plain delay, formula-looking texts) → process → notices →
reminders → half-month report. Every amount, count, notice kind and number is asserted, and
no formula appears in any workbook we produce except where we put formulas.

Amounts by hand (RULES.md):
- E1 遗失, value 1,200, insured 1,500, freight 25, 直营: customer 1,200.00 (CMP-1), network
  1,000.00 (NET-1, under the value cap NET-8);
- E2 内件不符, value 800, share 50 %, uninsured, freight 30: min(800, 3 × 30) × 50 % = 45.00
  (CMP-1, CMP-5); no network amount (NET-10);
- E3 破损, packed by the customer: refused (CLM-6) — 0, no notice, out of totals (CLM-8);
- E4 延误 3 days, 2.5 kg, 直营, no share lost: customer 0.00 (CMP-3 Decision: a plain delay
  destroys nothing), network 3 × 50 = 150.00 (NET-5); not damage/shortage;
- E5 遗失 with 物品价值 「三千元左右」: an input error — no number anywhere;
- E6 破损, value 1,000, insured 1,000, share 50 %, freight 20: 500.00 (CMP-2); its 责任网点,
  收件人 and 寄件地址 are formula/link-looking texts.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from workflow_helpers import hyperlinks, sheet_formulas

import udfs
from desk.notices.cli import main as notices_main
from desk.notices.render import doc_text
from desk.notices.samples import claim_row, write_register
from desk.reminders import main as deadlines_main
from desk.report import main as report_main

TODAY = "2026-11-23"
EVIL = '=HYPERLINK("http://evil.example","点我")'
DDE = "=cmd|' /C calc'!A0"


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOGIDESK_HOME", str(tmp_path / "home"))  # the company ledger of this test
    monkeypatch.delenv("LOGIDESK_LEDGER_URL", raising=False)
    ship = dt.datetime(2026, 11, 1)
    rows = [
        claim_row("E1", "遗失", 寄件日期=ship, 索赔日期=dt.datetime(2026, 11, 10), 物品价值=1200, 保价金额=1500, 运费=25),
        claim_row("E2", "内件不符", 寄件日期=ship, 索赔日期=dt.datetime(2026, 11, 11), 物品价值=800, 损失比例=0.5,
                  保价金额=0, 运费=30),
        claim_row("E3", "破损", 寄件日期=ship, 索赔日期=dt.datetime(2026, 11, 12), 索赔原因="客户自行包装"),
        claim_row("E4", "延误", 寄件日期=ship, 索赔日期=dt.datetime(2026, 11, 12), 延误天数=3,
                  损失比例=None),  # a plain delay: nothing destroyed (CMP-3 Decision)
        claim_row("E5", "遗失", 寄件日期=ship, 索赔日期=dt.datetime(2026, 11, 13), 物品价值="三千元左右"),
        claim_row("E6", "破损", 寄件日期=ship, 索赔日期=dt.datetime(2026, 11, 14), 物品价值=1000, 保价金额=1000,
                  损失比例=0.5, 运费=20, 责任网点=EVIL, 收件人="@SUM(1)", 寄件地址="http://evil.example/a"),
    ]
    write_register(tmp_path / "鼓楼" / "理赔登记表.xlsx", rows, title="福州鼓楼网点 2026年11月 客户理赔登记",
                   settings={"本网点": "福州鼓楼网点", "公司名称": "天霖物流有限公司", "联系人": "李敏",
                             "经办人": "赵磊", "联系电话": "0591-87654321", "收款账号": "6222 0210 0100 8888 123",
                             "模板目录": str(tmp_path / "planted")})
    return tmp_path


def _notices(desk: Path, kind: str, *extra: str) -> int:
    return notices_main([str(desk / "鼓楼" / "理赔登记表.xlsx"), "--kind", kind, "--no-pdf", "--date", TODAY, *extra])


def _only_our_formulas(xlsx: Path, allowed_columns: set[str] = frozenset(), only: str | None = None) -> None:
    """No <f> in the workbook's sheets (or in sheet part ``only``) except in
    ``allowed_columns`` (letters)."""
    with zipfile.ZipFile(xlsx) as z:
        for n in z.namelist():
            if not (n.startswith("xl/worksheets/") and n.endswith(".xml")) or (only and n != only):
                continue
            xml = z.read(n).decode("utf-8")
            for ref in re.findall(r'<c r="([A-Z]+)\d+"[^>]*>(?:(?!</c>).)*?<f[ >/]', xml):
                assert ref in allowed_columns, (n, ref)
    assert hyperlinks(xlsx) == 0


def test_process_then_every_workflow(desk: Path, capsys) -> None:
    reg = desk / "鼓楼" / "理赔登记表.xlsx"
    # 1. process: the result goes beside the input (it must never be counted twice later)
    from workbooks.process import main as process_main
    assert process_main([str(reg), "--out", str(desk / "鼓楼"), "--quiet"]) == 1   # the register's rows with errors: exit 1
    result = desk / "鼓楼" / "理赔登记表_结果.xlsx"
    assert result.exists()
    for f in sheet_formulas(result):  # the clerk's texts never became formulas in the result
        assert "HYPERLINK" not in f and "cmd|" not in f and "SUM(1)" not in f, f
    assert hyperlinks(result) == 0
    # A second clerk works from the processor's result, copied to another folder: same claims,
    # same company ledger.
    import shutil
    second = desk / "财务" / "理赔登记表_结果.xlsx"
    second.parent.mkdir()
    shutil.copy(result, second)
    capsys.readouterr()

    # 2. notices, one kind at a time; the planted 设置!模板目录 is ignored (said once)
    assert _notices(desk, "遗失公告") == 1          # E5 (input error) needs fixing
    out = capsys.readouterr()
    assert "已生成遗失协商公告 1 份：YS-2026-00001 至 YS-2026-00001（PDF 0 份），金额合计 1,000.00 元" in out.out
    assert "需处理 理赔登记表.xlsx 第7行（E5）：输入有误" in out.err and "三千元左右" in out.err
    assert out.err.count("「模板目录」") == 1 and "--templates" in out.err
    assert _notices(desk, "内件不符公告") == 0
    assert "已生成短少/内件不符协商公告 1 份：NB-2026-00001 至 NB-2026-00001（PDF 0 份），金额合计 45.00 元" \
        in capsys.readouterr().out
    assert _notices(desk, "破损公告") == 0
    out = capsys.readouterr().out
    assert "已生成破损协商公告 1 份：PS-2026-00001 至 PS-2026-00001（PDF 0 份），金额合计 500.00 元" in out
    assert "无需出具 理赔登记表.xlsx 第5行（E3）：不予受理：客户自行包装导致的破损（CLM-6），不出具破损协商公告（CLM-8）" in out
    assert _notices(desk, "延误公告") == 0  # E5 is a loss claim: not this notice
    assert "已生成延误协商公告 1 份：YW-2026-00001 至 YW-2026-00001（PDF 0 份），金额合计 150.00 元" \
        in capsys.readouterr().out
    assert _notices(desk, "索赔函") == 1
    assert "已生成索赔函 3 份：SP-2026-00001 至 SP-2026-00003（PDF 0 份），金额合计 1,745.00 元" \
        in capsys.readouterr().out
    # 理赔申请报告书 is for every claim type; E4's customer amount decides (CMP-3)
    delay = udfs.compensation("延误", 1200, 25, 1500, None, "普通货物")
    assert _notices(desk, "理赔申请报告书") == 1
    n_lp = 3 + (delay > 0)
    assert f"已生成理赔申请报告书 {n_lp} 份：LP-2026-00001 至 LP-2026-0000{n_lp}（PDF 0 份），金额合计 " \
           f"{Decimal('1745.00') + delay:,.2f} 元" in capsys.readouterr().out
    docs = {p.name: doc_text(p) for p in (desk / "鼓楼" / "通知").glob("*.docx")}
    assert len(docs) == 1 + 1 + 1 + 1 + 3 + n_lp
    mismatch = docs["NB-2026-00001_内件不符公告_E2.docx"]
    assert "快件内件与运单记载不符（短少/内件不符）" in mismatch and "快件已破损" not in mismatch
    assert "人民币45.00元" in mismatch and "人民币肆拾伍元整" in mismatch and "¥" not in mismatch
    assert "经办人：赵磊" in mismatch
    damage = docs["PS-2026-00001_破损公告_E6.docx"]
    assert EVIL + "公司，您好" in damage  # the clerk's text, verbatim, in a document (not a spreadsheet)
    assert not any("_E3" in n or "_E5" in n for n in docs)  # refused and error rows: no number
    # the result file holds the same claims: one ledger, so a second clerk gets a re-issue warning
    assert notices_main([str(second), "--kind", "遗失公告", "--no-pdf", "--date", TODAY]) == 1
    assert "已出具过遗失协商公告" in capsys.readouterr().err

    # 3. reminders: every open claim; the refused claim's reply (DL-1) is overdue; E5 cannot compute
    export = desk / "时限提醒.xlsx"
    assert deadlines_main([str(desk / "鼓楼"), "--today", TODAY, "--within", "30", "--out", str(export)]) == 1
    printed = capsys.readouterr().out
    back = pd.read_excel(export, sheet_name="时限提醒", header=3, engine="calamine")
    lines = {(r.类别, r.运单号, r.提醒) for r in back.itertuples()}
    assert ("不予受理答复", "E3", "已逾期") in lines        # 11-12 + 24 h, DL-1 (CLM-8)
    assert ("理赔", "E5", "无法计算") in lines
    claims = {w for k, w, _ in lines if k == "理赔处理"}
    assert claims == {"E1", "E2", "E4", "E6"}               # once each: the _结果 file is not read
    replies = {w for k, w, _ in lines if k.endswith("公告回复")}
    assert replies == {"E1", "E2", "E4", "E6"}              # the notices' reply-by dates (DL-5)
    assert back.loc[back["运单号"] == "E6", "对方"].tolist()[0] == EVIL
    _only_our_formulas(export)
    assert "无法计算 1 件" in printed

    # 4. the half-month report: damage and shortage only, refused/delay/error apart, no double count
    report = desk / "报表.xlsx"
    assert report_main([str(desk / "鼓楼"), "--period", "2026年11月上半月", "--out", str(report),
                        "--today", TODAY]) == 1
    printed = capsys.readouterr().out
    assert "1 个理赔登记表，货损货差案件 3 件，建议赔偿 1,745.00 元" in printed
    assert "另列延误 1 件、不予受理 1 件" in printed
    summary = pd.read_excel(report, sheet_name="汇总", header=3, engine="calamine").set_index("网点")
    assert summary.loc["福州鼓楼网点", "件数"] == 3
    assert Decimal(str(summary.loc["合计", "建议赔偿金额"])).quantize(Decimal("0.01")) == Decimal("1745.00")
    by_type = pd.read_excel(report, sheet_name="按索赔类型", header=2, engine="calamine").set_index("索赔类型")
    assert by_type.loc["遗失", "件数"] == 1 and by_type.loc["内件不符", "件数"] == 1 and by_type.loc["破损", "件数"] == 1
    assert "延误" not in by_type.index
    detail = pd.read_excel(report, sheet_name="明细", header=2, engine="calamine")
    assert list(detail["运单号"]) == ["E1", "E2", "E6"] and detail.loc[2, "责任网点"] == EVIL
    for sheet, want in (("延误（另列）", ["E4"]), ("不予受理", ["E3"]), ("需核对", ["E5"])):
        assert list(pd.read_excel(report, sheet_name=sheet, header=2, engine="calamine")["运单号"]) == want
    _only_our_formulas(report)


def test_ledger_location_never_the_workbook_folder(desk: Path) -> None:
    assert _notices(desk, "破损公告") == 0
    assert not list((desk / "鼓楼").glob("*.sqlite3")) and not list((desk / "鼓楼" / "通知").glob("*.sqlite3"))
    assert (desk / "home" / "data" / "logidesk-台账.sqlite3").exists()
    from desk.ledger import Ledger
    rec = Ledger.open().all()[0]
    assert rec.source == "理赔登记表.xlsx 第8行" and rec.issued_by == "赵磊"
    assert rec.template.endswith("破损公告.docx（内置模板）") and len(rec.template_sha256) == 64


def test_planted_template_needs_an_explicit_choice(desk: Path, capsys) -> None:
    """设置!模板目录 points at a planted template with another bank account: ignored. The same
    folder used on purpose (--templates) is recorded with its hash."""
    import shutil

    from docx import Document

    from desk.notices.templates import TEMPLATE_DIR
    planted = desk / "planted"
    shutil.copytree(TEMPLATE_DIR, planted)
    doc = Document(str(planted / "破损公告.docx"))
    doc.add_paragraph("请汇入账号 9999 0000 1111（骗子）")
    doc.save(planted / "破损公告.docx")
    assert _notices(desk, "破损公告") == 0
    text = doc_text(next((desk / "鼓楼" / "通知").glob("PS-2026-00001_*.docx")))
    assert "9999 0000 1111" not in text and "6222 0210 0100 8888 123" in text
    capsys.readouterr()
    assert _notices(desk, "破损公告", "--templates", str(planted), "--reissue") == 0
    out = capsys.readouterr().out
    assert "命令行 --templates" in out
    from desk.ledger import Ledger
    recs = Ledger.open().all("破损公告")
    assert recs[1].template.startswith(str(planted.resolve())) and recs[1].template_sha256 != recs[0].template_sha256


def test_crashes_and_arguments_are_messages(desk: Path, capsys) -> None:
    reg = str(desk / "鼓楼" / "理赔登记表.xlsx")
    for argv in (["--kind", "破损公告", "--rows", "1-99999999"], ["--kind", "不存在的公告"],
                 ["--kind", "破损公告", "--date", "明天"], ["--kind", "破损公告", "--no-pdf", "--pdf"]):
        with pytest.raises(SystemExit) as e:
            notices_main([reg, *argv])
        assert e.value.code == 2, argv
        err = capsys.readouterr().err
        assert "参数错误" in err and "Traceback" not in err and "invalid" not in err, err
    # a waybill long enough to overflow a file name (> 255 bytes) still gets its notice
    long = "SF" + "长" * 120
    write_register(desk / "长" / "r.xlsx", [claim_row(long, "遗失")])
    assert notices_main([str(desk / "长" / "r.xlsx"), "--kind", "遗失公告", "--no-pdf"]) == 0
    name = next((desk / "长" / "通知").glob("*.docx")).name
    assert len(name.encode("utf-8")) <= 255
    # a workbook open in Excel: refused, exit 3
    (desk / "鼓楼" / "~$理赔登记表.xlsx").write_bytes(b"")
    assert _notices(desk, "破损公告") == 3
    assert "正在 Excel/WPS 中打开" in capsys.readouterr().err
