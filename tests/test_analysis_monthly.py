"""Monthly damage analysis (ANL-1..3) end to end: `logidesk analysis` over three branches'
registers — one without the analysis columns (an older register), a `_结果` copy and a copy
in a sub-folder (each claim counted once), refused claims, error rows and a delay listed apart
as in the half-month report — every count, amount, share, rate and the major-case list
computed by hand from RULES.md; the charts are in the package and LibreOffice renders them.

Hand computation (k = 3 × freight uninsured, CMP-1; partial damage × share, CMP-2/CMP-5):
  福州仓山营业部  A1 遗失 800, freight 20, uninsured → min(800, 60) = 60.00
                 A2 破损 1000 × 0.5, insured 1000 → 500.00
                 A3 遗失 8000 insured → 8000.00 (major: claimed 8000 ≥ 5000; reported 11-21)
                 A4 破损, cause 客户自行包装 → refused (CLM-6); A5 物品价值「三百」 → error row
                 A6 延误 → listed apart (0.00); A7 遗失 2026-10 → 60.00; A8 遗失 2026-09 6000
                 insured → 6000.00 (major, never reported)
  厦门思明营业部 (no 责任环节/原因/上报集团日期 columns)
                 B1 内件不符 min(2000, 120) × 0.3 = 36.00
                 B2 破损 20000 × 0.4 insured → 8000.00 (major: claimed 8000)
                 B3 遗失 电商件 3500 → ECM-2 cap 2000.00 (major: ECM-4 3500 ≥ 3000)
  泉州丰泽营业部  C1 破损 min(1000, 75) × 1 = 75.00
                 C2 遗失 300000 insured 250000 → 250000.00 (major: claimed, INS-3; reported 11-06)
                 C3 claim date before ship date → error row
  Month total 8 claims, 268,671.00 yuan.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from desk.analysis import main, parse_month, parse_shipments
from desk.notices.samples import CLAIM_COLUMNS, DEFAULT_SETTINGS, claim_row, write_register

NEW = ["责任环节", "原因", "上报集团日期"]
D = dt.datetime
A, B, C = "福州仓山营业部", "厦门思明营业部", "泉州丰泽营业部"


def _row(w: str, t: str, claimed: dt.datetime, **over) -> dict:
    base = dict(索赔日期=claimed, 寄件日期=claimed - dt.timedelta(days=4), 保价金额=None, 损失比例=None,
                网点类型=None, 批货=None)
    return claim_row(w, t, **{**base, **over})


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("analysis")
    a_rows = [
        _row("A1", "遗失", D(2026, 11, 5), 物品价值=800, 运费=20, 责任环节="中转", 原因="漏装漏卸"),
        _row("A2", "破损", D(2026, 11, 10), 物品价值=1000, 损失比例=0.5, 保价金额=1000, 运费=30,
             责任环节="装车", 原因="野蛮装卸"),
        _row("A3", "遗失", D(2026, 11, 20), 物品价值=8000, 保价金额=8000, 运费=50, 责任环节="干线运输",
             原因="被盗", 上报集团日期=D(2026, 11, 21)),
        _row("A4", "破损", D(2026, 11, 12), 物品价值=600, 损失比例=0.5, 运费=20, 索赔原因="客户自行包装",
             责任环节="包装", 原因="包装不良"),
        _row("A5", "遗失", D(2026, 11, 8), 物品价值="三百", 运费=20),
        _row("A6", "延误", D(2026, 11, 15), 物品价值=300, 运费=15, 延误天数=3, 实际送达日期=D(2026, 11, 14)),
        _row("A7", "遗失", D(2026, 10, 15), 物品价值=400, 运费=20, 责任环节="派送", 原因="交接不清"),
        _row("A8", "遗失", D(2026, 9, 10), 物品价值=6000, 保价金额=6000, 运费=40),
    ]
    write_register(d / "仓山.xlsx", a_rows, settings=dict(DEFAULT_SETTINGS, 本网点=A), columns=CLAIM_COLUMNS + NEW)
    b_rows = [
        _row("B1", "内件不符", D(2026, 11, 3), 物品价值=2000, 损失比例=0.3, 运费=40),
        _row("B2", "破损", D(2026, 11, 18), 物品价值=20000, 损失比例=0.4, 保价金额=20000, 运费=100),
        _row("B3", "遗失", D(2026, 11, 25), 物品价值=3500, 运费=12, 电商件="是", 有正规发票="是", 实用性物品="是"),
    ]
    write_register(d / "思明.xlsx", b_rows, settings=dict(DEFAULT_SETTINGS, 本网点=B), title="思明 理赔登记")
    c_rows = [
        _row("C1", "破损", D(2026, 11, 2), 物品价值=1000, 损失比例=1, 运费=25, 责任环节="派送", 原因="野蛮装卸"),
        _row("C2", "遗失", D(2026, 11, 5), 物品价值=300000, 保价金额=250000, 运费=500, 责任环节="仓储",
             原因="被盗", 上报集团日期=D(2026, 11, 6)),
        _row("C3", "破损", D(2026, 11, 9), 寄件日期=D(2026, 11, 12), 物品价值=900, 损失比例=0.5, 运费=20),
    ]
    write_register(d / "丰泽.xlsx", c_rows, settings=dict(DEFAULT_SETTINGS, 本网点=C), columns=CLAIM_COLUMNS + NEW)
    shutil.copy(d / "丰泽.xlsx", d / "丰泽_结果.xlsx")          # our result beside its input: not read
    (d / "备份").mkdir()
    shutil.copy(d / "丰泽.xlsx", d / "备份" / "丰泽 - 副本.xlsx")   # a copy: each claim once
    return d


@pytest.fixture(scope="module")
def run(folder: Path, tmp_path_factory) -> tuple[Path, int, str, str]:
    out = tmp_path_factory.mktemp("out") / "月度货损分析.xlsx"
    cmd = [sys.executable, "-m", "cli.main", "analysis", str(folder), "--month", "2026年11月", "--out", str(out),
           "--shipments", f"{A}=10000", f"{B}=4,000", "--today", "2026-12-02", "-q"]
    p = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=300)
    return out, p.returncode, p.stdout, p.stderr


def _table(ws, title: str) -> list[tuple]:
    """The rows of the table under a section title (header row first), to the first blank."""
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == title)
    out = []
    for r in rows[at + 1:]:
        if r[0] is None:
            break
        out.append(tuple(v for v in r[:8]))
    return out


def _money(v) -> Decimal:
    return Decimal(str(v)).quantize(Decimal("0.01"))


def test_cli_summary_and_exit_code(run) -> None:
    out, code, stdout, stderr = run
    assert code == 1, stderr  # rows to check (需核对): exit 1 as the half-month report
    assert "Traceback" not in stdout + stderr
    assert stdout.splitlines()[0] == (
        f"已生成 {out}：2026-11，4 个理赔登记表，货损货差案件 8 件，建议赔偿 268,671.00 元，全网货损率 0.04%；"
        "重大案件 4 件（未上报 2 件）；另列延误 1 件、不予受理 1 件")
    assert stdout.splitlines()[1:] == [
        f"重大案件未上报集团客服部：{B} B2（登记 2026-11-18）索赔金额 8,000.00 元达到 5,000 元（ANL-3）",
        f"重大案件未上报集团客服部：{B} B3（登记 2026-11-25）物品价值 3,500.00 元，电商件高价值（ECM-4）",
        f"重大案件未上报集团客服部：{A} A8（登记 2026-09-10）索赔金额 6,000.00 元达到 5,000 元（ANL-3）",
    ]
    checks = [ln for ln in stderr.splitlines() if ln.startswith("需核对")]
    assert len(checks) == 5
    assert any("仓山.xlsx「理赔登记表」第6行（A5）：输入有误" in c for c in checks)
    assert any("丰泽.xlsx「理赔登记表」第4行（C3）：输入有误" in c and "CLM-7" in c for c in checks)
    assert sum("丰泽 - 副本.xlsx" in c and "此处不再重复计算" in c for c in checks) == 3


def test_network_by_branch_type_link_cause(run) -> None:
    out = run[0]
    ws = openpyxl.load_workbook(out)["全网"]
    assert ws["A1"].value == "月度货损分析　2026-11（2026-11-01 至 2026-11-30）　全网"
    assert ws["A3"].value == f"全网货损率 = 6 ÷ 14,000（不含未提供发货量的网点：{C}）"
    branches = _table(ws, "按网点")
    assert branches[0] == ("网点", "发货票数", "货损件数", "货损率", "建议赔偿金额", "已付金额", "重大案件", "未上报")
    assert [(r[0], r[1], r[2], r[3], _money(r[4]), r[6], r[7]) for r in branches[1:]] == [
        (B, 4000, 3, 0.0008, Decimal("10036.00"), 2, 2),      # 3 ÷ 4000 = 0.075 % → 0.08 % (half-up)
        (C, None, 2, None, Decimal("250075.00"), 1, 0),       # no shipments given: no rate
        (A, 10000, 3, 0.0003, Decimal("8560.00"), 1, 0),
        ("全网", 14000, 8, 0.0004, Decimal("268671.00"), 4, 2),
    ]
    types = _table(ws, "按索赔类型　全网")
    assert types[0][:6] == ("索赔类型", "件数", "件数占比", "建议赔偿金额", "金额占比", "累计金额占比")
    assert [(r[0], r[1], r[2], _money(r[3]), r[4], r[5]) for r in types[1:-1]] == [
        ("遗失", 4, 0.5, Decimal("260060.00"), 0.9679, 0.9679),
        ("破损", 3, 0.375, Decimal("8575.00"), 0.0319, 0.9999),
        ("内件不符", 1, 0.125, Decimal("36.00"), 0.0001, 1.0),
    ]
    assert (types[-1][0], types[-1][1], _money(types[-1][3])) == ("合计", 8, Decimal("268671.00"))
    links = _table(ws, "按责任环节（ANL-1）　全网")
    assert [(r[0], r[1], _money(r[3]), r[4], r[5]) for r in links[1:-1]] == [
        ("仓储", 1, Decimal("250000.00"), 0.9305, 0.9305),
        ("（未填）", 3, Decimal("10036.00"), 0.0374, 0.9679),   # the older register of 厦门思明
        ("干线运输", 1, Decimal("8000.00"), 0.0298, 0.9976),
        ("装车", 1, Decimal("500.00"), 0.0019, 0.9995),
        ("派送", 1, Decimal("75.00"), 0.0003, 0.9998),
        ("中转", 1, Decimal("60.00"), 0.0002, 1.0),
    ]
    causes = _table(ws, "按原因（ANL-1）　全网")
    assert [(r[0], r[1], _money(r[3]), r[4], r[5]) for r in causes[1:-1]] == [
        ("被盗", 2, Decimal("258000.00"), 0.9603, 0.9603),
        ("（未填）", 3, Decimal("10036.00"), 0.0374, 0.9976),
        ("野蛮装卸", 2, Decimal("575.00"), 0.0021, 0.9998),
        ("漏装漏卸", 1, Decimal("60.00"), 0.0002, 1.0),
    ]


def test_branch_sheets(run) -> None:
    wb = openpyxl.load_workbook(run[0])
    assert wb.sheetnames == ["全网", "趋势", B, C, A, "重大案件", "明细", "延误（另列）", "不予受理", "需核对"]
    ws = wb[B]
    assert ws["A2"].value == "货损货差案件 3 件，建议赔偿 10,036.00 元，货损率 0.08%（3 ÷ 4,000）；重大案件 2 件"
    assert [(r[0], r[1], _money(r[3]), r[4], r[5]) for r in _table(ws, f"按索赔类型　{B}")[1:-1]] == [
        ("破损", 1, Decimal("8000.00"), 0.7971, 0.7971),
        ("遗失", 1, Decimal("2000.00"), 0.1993, 0.9964),
        ("内件不符", 1, Decimal("36.00"), 0.0036, 1.0),
    ]
    assert [r[0] for r in _table(ws, f"按原因（ANL-1）　{B}")[1:]] == ["（未填）", "合计"]
    ws = wb[A]
    assert [(r[0], r[1], _money(r[3]), r[4]) for r in _table(ws, f"按索赔类型　{A}")[1:-1]] == [
        ("遗失", 2, Decimal("8060.00"), 0.9416), ("破损", 1, Decimal("500.00"), 0.0584)]
    assert ws["A2"].value == "货损货差案件 3 件，建议赔偿 8,560.00 元，货损率 0.03%（3 ÷ 10,000）；重大案件 1 件"


def test_trend_twelve_months(run) -> None:
    ws = openpyxl.load_workbook(run[0])["趋势"]
    rows = [r[:6] for r in ws.iter_rows(min_row=3, max_row=16, values_only=True)]
    assert rows[0] == ("月份", "全网件数", "全网金额", B, C, A)
    months = [r[0] for r in rows[1:13]]
    assert months == ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]
    got = {r[0]: (r[1], _money(r[2]), r[3], r[4], r[5]) for r in rows[1:13]}
    assert got["2026-09"] == (1, Decimal("6000.00"), 0, 0, 1)
    assert got["2026-10"] == (1, Decimal("60.00"), 0, 0, 1)
    assert got["2026-11"] == (8, Decimal("268671.00"), 3, 2, 3)
    assert all(got[m][0] == 0 for m in months if m not in ("2026-09", "2026-10", "2026-11"))
    assert (rows[13][0], rows[13][1], _money(rows[13][2])) == ("合计", 10, Decimal("274731.00"))


def test_major_cases_and_apart_lists(run) -> None:
    wb = openpyxl.load_workbook(run[0])
    rows = list(wb["重大案件"].iter_rows(values_only=True))
    # the older cases not yet reported come first (the most urgent)
    assert rows[2][0] == "以前月份（近 12 个月）尚未上报的重大案件 1 件" and rows[3][0] == "网点"
    assert rows[4][:4] == (A, "A8", D(2026, 9, 10), "遗失") and rows[4][10] == "未上报"
    assert rows[6][0] == "本月重大案件 4 件"
    head = 7
    assert rows[head][0] == "网点"
    got = [(r[0], r[1], r[2].date(), r[3], r[7], r[9] and r[9].date(), r[10]) for r in rows[head + 1:]]
    assert got == [
        (C, "C2", dt.date(2026, 11, 5), "遗失", "受理", dt.date(2026, 11, 6), "已上报"),
        (B, "B2", dt.date(2026, 11, 18), "破损", "受理", None, "未上报"),
        (A, "A3", dt.date(2026, 11, 20), "遗失", "受理", dt.date(2026, 11, 21), "已上报"),
        (B, "B3", dt.date(2026, 11, 25), "遗失", "受理", None, "未上报"),
    ]
    c2 = rows[head + 1]
    assert (_money(c2[4]), _money(c2[5]), _money(c2[6])) == (Decimal("300000.00"), Decimal("300000.00"),
                                                           Decimal("250000.00"))
    assert c2[8] == ("索赔金额 300,000.00 元达到 5,000 元（ANL-3）；"
                     "保价金额 250,000.00 元超过 200,000.00 元，须报集团客服部立案（INS-3）")
    assert _money(rows[head + 2][5]) == Decimal("8000.00")          # 20000 × 0.4
    red = openpyxl.load_workbook(run[0])["重大案件"][f"K{head + 3}"]   # B2 未上报 in red
    assert red.value == "未上报" and red.font.color.rgb.endswith("C00000")
    refused = [r for r in wb["不予受理"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert [(r[0], r[1]) for r in refused] == [(A, "A4")] and "CLM-6" in refused[0][4]
    delays = [r for r in wb["延误（另列）"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert [(r[0], r[1], r[4]) for r in delays] == [(A, "A6", "延误不属货损货差，另列；建议赔偿 0.00 元")]
    check = [r for r in wb["需核对"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert sorted(r[1] for r in check) == ["A5", "C1", "C2", "C3", "C3"]
    detail = [r for r in wb["明细"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(detail) == 8 and len({r[1] for r in detail}) == 8    # every claim once


def _chart_parts(path: Path) -> dict[str, ET.Element]:
    with zipfile.ZipFile(path) as z:
        return {n: ET.fromstring(z.read(n)) for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}


def test_charts_are_pareto_and_trend(run) -> None:
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    charts = _chart_parts(run[0])
    # 全网: links and causes; 趋势: one; each branch: links and causes
    assert len(charts) == 2 + 1 + 3 * 2
    refs = {}
    for name, x in charts.items():
        bar, line = x.find(".//c:barChart", ns), x.find(".//c:lineChart", ns)
        assert bar is not None and line is not None, name
        assert len(x.findall(".//c:valAx", ns)) == 2                 # amount, and the share / count axis
        title = "".join(t.text or "" for t in x.find(".//c:title", ns).findall(".//{*}t"))
        refs[title] = (bar.find(".//c:val//c:f", ns).text, line.find(".//c:val//c:f", ns).text)
    assert refs["全网　原因帕累托图（按金额）"] == ("全网!$D$37:$D$40", "全网!$F$37:$F$40")
    ws = openpyxl.load_workbook(run[0])["全网"]
    assert (ws["A37"].value, ws["D37"].value, ws["F37"].value) == ("被盗", 258000, 0.9603)  # sorted by amount
    assert (ws["A40"].value, ws["F40"].value) == ("漏装漏卸", 1)                               # cumulative 100 %
    assert refs["全网近 12 个月货损货差趋势"] == ("趋势!$C$4:$C$15", "趋势!$B$4:$B$15")
    assert f"{B}　原因帕累托图（按金额）" in refs
    cause_chart = next(x for x in charts.values()
                       if "全网　原因" in "".join(t.text or "" for t in x.find(".//c:title", ns).findall(".//{*}t")))
    scaling = cause_chart.findall(".//c:valAx/c:scaling", ns)[1]
    assert scaling.find("c:max", ns).get("val") == "1" and scaling.find("c:min", ns).get("val") == "0"


def test_libreoffice_renders_the_charts(run, tmp_path: Path) -> None:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("LibreOffice or pdftotext not installed")
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(run[0])], capture_output=True, timeout=240, check=True)
    pdf = tmp_path / (run[0].stem + ".pdf")
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    text = re.sub(r"\s+", "", text)  # the ideographic space of a title is drawn as a gap
    assert text.count("原因帕累托图（按金额）") == text.count("责任环节帕累托图（按金额）") == 4  # network + 3 branches
    assert "全网近12个月货损货差趋势" in text      # every chart drawn, with its title
    assert text.count("累计金额占比") >= 2 * 4 + 1  # legends of the Pareto charts and the tables


def test_month_and_shipments_as_typed(tmp_path: Path) -> None:
    assert parse_month("2026年11月") == (dt.date(2026, 11, 1), dt.date(2026, 11, 30), "2026-11")
    assert parse_month("２０２７/2")[2] == "2027-02"
    for bad in ("2026-13", "2026", "11月"):
        with pytest.raises(ValueError, match="无法识别"):
            parse_month(bad)
    f = tmp_path / "发货量.txt"
    f.write_text(f"# 十一月\n{A}=10,000\n{B}，4000\n", encoding="utf-8")
    assert parse_shipments([str(f), f"{C}=1"]) == {A: 10000, B: 4000, C: 1}
    with pytest.raises(ValueError, match="发货票数应大于 0（ANL-2）"):
        parse_shipments([f"{C}=0"])
    with pytest.raises(ValueError, match="应写作 网点=发货票数"):
        parse_shipments(["福州"])


def test_bad_month_is_a_usage_error(folder: Path, capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main([str(folder), "--month", "2026-13"])
    assert e.value.code == 2
    assert "--month：月份「2026-13」无法识别" in capsys.readouterr().err


def test_reminders_list_open_major_cases_not_reported(tmp_path: Path) -> None:
    from desk.reminders import MAJOR_KIND, collect
    today = dt.date(2026, 11, 25)
    rows = [
        _row("M1", "遗失", D(2026, 11, 25), 物品价值=5000, 运费=20),                       # 5000 ≥ 5000: major
        _row("M2", "遗失", D(2026, 11, 20), 物品价值=4999.99, 运费=20),                    # below the threshold
        _row("M3", "遗失", D(2026, 11, 20), 物品价值=9000, 运费=20, 结案日期=D(2026, 11, 24)),  # closed
        _row("M4", "遗失", D(2026, 11, 21), 物品价值=9000, 运费=20, 上报集团日期=D(2026, 11, 21)),  # reported
        _row("M5", "破损", D(2026, 11, 18), 物品价值=100, 损失比例=0.5, 运费=20, 保价金额=200000.01),  # INS-3
        _row("M6", "破损", D(2026, 11, 18), 物品价值=100, 损失比例=0.5, 运费=20, 保价金额=200000),     # not over
        _row("M7", "遗失", D(2026, 11, 19), 物品价值=3000, 运费=20, 电商件="是"),              # ECM-4: 3000 ≥ 3000
        _row("M8", "遗失", D(2026, 11, 19), 物品价值=2999.99, 运费=20, 电商件="是"),
    ]
    write_register(tmp_path / "重大.xlsx", rows, settings=dict(DEFAULT_SETTINGS, 本网点=A),
                   columns=CLAIM_COLUMNS + NEW)
    older = [_row("O1", "遗失", D(2026, 11, 24), 物品价值=12000, 运费=20)]   # no 上报集团日期 column: not reported
    write_register(tmp_path / "旧表.xlsx", older, settings=dict(DEFAULT_SETTINGS, 本网点=B))
    df = collect([tmp_path], today=today, within_days=3, use_ledger=False)
    got = df[df["类别"] == MAJOR_KIND]
    assert [(r.网点, r.运单号, r.期限, r.提醒, r.依据) for r in got.itertuples()] == [
        (B, "O1", dt.date(2026, 11, 24), "已逾期", "ANL-3"),
        (A, "M5", dt.date(2026, 11, 18), "已逾期", "ANL-3"),
        (A, "M7", dt.date(2026, 11, 19), "已逾期", "ANL-3"),
        (A, "M1", dt.date(2026, 11, 25), "今日到期", "ANL-3"),
    ]
    status = dict(zip(got["运单号"], got["状态"]))
    assert status["M1"] == "未上报集团客服部：索赔金额 5,000.00 元达到 5,000 元（ANL-3）"
    assert status["M5"] == "未上报集团客服部：保价金额 200,000.01 元超过 200,000.00 元，须报集团客服部立案（INS-3）"
    assert status["M7"] == "未上报集团客服部：物品价值 3,000.00 元，电商件高价值（ECM-4）"


def test_the_month_is_the_two_half_month_reports(folder: Path) -> None:
    """The analysis counts exactly the claims the half-month reports count (one reader)."""
    from desk.analysis import analyse
    from desk.report import consolidate
    today = dt.date(2026, 12, 2)
    a = analyse([folder], "2026-11", today)
    halves = [consolidate([folder], f"2026-11-{h}", today) for h in ("上半月", "下半月")]
    assert sorted(a.claims["运单号"]) == sorted(w for h in halves for w in h["rows"]["运单号"])
    assert sum(a.claims["赔偿金额"], Decimal(0)) == sum((sum(h["rows"]["赔偿金额"], Decimal(0)) for h in halves),
                                                   Decimal(0)) == Decimal("268671.00")
    for sheet in ("不予受理", "需核对", "延误（另列）"):
        mine = a.apart[a.apart["_sheet"] == sheet]
        theirs = [h["apart"][h["apart"]["_sheet"] == sheet] for h in halves]
        assert sorted(mine["来源"]) == sorted(s for t in theirs for s in t["来源"]), sheet
