"""Helpers for tests/test_addin_*.py: an xlwings-like book double and a stand-in UDF module."""
from __future__ import annotations

import importlib
import importlib.util
import types
import warnings


def udf_module() -> str | types.ModuleType:
    """``"udfs.xl"`` when it is importable (always, once the lead lands it), else the stand-in."""
    try:
        if importlib.util.find_spec("udfs.xl") is not None:
            return "udfs.xl"
    except ModuleNotFoundError:
        pass
    warnings.warn("udfs.xl is not there yet: add-in tests use tests/addin_fixtures/standin_xl.py",
                  stacklevel=2)
    return importlib.import_module("addin_fixtures.standin_xl")
