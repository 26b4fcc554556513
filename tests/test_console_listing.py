"""What the commands print for thousands of rows: under -q the summary and the output file
only; otherwise the first items and 「共 N 件，仅显示前 K 件，详见 文件」; --show-all every item."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli import listing
from desk.reminders import collect, format_table
from desk.report import consolidate

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"
ITEM = re.compile(r"^  (无法计算|已逾期|今日到期|即将到期) ")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from registers import excel_shaped
    d = tmp_path_factory.mktemp("reg") / "网点"
    d.mkdir()
    excel_shaped(5000, d / "理赔登记表.xlsx")
    return d


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOGIDESK_TODAY": TODAY, "LOGIDESK_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_quiet_deadlines_is_a_summary_naming_the_file(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "提醒.xlsx"
    r = _cli("deadlines", str(folder), "--today", TODAY, "--no-ledger", "--within", "3", "--out", str(out), "-q",
             home=tmp_path)
    printed = r.stdout + r.stderr
    assert r.returncode == 1, printed  # done, with rows to fix
    assert len(printed.encode()) < 4096
    back = pd.read_excel(out, sheet_name="时限提醒", header=3, engine="calamine")
    n = back["提醒"].value_counts()
    assert len(back) > 1000
    assert (f"合计：无法计算 {n.get('无法计算', 0)} 件，已逾期 {n.get('已逾期', 0)} 件，今日到期 {n.get('今日到期', 0)} 件，"
            f"3 天内到期 {n.get('即将到期', 0)} 件") in printed
    assert f"共 {len(back):,} 件，详见 {out}" in printed and f"已保存：{out}" in printed
    assert not any(ITEM.match(line) for line in printed.splitlines())


def test_deadlines_shows_the_first_items_then_where_the_rest_are(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "提醒.xlsx"
    r = _cli("deadlines", str(folder), "--today", TODAY, "--no-ledger", "--out", str(out), home=tmp_path)
    items = [line for line in r.stdout.splitlines() if ITEM.match(line)]
    total = len(pd.read_excel(out, sheet_name="时限提醒", header=3, engine="calamine"))
    assert len(items) == listing.CONSOLE_ITEMS == 20
    assert f"共 {total:,} 件，仅显示前 20 件，详见 {out}" in r.stdout
    assert items[0].startswith("  无法计算")  # the most urgent group first
    r = _cli("deadlines", str(folder), "--today", TODAY, "--no-ledger", "--show-all", home=tmp_path)
    assert sum(1 for line in r.stdout.splitlines() if ITEM.match(line)) == total
    r = _cli("deadlines", str(folder), "--today", TODAY, "--no-ledger", home=tmp_path)
    assert f"共 {total:,} 件，仅显示前 20 件；加 --out 提醒.xlsx 保存全部，或加 --show-all 全部显示" in r.stdout


def test_quiet_report_is_a_summary_naming_the_file(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "报表.xlsx"
    r = _cli("report", str(folder), "--period", "2026-09-上半月", "--today", TODAY, "--out", str(out), "-q",
             home=tmp_path)
    printed = r.stdout + r.stderr
    assert r.returncode == 1, printed
    assert len(printed.encode()) < 4096
    data = consolidate([folder], "2026-09-上半月", dt.date(2026, 11, 23))
    assert len(data["rows"]) > 0 and len(data["errors"]) > listing.CONSOLE_ITEMS
    assert f"已生成 {out}：2026年11月上半月" in printed or f"已生成 {out}：" in printed
    assert f"货损货差案件 {len(data['rows'])} 件" in printed
    assert f"需核对：共 {len(data['errors']):,} 处，详见 {out}" in printed
    assert "需核对：" + data["errors"][0] not in printed
    r = _cli("report", str(folder), "--period", "2026-09-上半月", "--today", TODAY, "--out", str(out), home=tmp_path)
    checks = [line for line in r.stderr.splitlines() if line.startswith("需核对：") and "共" not in line[:8]]
    assert len(checks) == 20
    assert f"需核对：共 {len(data['errors']):,} 处，仅显示前 20 处，详见 {out}" in r.stderr


class _NoDeepCopy(list):
    def __deepcopy__(self, memo: dict) -> None:
        raise AssertionError("the problem list was deep-copied")


def test_format_table_reads_without_copying_the_problem_list(folder: Path) -> None:
    df = collect([folder], dt.date(2026, 11, 23), 3, use_ledger=False)
    df.attrs["errors"] = _NoDeepCopy(df.attrs["errors"])
    text = format_table(df)  # every item
    assert sum(1 for line in text.splitlines() if ITEM.match(line)) == len(df)
    short = format_table(df, 5, "x.xlsx")
    assert sum(1 for line in short.splitlines() if ITEM.match(line)) == 5
    assert f"共 {len(df):,} 件，仅显示前 5 件，详见 x.xlsx" in short


def test_rest_line_forms() -> None:
    assert listing.rest_line(3, 3, "a.xlsx") is None
    assert listing.rest_line(1234, 0, "a.xlsx") == "共 1,234 件，详见 a.xlsx"
    assert listing.rest_line(30, 20, None, "行", "需处理：") == "需处理：共 30 行，仅显示前 20 行；加 --show-all 全部显示"
    assert listing.limit(True) == 0 and listing.limit(True, problems=True) == 20
    assert listing.limit(False) == 20 and listing.limit(True, everything=True) is None

