"""ANL-1/ANL-3 in the rules data and the claim template: the 责任环节 and 原因 drop-downs come
from the rules data (a company extends the causes), the major-case threshold is a figure of
the rules data validated on load, and a value outside the list is an input error citing ANL-1."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from register_columns import cell, index
from test_company_rules import COMPANY_2027, _bundled_with

import udfs
from desk.notices.samples import CLAIM_COLUMNS, claim_row, write_register
from desk.registers import open_one
from udfs.analysis import amount_claimed, major_reasons
from udfs.errors import RuleError
from workbooks.build import build_register
from workbooks.spec import CLAIMS

LINKS = ["收件", "装车", "干线运输", "中转", "仓储", "派送", "包装", "客户原因", "其他"]   # ANL-1


def test_links_and_causes_are_the_rules_data_lists():
    lists = udfs.rules_in_force(dt.date(2026, 11, 1))
    assert lists["links"] == LINKS
    assert lists["loss_causes"][:3] == ["野蛮装卸", "堆码不当", "挤压碰撞"] and lists["loss_causes"][-1] == "其他"


def test_template_columns_last_with_drop_downs_from_the_lists(tmp_path: Path):
    assert CLAIMS.headers[-3:] == ["责任环节", "原因", "上报集团日期"]
    assert CLAIMS.headers[index("时限状态") + 1:] == ["责任环节", "原因", "上报集团日期"]  # after the former last column
    path = build_register(CLAIMS, tmp_path / "理赔登记表.xlsx")
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    wb = openpyxl.load_workbook(path)
    lists = wb["_lists"]
    for header, key in (("责任环节", "links"), ("原因", "loss_causes")):
        letter = CLAIMS.letter(header)
        m = re.search(rf'<dataValidation type="list"[^>]*error="请从下拉列表中选择{header}（ANL-1）"[^>]*'
                      rf'sqref="{letter}2:{letter}\d+"><formula1>_lists!\$([A-Z]+)\$2:\$\1\$(\d+)</formula1>', xml)
        assert m, header
        cells = [lists[f"{m.group(1)}{r}"].value for r in range(2, int(m.group(2)) + 1)]
        assert cells == udfs.rules_in_force(dt.date.today())[key]
    assert re.search(rf'<dataValidation type="date"[^>]*ANL-3[^>]*sqref="{CLAIMS.letter("上报集团日期")}2:', xml)


def test_a_link_outside_the_list_is_an_input_error(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-11-23")
    rows = [claim_row("L1", "遗失", 责任环节="装车", 原因="野蛮装卸"),
            claim_row("L2", "遗失", 责任环节="飞机", 原因="野蛮装卸"),
            claim_row("L3", "遗失", 责任环节=" 派送 ")]                   # padded: still the list's value
    columns = CLAIM_COLUMNS + ["责任环节", "原因", "上报集团日期"]
    path = write_register(tmp_path / "r.xlsx", rows, columns=columns)
    f = open_one(path).frame
    assert f["_outcome"].tolist() == ["ok", "invalid", "ok"]
    (err,) = f["_errors"].iloc[1]
    assert (err.letter, err.rule) == (cell("责任环节", 3, columns), "ANL-1")          # where the file has it
    assert err.message.startswith("责任环节「飞机」不在下拉列表中，可选：收件、装车、干线运输")
    assert f["责任环节"].iloc[2] == "派送"


@pytest.mark.parametrize("args,claimed,why", [
    (("遗失", Decimal("5000"), None, None), Decimal("5000"), "索赔金额 5,000.00 元达到 5,000 元（ANL-3）"),
    (("遗失", Decimal("4999.99"), None, None), Decimal("4999.99"), ""),
    (("破损", Decimal("12500"), 0.4, None), Decimal("5000.000"), "索赔金额 5,000.00 元达到 5,000 元（ANL-3）"),
    (("破损", Decimal("12500"), None, None), None, ""),                    # share required (CMP-8): unknown
    (("延误", Decimal("9000"), None, None), Decimal("0"), ""),             # a plain delay claims no goods (CMP-3)
    (("遗失", Decimal("100"), None, Decimal("200000")), Decimal("100"), ""),
])
def test_major_reasons_at_the_boundaries(args, claimed, why):
    assert amount_claimed(*args[:3]) == claimed
    assert major_reasons(*args, when=dt.date(2026, 11, 1)) == why


def test_ecm4_applies_to_e_commerce_claims_only():
    when = dt.date(2026, 11, 1)
    assert major_reasons("遗失", Decimal("3000"), None, None, True, when) == "物品价值 3,000.00 元，电商件高价值（ECM-4）"
    assert major_reasons("遗失", Decimal("2999.99"), None, None, True, when) == ""
    assert major_reasons("遗失", Decimal("3000"), None, None, False, when) == ""


def test_a_company_extends_the_causes_and_sets_its_threshold(use_company):  # noqa: F811
    use_company(COMPANY_2027 + '[version."C2027.1".analysis]\nmajor_from = "10000"\n'
                               '[version."C2027.1".analysis.causes."叉车碰撞"]\nrule = "ANL-1"\naliases = ["叉车"]\n')
    assert udfs.rules_in_force(dt.date(2027, 1, 1))["loss_causes"][-1] == "叉车碰撞"
    assert "叉车碰撞" not in udfs.rules_in_force(dt.date(2026, 12, 31))["loss_causes"]
    assert major_reasons("遗失", Decimal("9000"), None, None, when=dt.date(2027, 1, 1)) == ""
    assert major_reasons("遗失", Decimal("9000"), None, None, when=dt.date(2026, 12, 31)) != ""


@pytest.mark.parametrize("extra,key,rule,words", [
    ('[version."C2027.1".analysis.causes."叉车碰撞"]\naliases = ["叉车"]\n',
     'version."C2027.1".analysis.causes.叉车碰撞.rule', "LAW-5", "缺少规则编号"),
    ('[version."C2027.1".analysis.links."空运"]\nrule = "ANL-1"\n',
     'version."C2027.1".analysis.links.空运.rule', "ANL-1", "公司规则文件不能修改此项"),
    ('[version."C2027.1".analysis]\nmajor_from = "-1"\n', 'version."C2027.1".analysis.major_from', "ANL-3",
     "不能为负数"),
    ('[version."C2027.1".analysis.causes."野蛮"]\nrule = "ANL-1"\n',
     'version."C2027.1".analysis.causes.野蛮.aliases', "ANL-1", "别名「野蛮装卸」同时指向「野蛮装卸」和「野蛮」"),
])
def test_a_bad_company_analysis_entry_is_refused(use_company, extra, key, rule, words):  # noqa: F811
    use_company(COMPANY_2027 + extra.replace("野蛮\"]", "野蛮\"]\naliases = [\"野蛮装卸\"]"))
    with pytest.raises(RuleError) as e:
        udfs.rules_version()
    msg = str(e.value)
    assert key in msg and words in msg and f"（{rule}）" in msg, msg


def test_a_bundled_threshold_of_zero_is_refused(tmp_path, monkeypatch):
    path = _bundled_with(tmp_path, monkeypatch, 'major_from = "5000"', 'major_from = "0"')
    with pytest.raises(RuleError) as e:
        udfs.cod_fee(100)
    msg = str(e.value)
    assert f'{path}：version."2024.1".analysis.major_from：0 超出范围（应大于 0）（ANL-3）' in msg, msg
