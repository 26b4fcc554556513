"""Half-month report (货损货差十五日报表): 20 generated branch registers, checked against a pandas
recomputation; branches that sent nothing are listed; native chart present."""
from __future__ import annotations

import datetime as dt
import random
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import udfs
from addin.notices.samples import DEFAULT_SETTINGS, random_rows, write_register
from addin.report import build, main, parse_period

TODAY = dt.date(2026, 11, 23)
BRANCHES = [f"网点{i:02d}" for i in range(1, 21)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("regs")
    rng = random.Random(20261123)
    for i, b in enumerate(BRANCHES):
        rows = random_rows(rng, b, rng.randint(5, 25), 2026, 11, f"W{i:02d}-")
        if b == "网点07":  # sent a file, but nothing in the first half
            rows = [r for r in rows if r["索赔日期"].day > 15]
        rows += random_rows(rng, b, 3, 2026, 10, f"OCT{i:02d}-")  # other period: ignored
        write_register(d / f"{b}.xlsx", rows, settings=dict(DEFAULT_SETTINGS, 本网点=b))
    (d / "网点清单.txt").write_text("\n".join(BRANCHES + ["网点21", "网点22"]) + "\n", encoding="utf-8")
    return d


def _expected(folder: Path) -> pd.DataFrame:
    frames = []
    for f in sorted(folder.glob("*.xlsx")):
        df = pd.read_excel(f, sheet_name="理赔登记表", engine="calamine")
        df["网点"] = f.stem
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    df["索赔日期"] = pd.to_datetime(df["索赔日期"])
    df = df[(df["索赔日期"] >= "2026-11-01") & (df["索赔日期"] <= "2026-11-15")].copy()
    df["已付金额"] = df["已付金额"].fillna(0)
    df["逾期"] = [
        "逾期" in udfs.deadline_status("索赔处理", s.date(), None if pd.isna(c) else pd.Timestamp(c).date(),
                                       TODAY, scope)
        for s, c, scope in zip(df["索赔日期"], df["结案日期"], df["寄递范围"])]
    return df


def test_report_matches_pandas(folder: Path, tmp_path: Path) -> None:
    out = build([folder], "2026-11-上半月", tmp_path / "r.xlsx", today=TODAY)
    exp = _expected(folder)
    got = pd.read_excel(out, sheet_name="汇总", header=3, engine="calamine")
    got = got[got["网点"] != "合计"].set_index("网点")
    want = exp.groupby("网点").agg(件数=("运单号", "size"), 建议赔偿金额=("赔偿金额", "sum"),
                                  已付金额=("已付金额", "sum"), 逾期件数=("逾期", "sum"))
    assert set(got.index) == set(BRANCHES) | {"网点21", "网点22"}
    for b in BRANCHES + ["网点21", "网点22"]:
        w = want.loc[b] if b in want.index else pd.Series({"件数": 0, "建议赔偿金额": 0, "已付金额": 0, "逾期件数": 0})
        assert got.loc[b, "件数"] == w["件数"], b
        assert got.loc[b, "建议赔偿金额"] == pytest.approx(w["建议赔偿金额"], abs=0.005), b
        assert got.loc[b, "已付金额"] == pytest.approx(w["已付金额"], abs=0.005), b
        assert got.loc[b, "逾期件数"] == w["逾期件数"], b
    assert got.loc["网点07", "件数"] == 0
    for sheet, key in (("按索赔类型", "索赔类型"), ("按索赔原因", "索赔原因")):
        g = pd.read_excel(out, sheet_name=sheet, header=2, engine="calamine")
        g = g[g[key] != "合计"].set_index(key)
        w = exp.groupby(key).agg(件数=("运单号", "size"), 建议赔偿金额=("赔偿金额", "sum"), 已付金额=("已付金额", "sum"))
        assert sorted(g.index) == sorted(w.index)
        for k in w.index:
            assert g.loc[k, "件数"] == w.loc[k, "件数"]
            assert g.loc[k, "建议赔偿金额"] == pytest.approx(w.loc[k, "建议赔偿金额"], abs=0.005)
            assert g.loc[k, "已付金额"] == pytest.approx(w.loc[k, "已付金额"], abs=0.005)
    over = pd.read_excel(out, sheet_name="逾期案件", header=2, engine="calamine")
    assert sorted(over["运单号"]) == sorted(exp[exp["逾期"]]["运单号"])
    detail = pd.read_excel(out, sheet_name="明细", header=2, engine="calamine")
    assert len(detail) == len(exp) and not detail["运单号"].str.startswith("OCT").any()
    status = pd.read_excel(out, sheet_name="报送情况", header=2, engine="calamine").set_index("网点")
    assert status.loc["网点21", "报送状态"] == "未报送" and status.loc["网点22", "报送状态"] == "未报送"
    assert status.loc["网点07", "报送状态"] == "已报送（本期无案件）"
    assert status.loc["网点01", "报送状态"] == "已报送"
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def test_periods_and_cli(folder: Path, tmp_path: Path, capsys) -> None:
    assert parse_period("2026-11-上半月")[:2] == (dt.date(2026, 11, 1), dt.date(2026, 11, 15))
    assert parse_period("2026-02-下半月")[:2] == (dt.date(2026, 2, 16), dt.date(2026, 2, 28))
    assert parse_period("2028-02-下半月")[1] == dt.date(2028, 2, 29)
    with pytest.raises(ValueError):
        parse_period("2026-13-上半月")
    out = tmp_path / "下半月.xlsx"
    assert main([str(folder), "--period", "2026-11-下半月", "--out", str(out), "--today", "2026-12-01",
                 "--branches", "网点01,网点99"]) == 0
    text = capsys.readouterr().out
    assert "未报送网点（1 个）：网点99" in text and out.exists()
    exp = sum(1 for f in folder.glob("*.xlsx")
              for d in pd.read_excel(f, sheet_name="理赔登记表", engine="calamine")["索赔日期"]
              if pd.Timestamp(d).month == 11 and pd.Timestamp(d).day >= 16)
    assert f"案件 {exp} 件" in text
