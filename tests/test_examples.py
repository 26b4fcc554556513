"""docs/functions.md: every worked example is executed, and the file is what the code generates."""
from pathlib import Path

import pytest

from cli import functions
from udfs import examples, xl

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("example", examples.EXAMPLES, ids=lambda e: examples.formula(e))
def test_example_result(example):
    assert examples.evaluate(example) == example.expected


def test_every_excel_function_has_an_example():
    names = {n for n in dir(xl) if n.isupper() and hasattr(getattr(xl, n), "__call__")
             and n not in ("ERROR_PREFIX", "CATEGORY")}
    assert names == set(examples.TITLES)
    assert names == {e.name for e in examples.EXAMPLES}


def test_reference_doc_is_generated_from_examples():
    assert (ROOT / "docs" / "functions.md").read_text(encoding="utf-8") == examples.markdown()


def test_functions_command_exit_code_reports_mismatch(capsys, monkeypatch):
    assert functions.main([]) == 0
    broken = examples.Example("COD_FEE", (5000,), "14.99", "deliberately wrong")
    monkeypatch.setattr(examples, "EXAMPLES", [broken])
    assert functions.main([]) == 1
    assert "≠ 期望 14.99" in capsys.readouterr().out
