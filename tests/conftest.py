"""Shared test setup."""
import os
import tempfile
import uuid
from pathlib import Path

import pytest

# The suite never reads the real user's or machine's company rules file (udfs.company).
# Set at import, before collection can load the rules, and inherited by subprocesses.
NO_COMPANY_RULES = Path(tempfile.gettempdir()) / f"logidesk-tests-{uuid.uuid4().hex}" / "company_rules.toml"
os.environ["LOGIDESK_COMPANY_RULES"] = str(NO_COMPANY_RULES)


@pytest.fixture
def use_company(tmp_path, monkeypatch):
    """``use_company(text)`` writes a company rules file, points LOGIDESK_COMPANY_RULES at it and
    reloads the rules (returns the file's path); the bundled rules come back afterwards."""
    from udfs import rulebook
    path = tmp_path / "etc" / "company_rules.toml"

    def write(text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("LOGIDESK_COMPANY_RULES", str(path))
        rulebook.reload()
        return path

    yield write
    monkeypatch.undo()
    rulebook.reload()


@pytest.fixture(autouse=True)
def _no_real_company_rules(monkeypatch):
    """Every test starts with LOGIDESK_COMPANY_RULES at a path that does not exist. Tests of
    the company file point it elsewhere and call udfs.rulebook.reload(); the rules loaded
    from a company file are forgotten afterwards."""
    from udfs import rulebook
    monkeypatch.setenv("LOGIDESK_COMPANY_RULES", str(NO_COMPANY_RULES))
    yield
    if rulebook.rulebook.cache_info().currsize and rulebook.rulebook().company_path is not None:
        rulebook.reload()
