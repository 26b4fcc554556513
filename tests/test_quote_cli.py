"""Issue 3: the counter quote (RULES.md §9) — Python API and `logidesk quote`."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desk.quote import main
from udfs.quote import quote

TODAY = "2026-11-23"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)


def test_quote_fragile_with_cod():
    q = quote(Decimal("120"), Decimal("3000"), Decimal("5000"), "易碎品", "福州", "上海")
    assert q["premium"] == Decimal("15.00")                  # INS-1 3000 × 0.5 %
    assert q["cover"].startswith("只保灭失险；运单备注：只保灭失险，易碎品、易潮湿、易污染、包装不合格")   # INS-5
    assert q["cod_fee"] == Decimal("15.00")                  # COD-1 5000 × 3‰
    assert q["storage_rate"] == Decimal("0.05") and q["free_days"] == 3
    assert q["storage_daily"] == Decimal("6.00")             # STO-1 120 × 5 %
    assert q["total"] == Decimal("150.00")


def test_quote_minimums_and_caps():
    q = quote(50, 200, 20000, "普通货物", "福州", "厦门")
    assert (q["premium"], q["cod_fee"], q["storage_rate"]) == (Decimal("5.00"), Decimal("30.00"), Decimal("0.10"))
    assert q["cover"] == "可保价" and q["total"] == Decimal("85.00")
    q = quote(50, 0, 0, "普通货物", "福州", "北京")
    assert (q["premium"], q["cod_fee"], q["total"]) == (Decimal("0.00"), Decimal("0.00"), Decimal("50.00"))
    q = quote(80, 150000, 0, "普通货物", "福州", "上海", per_item=150000)
    assert q["cover"] == "可保价；需经理审批"                       # INS-2


def test_quote_refuses_total_on_error():
    q = quote(80, 1000, 0, "工艺品", "福州", "拉萨")
    assert q["cover"].startswith("不予保价：工艺品属不予保价货物（INS-4）")   # INS-4, INS-7
    assert q["storage_terms"].startswith("错误：线路未定义：「拉萨」")
    q = quote(80, -5, 0, "普通货物", "福州", "上海")
    assert q["premium"].startswith("错误：") and q["total"] == "有错误，请先更正"


def test_quote_uses_the_date_given():
    q = quote(100, 0, 0, "普通货物", "福州", "上海", on=dt.date(2026, 6, 1))
    assert q["cells"]["报价日期"] == dt.date(2026, 6, 1) and q["storage_daily"] == Decimal("5.00")


def test_cli_prints_the_quote(capsys):
    code = main(["--freight", "120", "--declared", "3000", "--cod", "5000", "--category", "易碎品",
                 "--from", "福州", "--to", "上海"])
    out = capsys.readouterr().out
    assert code == 0
    assert "保价费　　　：15.00 元（INS-1）" in out
    assert "代收手续费　：15.00 元（COD-1）" in out
    assert "合计　　　　：150.00 元" in out


def test_cli_errors(capsys):
    assert main(["--freight", "abc", "--from", "福州", "--to", "上海"]) == 2
    assert "运费应为数字" in capsys.readouterr().err
    assert main(["--freight", "10", "--category", "电子烟", "--from", "福州", "--to", "上海"]) == 1
    assert "错误：未知的货物类别「电子烟」" in capsys.readouterr().out


def test_logidesk_cli_wiring(tmp_path, capsys):
    """`logidesk quote|build|process` reach workbooks.* through cli.main."""
    from cli.main import main as logidesk
    assert logidesk(["quote", "--freight", "50", "--from", "福州", "--to", "厦门"]) == 0
    assert "合计　　　　：50.00 元" in capsys.readouterr().out
    assert logidesk(["build", "--out", str(tmp_path / "t")]) == 0
    assert len(list((tmp_path / "t").glob("*.xlsx"))) == 7                # 5 registers incl. VIP, quote, rules
    from workbooks.samples import sample_path
    assert logidesk(["process", str(sample_path("storage")), "--out", str(tmp_path / "o"), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "仓储保管登记：13 行，错误行 3 行" in out and "有错误的行：12、13、14" in out


@pytest.mark.parametrize("category", ["珠宝", "古董", "精密仪器"])
def test_quote_uninsurable_goods_pay_no_premium(category):
    # INS-7: no premium and no declared-value cover for INS-4 goods; the quote says why
    q = quote(Decimal("100"), Decimal("5000"), 0, category, "福州", "上海")
    assert q["premium"] == Decimal("0.00")
    assert q["cover"] == f"不予保价：{category}属不予保价货物（INS-4），不收保价费，也不按声明价值赔偿（INS-7）"
    assert q["total"] == Decimal("100.00")                  # freight only


@pytest.mark.parametrize("freight, message", [
    ("-5", "错误：运费不能为负数：-5"),
    ("NaN", "错误：运费不是有效数字：NaN"),
    ("1e30", "错误：金额超出范围：运费 1e30"),
    ("1.000,50", "错误：运费「1.000,50」的写法有歧义"),
])
def test_cli_refuses_a_bad_freight_and_prints_no_total(capsys, freight, message):
    code = main([f"--freight={freight}", "--from", "福州", "--to", "上海"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith(message), err
    assert "合计" not in out and out == ""


def test_quote_refuses_the_total_for_a_bad_freight():
    for bad in (-5, float("nan"), Decimal("1e30"), Decimal("Infinity")):
        q = quote(bad, 0, 0, "普通货物", "福州", "上海")
        assert q["total"] == "有错误，请先更正", bad
