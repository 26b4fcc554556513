"""Snapshot of the Excel function registry (names, arguments, defaults, docs): a signature
change to a function people type into their sheets must be deliberate. Update the snapshot
with `LOGIDESK_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_udf_registry.py`."""
import inspect
import json
import os
from pathlib import Path

import udfs
from udfs import columns, xl

SNAPSHOT = Path(__file__).with_name("snapshots") / "udf_registry.json"


def registry() -> dict:
    out = {}
    for name in sorted(n for n in dir(xl) if n.isupper() and callable(getattr(xl, n))):
        func = getattr(xl, name)
        params = inspect.signature(func).parameters.values()
        out[name] = {
            "args": [p.name for p in params],
            "optional": [p.name for p in params if p.default is not inspect.Parameter.empty],
            "doc": (func.__doc__ or "").strip(),
        }
    return out


def test_registry_matches_snapshot():
    current = registry()
    if os.environ.get("LOGIDESK_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_python_api_mirrors_every_excel_function():
    """For every Excel function NAME there is udfs.name with the same arguments in order."""
    for name, entry in registry().items():
        if name == "SAFE_SUM":
            continue  # an Excel-side helper over our results, not a rule
        py = getattr(udfs, name.lower())
        assert [p for p in inspect.signature(py).parameters] == entry["args"], name
        if name != "RULES_VERSION":
            assert name.lower() in columns.SPECS or name == "INSURANCE_REMARK", name


def test_excel_functions_have_no_annotations():
    """xlwings treats annotations as converters; ours convert at the boundary themselves."""
    for name in registry():
        assert getattr(xl, name).__annotations__ == {}, name


def test_declarations_agree_with_their_functions_and_limits():
    """Every declared parameter is the Python function's, in order, required iff no default;
    descriptions and help texts fit Application.MacroOptions (255 characters)."""
    from udfs import registry
    assert registry.problems() == []
    for f in registry.FUNCTIONS.values():
        assert f.category == "物流客服" and f.description and len(f.description) <= 255
        for p in f.params:
            assert p.help and len(p.help) <= 255 and p.label
