"""Counter freight (RULES.md §11, FRT-1..3): a company tariff written into a company rules
file, every figure computed by hand from it; per cell and column form; the tariff checked
on load (LAW-5 included); the bundled example tariff is marked as one."""
from __future__ import annotations

from decimal import Decimal

import pytest

from udfs import columns, rulebook as rb
from udfs.errors import RuleError
from udfs.tariff import freight, freight_explain, parse_size
from workbooks.build import rules_rows

TODAY = "2026-11-23"

HEAD = '''
[version."C2026.1"]
title = "测试公司运价"
published = 2026-01-01
effective_from = 2026-01-15
[version."C2026.1".freight]
rule = "FRT-1"
divisor = 6000
step = "{step}"
minimum = "8"
max_weight = "1000"
max_side = "300"
[version."C2026.1".freight.zones."省内"]
classes = ["F"]
pricing = "express"
first_weight = "1"
first_price = "10"
extra_price = "3"
[version."C2026.1".freight.zones."温州专线"]
places = ["温州"]
pricing = "express"
first_weight = "1"
first_price = "7"
extra_price = "1.45"
minimum = "0"
'''
MORE_ZONES = '''
[version."C2026.1".freight.zones."长三角"]
classes = ["B"]
pricing = "express"
first_weight = "2"
first_price = "15"
extra_price = "4.5"
minimum = "20"
[version."C2026.1".freight.zones."京津唐零担"]
classes = ["C"]
pricing = "ltl"
per_kg = "1.2"
per_m3 = "300"
minimum = "50"
'''
TARIFF = HEAD.format(step="0.5") + MORE_ZONES


@pytest.fixture
def company(use_company, monkeypatch):
    """``company(text=TARIFF)``: the company tariff in force (conftest's use_company), on TODAY."""
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    return lambda text=TARIFF: use_company(text)


# (origin, destination, weight, length, width, height) → yuan, each worked out by hand
EXPRESS = [
    # 省内 (福州 F, 厦门 F): 首重 1 kg 10 元, 续重 3 元/kg in steps of 0.5 kg, minimum 8
    (("福州", "厦门", 1), "10.00"),                      # exactly the first weight
    (("福州", "厦门", "1.01"), "11.50"),                 # + 0.01 kg → one 0.5 kg step: 10 + 1.5
    (("福州", "厦门", "1.5"), "11.50"),                  # exactly one step
    (("福州", "厦门", "1.51"), "13.00"),                 # two steps: 10 + 3
    (("福州", "厦门", "0.3"), "10.00"),                  # under the first weight: 首重 (≥ minimum 8)
    (("福州", "厦门", 2, 40, 30, 20), "19.00"),          # volumetric 24000/6000 = 4 kg beats 2: 10 + 3 × 3
    (("福州", "厦门", 5, 40, 30, 20), "22.00"),          # actual 5 kg beats volumetric 4: 10 + 4 × 3
    (("福州", "厦门", "4", 40, 30, 20), "19.00"),        # both 4 kg
    (("福州", "厦门", 2), "13.00"),                      # no dimensions → no volumetric weight
    (("福州", "厦门", 1, 41, 31, 21), "20.50"),          # 26691/6000 = 4.4485 kg → 3.5 kg further: 10 + 10.5
    (("福州", "厦门", 1, 10, 10, 10), "10.00"),          # 1000/6000 = 0.1667 kg < 1 kg
    # 长三角 (福州 F, 上海 B → the lower rate B): 首重 2 kg 15 元, 续重 4.5 元/kg, minimum 20
    (("福州", "上海", 2), "20.00"),                      # 15 < minimum 20: the minimum applies
    (("福州", "上海", "2.01"), "20.00"),                 # 15 + 2.25 = 17.25 < 20
    (("福州", "上海", "3.2"), "21.75"),                  # 1.2 → 1.5 kg: 15 + 6.75 = 21.75 > 20
    (("福州", "上海", "3.01"), "21.75"),                 # 1.01 → 1.5 kg
    (("福州", "上海", "3"), "20.00"),                    # 1 kg further: 15 + 4.5 = 19.50 < 20
    (("厦门", "温州市鹿城区", "1.01"), "7.73"),          # named 温州 zone before class F: 7 + 0.725 = 7.725 → 7.73 half-up
    (("福州", "瑞安", 1), "7.00"),                       # 瑞安 is a county-level city of 温州 (STO-4)
    # 27000/6000 = 4.5 kg beats 3: further 3.5 kg × 1.45 = 5.075 → 7 + 5.075 = 12.075 → 12.08 half-up
    (("福州", "浙江省温州市鹿城区", "3", 30, 30, 30), "12.08"),
]

