"""The rules data file: every figure carries a real rule ID, versions resolve by date, and a
later version is added by data alone (issue 2, item 2)."""
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

import udfs
from udfs import rulebook as rb

ROOT = Path(__file__).resolve().parents[1]
RULES_MD = next((p for p in (ROOT.parent / "shared" / "domain" / "RULES.md",
                             Path("/work/shared/domain/RULES.md")) if p.exists()),
                ROOT.parent / "shared" / "domain" / "RULES.md")

EVENTS = ("索赔受理 索赔处理 赔款支付 索赔时效 查询答复 破损公告 遗失公告 延误公告 破损仲裁 遗失仲裁 客户资料 "
          "部门回复 保险单据 协商期限 理赔报告 财务付款 内部理赔 投诉服务态度 投诉延误 投诉损毁 投诉法定答复 诉讼时效 "
          "开票 代收货款提取 维修单台 维修三台 维修批量 维修报价").split()


def test_every_rule_id_in_the_data_exists_in_rules_md():
    if not RULES_MD.exists():
        pytest.skip("shared/domain/RULES.md not beside the checkout")
    known = set(re.findall(r"\b([A-Z]{2,5}-\d+)\b", RULES_MD.read_text(encoding="utf-8")))
    cited = set(re.findall(r"\b([A-Z]{2,5}-\d+)\b", rb.RULES_PATH.read_text(encoding="utf-8")))
    assert cited - known == set()
    assert {"INS-1", "COD-1", "STO-3", "CMP-1", "ECM-5", "NET-7", "DL-5", "CPL-1", "LBL-1"} <= cited


def test_all_issue_deadline_events_are_in_the_data():
    assert set(EVENTS) <= set(udfs.rules_for(dt.date(2026, 1, 1)).deadlines.names)


def test_version_in_force_by_date_and_before_first_version():
    assert udfs.rules_for(dt.date(2024, 3, 1)).id == "2024.1"
    # Before the first version there is no older data: the first version applies.
    assert udfs.rules_for(dt.date(2022, 5, 1)).id == "2024.1"


@pytest.fixture
def later_version(tmp_path, monkeypatch):
    """rules.toml plus a 2027.1 version that changes two figures, nothing else."""
    text = rb.RULES_PATH.read_text(encoding="utf-8")
    text += '''
[version."2027.1"]
based_on = "2024.1"
title = "2027 年版（测试）"
published = 2026-12-15
effective_from = 2027-01-01
[version."2027.1".storage.classes.F]
rate = "0.08"
[version."2027.1".compensation]
uninsured_freight_multiple = "7"
'''
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LOGIDESK_RULES", str(path))
    rb.reload()
    yield
    monkeypatch.delenv("LOGIDESK_RULES")
    rb.reload()


def test_later_version_needs_no_code_and_applies_from_its_date(later_version):
    new = udfs.rules_for(dt.date(2027, 1, 1))
    old = udfs.rules_for(dt.date(2026, 12, 31))
    assert (new.id, old.id) == ("2027.1", "2024.1")
    assert new.class_name["F"] == "福建省内（含汕头、温州）"      # inherited unchanged
    # STO-1: freight 100, 10 days after notice → 7 chargeable days.
    # Notice 2026-12-20 (2024.1, 10%): 100 × 0.10 × 7 = 70.00
    assert udfs.storage_fee(100, "2026-12-20", "2026-12-30", "福州", "厦门") == Decimal("70.00")
    # Notice 2027-01-02 (2027.1, 8%): 100 × 0.08 × 7 = 56.00
    assert udfs.storage_fee(100, "2027-01-02", "2027-01-12", "福州", "厦门") == Decimal("56.00")


def test_column_form_splits_rows_across_versions(later_version):
    import pandas as pd

    from udfs import columns
    notice = pd.Series(pd.to_datetime(["2026-12-20", "2027-01-02"]))
    pickup = pd.Series(pd.to_datetime(["2026-12-30", "2027-01-12"]))
    out = columns.storage_fee(100, notice, pickup, "福州", "厦门")
    assert out["value"].tolist() == [70.0, 56.0]


def test_rules_version_names_the_version_in_force():
    assert udfs.rules_version() == "2024.1（2024-03-01 起施行）"
