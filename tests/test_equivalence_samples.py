"""Issue 3, item 4: the `formulas` package evaluates the template formulas of the samples
(our functions registered under their Excel names) and must give the processor's value
for every computed cell, every 汇总 cell and every counter-quote line."""
from __future__ import annotations

import pytest

from workbooks import equivalence as E


def test_formulas_engine_agrees_with_the_processor(monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-11-23")
    compared, mismatches = E.run()
    assert mismatches == []
    # 36 + 17 + 13 + 12 rows × their computed columns, 汇总 cells, quote lines
    assert compared == 36 * 8 + 17 * 5 + 13 * 3 + 12 * 3 + (2 + 3) + (2 + 0) + (2 + 1) + (2 + 1) + 9


def test_result_workbook_formulas_agree(monkeypatch, tmp_path):
    """The formulas the processor writes into its result (workbooks.result) evaluate to the values
    it caches next to them (the storage register: 13 rows, three formula columns)."""
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-11-23")
    from workbooks.samples import sample_path
    from workbooks.spec import STORAGE
    compared, mismatches = E.check_register(sample_path("storage"), STORAGE, tmp_path, results=True)
    assert mismatches == [] and compared == 2 * (13 * 3 + 3)


def test_a_wrong_column_is_caught(monkeypatch, tmp_path):
    """Point a formula at the wrong column: the check must notice."""
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-11-23")
    from workbooks import samples
    from workbooks.spec import COD, Call, Column, Ref, Template
    wrong = Template(kind="cod", sheet=COD.sheet, title=COD.title, settings=COD.settings,
                     columns=tuple(c if c.header != "手续费" else
                                   Column("手续费", "money", 10, guard=("运单号",), total=True,
                                          expr=Call("cod_fee", (Ref("运单号"),)))
                                   for c in COD.columns))
    path = samples.write_filled(wrong, samples._rows_of("cod"), tmp_path / "c.xlsx")
    compared, mismatches = E.check_register(path, COD, tmp_path / "o")
    assert compared and any("手续费" in m for m in mismatches)


@pytest.mark.parametrize("name", ["COD_FEE", "DEADLINE", "COMPLAINT_EVENT"])
def test_adapter_passes_errors_through(name):
    f = E.adapter(name)
    assert f("错误：x（COD-1）", None) == "错误：x（COD-1）" if name != "COD_FEE" else f("错误：x") == "错误：x"