LTL = [
    # 京津唐零担 (福州 F, 北京 C → C): 1.2 元/kg, 300 元/m³, the higher; minimum 50
    (("福州", "北京", 100), "120.00"),                   # no dimensions: by weight only
    (("福州", "北京", 100, 100, 100, 50), "150.00"),     # 0.5 m³ × 300 = 150 beats 100 × 1.2 = 120
    (("福州", "北京", 200, 100, 100, 50), "240.00"),     # weight 240 beats volume 150
    (("福州", "北京", 10), "50.00"),                     # 12 < minimum 50
    (("福州", "北京", "41.675"), "50.01"),               # 50.01 just above the minimum
    (("福州", "北京", "41.67"), "50.00"),                # 50.004 → 50.00
    (("上海", "天津", "50", 60, 50, 40), "60.00"),       # B and C ends → C; 0.12 m³ × 300 = 36 < 60
]


@pytest.mark.parametrize("args, want", EXPRESS + LTL)
def test_freight_by_hand(company, args, want):
    company()
    assert freight(*args) == Decimal(want)


def test_step_of_one_kg(company):
    company(HEAD.format(step="1"))
    assert freight("福州", "厦门", 1) == Decimal("10.00")
    assert freight("福州", "厦门", "1.01") == Decimal("13.00")     # 0.01 kg → one 1 kg step
    assert freight("福州", "厦门", "2") == Decimal("13.00")
    assert freight("福州", "厦门", "2.01") == Decimal("16.00")
    with pytest.raises(RuleError) as e:                            # this tariff has no B zone
        freight("福州", "上海", 1)
    assert str(e.value) == ("运价表中没有线路类别 B（珠三角、长三角）的区域：福州 → 上海，"
                            "请管理员在公司运价中补充（FRT-1）")


@pytest.mark.parametrize("args, message", [
    (("福州", "昆明", 1), "运价表中没有目的地「昆明」所属的区域"),
    (("福州", "上海", 0), "重量应大于 0 千克：0（FRT-2）"),
    (("福州", "上海", -2), "重量应大于 0 千克：-2（FRT-2）"),
    (("福州", "上海", 1001), "重量超出范围：1001 千克（每票最多 1000 千克），请核对（FRT-2）"),
    (("福州", "上海", None), "缺少重量（千克）（FRT-2）"),
    (("福州", "上海", "三公斤"), "重量应为数字，收到文字「三公斤」（FRT-2）"),
    (("福州", "上海", 1, -40, 30, 20), "长应大于 0 厘米：-40（FRT-2）"),
    (("福州", "上海", 1, 40, 0, 20), "宽应大于 0 厘米：0（FRT-2）"),
    (("福州", "上海", 1, 40, 30, 301), "高超出范围：301 厘米（单边最多 300 厘米），请核对尺寸（FRT-2）"),
    (("福州", "上海", 1, 40, 30), "尺寸不完整：缺少高（长、宽、高都填，或都不填）（FRT-2）"),
    (("福州", "上海", 1, None, 30, None), "尺寸不完整：缺少长、高"),
    (("", "上海", 1), "缺少始发地（FRT-1）"),
    (("福州", None, 1), "缺少目的地（FRT-1）"),
    (("福州", "山东省温州", 1), "自相矛盾"),
])
def test_freight_errors_name_the_input_and_rule(company, args, message):
    company()
    with pytest.raises(RuleError) as e:
        freight(*args)
    assert message in str(e.value)
    if args[1] == "昆明":
        assert str(e.value).endswith("（FRT-1）")


def test_column_form_equals_per_cell(company):
    company()
    cases = [a for a, _ in EXPRESS + LTL] + [("福州", "昆明", 1), ("福州", "上海", -1), ("福州", "上海", 1, 40, 30, None),
                                             ("福州", "上海", 3.2, 40.0, 30.0, 20.0), ("福州", "上海", float("nan"))]
    cols = list(zip(*[tuple(a) + (None,) * (6 - len(a)) for a in cases]))
    df = columns.freight(*[list(c) for c in cols])
    for i, args in enumerate(cases):
        try:
            want, err = freight(*args), None
        except RuleError as e:
            want, err = None, str(e)
        if err is None:
            assert Decimal(repr(float(df["value"][i]))).quantize(Decimal("0.01")) == want and df["error"][i] is None
        else:
            assert df["error"][i] == err and df["value"].isna()[i]


def test_explanation_shows_zone_weights_prices_and_rules(company):
    company()
    text = freight_explain("福州", "上海", "2.01")
    assert text == ("区域：长三角（线路类别 B（珠三角、长三角，STO-3））；计费重量：2.5 kg（实重 2.01 kg，未给尺寸，"
                    "不计体积重量，FRT-2）；运价：首重 2 kg 15.00 元 + 续重 0.5 kg × 4.5 元/kg（按 0.5 kg 向上取整） = "
                    "17.25 元，低于每票最低运费 20.00 元，按最低收费（FRT-1）；运费 20.00 元")
    assert "示例运价" not in text                     # a company tariff is not the example
    assert "目的地属浙江省温州市鹿城区" in freight_explain("福州", "温州市鹿城区", 1)


