"""The counter quote with freight from the tariff (FRT-1..3), end to end: `logidesk quote`,
the quote template evaluated by the independent formula engine (workbooks.equivalence) and
by the processor's Python (udfs.quote) give the same total; the quote path stays light."""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from test_freight import TARIFF

from cli.main import main as logidesk
from udfs import rulebook as rb
from udfs.quote import quote
from workbooks.build import build_quote
from workbooks.equivalence import check_quote, evaluate, read_cached
from workbooks.spec import QUOTE_SHEET, quote_cell, quote_row

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"
EXAMPLE_NOTE = "示例运价，请管理员设置公司运价（FRT-1）"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    rb.reload()
    yield
    monkeypatch.undo()
    rb.reload()


@pytest.fixture
def company(use_company):
    return use_company(TARIFF)


def test_example_tariff_quote_shows_every_step_with_its_rule(capsys):
    code = logidesk(["quote", "--weight", "3.2", "--size", "40x30x20", "--from", "福州", "--to", "温州市鹿城区",
                     "--declared", "3000", "--cod", "5000", "--category", "易碎品"])
    out = capsys.readouterr().out
    assert code == 0
    # example tariff 省内 (both ends F): 40×30×20 ÷ 6000 = 4 kg beats 3.2 kg; 10 + 3 × 2 = 16
    assert "区域　　　　：省内（线路类别 F（福建省内（含汕头、温州），STO-3））" in out
    assert "计费重量　　：4 kg（实重 3.2 kg，体积重量 40×30×20÷6000 = 4 kg，取大者，FRT-2）" in out
    assert "运价　　　　：首重 1 kg 10.00 元 + 续重 3 kg × 2 元/kg（按 0.5 kg 向上取整） = 16.00 元（FRT-1）" in out
    assert "运费　　　　：16.00 元（FRT-1）" in out
    assert f"注意　　　　：{EXAMPLE_NOTE}" in out                       # FRT-1: the example says so
    assert "保价费　　　：15.00 元（INS-1）" in out                       # 3000 × 0.5 %
    assert "代收手续费　：15.00 元（COD-1）" in out                       # 5000 × 3 ‰
    assert "即1.60元/天（STO-1）" in out                                  # 16 × 10 %
    assert "合计　　　　：46.00 元（运费＋保价费＋代收手续费，FRT-3）" in out  # 16 + 15 + 15
    assert "保价判定　　：只保灭失险；运单备注：" in out and out.count("（INS-2～INS-5）") == 1
    lines = out.splitlines()
    order = [next(i for i, line in enumerate(lines) if line.startswith(k))
             for k in ("区域", "计费重量", "运价", "运费", "保价费", "代收手续费", "仓储条款", "合计")]
    assert order == sorted(order)


def test_a_typed_freight_overrides_the_tariff_and_says_so(capsys):
    assert logidesk(["quote", "--freight", "120", "--weight", "3.2", "--from", "福州", "--to", "上海"]) == 0
    out = capsys.readouterr().out
    assert "运费　　　　：120.00 元；按柜台输入的运费计收，未按运价表计算（FRT-3）" in out
    assert "区域" not in out and "示例运价" not in out and "合计　　　　：120.00 元" in out


