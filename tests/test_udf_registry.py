"""The function declarations (udfs/registry.py) and everything derived from them (issue 8).

Snapshot of the Excel function registry (names, arguments, labels, kinds, rules, docs): a
signature change to a function people type into their sheets must be deliberate. Update the
snapshot with `LOGIDESK_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_udf_registry.py`;
regenerate the wrappers with `.venv/bin/python -m udfs.gen_xl`.
"""
import ast
import importlib
import importlib.util
import inspect
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from xlwings_standin import SCODE, Excel

import udfs
from addin.xlam import udfvba
from udfs import columns, examples, gen_xl, registry, xl
from udfs.errors import RuleError

SNAPSHOT = Path(__file__).with_name("snapshots") / "udf_registry.json"


def xl_module_view(module=xl) -> dict:
    """What the (generated) xlwings module exposes, read from its functions."""
    out = {}
    for name in sorted(n for n in dir(module) if n.isupper() and callable(getattr(module, n))):
        func = getattr(module, name)
        params = inspect.signature(func).parameters.values()
        out[name] = {"args": [p.name for p in params],
                     "optional": [p.name for p in params if p.default is not inspect.Parameter.empty],
                     "doc": (func.__doc__ or "").strip()}
    return out


def test_registry_matches_snapshot():
    current = registry.snapshot()
    if os.environ.get("LOGIDESK_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_generated_wrappers_are_current():
    """udfs/xl.py is generated from the declarations: this fails when it is stale."""
    assert Path(xl.__file__).read_text(encoding="utf-8") == gen_xl.render(), \
        "udfs/xl.py is stale: run `.venv/bin/python -m udfs.gen_xl`"
    assert gen_xl.main(["--check"]) == 0


def test_excel_module_is_the_declarations():
    view = xl_module_view()
    assert list(view) == sorted(registry.excel_functions())
    for name, entry in view.items():
        snap = registry.snapshot()[name]
        assert entry == {k: snap[k] for k in ("args", "optional", "doc")}, name


def test_python_api_mirrors_every_excel_function():
    """For every Excel function NAME there is udfs.name with the same arguments in order, and
    udfs exports nothing else but its helpers."""
    helpers = {"RuleError", "rules_for", "today", "rules_in_force", "is_timed", "status_text"}
    assert set(udfs.__all__) - helpers == set(registry.engine_functions())
    assert all(getattr(udfs, name) is not None for name in helpers)
    # what type checkers see (the imports under TYPE_CHECKING) is what udfs exports at run time
    tree = ast.parse(Path(udfs.__file__).read_text(encoding="utf-8"))
    static = {a.asname for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
              for a in node.names if a.asname}
    assert static == set(udfs.__all__) - {"RuleError", "rules_for", "today"}
    for name, f in registry.excel_functions().items():
        if not f.engine:
            # Excel-side helpers, not rules: a total over our results; the templates' row gate
            # (the processor checks the inputs column-wise with the same udfs.rowcheck)
            assert name in ("SAFE_SUM", "ROW_CHECK")
            continue
        py = getattr(udfs, f.python_name)
        assert py is f.func and f.python_name in udfs.__all__
        assert [p for p in inspect.signature(py).parameters] == [p.name for p in f.params], name
        assert (f.python_name in columns.SPECS) == bool(f.params), name


def test_excel_functions_have_no_annotations():
    """xlwings treats annotations as converters; ours convert at the boundary themselves."""
    for name in registry.excel_functions():
        assert getattr(xl, name).__annotations__ == {}, name


def test_declarations_agree_with_their_functions_and_limits():
    """Every declared parameter is the Python function's, in order, required iff no default;
    descriptions and help texts fit Application.MacroOptions (255 characters)."""
    assert registry.problems() == []
    for f in registry.FUNCTIONS.values():
        assert f.category == "物流客服" and f.description and len(f.description) <= 255
        assert f.result in registry.COLUMN_KIND and f.rule
        for p in f.params:
            assert p.help and len(p.help) <= 255 and p.label and p.kind in registry.PARAM_KINDS


def test_problems_notices_an_undeclared_argument(monkeypatch):
    """An argument appended to an engine function (e.g. by a rules change) without a
    declaration is caught."""
    f = registry.FUNCTIONS["COD_FEE"]

    def cod_fee(amount, batch=None):
        return udfs.cod_fee(amount)
    import dataclasses
    monkeypatch.setitem(registry.FUNCTIONS, "COD_FEE", dataclasses.replace(f, func=cod_fee))
    assert registry.problems() == [
        "COD_FEE: declared [('amount', True)] but cod_fee takes [('amount', True), ('batch', False)]"]


def test_a_reserved_vba_word_is_refused_by_the_generator():
    bad = registry.Function("X_TEST", "x_test", "t", "d", "R-1",
                            (registry.P("event", "事件", "text", "h"),), "text", func=lambda event: event)
    with pytest.raises(ValueError, match="reserved"):
        gen_xl.render_function(bad, gen_xl._reserved())


# ----------------------------------------------------------------- acceptance: one declaration

def parcel_fee(pieces, rate=None):
    """A made-up rule for the test: 2.00 yuan per piece, or ``rate`` per piece (a blank is
    None in a cell and NaN in a column, as for every engine function)."""
    rate = None if rate is None or rate != rate else rate
    if pieces is None:
        raise RuleError("缺少件数", "TST-1")
    if isinstance(pieces, str) or isinstance(pieces, bool):
        raise RuleError(f"件数应为数字，收到「{pieces}」", "TST-1")
    per = Decimal("2.00") if rate is None else Decimal(repr(float(rate)))
    return (Decimal(repr(float(pieces))) * per).quantize(Decimal("0.01"))


@pytest.fixture
def declared_parcel_fee():
    import workbooks.equivalence as equivalence
    registry.declare(
        "PARCEL_FEE", parcel_fee, title="测试件费", rule="TST-1", result="money",
        description="测试用件费（TST-1）：每件 2 元。",
        params=(registry.P("pieces", "件数", "int", "件数", "TST-1"),
                registry.O("rate", "每件费用", "money", "每件费用（元），默认 2 元", "TST-1")),
        examples=(((3,), "6.00", "3 × 2"),))
    derived = (columns.install, lambda: importlib.reload(examples),
               lambda: importlib.reload(equivalence))
    try:
        for rebuild in derived:
            rebuild()
        yield equivalence
    finally:
        registry.undeclare("PARCEL_FEE")
        for rebuild in derived:
            rebuild()


def test_a_function_added_only_through_its_declaration_appears_everywhere(declared_parcel_fee, tmp_path):
    equivalence = declared_parcel_fee
    # the column form (the Python API, udfs.<name>, is a static list: an engine function
    # adds its line there, test_python_api_mirrors_every_excel_function says when it is missing)
    got = columns.parcel_fee([3, 4, "x"])
    assert got["value"].tolist()[:2] == [6.0, 8.0] and got["error"].tolist()[2] == "件数应为数字，收到「x」（TST-1）"
    assert columns.SPECS["parcel_fee"] == (parcel_fee, "money", None)
    # the generated wrapper, called as xlwings calls it, and its VBA declaration
    source = gen_xl.render()
    assert "def PARCEL_FEE(pieces, rate=None):" in source
    path = tmp_path / "xl_with_parcel_fee.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("xl_with_parcel_fee", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with Excel(module) as excel:
        assert excel("PARCEL_FEE", 3.0) == 6.0                          # 3 × 2
        assert excel("PARCEL_FEE", ((3.0, 1.0),), 0.5) == [[1.5, 0.5]]  # a row stays a row
        assert excel("PARCEL_FEE", SCODE["#N/A"]) == "错误：件数是 Excel 错误值 #N/A（TST-1）"
        assert excel("PARCEL_FEE", 3.0, SCODE["#REF!"]) == "错误：每件费用是 Excel 错误值 #REF!（TST-1）"
    vba = udfvba.generate(module)
    assert "Function PARCEL_FEE(pieces, Optional rate)" in vba
    # the examples, the reference, the registry snapshot, the equivalence check's names
    assert examples.TITLES["PARCEL_FEE"] == ("测试件费", "TST-1")
    [ex] = [e for e in examples.EXAMPLES if e.name == "PARCEL_FEE"]
    assert examples.evaluate(ex) == "6.00"
    assert "## PARCEL_FEE — 测试件费（TST-1）" in examples.markdown()
    snap = registry.snapshot()["PARCEL_FEE"]
    assert snap["args"] == ["pieces", "rate"] and snap["optional"] == ["rate"]
    assert "PARCEL_FEE" not in json.loads(SNAPSHOT.read_text(encoding="utf-8"))   # a deliberate update
    assert "PARCEL_FEE" in equivalence.EXCEL_NAMES
    assert registry.problems() == []


def test_after_the_test_function_is_gone_everything_is_back():
    assert "PARCEL_FEE" not in registry.FUNCTIONS and not hasattr(udfs, "parcel_fee")
    assert "parcel_fee" not in columns.SPECS and "PARCEL_FEE" not in examples.TITLES


def _bad_argument_cases():
    for name, f in registry.FUNCTIONS.items():
        if f.engine and f.examples:
            for i, p in enumerate(f.params):
                if p.kind != "text":
                    yield name, i


@pytest.mark.parametrize("name, i", list(_bad_argument_cases()))
def test_declared_label_and_rule_are_the_engines(name, i):
    """The boundary's 「<参数名>是 Excel 错误值」 and the engine's own reader name an argument
    the same way: text where a number, date or 是/否 belongs gives the declared label and rule."""
    f = registry.FUNCTIONS[name]
    p = f.params[i]
    args = list(f.examples[0].args) + [None] * (len(f.params) - len(f.examples[0].args))
    args[i] = "abc"
    with pytest.raises(RuleError) as e:
        f.func(*args)
    assert p.label in e.value.message and e.value.rule == f.rule_of(p), str(e.value)


def test_generator_check_fails_on_a_stale_file_and_rewrites_it(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "xl.py"
    stale.write_text("# hand-edited\n", encoding="utf-8")
    monkeypatch.setattr(gen_xl, "TARGET", stale)
    monkeypatch.setattr(gen_xl, "DOCS", tmp_path / "missing" / "functions.md")   # no docs dir: skipped
    assert gen_xl.main(["--check"]) == 1
    assert "is stale" in capsys.readouterr().err
    assert gen_xl.main([]) == 0 and stale.read_text(encoding="utf-8") == gen_xl.render()
    assert gen_xl.main(["--check"]) == 0
