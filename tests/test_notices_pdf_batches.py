"""PDFs after the numbering commit, in sub-batches: a hung or failing LibreOffice costs only
that sub-batch's PDFs, never an issued number; the command says so (exit 4)."""
from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pandas as pd
import pytest

from desk.ledger import Ledger
from desk.notices.batch import issue
from desk.notices.samples import DEFAULT_SETTINGS, claim_row, write_register


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "soffice"
    exe.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOGIDESK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOGIDESK_LEDGER_URL", raising=False)
    return tmp_path


def test_hung_libreoffice_costs_only_pdfs(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGIDESK_SOFFICE", str(_fake_soffice(env, "sleep 30")))
    monkeypatch.setenv("LOGIDESK_PDF_TIMEOUT", "1")
    rows = pd.DataFrame([claim_row(f"H{i}", "遗失", 网点赔付=1000) for i in range(6)])
    b = issue(rows, "遗失公告", env / "o", DEFAULT_SETTINGS, ledger=env / "l.sqlite3",
              notice_date=dt.date(2026, 11, 23), pdf=True)
    assert [n.number for n in b] == [f"YS-2026-0000{i}" for i in range(1, 7)]  # numbers kept
    assert all(n.docx.exists() and n.pdf is None for n in b)
    lost = sorted(x for nums, _ in b.pdf_failures for x in nums)
    assert lost == [n.number for n in b] and "没有完成" in b.pdf_failures[0][1]
    recs = Ledger(env / "l.sqlite3").all()
    assert len(recs) == 6 and all(r.pdf_path is None for r in recs)
    assert not [p for p in (env / "o").iterdir() if p.name.startswith(".")]  # no temp left


def test_one_failed_sub_batch_keeps_the_others(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A converter that writes a PDF for every document except those of the sub-batch holding H3.
    script = ('out=""; prev=""; for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done\n'
              'for a in "$@"; do case "$a" in *H3*) exit 1;; esac; done\n'
              'for a in "$@"; do case "$a" in *.docx) n=$(basename "$a" .docx); echo pdf > "$out/$n.pdf";; esac; done')
    monkeypatch.setenv("LOGIDESK_SOFFICE", str(_fake_soffice(env, script)))
    monkeypatch.setenv("LOGIDESK_PDF_BATCH", "2")
    rows = pd.DataFrame([claim_row(f"H{i}", "遗失", 网点赔付=1000) for i in range(6)])
    b = issue(rows, "遗失公告", env / "o", DEFAULT_SETTINGS, ledger=env / "l.sqlite3",
              notice_date=dt.date(2026, 11, 23), pdf=True)
    got = {n.waybill: n.pdf is not None for n in b}
    assert got == {"H0": True, "H1": True, "H2": False, "H3": False, "H4": True, "H5": True}
    assert [nums for nums, _ in b.pdf_failures] == [["YS-2026-00003", "YS-2026-00004"]]
    recs = {r.waybill: r.pdf_path for r in Ledger(env / "l.sqlite3").all()}
    assert all((recs[w] is not None) == ok for w, ok in got.items())


def test_cli_reports_missing_pdfs_exit_4(env: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from desk.notices.cli import main
    monkeypatch.setenv("LOGIDESK_SOFFICE", str(_fake_soffice(env, "exit 1")))
    reg = write_register(env / "r" / "登记.xlsx", [claim_row("SF1", "遗失"), claim_row("SF2", "遗失")])
    assert main([str(reg), "--kind", "遗失公告", "--pdf"]) == 4
    err = capsys.readouterr()
    assert "已生成遗失协商公告 2 份：YS-2026-00001 至 YS-2026-00002（PDF 0 份）" in err.out
    assert "通知已出具并登记（.docx 齐全），但 2 份 PDF 未生成" in err.err and "YS-2026-00001" in err.err


def test_vip_letters_from_the_vip_register(env: Path, capsys) -> None:
    """The VIP customer register template, filled by sales, gives the NTC-7 letters."""
    import openpyxl

    from desk.notices.cli import main
    from workbooks.build import build_vip_register
    path = build_vip_register(env / "VIP客户.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["VIP客户"]
    for col, v in zip("ABCDEF", ["福州鑫达贸易有限公司", "陈经理", "2026-10", 1260, 12345.6, dt.datetime(2026, 12, 1)]):
        ws[f"{col}3"] = v
    for col, v in zip("ABCDEF", ["闽侯恒通电子商行", "刘女士", "2026-10", "很多", 1001, dt.datetime(2026, 12, 1)]):
        ws[f"{col}4"] = v
    st = wb["设置"]
    for i, (k, v) in enumerate([("本网点", "福州鼓楼网点"), ("公司名称", "天霖物流有限公司"), ("联系人", "李敏"),
                                ("联系电话", "0591-87654321"), ("收款账号", "6222"), ("经办人", "赵磊")], start=2):
        st[f"A{i}"], st[f"B{i}"] = k, v
    wb.save(path)
    assert main([str(path), "--kind", "VIP恭喜函", "--no-pdf", "--date", "2026-11-23"]) == 1
    out = capsys.readouterr()
    assert "已生成VIP恭喜函 1 份：VG-2026-00001 至 VG-2026-00001（PDF 0 份），金额合计 12,345.60 元" in out.out
    assert "VIP客户.xlsx 第4行（闽侯恒通电子商行）：输入有误" in out.err and "很多" in out.err
    from desk.notices.render import doc_text
    text = doc_text(next((env / "通知").glob("VG-2026-00001_*.docx")))
    assert "人民币12,345.60元" in text and "经办人：赵磊" in text and "NTC-7" not in text