@pytest.mark.parametrize("size, message", [
    ("40x30", "错误：尺寸应写作 长x宽x高（厘米），如 40x30x20，收到「40x30」（FRT-2）"),
    ("-40x30x20", "错误：长应大于 0 厘米：-40（FRT-2）"),
    ("40x30x0", "错误：高应大于 0 厘米：0（FRT-2）"),
    ("4000x30x20", "错误：长超出范围：4000 厘米（单边最多 600 厘米），请核对尺寸（FRT-2）"),
    ("40x三十x20", "错误：宽应为数字，收到文字「三十」（FRT-2）"),
])
def test_bad_sizes_are_refused_before_quoting(capsys, size, message):
    assert logidesk(["quote", "--weight", "3.2", f"--size={size}", "--from", "福州", "--to", "上海"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == message


def test_weight_is_required_without_a_freight(capsys):
    assert logidesk(["quote", "--from", "福州", "--to", "上海"]) == 2
    assert "缺少重量" in capsys.readouterr().err


def test_unknown_zone_names_the_place_and_refuses_the_total(capsys, company):
    assert logidesk(["quote", "--weight", "2", "--from", "福州", "--to", "昆明"]) == 1
    out = capsys.readouterr().out
    assert "运费　　　　：错误：运价表中没有目的地「昆明」所属的区域" in out
    assert "合计　　　　：有错误，请先更正" in out


def _formula_total(tmp_path: Path, inputs: dict) -> tuple[dict, float]:
    """The quote template built for ``inputs``: (the processor's cached lines, the total the
    formula engine computes from the template's formulas), after the line-by-line check."""
    path = build_quote(tmp_path / "柜台报价.xlsx", inputs=inputs)
    compared, mismatches = check_quote(path)
    assert mismatches == [] and compared == 9             # every computed line
    cached = {r[0]: r[1] for r in read_cached(path, QUOTE_SHEET)[1:] if r and r[0]}
    total = evaluate(path)[(QUOTE_SHEET.upper(), quote_cell("合计"))]
    assert cached["合计"] == read_cached(path, QUOTE_SHEET)[quote_row("合计") - 1][1]
    return cached, total


@pytest.mark.parametrize("args, inputs, total", [
    # company tariff 长三角: 40×30×20 → 4 kg beats 3.2: further 2 kg: 15 + 2 × 4.5 = 24; premium 15; COD 15
    (["--weight", "3.2", "--size", "40x30x20", "--from", "福州", "--to", "上海", "--declared", "3000",
      "--cod", "5000"], {"重量": 3.2, "长": 40, "宽": 30, "高": 20, "始发地": "福州", "目的地": "上海",
                         "声明价值": 3000, "代收金额": 5000}, "54.00"),
    # 京津唐零担: 0.5 m³ × 300 = 150 beats 100 × 1.2; premium 5 (minimum); no COD
    (["--weight", "100", "--size", "100x100x50", "--from", "福州", "--to", "北京", "--declared", "800"],
     {"重量": 100, "长": 100, "宽": 100, "高": 50, "始发地": "福州", "目的地": "北京", "声明价值": 800}, "155.00"),
    # a typed freight overrides the tariff (FRT-3): 88 + COD 5
    (["--freight", "88", "--weight", "3", "--from", "厦门", "--to", "温州市鹿城区", "--cod", "100"],
     {"运费": 88, "重量": 3, "始发地": "厦门", "目的地": "温州市鹿城区", "代收金额": 100}, "93.00"),
])
def test_cli_and_template_give_the_same_total(company, tmp_path, capsys, args, inputs, total):
    assert logidesk(["quote", *args]) == 0
    assert f"合计　　　　：{total} 元" in capsys.readouterr().out
    cached, formula = _formula_total(tmp_path, inputs)
    assert Decimal(repr(cached["合计"])).quantize(Decimal("0.01")) == Decimal(total)
    assert Decimal(repr(float(formula))).quantize(Decimal("0.01")) == Decimal(total)
    if "运费" in inputs:
        assert cached["运费说明"] == "按柜台输入的运费计收，未按运价表计算（FRT-3）"
    else:
        assert cached["运费说明"].startswith("区域：") and "示例运价" not in cached["运费说明"]


def test_example_tariff_template_says_so(tmp_path):
    cached, formula = _formula_total(tmp_path, {"重量": 1, "始发地": "福州", "目的地": "厦门"})
    assert cached["运费说明"].endswith(EXAMPLE_NOTE) and cached["计费运费"] == 10.0 and formula == 10.0


def test_python_quote_blank_freight_uses_the_tariff(company):
    q = quote(None, 0, 0, "普通货物", "福州", "厦门", weight="1.01")
    assert q["freight_used"] == Decimal("11.50") and q["total"] == Decimal("11.50") and not q["overridden"]
    q = quote(0, 0, 0, "普通货物", "福州", "厦门", weight="1.01")              # 0 typed: free freight
    assert q["freight_used"] == Decimal("0.00") and q["overridden"] and q["total"] == Decimal("0.00")


def test_the_quote_process_imports_neither_pandas_numpy_nor_the_workbook_layer():
    code = ("import sys\n"
            "from cli.main import main\n"
            "rc = main(['quote', '--weight', '3.2', '--size', '40x30x20', '--from', '福州', '--to', '温州市鹿城区',"
            " '--declared', '3000', '--cod', '5000'])\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy', 'workbooks'))\n"
            "print('RC', rc, 'HEAVY', heavy)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LOGIDESK_TODAY": TODAY})
    assert done.returncode == 0, done.stderr
    assert "合计　　　　：46.00 元" in done.stdout
    assert done.stdout.strip().endswith("RC 0 HEAVY []")

