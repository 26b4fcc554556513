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

from addin.notices.samples import claim_row, write_register
from addin.reminders import main as deadlines_main
from addin.report import main as report_main
from workbooks.process import main as process_main

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
