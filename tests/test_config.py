"""Deployment configuration: one ledger per company (never the workbook's folder) and
templates trusted only from the administrator's configuration."""
from __future__ import annotations

from pathlib import Path

import pytest

from cli import config
from desk.ledger import Ledger, normalise_waybill


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("LOGIDESK_LEDGER_URL", "LOGIDESK_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LOGIDESK_HOME", str(tmp_path / "h"))
    return tmp_path / "h"


def test_order_explicit_env_user_machine_default(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.ledger_target().value == str(home / "data" / "logidesk-台账.sqlite3")
    assert config.ledger_target().origin == "默认位置"
    machine = home / "machine" / "config.toml"
    machine.parent.mkdir(parents=True)
    machine.write_text('[ledger]\nurl = "postgresql://logidesk@db.example/ledger"\n', encoding="utf-8")
    assert config.ledger_target().value == "postgresql://logidesk@db.example/ledger"
    user = home / "config" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[ledger]\nurl = "台账/公司.sqlite3"\n', encoding="utf-8")  # relative to the file
    assert config.ledger_target().value == str(user.parent / "台账" / "公司.sqlite3")
    monkeypatch.setenv("LOGIDESK_LEDGER_URL", "/srv/l.sqlite3")
    assert config.ledger_target().value == "/srv/l.sqlite3"
    assert config.ledger_target("/x/y.sqlite3").value == "/x/y.sqlite3"


def test_templates_only_from_the_administrator(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = home / "config" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[notices]\ntemplates = "/tmp/planted"\n', encoding="utf-8")
    assert config.trusted_template_dir() is None  # a user's own file cannot redirect templates
    machine = home / "machine" / "config.toml"
    machine.parent.mkdir(parents=True)
    machine.write_text('[notices]\ntemplates = "公司模板"\n', encoding="utf-8")
    assert config.trusted_template_dir().value == str(machine.parent / "公司模板")
    bad = home / "bad.toml"
    bad.write_text("[ledger\n", encoding="utf-8")
    monkeypatch.setenv("LOGIDESK_CONFIG", str(bad))
    with pytest.raises(config.ConfigError, match="配置文件格式错误：.*第 1 行第 8 列：表名缺少右方括号「]」"):
        config.ledger_target()


def test_ledger_open_uses_the_configuration(home: Path) -> None:
    led = Ledger.open()
    assert led.ident == str((home / "data" / "logidesk-台账.sqlite3").resolve()) and led.origin == "默认位置"
    led.close()


@pytest.mark.parametrize("typed", ["SF1001", "sf1001", "ＳＦ１００１", "SF\u200b1001", " SF 1001 ", "sf1001\ufeff"])
def test_waybill_normalised(typed: str) -> None:
    assert normalise_waybill(typed) == "SF1001"


def test_broken_configuration_is_one_message(home: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from desk.notices.cli import main
    bad = home / "bad.toml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("[ledger\n", encoding="utf-8")
    monkeypatch.setenv("LOGIDESK_CONFIG", str(bad))
    assert main(["--list"]) == 4
    err = capsys.readouterr().err
    assert "配置文件格式错误" in err and "第 1 行第 8 列" in err and str(bad) in err and "Traceback" not in err
