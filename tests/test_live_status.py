"""Issue 12 item 3: 时限状态 recomputes on open/recalculation in any application.

The status columns are native formulas over the row's deadline cell and TODAY() (no add-in
function in them); the engine computes the same texts as udfs.deadline_status.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from lo_recalc import convert, make_profile, soffice
from python_calamine import CalamineWorkbook

import udfs
from workbooks import export as E, spec as S

ROOT = Path(__file__).resolve().parents[1]
STATUS = {S.CLAIMS.kind: "时限状态", S.COMPLAINTS.kind: "时限状态", S.COD.kind: "状态"}


@pytest.mark.parametrize("tpl", [S.CLAIMS, S.COMPLAINTS, S.COD], ids=lambda t: t.kind)
def test_status_formulas_are_native_and_volatile(tpl) -> None:
    col = next(c for c in tpl.computed if c.header == STATUS[tpl.kind])
    formula = tpl.formula(col, 2)
    assert "TODAY()" in formula
    assert not E.needs_value(formula.lstrip("="), E.our_function_names()), formula
    assert isinstance(col.expr, S.LiveStatus)
    assert tpl.letter(col.expr.deadline) + "2" in formula  # reads the row's deadline cell
    assert tpl.headers.index(col.expr.deadline) < tpl.headers.index(col.header)


def _frame(tpl: S.Template, rows: list[dict]) -> pd.DataFrame:
    inputs = [c.header for c in tpl.columns if not c.computed]
    return pd.DataFrame([{h: r.get(h) for h in inputs} for r in rows], dtype=object)


def test_engine_texts_equal_deadline_status_at_every_boundary() -> None:
    from workbooks.frames import cell_value, compute  # the register held in a DataFrame (issue 9 split)

    start = dt.date(2026, 11, 2)
    due = udfs.deadline("索赔处理", start)
    due = due.date() if isinstance(due, dt.datetime) else due
    base = {"运单号": "SF1", "索赔日期": dt.datetime.combine(start, dt.time())}
    cases = [  # (today, done, expected) — expected by hand from the deadline
        (due - dt.timedelta(days=3), None, "剩余3天"),
        (due, None, "今日到期"),
        (due + dt.timedelta(days=2), None, "已逾期2天"),
        (due + dt.timedelta(days=9), due, "按时完成"),
        (due + dt.timedelta(days=9), due + dt.timedelta(days=4), "逾期4天完成"),
        (due, start - dt.timedelta(days=1), "错误：结案日期早于索赔日期（DL-2）"),
    ]
    for today, done, expected in cases:
        row = dict(base, 结案日期=dt.datetime.combine(done, dt.time()) if done else None)
        results = compute(S.CLAIMS, _frame(S.CLAIMS, [row]), today)
        status = next(c for c in results if c.column.header == "时限状态")
        assert cell_value(status, 0) == expected, (today, done)
        if not expected.startswith("错误"):
            assert expected == udfs.deadline_status("索赔处理", start, done, today)


def test_a_deadline_error_shows_through() -> None:
    from workbooks.frames import cell_value, compute  # the register held in a DataFrame (issue 9 split)

    row = {"运单号": "SF1", "索赔日期": "下周"}
    results = compute(S.CLAIMS, _frame(S.CLAIMS, [row]), dt.date(2026, 11, 20))
    due = next(c for c in results if c.column.header == "处理期限")
    status = next(c for c in results if c.column.header == "时限状态")
    assert cell_value(status, 0) == cell_value(due, 0) and cell_value(due, 0).startswith("错误：")


@pytest.mark.slow
def test_libreoffice_recomputes_statuses_on_open(tmp_path, monkeypatch) -> None:
    """A send copy computed "on 2026-11-05", opened today in LibreOffice: the statuses are
    today's (equal to the engine's today), not the cached ones."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    sample = ROOT / "workbooks" / "samples" / "理赔登记表_样例.xlsx"
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-11-05")
    old = E.export(sample, tmp_path / "old.xlsx").output
    monkeypatch.delenv("LOGIDESK_TODAY")
    now = E.export(sample, tmp_path / "now.xlsx").output
    recalced = convert(old, tmp_path / "lo", make_profile(tmp_path / "profile"))

    def column(path: Path) -> list:
        with CalamineWorkbook.from_path(str(path)) as wb:
            rows = wb.get_sheet_by_name("理赔登记表").to_python()
        j, w = rows[0].index("时限状态"), rows[0].index("运单号")
        return [r[j] for r in rows[1:] if r[w]]

    cached, today, lo = column(old), column(now), column(recalced)
    assert cached != today  # the dates differ, so some 剩余/逾期 counts must differ
    assert lo == today
    assert any(str(v).startswith(("剩余", "已逾期", "今日到期")) for v in lo)
