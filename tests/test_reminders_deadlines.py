"""Deadline reminders over registers read by the one model: DL-2 (open accepted claims),
DL-1 for refused claims (CLM-8), COD-2, STO-2 free storage, complaints (CPL-1, LAW-3) and
the ledger's reply-by dates (DL-5). Rows that cannot be computed are in the output, named by
file, sheet and row, and the run goes on. Dates computed by hand from RULES.md."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from workflow_helpers import frame_of, hyperlinks, settings_of, sheet_formulas, write_kind

from desk.notices.batch import issue
from desk.notices.samples import DEFAULT_SETTINGS, claim_row, write_register
from desk.reminders import collect, format_table, main, write_sheet

TODAY = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[1]
SHIP = dt.datetime(2026, 10, 1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "regs"
    write_register(d / "福州.xlsx", [
        claim_row("F-OVER", "破损", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 10, 20), 损失比例=0.5),  # DL-2 due 11-19
        claim_row("F-TODAY", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 10, 24)),  # due 11-23
        claim_row("F-SOON", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 10, 27)),   # due 11-26
        claim_row("F-LATER", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 11, 5)),   # due 12-05
        claim_row("F-CLOSED", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 10, 14),
                  结案日期=dt.datetime(2026, 11, 1)),
        # refused (CLM-6): no compensation, but the reply is due within 24 h (DL-1)
        claim_row("F-REFUSED", "破损", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 11, 22), 索赔原因="客户自行包装"),
        claim_row("F-TEXT", "遗失", 寄件日期=SHIP, 索赔日期="上周五"),  # a text date: this row only
    ], title="福州鼓楼网点 2026年11月理赔登记")
    write_register(d / "厦门.xlsx", [claim_row("X-OVER", "延误", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 10, 23))],
                   settings=dict(DEFAULT_SETTINGS, 本网点="厦门思明网点"))
    write_kind(d / "代收.xlsx", "cod", [
        {"运单号": "C-SOON", "代收金额": 3000, "到账日期": dt.datetime(2026, 8, 25)},   # COD-2 due 11-25
        {"运单号": "C-OVER", "代收金额": 800, "到账日期": dt.datetime(2026, 8, 20)},    # due 11-20
        {"运单号": "C-DONE", "代收金额": 500, "到账日期": dt.datetime(2026, 8, 1), "提款日期": dt.datetime(2026, 9, 1)},
        {"运单号": "C-LATER", "代收金额": 500, "到账日期": dt.datetime(2026, 10, 1)},   # due 2027-01-01
    ])
    write_kind(d / "仓储.xlsx", "storage", [
        {"运单号": "S-TODAY", "到货通知日期": dt.datetime(2026, 11, 20), "运费": 100, "始发地": "福州", "目的地": "上海"},
        {"运单号": "S-OVER", "到货通知日期": dt.datetime(2026, 11, 10), "运费": 100, "始发地": "福州", "目的地": "上海"},
        {"运单号": "S-PICKED", "到货通知日期": dt.datetime(2026, 11, 10), "提货日期": dt.datetime(2026, 11, 12),
         "运费": 100, "始发地": "福州", "目的地": "上海"},
    ])
    write_kind(d / "投诉.xlsx", "complaints", [
        {"投诉日期": dt.datetime(2026, 11, 20), "投诉人": "林女士", "运单号": "P1", "投诉类别": "服务态度"},
        {"投诉日期": dt.datetime(2026, 11, 2), "投诉人": "王先生", "运单号": "P2", "投诉类别": "服务态度",
         "结案日期": dt.datetime(2026, 11, 3)},
    ], settings={"本网点": "厦门思明网点"})
    # our own result beside its input is never read (no double reminders)
    (d / "福州_结果.xlsx").write_bytes((d / "福州.xlsx").read_bytes())
    return d


def _got(df: pd.DataFrame) -> set[tuple]:
    return {(r.网点, r.类别, r.运单号, r.提醒, r.剩余天数 if r.剩余天数 is not None else None)
            for r in df.itertuples()}


def test_every_source_row_by_row(folder: Path, tmp_path: Path) -> None:
    led = tmp_path / "l.sqlite3"
    frame = frame_of(folder / "福州.xlsx")
    # F-SOON's loss notice on 11-20: reply within five days (DL-5) → 11-25
    issue(frame[frame["运单号"] == "F-SOON"], "遗失公告", folder / "通知", settings_of(folder / "福州.xlsx"),
          ledger=led, notice_date=dt.date(2026, 11, 20), pdf=False)
    df = collect([folder], TODAY, 3, ledger=led)
    got = _got(df)
    assert {g for g in got if g[1] != "投诉处理" and g[1] != "投诉法定答复"} == {
        ("福州鼓楼网点", "理赔处理", "F-OVER", "已逾期", -4),
        ("福州鼓楼网点", "理赔处理", "F-TODAY", "今日到期", 0),
        ("福州鼓楼网点", "理赔处理", "F-SOON", "即将到期", 3),
        ("福州鼓楼网点", "不予受理答复", "F-REFUSED", "今日到期", 0),   # DL-1: 11-22 + 24 h
        ("福州鼓楼网点", "理赔", "F-TEXT", "无法计算", None),
        ("厦门思明网点", "理赔处理", "X-OVER", "已逾期", -1),
        ("福州鼓楼网点", "代收货款提取", "C-SOON", "即将到期", 2),      # COD-2: 8-25 + 3 months
        ("福州鼓楼网点", "代收货款提取", "C-OVER", "已逾期", -3),
        ("福州鼓楼网点", "免费保管期", "S-TODAY", "今日到期", 0),      # STO-2: 11-20 + 3 days
        ("福州鼓楼网点", "免费保管期", "S-OVER", "已逾期", -10),
        ("福州鼓楼网点", "遗失公告回复", "F-SOON", "即将到期", 2),      # DL-5
    }
    # CPL-1: 服务态度 is simple, 1 working day from Fri 11-20 → Mon 11-23; closed P2 absent
    assert ("厦门思明网点", "投诉处理", "P1", "今日到期", 0) in got
    assert not any(g[2] == "P2" for g in got)
    text = df.loc[df["运单号"] == "F-TEXT"].iloc[0]
    assert text["来源"] == "福州.xlsx「理赔登记表」第9行" and "索赔日期" in text["状态"]
    assert df.attrs["errors"] == [f"福州.xlsx「理赔登记表」第9行（F-TEXT）理赔：{text['状态']}"]
    assert df.loc[df["运单号"] == "F-OVER", "状态"].item() == "已逾期4天"
    # urgency first within a branch: cannot-compute, overdue, today, soon
    fz = df[df["网点"] == "福州鼓楼网点"]["提醒"].tolist()
    assert fz == sorted(fz, key=["无法计算", "已逾期", "今日到期", "即将到期"].index)
    printed = format_table(df)
    assert "无法计算 1 件" in printed and "〔福州.xlsx「理赔登记表」第9行〕" in printed


def test_replied_notice_and_closed_claim_drop_out(folder: Path, tmp_path: Path) -> None:
    from desk.ledger import Ledger
    led = tmp_path / "l.sqlite3"
    frame = frame_of(folder / "福州.xlsx")
    r = issue(frame[frame["运单号"].isin(["F-TODAY", "F-CLOSED"])], "遗失公告", folder / "通知",
              settings_of(folder / "福州.xlsx"), ledger=led, notice_date=TODAY, pdf=False)
    Ledger(led).mark_replied(r[0].number, TODAY)
    df = collect([folder], TODAY, 30, ledger=led)
    assert list(df[df["编号"] != ""]["编号"]) == []  # F-TODAY replied, F-CLOSED closed in the register


def test_cli_export_and_exit_codes(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "提醒.xlsx"
    code = main([str(folder), "--within", "3", "--today", "2026年11月23日", "--no-ledger", "--out", str(out)])
    assert code == 1  # done, with a row to fix (F-TEXT)
    printed = capsys.readouterr().out
    assert "F-OVER" in printed and "F-LATER" not in printed and "F-CLOSED" not in printed
    back = pd.read_excel(out, sheet_name="时限提醒", header=3, engine="calamine")
    head = pd.read_excel(out, sheet_name="时限提醒", header=None, nrows=2, engine="calamine")
    assert head.iloc[0, 0] == "时限提醒" and str(head.iloc[1, 0]).startswith("截至 2026-11-23")
    assert "F-TEXT" in set(back["运单号"]) and len(back) == 11
    assert sheet_formulas(out) == [] and hyperlinks(out) == 0
    import zipfile
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert 'orientation="landscape"' in sheet and 'paperSize="9"' in sheet and "<cols>" in sheet
    for bad in (["--today", "2026-13-45"], ["--within", "三"], ["--bogus"]):
        with pytest.raises(SystemExit) as e:
            main([str(folder), *bad])
        assert e.value.code == 2
        err = capsys.readouterr().err
        assert "参数错误" in err and "invalid" not in err and "usage" not in err


def test_formula_looking_text_stays_text(tmp_path: Path) -> None:
    """Clerk text that looks like a formula, a DDE call, an array formula or a link is written
    as a string in the reminder export (no <f>, no hyperlink)."""
    evil = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "=cmd|' /C calc'!A0", "{=SUM(1)}", "+1+1", "-2+3",
            "@SUM(1)", "http://evil.example/x",
            # XlsxWriter's own rich-string markup, closing the cell and opening a formula
            '<r><t>a</t></r></is></c><c r="Z9"><f>HYPERLINK("http://evil.example","x")</f></c><c><is><r><t>b</t></r>']
    rows = [claim_row(f"E{i}", "遗失", 寄件日期=SHIP, 索赔日期=dt.datetime(2026, 10, 20), 责任网点=t)
            for i, t in enumerate(evil)]
    write_register(tmp_path / "r" / "登记.xlsx", rows)
    df = collect([tmp_path / "r"], TODAY, 3, use_ledger=False)
    assert sorted(df["对方"]) == sorted(evil)
    out = write_sheet(df, tmp_path / "x.xlsx")
    assert sheet_formulas(out) == [] and hyperlinks(out) == 0
    back = pd.read_excel(out, sheet_name="时限提醒", header=3, engine="calamine")
    assert sorted(back["对方"]) == sorted(evil)


def test_gbk_console_and_redirect(folder: Path, tmp_path: Path) -> None:
    """A Chinese Windows console (GBK) or a redirect: no character crashes the run."""
    env = dict(os.environ, PYTHONIOENCODING="gbk", PYTHONPATH=str(ROOT), LOGIDESK_HOME=str(tmp_path / "h"))
    p = subprocess.run([sys.executable, "-m", "cli.main", "deadlines", str(folder), "--today", "2026-11-23",
                        "--no-ledger"], capture_output=True, env=env)
    assert p.returncode == 1, p.stderr.decode("gbk", "replace")
    text = p.stdout.decode("gbk")
    assert "时限提醒" in text and "F-OVER" in text and "Traceback" not in p.stderr.decode("gbk", "replace")


def test_broken_pipe_is_quiet(folder: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), LOGIDESK_HOME=str(tmp_path / "h"))
    p = subprocess.run(f"'{sys.executable}' -m cli.main deadlines '{folder}' --today 2026-11-23 --no-ledger"
                       f" --within 400 | head -1", shell=True, capture_output=True, env=env, text=True)
    assert p.stdout.startswith("时限提醒")
    assert "Traceback" not in p.stderr and "BrokenPipeError" not in p.stderr


def test_every_command_survives_a_gbk_console(tmp_path: Path) -> None:
    """`logidesk process` prints a ✓ the GBK code page lacks: through the `logidesk` entry
    point the character becomes '?', the run completes (the bug: a crash after the files were
    written)."""
    env = dict(os.environ, PYTHONIOENCODING="gbk", PYTHONPATH=str(ROOT), LOGIDESK_HOME=str(tmp_path / "h"))
    sample = ROOT / "workbooks" / "samples" / "理赔登记表_样例.xlsx"
    p = subprocess.run([sys.executable, "-m", "cli.main", "process", str(sample), "--out", str(tmp_path / "o"),
                        "--quiet"], capture_output=True, env=env)
    assert p.returncode == 1, p.stderr.decode("gbk", "replace")     # the sample's error rows
    assert "理赔登记表" in p.stdout.decode("gbk") and (tmp_path / "o" / "理赔登记表_样例_结果.xlsx").exists()
