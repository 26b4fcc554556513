"""Deadline reminders: registers (DL-2, open claims) and ledger reply-by dates (DL-5)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import udfs
from addin.notices import issue
from addin.notices.register import read_register, read_settings
from addin.notices.samples import DEFAULT_SETTINGS, claim_row, write_register
from addin.reminders import collect, format_table, main, write_sheet

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    def start_for(days_left: int) -> dt.datetime:
        # choose the claim date whose DL-2 deadline is TODAY + days_left (asks the engine)
        d = TODAY - dt.timedelta(days=90)
        while udfs.deadline("索赔处理", d, "国内") != TODAY + dt.timedelta(days=days_left):
            d += dt.timedelta(days=1)
        return dt.datetime.combine(d, dt.time())
    write_register(tmp_path / "福州.xlsx", [
        claim_row("F-OVER", "破损", 索赔日期=start_for(-4)),
        claim_row("F-TODAY", "遗失", 索赔日期=start_for(0)),
        claim_row("F-SOON", "遗失", 索赔日期=start_for(3)),
        claim_row("F-LATER", "遗失", 索赔日期=start_for(10)),
        claim_row("F-CLOSED", "遗失", 索赔日期=start_for(-10), 结案日期=dt.datetime(2026, 11, 1)),
    ])
    write_register(tmp_path / "厦门.xlsx", [claim_row("X-OVER", "延误", 索赔日期=start_for(-1))],
                   settings=dict(DEFAULT_SETTINGS, 本网点="厦门思明网点"))
    return tmp_path


def test_collect_registers_and_ledger(folder: Path) -> None:
    reg = folder / "福州.xlsx"
    frame = read_register(reg)
    issue(frame.loc[[3]], "遗失公告", folder / "通知", read_settings(reg), ledger=folder / "l.sqlite3",
          notice_date=TODAY - dt.timedelta(days=4), pdf=False)  # reply-by: tomorrow (DL-5)
    df = collect([folder], TODAY, 3, ledger=folder / "l.sqlite3")
    got = {(r.网点, r.类别, r.运单号, r.提醒, r.剩余天数) for r in df.itertuples()}
    due = udfs.deadline("遗失公告", TODAY - dt.timedelta(days=4))
    assert got == {
        ("福州鼓楼网点", "理赔处理", "F-OVER", "已逾期", -4),
        ("福州鼓楼网点", "理赔处理", "F-TODAY", "今日到期", 0),
        ("福州鼓楼网点", "理赔处理", "F-SOON", "即将到期", 3),
        ("厦门思明网点", "理赔处理", "X-OVER", "已逾期", -1),
        ("福州鼓楼网点", "遗失公告回复", "F-TODAY", "即将到期" if due > TODAY else "今日到期", (due - TODAY).days),
    }
    assert list(df["网点"]) == sorted(df["网点"])  # grouped by branch
    assert df.loc[df["运单号"] == "F-OVER", "状态"].item() == "已逾期4天"
    # within 0: today and overdue only
    assert set(collect([folder], TODAY, 0)["运单号"]) == {"F-OVER", "F-TODAY", "X-OVER"}
    text = format_table(df)
    assert "【厦门思明网点】理赔处理：1 件" in text and "已逾期 2 件" in text


def test_replied_notice_and_closed_claim_drop_out(folder: Path) -> None:
    from addin.ledger import Ledger
    reg = folder / "福州.xlsx"
    r = issue(read_register(reg).loc[[3, 6]], "遗失公告", folder / "通知", read_settings(reg),
              ledger=folder / "l.sqlite3", notice_date=TODAY, pdf=False)
    Ledger(folder / "l.sqlite3").mark_replied(r[0].number, TODAY)
    df = collect([folder], TODAY, 30, ledger=folder / "l.sqlite3")
    notices = df[df["编号"] != ""]
    assert list(notices["编号"]) == []  # F-TODAY replied, F-CLOSED closed in the register


def test_dataframe_source_and_cli(folder: Path, capsys) -> None:
    frame = read_register(folder / "福州.xlsx")
    frame.attrs["本网点"] = "福州鼓楼网点"
    df = collect([frame], TODAY, 3)
    assert set(df["运单号"]) == {"F-OVER", "F-TODAY", "F-SOON"}
    out = write_sheet(df, folder / "提醒.xlsx")
    back = pd.read_excel(out, sheet_name="时限提醒", engine="calamine")
    assert list(back["运单号"]) == list(df["运单号"])
    assert main([str(folder), "--within", "3", "--today", "2026-11-23", "--no-ledger"]) == 0
    printed = capsys.readouterr().out
    assert "F-OVER" in printed and "F-LATER" not in printed and "F-CLOSED" not in printed


def test_complaint_register(tmp_path: Path) -> None:
    """Open complaints: level limit (CPL-1, working days) and legal reply (LAW-3), from udfs."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "投诉登记表"
    ws.append(["投诉日期", "投诉人", "联系电话", "运单号", "投诉类别", "结案日期"])
    ws.append([dt.datetime(2026, 11, 19), "林女士", "139", "C1", "服务态度", None])
    ws.append([dt.datetime(2026, 11, 20), "张先生", "138", "C2", "快件延误", None])
    ws.append([dt.datetime(2026, 11, 2), "王先生", "137", "C3", "服务态度", dt.datetime(2026, 11, 3)])
    ws.append([dt.datetime(2026, 11, 21), "赵女士", "136", "C4", "态度差", None])
    st = wb.create_sheet("设置")
    st.append(["本网点", "厦门思明网点"])
    wb.save(tmp_path / "投诉.xlsx")
    df = collect([tmp_path], TODAY, 3)
    got = {(r.类别, r.运单号): (r.期限, r.剩余天数) for r in df.itertuples()}
    for wb_no, start, cat in (("C1", dt.date(2026, 11, 19), "服务态度"), ("C2", dt.date(2026, 11, 20), "快件延误")):
        due = udfs.deadline(udfs.complaint_event(cat), start)
        if (due - TODAY).days <= 3:
            assert got[("投诉处理", wb_no)] == (due, (due - TODAY).days)
        legal = udfs.deadline("投诉法定答复", start)
        if (legal - TODAY).days <= 3:
            assert got[("投诉法定答复", wb_no)] == (legal, (legal - TODAY).days)
    assert not any(k[1] == "C3" for k in got)  # closed
    assert any("态度差" in e for e in df.attrs["errors"])  # unknown category reported, not dropped silently
    assert set(df["网点"]) == {"厦门思明网点"}
    frame = read_register(tmp_path / "投诉.xlsx", "投诉登记表")
    assert len(collect("complaints", frame, today=TODAY)) == len(df)