def test_company_tariff_replaces_the_example_as_a_whole(company):
    company()
    with pytest.raises(RuleError, match="乌鲁木齐"):    # the example's 西北零担 zone is gone
        freight("福州", "乌鲁木齐", 1)


def test_the_bundled_example_tariff_says_so(monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    rb.reload()
    # example tariff: 省内 首重 1 kg 10 元 + 续重 2 元/kg; 40×30×20 ÷ 6000 = 4 kg beats 3.2 kg
    assert freight("福州", "温州市鹿城区", 3.2, 40, 30, 20) == Decimal("16.00")
    assert freight_explain("福州", "温州市鹿城区", 3.2, 40, 30, 20).endswith("示例运价，请管理员设置公司运价（FRT-1）")


# ----------------------------------------------------------------------- checked on load

@pytest.mark.parametrize("change, key, message", [
    (('step = "0.5"', 'step = "0.3"'), "freight.step", "续重取整单位应为 0.5 或 1（千克），收到 '0.3'（FRT-1）"),
    (("divisor = 6000", "divisor = 0"), "freight.divisor", "0 超出范围（应大于 0）"),
    (('classes = ["B"]', 'classes = ["F"]'), "freight.zones.长三角.classes", "「F」同时属于区域「省内」和「长三角」（FRT-1）"),
    (('classes = ["B"]', 'classes = ["Z"]'), "freight.zones.长三角.classes", "线路类别「Z」未定义"),
    (('per_m3 = "300"\n', ''), "freight.zones.京津唐零担.per_m3", "缺少此项（FRT-1）"),
    (('first_price = "15"', 'first_prise = "15"'), "freight.zones.长三角.first_prise", "不认识的运价项"),
    (('pricing = "ltl"', 'pricing = "truck"'), "freight.zones.京津唐零担.pricing", "计价方式应为 express"),
    (('extra_price = "3"', 'extra_price = "-3"'), "freight.zones.省内.extra_price", "不能为负数"),
    (('places = ["温州"]\n', ''), "freight.zones.温州专线", "区域应有线路类别 classes 或地名 places"),
    (('max_side = "300"\n', ''), "freight.max_side", "缺少此项（FRT-2）"),
])
def test_a_bad_tariff_is_refused_on_load_naming_file_key_and_rule(company, change, key, message):
    path = company(TARIFF.replace(*change, 1))
    with pytest.raises(RuleError) as e:
        rb.rules_for(None)
    text = str(e.value)
    assert f'公司规则文件 {path}：version."C2026.1".{key}：' in text and message in text, text


def test_a_tariff_published_without_ten_days_notice_is_refused(company):
    path = company(TARIFF.replace("effective_from = 2026-01-15", "effective_from = 2026-01-05"))
    with pytest.raises(RuleError) as e:
        rb.rules_for(None)
    assert (f'公司规则文件 {path}：version."C2026.1".effective_from：施行日 2026-01-05 距发布日 2026-01-01 仅 4 天，'
            "规则变更须提前 10 天公布（LAW-5）") in str(e.value)


def test_a_company_tariff_needs_its_rule_id(company):
    path = company(TARIFF.replace('rule = "FRT-1"\n', "", 1))
    with pytest.raises(RuleError) as e:
        rb.rules_for(None)
    assert f'公司规则文件 {path}：version."C2026.1".freight.rule：缺少规则编号' in str(e.value)


@pytest.mark.parametrize("text, sides", [("40x30x20", ("40", "30", "20")), ("40×30×20cm", ("40", "30", "20")),
                                         (" 40.5 X 30 * 20 ", ("40.5", "30", "20"))])
def test_size_text(text, sides):
    assert parse_size(text) == sides


@pytest.mark.parametrize("text", ["40x30", "40x30x20x10", "", "40-30-20"])
def test_a_size_that_is_not_three_sides_is_refused(text):
    with pytest.raises(RuleError) as e:
        parse_size(text)
    assert str(e.value) == f"尺寸应写作 长x宽x高（厘米），如 40x30x20，收到「{text.strip()}」（FRT-2）"


def test_the_rules_sheet_lists_the_tariff(company, monkeypatch):
    company()
    rows = [r for r in rules_rows(rb.rules_for(None)) if r[0] == "运价"]
    assert ("运价", "长三角", "线路类别 B：首重 2 kg 15.00 元，续重 4.5 元/kg；每票最低 20.00 元", "FRT-1") in rows
    assert ("运价", "温州专线", "温州：首重 1 kg 7.00 元，续重 1.45 元/kg；每票最低 0.00 元", "FRT-1") in rows
    assert "示例运价" not in rows[0][2]
    monkeypatch.setenv("LOGIDESK_COMPANY_RULES", "/nonexistent/company_rules.toml")
    rb.reload()
    example = [r for r in rules_rows(rb.rules_for(None)) if r[0] == "运价"]     # the bundled example
    assert example[0][2].endswith("示例运价，请管理员设置公司运价") and len(example) == 5
