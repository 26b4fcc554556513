"""Half-month damage/shortage report (货损货差十五日报表) over 20 branch registers read by the
model, checked against an independent per-claim recomputation with the engine's per-cell
functions: refused claims (CLM-8), delays and rows with errors are listed apart and in no
total; a claim in a copy or a `_结果` file is counted once; periods as people type them."""
from __future__ import annotations

import datetime as dt
import random
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from workflow_helpers import hyperlinks, sheet_formulas

import udfs
from desk.notices.samples import DEFAULT_SETTINGS, claim_row, random_rows, write_register
from desk.report import build, main, parse_period

TODAY = dt.date(2026, 11, 23)
BRANCHES = [f"网点{i:02d}" for i in range(1, 21)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> tuple[Path, list[dict]]:
    d = tmp_path_factory.mktemp("regs")
    rng = random.Random(20261123)
    everything = []
    for i, b in enumerate(BRANCHES):
        rows = random_rows(rng, b, rng.randint(5, 25), 2026, 11, f"W{i:02d}-")
        if b == "网点07":  # sent a file, but nothing in the first half
            rows = [r for r in rows if r["索赔日期"].day > 15]
        rows += random_rows(rng, b, 3, 2026, 10, f"OCT{i:02d}-")  # other period: ignored
        write_register(d / f"{b}.xlsx", rows, settings=dict(DEFAULT_SETTINGS, 本网点=b),
                       title=f"{b} 理赔登记" if i % 2 else None)
        everything += [dict(r, 网点=b) for r in rows]
    (d / "网点清单.txt").write_text("\n".join(BRANCHES + ["网点21", "网点22"]) + "\n", encoding="utf-8")
    # a result file and a copy of 网点01 beside it: never counted twice
    shutil.copy(d / "网点01.xlsx", d / "网点01_结果.xlsx")
    sub = d / "备份"
    sub.mkdir()
    shutil.copy(d / "网点02.xlsx", sub / "网点02 - 副本.xlsx")
    return d, everything


def _expected(rows: list[dict], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Independent recomputation: per claim with udfs' per-cell functions."""
    out = []
    for r in rows:
        day = r["索赔日期"].date()
        if not start <= day <= end:
            continue
        verdict = udfs.claim_check(r["寄件日期"], r["索赔日期"], r["索赔原因"],
                                   "是" if (r["保价金额"] or 0) > 0 else "否")
        if verdict.startswith("不予受理") or r["索赔类型"] == "延误":
            continue
        amount = udfs.compensation(r["索赔类型"], r["物品价值"], r["运费"], r["保价金额"], r["损失比例"],
                                   r["货物类别"])
        due = udfs.deadline("索赔处理", day, r["寄递范围"])
        closed = r["结案日期"].date() if r["结案日期"] else None
        out.append({"网点": r["网点"], "运单号": r["运单号"], "索赔类型": r["索赔类型"],
                    "索赔原因": r["索赔原因"], "赔偿金额": amount,
                    "已付金额": Decimal(str(r["已付金额"] or 0)).quantize(Decimal("0.01")),
                    "逾期": (closed or TODAY) > due})
    return pd.DataFrame(out)


def _money(x) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


def test_report_matches_recomputation(folder, tmp_path: Path) -> None:
    d, everything = folder
    out = build([d], "2026年11月上半月", tmp_path / "r.xlsx", today=TODAY)
    exp = _expected(everything, dt.date(2026, 11, 1), dt.date(2026, 11, 15))
    got = pd.read_excel(out, sheet_name="汇总", header=3, engine="calamine")
    got = got[got["网点"] != "合计"].set_index("网点")
    assert list(got.index) == BRANCHES + ["网点21", "网点22"]
    for b in got.index:
        e = exp[exp["网点"] == b]
        assert got.loc[b, "件数"] == len(e), b
        assert _money(got.loc[b, "建议赔偿金额"]) == sum(e["赔偿金额"], Decimal(0)), b
        assert _money(got.loc[b, "已付金额"]) == sum(e["已付金额"], Decimal(0)), b
        assert got.loc[b, "逾期件数"] == int(e["逾期"].sum()) if len(e) else got.loc[b, "逾期件数"] == 0, b
    total = pd.read_excel(out, sheet_name="汇总", header=3, engine="calamine").set_index("网点").loc["合计"]
    assert _money(total["建议赔偿金额"]) == sum(exp["赔偿金额"], Decimal(0))
    assert total["件数"] == len(exp)
    by_type = pd.read_excel(out, sheet_name="按索赔类型", header=2, engine="calamine")
    by_type = by_type[by_type["索赔类型"] != "合计"].set_index("索赔类型")
    assert set(by_type.index) <= {"破损", "遗失", "内件不符"}  # no 延误 in 货损货差
    for t in by_type.index:
        assert by_type.loc[t, "件数"] == int((exp["索赔类型"] == t).sum())
    detail = pd.read_excel(out, sheet_name="明细", header=2, engine="calamine")
    assert sorted(detail["运单号"]) == sorted(exp["运单号"])  # each claim once, no October, no copy
    status = pd.read_excel(out, sheet_name="报送情况", header=2, engine="calamine").set_index("网点")
    assert status.loc["网点21", "报送状态"] == "未报送"
    assert status.loc["网点07", "报送状态"] == "已报送（本期无案件）"
    assert status.loc["网点02", "文件"] == "网点02.xlsx、网点02 - 副本.xlsx"
    check = pd.read_excel(out, sheet_name="需核对", header=2, engine="calamine")
    copies = check[check["说明"].str.contains("不再重复计算")]
    assert set(copies["来源"].str.split("「").str[0]) == {"网点02 - 副本.xlsx"}
    refused = pd.read_excel(out, sheet_name="不予受理", header=2, engine="calamine")
    assert all(refused["说明"].str.startswith("不予受理"))
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    assert sheet_formulas(out) == []


def test_refused_error_delay_and_formula_text(tmp_path: Path) -> None:
    """A register with a title row, a refused claim, an error row (已付金额 待定), a 内件不符
    claim, a plain delay and formula-looking texts: exact counts and amounts."""
    rows = [
        claim_row("R1", "遗失", 索赔日期=dt.datetime(2026, 11, 10), 物品价值=1200, 保价金额=1500),   # 1,200.00
        claim_row("R2", "内件不符", 索赔日期=dt.datetime(2026, 11, 11), 物品价值=800, 损失比例=0.5,
                  保价金额=0, 运费=30),          # uninsured: min(800, 3×30=90) × 50% = 45.00 (CMP-1, CMP-5)
        claim_row("R3", "破损", 索赔日期=dt.datetime(2026, 11, 12), 索赔原因="客户自行包装"),   # refused (CLM-6)
        claim_row("R4", "延误", 索赔日期=dt.datetime(2026, 11, 12)),                     # delay: apart
        claim_row("R5", "遗失", 索赔日期=dt.datetime(2026, 11, 13), 已付金额="待定"),       # error row
        claim_row("R6", "遗失", 索赔日期=dt.datetime(2026, 11, 14), 物品价值=500, 保价金额=600,
                  责任网点="=HYPERLINK(\"http://evil.example\",\"点我\")", 已付金额=500),  # 500.00
    ]
    write_register(tmp_path / "in" / "鼓楼.xlsx", rows, title="鼓楼网点 2026年11月理赔登记")
    out = tmp_path / "r.xlsx"
    assert main([str(tmp_path / "in"), "--period", "2026-11-H1", "--out", str(out), "--today", "2026-11-23"]) == 1
    summary = pd.read_excel(out, sheet_name="汇总", header=3, engine="calamine").set_index("网点")
    assert summary.loc["福州鼓楼网点", "件数"] == 3
    assert _money(summary.loc["福州鼓楼网点", "建议赔偿金额"]) == Decimal("1745.00")
    assert _money(summary.loc["福州鼓楼网点", "已付金额"]) == Decimal("500.00")
    detail = pd.read_excel(out, sheet_name="明细", header=2, engine="calamine")
    assert list(detail["运单号"]) == ["R1", "R2", "R6"]
    assert detail.loc[2, "责任网点"] == "=HYPERLINK(\"http://evil.example\",\"点我\")"
    assert sheet_formulas(out) == [] and hyperlinks(out) == 0
    for sheet, want in (("延误（另列）", ["R4"]), ("不予受理", ["R3"]), ("需核对", ["R5"])):
        part = pd.read_excel(out, sheet_name=sheet, header=2, engine="calamine")
        assert list(part["运单号"]) == want, sheet
    check = pd.read_excel(out, sheet_name="需核对", header=2, engine="calamine")
    assert check.loc[0, "来源"] == "鼓楼.xlsx「理赔登记表」第7行" and "待定" in check.loc[0, "说明"]


@pytest.mark.parametrize("text,start,end", [
    ("2026-11-上半月", dt.date(2026, 11, 1), dt.date(2026, 11, 15)),
    ("2026年11月上半月", dt.date(2026, 11, 1), dt.date(2026, 11, 15)),
    ("2026-11-1", dt.date(2026, 11, 1), dt.date(2026, 11, 15)),
    ("2026-11-H2", dt.date(2026, 11, 16), dt.date(2026, 11, 30)),
    ("2026/2/下", dt.date(2026, 2, 16), dt.date(2026, 2, 28)),
    ("2028-02-下半月", dt.date(2028, 2, 16), dt.date(2028, 2, 29)),
])
def test_periods_accepted(text: str, start: dt.date, end: dt.date) -> None:
    assert parse_period(text)[:2] == (start, end)


@pytest.mark.parametrize("text", ["2026-11", "2026-11-3", "2026-13-上半月", "上半月", "2026-111"])
def test_periods_refused(text: str, tmp_path: Path, capsys) -> None:
    with pytest.raises(ValueError, match="2026年11月上半月"):
        parse_period(text)
    with pytest.raises(SystemExit) as e:
        main([str(tmp_path), "--period", text])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "2026-11-H1" in err and "Traceback" not in err


def test_crashes_become_messages(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "无登记表"
    empty.mkdir()
    (empty / "说明.txt").write_text("x", encoding="utf-8")
    assert main([str(empty), "--period", "2026-11-上半月", "--out", str(tmp_path / "a.xlsx")]) == 1
    assert "没有找到理赔登记表" in capsys.readouterr().err
    write_register(tmp_path / "r" / "x.xlsx", [claim_row("A", "遗失", 索赔日期=dt.datetime(2026, 11, 3))])
    long = tmp_path / ("很长的文件名" * 20 + ".xlsx")
    assert main([str(tmp_path / "r"), "--period", "2026-11-上半月", "--out", str(long)]) == 4
    assert "文件名过长" in capsys.readouterr().err
    (tmp_path / "r" / "~$报表.xlsx").write_bytes(b"")
    assert main([str(tmp_path / "r"), "--period", "2026-11-上半月", "--out", str(tmp_path / "r" / "报表.xlsx")]) == 3
    assert "正在 Excel/WPS 中打开" in capsys.readouterr().err


def test_report_on_processed_output(tmp_path: Path, capsys) -> None:
    """The demo's own processed output (computed cells showing 「错误：…」) gives the same report
    as its input, without a traceback; input and result side by side count once."""
    from workbooks.process import main as process_main
    sample = Path(__file__).resolve().parents[1] / "workbooks" / "samples" / "理赔登记表_样例.xlsx"
    assert process_main([str(sample), "--out", str(tmp_path / "processed"), "--quiet"]) == 1
    capsys.readouterr()
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert report_main_codes(["--out", str(a)], [tmp_path / "processed"]) in (0, 1)
    assert report_main_codes(["--out", str(b)], [sample]) in (0, 1)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "内部错误" not in err
    for sheet in ("汇总", "明细", "不予受理", "需核对"):
        ga = pd.read_excel(a, sheet_name=sheet, header=2 if sheet != "汇总" else 3, engine="calamine")
        gb = pd.read_excel(b, sheet_name=sheet, header=2 if sheet != "汇总" else 3, engine="calamine")
        assert len(ga) == len(gb), sheet
    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(sample, both / "理赔登记表_样例.xlsx")
    shutil.copy(tmp_path / "processed" / "理赔登记表_样例_结果.xlsx", both)
    c = tmp_path / "c.xlsx"
    report_main_codes(["--out", str(c)], [both])
    assert len(pd.read_excel(c, sheet_name="明细", header=2, engine="calamine")) == \
        len(pd.read_excel(b, sheet_name="明细", header=2, engine="calamine"))


def report_main_codes(extra: list[str], paths: list[Path]) -> int:
    return main([*map(str, paths), "--period", "2026-10-下半月", "--today", "2026-11-23", *extra])
