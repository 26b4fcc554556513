"""Notices (NTC-1..7): every kind rendered from a register, re-opened and checked; 大写 amounts;
missing fields; duplicates; Word-split placeholders; editable templates; PDF text."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from hypothesis import given, strategies as st
from workflow_helpers import frame_of as read_register, settings_of as read_settings

import udfs
from desk.ledger import Ledger
from desk.notices.batch import DuplicateNoticeError, NoticeError, cn_date, issue
from desk.notices.capitals import figures, rmb_capitals
from desk.notices.cli import main as cli_main
from desk.notices.kinds import KINDS
from desk.notices.render import doc_text, fill, placeholders, soffice, to_pdf
from desk.notices.samples import DEFAULT_SETTINGS, claim_row, write_register
from desk.notices.templates import TEMPLATE_DIR

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("value,expected", [
    ("0", "零元整"), ("0.05", "伍分"), ("10", "壹拾元整"), ("100.5", "壹佰元伍角整"),
    ("1001", "壹仟零壹元整"), ("10000", "壹万元整"),
    ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"), ("1234.5", "壹仟贰佰叁拾肆元伍角整"),
    ("100000001", "壹亿零壹元整"), ("100010000", "壹亿零壹万元整"), ("1010", "壹仟零壹拾元整"),
    ("100100", "壹拾万零壹佰元整"), ("10.05", "壹拾元零伍分"), ("0.5", "伍角整"),
    ("0.005", "壹分"), ("-12.3", "负壹拾贰元叁角整"),
])
def test_capitals(value: str, expected: str) -> None:
    assert rmb_capitals(Decimal(value)) == expected


@pytest.fixture(scope="module")
def register(tmp_path_factory) -> Path:
    rows = [
        claim_row("SF0002", "破损"),
        claim_row("SF0003", "遗失"),  # 直营 loss: 网点赔付 1,000 (NET-1), computed by the model
        claim_row("SF0004", "延误"),
        claim_row("SF0005", "破损", 收件人电话=None, 责任网点=None),
        claim_row("SF0006", "内件不符", 损失比例=0.4),
    ]
    vip = [{"客户名称": "福州鑫达贸易有限公司", "客户联系人": "陈经理", "统计月份": "2026-10",
            "月发件量": 1260, "月运费": 12345.6, "生效日期": dt.datetime(2026, 12, 1)}]
    return write_register(tmp_path_factory.mktemp("reg") / "理赔登记表.xlsx", rows, vip_rows=vip)


def _expected_amount(kind: str, row: pd.Series) -> Decimal:
    if kind == "遗失公告":
        return Decimal("1000")
    if kind == "延误公告":
        return udfs.network_compensation("延误", row["物品价值"], row["延误天数"], row["重量(kg)"],
                                         row["网点类型"], row["批货"])
    if kind.startswith("VIP"):
        return Decimal("12345.60")
    return udfs.compensation(row["索赔类型"], row["物品价值"], row["运费"], row["保价金额"],
                             row["损失比例"], row["货物类别"])


ROW_OF = {"破损公告": 2, "内件不符公告": 6, "遗失公告": 3, "延误公告": 4, "索赔函": 2, "理赔申请报告书": 2,
          "VIP恭喜函": 2, "VIP服务取消通知函": 2}
EVENT_SCOPE = {"索赔函": "国内"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind(kind: str, register: Path, tmp_path: Path) -> None:
    sheet = "VIP客户" if kind.startswith("VIP") else "理赔登记表"
    frame = read_register(register, sheet)
    settings = read_settings(register)
    row = frame.loc[[ROW_OF[kind]]]
    out = tmp_path / "out"
    result = issue(row, kind, out, settings, ledger=tmp_path / "ledger.sqlite3",
                   issued_by="测试员", notice_date=TODAY, pdf=False)
    assert len(result) == 1
    n = result[0]
    sp = KINDS[kind]
    assert n.number == f"{sp.code}-2026-00001"
    amount = _expected_amount(kind, frame.loc[ROW_OF[kind]])
    assert n.amount == amount
    text = doc_text(n.docx)
    assert "{{" not in text and "}}" not in text
    assert n.number in text and cn_date(TODAY) in text
    key = "福州鑫达贸易有限公司" if kind.startswith("VIP") else frame.loc[ROW_OF[kind], "运单号"]
    assert key in text
    assert figures(amount) in text and rmb_capitals(amount) in text
    for rule in sp.rules:  # internal notices cite their rules; letters to customers carry none
        assert (rule in text) == sp.internal, rule
    if not sp.internal:
        assert not re.search(r"\b[A-Z]{2,5}-\d+\b", text.replace(n.number, "")), text
    assert "¥" not in text and f"人民币{figures(amount)}元" in text and f"人民币{rmb_capitals(amount)}" in text
    if sp.event:
        due = udfs.deadline(sp.event, TODAY, EVENT_SCOPE.get(kind))
        assert n.reply_by == due
        assert f"回复期限：{cn_date(due)}" in text or cn_date(due) in text
    assert DEFAULT_SETTINGS["联系电话"] in text
    # ledger row matches the document
    rec = Ledger(tmp_path / "ledger.sqlite3").all()[0]
    assert (rec.number, rec.waybill, rec.amount, rec.reply_by) == (n.number, key.upper(), amount, n.reply_by)
    assert rec.doc_path == str(n.docx) and rec.issued_by == "测试员"
    assert rec.template == f"{TEMPLATE_DIR.resolve() / (kind + '.docx')}（内置模板）"
    import hashlib
    assert rec.template_sha256 == hashlib.sha256((TEMPLATE_DIR / f"{kind}.docx").read_bytes()).hexdigest()
    assert sorted(p.name for p in out.iterdir()) == [n.docx.name]


def test_ntc1_wording(register: Path, tmp_path: Path) -> None:
    frame = read_register(register)
    r = issue(frame.loc[[2]], "破损公告", tmp_path, read_settings(register),
              ledger=tmp_path / "l.sqlite3", notice_date=TODAY, pdf=False)
    text = doc_text(r[0].docx)
    amount = figures(r[0].amount)
    assert (f"杭州西湖网点，您好！我司于2026年11月2日发贵司，单号为SF0002的快件，经与收件人王芳，"
            f"收件电话13900139000确认，快件已破损，请贵司核实，并在见公告之日起五天内主动联系我司，"
            f"联系人李敏，联系电话0591-87654321，如确认破损，请将破损赔偿金额{amount}元打入我公司账号"
            f"6222 0210 0100 8888 123，如逾期未收到贵司赔款，我司将上报总部客服部仲裁中心，请知悉！") in text


def test_missing_fields_reported_nothing_written(register: Path, tmp_path: Path) -> None:
    frame = read_register(register)
    led = tmp_path / "l.sqlite3"
    with pytest.raises(NoticeError) as e:
        issue(frame.loc[[2, 5]], "破损公告", tmp_path / "out", read_settings(register),
              ledger=led, notice_date=TODAY, pdf=False)
    msg = str(e.value)
    assert "理赔登记表.xlsx 第5行" in msg and "收件人电话" in msg and "责任网点" in msg
    assert not any((tmp_path / "out").iterdir())
    assert Ledger(led).all() == []
    # skip_invalid issues the good row and reports the bad one
    r = issue(frame.loc[[2, 5]], "破损公告", tmp_path / "out", read_settings(register),
              ledger=led, notice_date=TODAY, pdf=False, skip_invalid=True)
    assert [n.waybill for n in r] == ["SF0002"] and r.problems[0].fields == ("收件人电话", "责任网点")


def test_missing_setting_and_wrong_type(register: Path, tmp_path: Path) -> None:
    frame = read_register(register)
    settings = dict(read_settings(register), 收款账号=None)
    with pytest.raises(NoticeError, match="收款账号") as e:
        issue(frame.loc[[2, 3, 4]], "破损公告", tmp_path, settings, ledger=tmp_path / "l.sqlite3",
              notice_date=TODAY, pdf=False, skip_invalid=True)
    assert str(e.value).count("收款账号") == 1 and "设置表未填写" in str(e.value)  # once, not per row
    # another claim type: not applicable (no failure, nothing issued)
    r = issue(frame.loc[[2]], "延误公告", tmp_path, read_settings(register),
              ledger=tmp_path / "l.sqlite3", notice_date=TODAY, pdf=False)
    assert list(r) == [] and not r.problems and "不出具延误协商公告" in r.skipped[0].message
    # 内件不符 gets its own notice, never 破损公告's 「快件已破损」 (CLM-4)
    r = issue(frame.loc[[6]], "破损公告", tmp_path, read_settings(register),
              ledger=tmp_path / "l.sqlite3", notice_date=TODAY, pdf=False)
    assert list(r) == [] and r.skipped[0].reason == "type"


def test_duplicates(register: Path, tmp_path: Path) -> None:
    frame = read_register(register)
    st = read_settings(register)
    kw = dict(ledger=tmp_path / "l.sqlite3", notice_date=TODAY, pdf=False)
    first = issue(frame.loc[[2]], "破损公告", tmp_path, st, **kw)
    with pytest.raises(DuplicateNoticeError, match=first[0].number):
        issue(frame.loc[[2]], "破损公告", tmp_path, st, **kw)
    asked = []
    r = issue(frame.loc[[2]], "破损公告", tmp_path, st, on_duplicate=lambda w, recs: asked.append(w) or False, **kw)
    assert asked == ["SF0002"] and list(r) == [] and r.skipped_duplicates == ["SF0002"]
    again = issue(frame.loc[[2]], "破损公告", tmp_path, st, on_duplicate="reissue", **kw)
    assert again[0].number == "PS-2026-00002"
    assert len(list(tmp_path.glob("*.docx"))) == 2


def test_placeholders_split_across_runs(tmp_path: Path) -> None:
    doc = Document()
    p = doc.add_paragraph()
    for piece in ["单号：{", "{运", "单号", "}}，金额 {{金", "额}}元", "（{{金额大写}}）"]:
        p.add_run(piece).bold = piece.startswith("{")
    cell = doc.add_table(rows=1, cols=1).cell(0, 0)
    cell.paragraphs[0].add_run("{{编")
    cell.paragraphs[0].add_run("号}}")
    doc.sections[0].footer.paragraphs[0].add_run("第{{编号}}号")
    src = tmp_path / "t.docx"
    doc.save(src)
    assert placeholders(Document(str(src))) == {"运单号", "金额", "金额大写", "编号"}
    filled = fill(src.read_bytes(), {"运单号": "SF1", "金额": "1,001.00", "金额大写": "壹仟零壹元整",
                                     "编号": "PS-2026-00009"})
    out = tmp_path / "o.docx"
    filled.save(out)
    text = doc_text(out)
    assert "单号：SF1，金额 1,001.00元（壹仟零壹元整）" in text
    assert "PS-2026-00009" in text and "第PS-2026-00009号" in text and "{" not in text


def test_staff_edit_template(register: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    shutil.copytree(TEMPLATE_DIR, folder)
    doc = Document(str(folder / "破损公告.docx"))
    doc.add_paragraph("特别提示：请于{{回复期限}}前回复，").add_run("单号{{运单号}}。")
    doc.save(folder / "破损公告.docx")
    frame = read_register(register)
    r = issue(frame.loc[[2]], "破损公告", tmp_path / "o", read_settings(register),
              ledger=tmp_path / "l.sqlite3", notice_date=TODAY, pdf=False, template_dir=folder)
    assert "特别提示：请于2026年11月28日前回复，单号SF0002。" in doc_text(r[0].docx)
    doc.add_paragraph("{{不存在的字段}}")
    doc.save(folder / "破损公告.docx")
    with pytest.raises(NoticeError, match="不存在的字段"):
        issue(frame.loc[[2]], "破损公告", tmp_path / "o", read_settings(register),
              ledger=tmp_path / "l.sqlite3", notice_date=TODAY, pdf=False, template_dir=folder)


def test_cli(register: Path, tmp_path: Path, capsys) -> None:
    args = [str(register), "--kind", "破损公告", "--rows", "2", "--out", str(tmp_path / "o"),
            "--ledger", str(tmp_path / "l.sqlite3"), "--no-pdf", "--date", "2026-11-23"]
    assert cli_main(args) == 0
    assert "PS-2026-00001" in capsys.readouterr().out
    assert cli_main(args) == 1
    assert "已出具过" in capsys.readouterr().err
    assert cli_main(args + ["--reissue"]) == 0
    assert "PS-2026-00002" in capsys.readouterr().out
    # rows 2-5: row 2 already issued (refused as a re-issue), nothing written
    assert cli_main([str(register), "--kind", "破损公告", "--rows", "2-5", "--out", str(tmp_path / "o"),
                     "--ledger", str(tmp_path / "l.sqlite3"), "--no-pdf", "--skip-issued"]) == 1
    captured = capsys.readouterr()
    assert "需处理 理赔登记表.xlsx 第5行（SF0005）：缺少 收件人电话、责任网点" in captured.err
    assert "无需出具 理赔登记表.xlsx 第3行（SF0003）：索赔类型为「遗失」" in captured.out
    assert cli_main(["--list", "--ledger", str(tmp_path / "l.sqlite3")]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3  # heading + 2 notices


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.slow
@pytest.mark.skipif(not (soffice() and shutil.which("pdftotext")), reason="需要 LibreOffice 与 pdftotext")
def test_pdf_every_kind(register: Path, tmp_path: Path) -> None:
    frame = read_register(register)
    vip = read_register(register, "VIP客户")
    st = read_settings(register)
    led = tmp_path / "l.sqlite3"
    # One kind through issue(pdf=True): the PDF is published with the .docx.
    r = issue(frame.loc[[2]], "破损公告", tmp_path / "o", st, ledger=led, notice_date=TODAY, pdf=True)
    assert r[0].pdf and r[0].pdf.exists()
    text = _squash(subprocess.run(["pdftotext", str(r[0].pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout)
    assert "请贵司核实，并在见公告之日起五天内主动联系我司" in text
    assert rmb_capitals(r[0].amount) in text and "PS-2026-00001" in text
    fonts = subprocess.run(["pdffonts", str(r[0].pdf)], capture_output=True, text=True).stdout
    assert re.search(r"CJK|Noto|Song|Hei|Ming|WenQuanYi|Droid", fonts), fonts  # CJK glyphs embedded
    # The other kinds: docx rendered, converted in one LibreOffice run.
    docs = []
    for kind in KINDS:
        if kind == "破损公告":
            continue
        rows = vip.loc[[2]] if kind.startswith("VIP") else frame.loc[[ROW_OF[kind]]]
        docs += [n.docx for n in issue(rows, kind, tmp_path / "o", st, ledger=led,
                                        notice_date=TODAY, pdf=False)]
    pdfs = to_pdf(docs, tmp_path / "pdf")
    for kind, pdf in zip([k for k in KINDS if k != "破损公告"], pdfs):
        text = _squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                      text=True, check=True).stdout)
        assert KINDS[kind].title in text and "天霖物流有限公司" in text, kind
        assert "□" not in text


SAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "samples" / "理赔登记表_样例.xlsx"


@pytest.mark.skipif(not SAMPLE.exists(), reason="样例登记表尚未生成（workbooks/samples）")
def test_sample_register_every_claim_kind(tmp_path: Path) -> None:
    """Every claim notice kind from the bundled sample: values as the register model computes
    them; refused claims and rows with errors get no number."""
    frame, settings = read_register(SAMPLE), read_settings(SAMPLE)
    computed = frame
    types = udfs.rules_for(None).claim_types
    for kind, sp in KINDS.items():
        if kind.startswith("VIP"):
            continue
        rows = frame[[not sp.claim_types or types.find(t) in sp.claim_types
                      for t in frame["索赔类型"].fillna("")]]
        batch = issue(rows, kind, tmp_path / "o", settings, ledger=tmp_path / "l.sqlite3",
                      notice_date=TODAY, pdf=False, skip_invalid=True)
        assert len(batch) >= 2, (kind, [str(p) for p in batch.problems])
        issued_rows = {n.row for n in batch}
        assert not issued_rows & set(frame.index[frame["_outcome"] != "ok"]), kind
        numbers = [n.number for n in batch]
        assert numbers == [f"{sp.code}-2026-{i:05d}" for i in range(1, len(batch) + 1)]
        for n in batch:
            col = sp.amount_column
            v = computed.at[n.row, col]
            if kind in ("破损公告", "内件不符公告") and (v is None or v == "" or str(v).startswith("错误")):
                v = computed.at[n.row, "赔偿金额"]  # NET-1: no network standard for damage
            assert n.amount == Decimal(str(v)).quantize(Decimal("0.01")), (kind, n.row)
            text = doc_text(n.docx)
            assert n.number in text and n.waybill in text and frame.at[n.row, "运单号"] == n.waybill
            assert figures(n.amount) in text and rmb_capitals(n.amount) in text
            assert n.reply_by == udfs.deadline(sp.event, TODAY, frame.at[n.row, "寄递范围"]
                                               if sp.scope_column else None)
            assert cn_date(n.reply_by) in text
        for p in batch.problems:  # every refusal names a field or the model's reason
            assert any(w in p.message for w in ("缺少", "无法计算", "输入有误")), p
        for p in batch.skipped:   # refused claims (CLM-8), amount 0, other claim types
            assert p.reason in ("refused", "zero", "type") and not p.needs_fix


def test_committed_templates_match_generator() -> None:
    """The .docx files in desk/notices/templates are the generator's reproducible output
    (companies edit copies in their own template folder: --templates / 设置 模板目录)."""
    from desk.notices.templates import document_bytes
    for kind in KINDS:
        assert (TEMPLATE_DIR / f"{kind}.docx").read_bytes() == document_bytes(kind), kind


def _parse_capitals(text: str) -> Decimal:
    """Independent reader of 人民币大写 (for the property test)."""
    digits = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
    small = {"拾": 10, "佰": 100, "仟": 1000}
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    yuan_part, _, frac = text.partition("元") if "元" in text else ("", "", text)
    total, section, num = 0, 0, 0
    for ch in yuan_part:
        if ch in digits:
            num = digits[ch]
        elif ch in small:
            section += num * small[ch]
            num = 0
        elif ch == "万":
            total += (section + num) * 10_000
            section = num = 0
        elif ch == "亿":
            total = (total + section + num) * 100_000_000
            section = num = 0
    total += section + num
    jiao = fen = 0
    frac = frac.lstrip("零")
    if "角" in frac:
        jiao = digits[frac[frac.index("角") - 1]]
    if "分" in frac:
        fen = digits[frac[frac.index("分") - 1]]
    return sign * (Decimal(total) + Decimal(jiao) / 10 + Decimal(fen) / 100)




@given(st.integers(min_value=0, max_value=99_999_999_999))
def test_capitals_read_back(fen: int) -> None:
    value = Decimal(fen) / 100
    text = rmb_capitals(value)
    assert _parse_capitals(text) == value, text
    assert "零零" not in text and not text.startswith("零") or value == 0
    assert text.endswith("整") == (fen % 10 == 0)


def test_live_sheet_values_and_error_cells(tmp_path: Path) -> None:
    """Rows as the ribbon reads them from Excel: computed cells hold values or 「错误：…」."""
    rows = pd.DataFrame([
        claim_row("A1", "破损", 网点赔付="错误：网点间赔付标准只规定遗失和延误（NET-1）", 赔偿金额=321.5,
                  收件人电话=13900139000.0),
        claim_row("A2", "遗失", 网点赔付="错误：缺少重量（NET-5）"),
    ], index=[5, 6])
    kw = dict(ledger=tmp_path / "l.sqlite3", notice_date=TODAY, pdf=False)
    r = issue(rows.loc[[5]], "破损公告", tmp_path, DEFAULT_SETTINGS, **kw)
    assert r[0].amount == Decimal("321.50")
    text = doc_text(r[0].docx)
    assert "叁佰贰拾壹元伍角整" in text and "收件电话13900139000确认" in text
    r = issue(rows.loc[[6]], "遗失公告", tmp_path, DEFAULT_SETTINGS, skip_invalid=True, **kw)
    assert list(r) == [] and r.problems[0].message == "网点赔付无法计算：缺少重量（NET-5）"
