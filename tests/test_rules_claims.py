"""Claims: COMPENSATION (CMP-1..7, INS-4/5), FREIGHT_WAIVER (CMP-4), COMPENSATION_EXPLAIN,
CLAIM_CHECK (CLM-5..7), ECOM_COMPENSATION (ECM-1..5), NETWORK_COMPENSATION (NET-1..8).

Expected values are computed by hand from RULES.md (arithmetic in the comments).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings, strategies as st

import udfs
from udfs import RuleError

D = Decimal
d = dt.date


def same(got, expected: str) -> None:
    assert isinstance(got, Decimal), type(got)
    assert got == D(expected)
    assert got.as_tuple().exponent == -2, got


# ----------------------------------------------------------------- COMPENSATION

@pytest.mark.parametrize("args, expected", [
    # CMP-1 loss, insured → min(actual loss, insured value)
    (("遗失", 1000, 100, 800), "800.00"),        # min(1000, 800)
    (("遗失", 500, 100, 800), "500.00"),         # min(500, 800)
    (("遗失", 800, 100, 800), "800.00"),         # equal
    # CMP-1 loss, uninsured → min(actual loss, 3 × freight)
    (("遗失", 1000, 100), "300.00"),             # min(1000, 3 × 100 = 300)
    (("遗失", 200, 100), "200.00"),              # min(200, 300)
    (("遗失", 300, 100), "300.00"),              # exactly 3 × freight
    (("遗失", 1000, D("33.33")), "99.99"),       # 3 × 33.33 = 99.99
    (("遗失", 1000, 100, 0), "300.00"),          # insured value 0 = uninsured
    (("loss", 1000, 100), "300.00"),             # English alias
    # CMP-2 damage: total = as loss; partial = loss compensation × share lost
    (("破损", 1000, 100, 800, 1), "800.00"),     # total damage, insured: min(1000, 800)
    (("破损", 1000, 100, 800, D("0.5")), "400.00"),   # min(1000, 800) × 0.5
    (("破损", 1000, 100, None, D("0.25")), "75.00"),  # min(1000, 300) × 0.25
    (("破损", 100, 100, None, D("0.25")), "25.00"),   # min(100, 300) × 0.25
    (("破损", D("0.25"), 100, None, D("0.5")), "0.13"),  # 0.25 × 0.5 = 0.125 → half-up 0.13
    (("破损", 1000, 100, 2000, "50%"), "500.00"),     # min(1000, 2000) × 50%
    (("damage", 1000, 100, 800, 0), "0.00"),          # share 0 → nothing lost
    # CMP-5 content mismatch = partial damage with the missing share
    (("内件不符", 1000, 100, 2000, D("0.1")), "100.00"),   # min(1000, 2000) × 0.1
    (("内件不符", 1000, 100, None, D("0.1")), "30.00"),    # min(1000, 300) × 0.1
    # CMP-3 Decision: value = goods value, share = what the delay destroyed, default 0
    (("延误", 0, 100), "0.00"),                  # nothing destroyed → 0 (freight waived separately)
    (("延误", 500, 100), "0.00"),                # plain delay: no goods compensation
    (("延误", 500, 100, 400), "0.00"),           # insured, plain delay: still 0
    (("延误", 1000, 20), "0.00"),                # issue 8: was 60.00
    (("延误", 1000, 20, 1000, D("0.5")), "500.00"),   # as damage: min(1000, 1000) × 0.5
    (("延误", 1000, 20, 1000, 0.5), "500.00"),        # issue 8: was 1000.00
    (("延误", 500, 100, None, 1), "300.00"),     # share 1 = as loss: min(500, 3 × 100)
    (("延误", 500, 100, 400, 1), "400.00"),      # as loss, insured: min(500, 400)
    (("延误", 1000, 100, None, D("0.5"), "易碎品"), "150.00"),  # CMP-6 covers 破损 only: 300 × 0.5
    (("延误", 1000, 100, None, 1, "易碎品"), "300.00"),       # as loss: paid normally
    # MONEY-2: shares exact, a float at its shortest decimal form
    (("破损", 900000, 10, 900000, 1/3), "300000.00"),    # 900,000 × 0.3333333333333333 = 299,999.99999… → 300,000.00
    (("破损", 900000, 10, 900000, 2/3), "600000.00"),    # × 0.6666666666666666 = 599,999.99999… → 600,000.00
    (("破损", 1000, 100, 1000, D("0.0000005")), "0.00"),  # 0.0005 → 0.00 (was read as 0.000001 → 0.00)
    (("破损", 10**8, 100, 10**8, D("0.0000005")), "50.00"),  # 1e8 × 5e-7 = 50 (millionths read 1e-6 → 100)
    # CMP-6 / INS-5: damage to loss-only goods → 0, insured or not; loss normal
    (("破损", 1000, 100, 1000, D("0.5"), "易碎品"), "0.00"),
    (("破损", 1000, 100, 1000, 1, "易碎品"), "0.00"),
    (("破损", 1000, 100, None, 1, "易潮湿"), "0.00"),
    (("破损", 1000, 100, None, 1, "包装不合格"), "0.00"),
    (("遗失", 1000, 100, 800, None, "易碎品"), "800.00"),   # loss normal: min(1000, 800)
    (("遗失", 1000, 100, None, None, "易污染"), "300.00"),  # loss normal, uninsured: min(1000, 300)
    (("内件不符", 1000, 100, 2000, D("0.1"), "易碎品"), "100.00"),  # mismatch is not damage
    # CMP-7 / INS-4: uninsurable goods with an insured value → as uninsured
    (("遗失", 5000, 100, 5000, None, "珠宝"), "300.00"),    # min(5000, 3 × 100)
    (("破损", 5000, 100, 5000, D("0.5"), "古董"), "150.00"),  # min(5000, 300) × 0.5
    (("遗失", 200, 100, 5000, None, "工艺品"), "200.00"),   # min(200, 300)
    (("遗失", 5000, 100, 5000, None, "普通货物"), "5000.00"),  # ordinary goods: insured value counts
])
def test_compensation(args, expected):
    same(udfs.compensation(*args), expected)


# ----------------------------------------------------------------- FREIGHT_WAIVER (CMP-4)

@pytest.mark.parametrize("args, expected", [
    (("遗失", 100), "100.00"),                  # loss: waived in full
    (("延误", D("88.88")), "88.88"),            # delay: waived in full
    (("破损", 100, 1), "100.00"),
    (("破损", 100, D("0.99")), "0.00"),         # partial damage: not waived
    (("破损", 100, D("0.5")), "0.00"),
    (("内件不符", 100, D("0.5")), "0.00"),      # content mismatch: not waived
    (("mismatch", 100, 1), "0.00"),
])
def test_freight_waiver(args, expected):
    same(udfs.freight_waiver(*args), expected)


# ----------------------------------------------------------------- COMPENSATION_EXPLAIN

@pytest.mark.parametrize("args, must_contain", [
    (("遗失", 1000, 100), ["CMP-1", "CMP-4", "300.00 元"]),
    (("遗失", 1000, 100, 800), ["CMP-1", "800.00 元", "CMP-4", "100.00 元"]),
    (("破损", 1000, 100, 800, D("0.5")), ["CMP-2", "CMP-1", "400.00 元", "CMP-4", "50%"]),
    (("内件不符", 1000, 100, None, D("0.1")), ["CMP-5", "30.00 元", "CMP-4"]),
    (("延误", 500, 100), ["CMP-3", "赔偿 0.00 元", "免收本次运费 100.00 元"]),
    (("延误", 500, 100, None, 1), ["CMP-3", "按遗失", "赔偿 300.00 元"]),
    (("延误", 1000, 100, 1000, D("0.5")), ["CMP-3", "按破损", "赔偿 500.00 元"]),
    (("破损", 1000, 100, 1000, D("0.5"), "易碎品"), ["CMP-6", "INS-5", "0.00 元"]),
    (("遗失", 5000, 100, 5000, None, "珠宝"), ["CMP-7", "INS-4", "300.00 元"]),
])
def test_compensation_explain_names_rules(args, must_contain):
    text = udfs.compensation_explain(*args)
    assert isinstance(text, str)
    for part in must_contain:
        assert part in text, (part, text)


def test_compensation_explain_agrees_with_compensation():
    # the explanation ends with the same amount COMPENSATION returns: min(1000, 300) × 0.25 = 75
    text = udfs.compensation_explain("破损", 1000, 100, None, D("0.25"))
    assert "赔偿 75.00 元" in text
    assert "不免" in text  # partial damage: freight not waived (CMP-4)


# ----------------------------------------------------------------- CLAIM_CHECK (CLM-5..7)

@pytest.mark.parametrize("ship, claim, cause, insured, accepted, rule", [
    (d(2025, 3, 1), d(2026, 3, 1), None, None, True, None),        # CLM-7: same day a year later
    (d(2025, 3, 1), d(2026, 3, 2), None, None, True, None),        # 03-01 is a Sunday → Monday 03-02 (DATE-7)
    (d(2025, 3, 1), d(2026, 3, 3), None, None, False, "CLM-7"),    # one day after the extended window
    (d(2025, 3, 3), d(2026, 3, 3), None, None, True, None),        # CLM-7 example: Tuesday, accepted
    (d(2025, 3, 3), d(2026, 3, 4), None, None, False, "CLM-7"),    # not extended (a working day)
    (d(2025, 10, 1), d(2026, 10, 8), None, None, True, None),      # DATE-7: 10-01..07 holiday → 10-08
    (d(2025, 10, 1), d(2026, 10, 9), None, None, False, "DATE-7"),
    (d(2024, 10, 12), d(2025, 10, 12), None, None, True, None),    # 2025-10-12 is a Sunday → 10-13
    (d(2024, 10, 11), d(2025, 10, 13), None, None, False, "CLM-7"),  # 2025-10-11 make-up working Saturday: not extended
    (d(2025, 3, 1), d(2025, 3, 1), None, None, True, None),        # same day
    (d(2024, 3, 31), d(2025, 3, 31), None, None, True, None),
    (d(2024, 2, 29), d(2025, 2, 28), None, None, True, None),      # DATE-4: 2024-02-29 + 1 y = 2025-02-28
    (d(2024, 2, 29), d(2025, 3, 1), None, None, False, "CLM-7"),
    (d(2025, 3, 1), d(2025, 6, 1), "不可抗力", "是", True, None),   # force majeure, insured: accepted
    (d(2025, 3, 1), d(2025, 6, 1), "不可抗力", "否", False, "CLM-5"),
    (d(2025, 3, 1), d(2025, 6, 1), "不可抗力", None, False, "CLM-5"),  # insured defaults to 否
    (d(2025, 3, 1), d(2025, 6, 1), "客户原因", "是", False, "CLM-5"),  # customer's fault
    (d(2025, 3, 1), d(2025, 6, 1), "货物性质", None, False, "CLM-5"),
    (d(2025, 3, 1), d(2025, 6, 1), "客户自行包装", None, False, "CLM-6"),
    (d(2025, 3, 1), d(2025, 6, 1), "签收后索赔", None, False, "CLM-6"),
    (d(2025, 3, 1), d(2025, 6, 1), "运输途中", None, True, None),
])
def test_claim_check(ship, claim, cause, insured, accepted, rule):
    got = udfs.claim_check(ship, claim, cause, insured)
    if accepted:
        assert got == "受理"
    else:
        assert got.startswith("不予受理：")
        assert got.endswith("）") and rule in got, got


def test_claim_check_too_late_names_the_last_day():
    got = udfs.claim_check(d(2025, 3, 3), d(2026, 3, 4))
    assert "最迟 2026-03-03）" in got  # last accepted day = ship date + 12 months (DATE-4)
    got = udfs.claim_check(d(2025, 3, 1), d(2026, 3, 3))
    assert "最迟 2026-03-02；2026-03-01 为休息日" in got  # extended by DATE-7


def test_claim_check_beyond_the_holiday_data_is_the_date5_error():
    # DATE-7: a claim after the nominal last day 2027-03-03 needs 2027's calendar → DATE-5 error
    with pytest.raises(RuleError, match="2027年的节假日安排尚未收录"):
        udfs.claim_check(d(2026, 3, 3), d(2027, 3, 4))
    assert udfs.claim_check(d(2026, 3, 3), d(2027, 3, 3)) == "受理"   # within: no calendar needed
    import udfs.columns as C
    got = C.claim_check([d(2026, 3, 3)], [d(2027, 3, 4)])
    assert got["value"].isna().all() and "2027年" in got["error"][0]


# ----------------------------------------------------------------- ECOM_COMPENSATION (ECM-1..5)

@pytest.mark.parametrize("args, expected", [
    (("破损", 1000, D("0.4")), "400.00"),     # loss 1000 × 0.4 = 400 ≤ 500 (ECM-1)
    (("破损", 1000, D("0.5")), "500.00"),     # 500 = cap
    (("破损", 1000, D("0.6")), "500.00"),     # 600 → partial damage cap 500
    (("破损", 3000, 1), "2000.00"),           # total damage: 3000 → ECM-2 cap 2000
    (("破损", 1800, 1), "1800.00"),           # total damage, ≤ 2000 (a blank share is ECM-7's error)
    (("遗失", 1500), "1500.00"),              # ECM-2 actual loss
    (("遗失", 2000), "2000.00"),
    (("遗失", D("2000.01")), "2000.00"),      # capped 2000
    (("遗失", 2500), "2000.00"),
    (("遗失", 2500, None, "否", "是"), "1000.00"),   # ECM-3 no invoice, ≥ 2000, practical → 1000
    (("遗失", 2500, None, "否", "否"), "700.00"),    # non-practical → 700
    (("遗失", 2000, None, "否", "否"), "700.00"),    # ≥ 2000 includes 2000
    (("遗失", D("1999.99"), None, "否", "否"), "1999.99"),  # below 2000: ECM-3 does not apply
    (("内件不符", 5000, D("0.3")), "1500.00"),       # 5000 × 0.3 = 1500 ≤ 2000
    (("内件不符", 5000, D("0.4"), "否", "是"), "1000.00"),  # 2000 ≥ 2000, no invoice → 1000
    (("内件不符", 5000, D("0.5")), "2000.00"),       # 2500 → 2000
    (("破损", 5000, D("0.5"), "否", "否"), "500.00"),  # 2500: min(500, 700) = 500
    (("遗失", D("123.455")), "123.46"),              # input read half-up to the fen
    (("破损", D("0.25"), D("0.5")), "0.13"),         # 0.125 → half-up 0.13
])
def test_ecom_compensation(args, expected):
    same(udfs.ecom_compensation(*args), expected)


def test_ecom_high_value_flag():
    assert udfs.ecom_high_value(3000) is True            # ECM-4: ≥ 3,000
    assert udfs.ecom_high_value(D("2999.99")) is False


# ----------------------------------------------------------------- NETWORK_COMPENSATION

@pytest.mark.parametrize("args, expected", [
    # NET-1 loss, direct branch: 1,000 per waybill; actual value below → actual (NET-3)
    (("遗失", None), "1000.00"),
    (("遗失", 5000), "1000.00"),
    (("遗失", 600), "600.00"),
    # NET-9 batches: waybills × the single-waybill amount, batch cap, then actual value
    (("遗失", 15000, None, None, None, 20), "10000.00"),   # 20 × 1,000 = 20,000 → 10,000
    (("遗失", 8000, None, None, None, 20), "8000.00"),     # 10,000 → actual 8,000 (NET-8)
    (("遗失", None, None, None, None, 5), "5000.00"),      # 5 × 1,000
    (("遗失", None, None, None, None, 10), "10000.00"),    # exactly the cap
    (("遗失", None, None, None, None, 11), "10000.00"),    # 11,000 → 10,000
    (("遗失", None, None, None, None, "否"), "1000.00"),    # 否 = one waybill
    (("遗失", None, None, None, None, 0), "1000.00"),      # 0 = one waybill
    (("遗失", None, None, None, None, 1), "1000.00"),
    (("遗失", None, None, None, None, "3票"), "3000.00"),
    # NET-2 agency-period branch: 300 per waybill, batch ≤ 5,000
    (("遗失", None, None, None, "代理期"), "300.00"),
    (("遗失", 200, None, None, "代理期"), "200.00"),
    (("遗失", 7000, None, None, "代理期", 20), "5000.00"),   # 20 × 300 = 6,000 → 5,000
    (("遗失", None, None, None, "代理期", 16), "4800.00"),   # 16 × 300
    # NET-5 delay: 50/day; ≤ 1 kg (incl.) cap 250, > 1 kg cap 500; batch cap 2,500
    (("延误", None, 3, 1), "150.00"),              # 3 × 50
    (("延误", None, 5, 1), "250.00"),              # 250 = cap
    (("延误", None, 6, 1), "250.00"),              # 300 → cap 250 (1 kg included in light)
    (("延误", None, 6, D("1.01")), "300.00"),      # 300 < cap 500 for > 1 kg
    (("延误", None, 12, D("1.01")), "500.00"),     # 600 → 500
    (("延误", None, 12, 1), "250.00"),             # 600 → 250
    (("延误", None, 12, D("0.5")), "250.00"),
    (("延误", 0, 3, None, None, 20), "2500.00"),   # NET-9 example: 20 × 150 = 3,000 → 2,500 (weight does not decide)
    (("延误", 0, 3, 2, None, 16), "2400.00"),      # 16 × 150
    (("延误", None, 60, 2, None, 3), "1500.00"),   # 3 × min(3,000, 500)
    (("延误", None, 60, 1, None, 3), "750.00"),    # 3 × min(3,000, 250)
    (("延误", None, 5, None, None, None), "250.00"),   # 250 ≤ light cap: weight not needed
    (("延误", None, 0, 1), "0.00"),
    (("延误", 120, 6, 2), "120.00"),               # NET-8: min(300, actual 120)
    # NET-6 delay to an agency-period branch: 10/day, cap 100, batch 1,000
    (("延误", None, 5, None, "代理期"), "50.00"),
    (("延误", None, 20, None, "代理期"), "100.00"),
    (("延误", None, 200, None, "代理期", 20), "1000.00"),   # 20 × 100 = 2,000 → 1,000
    (("延误", None, 5, None, "代理期", 3), "150.00"),       # 3 × 50
    # NET-7 third-party carrier: 50/day, 1,000 cap per batch and per waybill
    (("延误", None, 10, None, "第三方"), "500.00"),
    (("延误", None, 30, None, "第三方"), "1000.00"),   # 1500 → 1000
    (("延误", None, 30, None, "第三方", 20), "1000.00"),   # 20 × 1,000 → batch cap 1,000
    (("延误", None, 4, None, "第三方", 3), "600.00"),      # 3 × 200
    (("延误", 800, 30, None, "第三方"), "800.00"),     # NET-8: min(1000, 800)
])
def test_network_compensation(args, expected):
    same(udfs.network_compensation(*args), expected)


def test_network_actual_value_zero_means_not_given():
    # NET-8: the actual-value cap applies only when a value is given (> 0)
    same(udfs.network_compensation("遗失", 0), "1000.00")
    same(udfs.network_compensation("延误", 0, 3, 2), "150.00")      # 3 × 50


def test_aliases_reach_the_same_rules():
    # INS-5 by its English alias: damage to fragile goods → 0 (CMP-6)
    same(udfs.compensation("damage", 1000, 100, 1000, D("0.5"), "fragile"), "0.00")
    # INS-4 by alias: jewellery with an insured value → as uninsured, min(5000, 300)
    same(udfs.compensation("loss", 5000, 100, 5000, None, "jewelry"), "300.00")
    # NET-2 by alias 代理: loss 300
    same(udfs.network_compensation("loss", None, None, None, "代理"), "300.00")


# ----------------------------------------------------------------- complaints (CPL-1, CPL-3)

@pytest.mark.parametrize("category, expected", [
    ("服务态度", "简单★（1个工作日）"),              # CPL-1: service attitude, simple, 1 working day
    ("语言冲突", "简单★（1个工作日）"),
    ("快件延误", "复杂★★★（3个工作日）"),            # delay, complex, 3 working days
    ("发错货或运送质量", "重大★★★★★（5个工作日）"),   # damage/shortage/loss, major, 5 working days
    ("损毁", "重大★★★★★（5个工作日）"),
])
def test_complaint_level(category, expected):
    assert udfs.complaint_level(category) == expected


def test_complaint_level_matches_its_deadline_event():
    # a 快件延误 complaint received Fri 2026-02-13 is due 3 working days later: 02-25
    event = udfs.complaint_event("快件延误")
    assert event == "投诉延误"
    assert udfs.deadline(event, d(2026, 2, 13)) == d(2026, 2, 25)


@pytest.mark.parametrize("category", ["服务态度", "货品滞留", "运价", "转货或转外协",
                                      "配送司机不搬货", "窜货", "理赔不满意", "退货"])
def test_complaint_script_has_script_and_handling(category):
    text = udfs.complaint_script(category)
    assert text.startswith(f"【{category}】回答要点：")
    assert "\n处理方式：" in text


# ----------------------------------------------------------------- independent Decimal oracles

from decimal import ROUND_HALF_UP  # noqa: E402

CENT = D("0.01")
LOSS_ONLY = {"易碎品", "易潮湿", "易污染", "包装不合格"}
NOT_INSURABLE = {"工艺品", "精密仪器", "珠宝", "古董", "玉雕", "根雕", "石雕", "国外维修进口货品", "客户退货"}


def r2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def compensation_oracle(t, v, f, ins, share, cat):
    if cat in NOT_INSURABLE:
        ins = D(0)                                   # CMP-7
    cap = ins if ins > 0 else 3 * f                  # CMP-1 (k = 3)
    base = min(v, cap)
    amount = base * share if t in ("破损", "内件不符", "延误") else base   # CMP-2, CMP-5, CMP-3
    if t == "破损" and cat in LOSS_ONLY:
        amount = D(0)                                # CMP-6 covers 破损 only
    return r2(amount)


def ecom_oracle(t, v, share, invoice, practical):
    loss = v * share                                 # ECM-5
    cap = D(500) if (t == "破损" and share < 1) else D(2000)
    if not invoice and loss >= 2000:
        cap = min(cap, D(1000) if practical else D(700))   # ECM-3
    return r2(min(loss, cap))


money2 = st.decimals(min_value=0, max_value=D("20000"), places=2)
shares = st.one_of(st.just(D(1)), st.decimals(min_value=0, max_value=1, places=6))
types = st.sampled_from(["遗失", "破损", "内件不符", "延误"])


@settings(max_examples=500, deadline=None, derandomize=True)
@given(types, money2, st.decimals(min_value=0, max_value=D("800"), places=2),
       st.one_of(st.just(D(0)), money2), shares,
       st.sampled_from(["普通货物"] + sorted(LOSS_ONLY) + sorted(NOT_INSURABLE)))
def test_compensation_matches_the_rules(t, v, f, ins, share, cat):
    same(udfs.compensation(t, v, f, ins, share, cat), str(compensation_oracle(t, v, f, ins, share, cat)))


@settings(max_examples=500, deadline=None, derandomize=True)
@given(types, st.decimals(min_value=0, max_value=D("8000"), places=2), shares,
       st.booleans(), st.booleans())
def test_ecom_matches_the_rules(t, v, share, invoice, practical):
    assume(t != "延误")                                 # ECM-6: refused, tested below
    got = udfs.ecom_compensation(t, v, share, "是" if invoice else "否", "是" if practical else "否")
    same(got, str(ecom_oracle(t, v, share, invoice, practical)))


def test_ecom_threshold_on_the_unrounded_loss():
    # MONEY-1: 3,999.99 × 0.5 = 1,999.995 < 2,000 → ECM-3 does not apply; capped by ECM-2 at
    # 2,000 and rounded once: 2,000.00 (the loss is not rounded before the threshold)
    same(udfs.ecom_compensation("遗失", D("3999.99"), D("0.5"), "否", "是"), "2000.00")
    # exactly 2,000 → ECM-3 applies: 1,000
    same(udfs.ecom_compensation("遗失", D("4000.00"), D("0.5"), "否", "是"), "1000.00")


def test_uninsured_cap_from_a_sub_fen_freight():
    # MONEY-2: freight 33.335 is read at the fen, half-up → 33.34; cap 3 × 33.34 = 100.02
    same(udfs.compensation("遗失", 1000, D("33.335")), "100.02")
    same(udfs.compensation("遗失", 1000, 33.335), "100.02")      # float 33.335 (shortest form)


def test_blank_share_is_required_for_damage_and_mismatch():
    # CMP-8: a blank share for 破损 / 内件不符 is an error, never a silent 100 %
    for t in ("破损", "内件不符"):
        with pytest.raises(RuleError, match="缺少损失比例") as info:
            udfs.compensation(t, 4000, 60, 4000, None)
        assert info.value.rule == "CMP-8"
        with pytest.raises(RuleError, match="缺少损失比例"):
            udfs.freight_waiver(t, 60)
    same(udfs.compensation("遗失", 4000, 60, 4000, None), "4000.00")   # 遗失: 1 when blank
    import udfs.columns as C
    got = C.compensation(["破损", "遗失"], [4000, 4000], [60, 60], [4000, 4000], [None, None])
    assert got["error"][0].startswith("缺少损失比例") and got["rule"][0] == "CMP-8"
    assert got["value"][1] == 4000.0


def test_ecom_refuses_delay():
    # ECM-6: no delay rule in the e-commerce standard; the message points to CMP-3 and NET-5
    with pytest.raises(RuleError) as info:
        udfs.ecom_compensation("延误", 5000)
    assert info.value.rule == "ECM-6"
    assert "CMP-3" in str(info.value) and "NET-5" in str(info.value)
    import udfs.columns as C
    got = C.ecom_compensation(["延误", "遗失"], [5000, 1500])
    assert got["rule"].tolist() == ["ECM-6", None] and got["value"][1] == 1500.0


def test_network_batch_needs_its_waybill_count():
    # NET-9: 是 without a number asks for it
    with pytest.raises(RuleError, match="批货须填写运单票数") as info:
        udfs.network_compensation("延误", 0, 3, None, None, "是")
    assert info.value.rule == "NET-9"
    with pytest.raises(RuleError, match="批货须填写运单票数"):
        udfs.network_compensation("遗失", 0, None, None, None, True)
    with pytest.raises(RuleError, match="批货票数应为整数"):
        udfs.network_compensation("遗失", 0, None, None, None, 2.5)


def test_network_refuses_damage_and_mismatch():
    # NET-10: only 遗失 and 延误
    for t in ("破损", "内件不符"):
        with pytest.raises(RuleError, match="CMP") as info:
            udfs.network_compensation(t, 100)
        assert info.value.rule == "NET-10"


# ----------------------------------------------------------------- CPL-4 levels, 「公司补充」

# CPL-4 Decision, written out by hand from RULES.md
CPL4 = {
    "服务态度": "简单", "运价": "简单", "配送司机不搬货": "简单",
    "货品滞留": "复杂", "快件延误": "复杂", "转货或转外协": "复杂", "当晚未配载发车": "复杂",
    "当日未配送": "复杂", "窜货": "复杂", "退货": "复杂",
    "理赔不满意": "重大", "发错货或运送质量": "重大",
}
LIMIT = {"简单": "★（1个工作日）", "复杂": "★★★（3个工作日）", "重大": "★★★★★（5个工作日）"}


def test_rules_data_agrees_with_the_cpl4_table():
    r = udfs.rules_for(d(2026, 3, 1))
    assert {name: r.complaints[name]["level"] for name in r.complaints.names} == CPL4
    for name, level in CPL4.items():
        assert udfs.complaint_level(name) == level + LIMIT[level]
    # damage, shortage or loss not caused by the customer → 重大 (5)
    for alias in ("损毁", "短少", "遗失"):
        assert udfs.complaint_level(alias) == "重大★★★★★（5个工作日）"


def test_company_supplement_is_marked_in_the_data_and_never_printed():
    r = udfs.rules_for(d(2026, 3, 1))
    marked = [n for n in r.complaints.names if r.complaints[n].get("company_supplement")]
    # source 002 is cut off after category (五): (六)–(十一) are company text
    assert marked == ["当晚未配载发车", "当日未配送", "窜货", "理赔不满意", "发错货或运送质量", "退货"]
    for name in r.complaints.names:
        for text in (udfs.complaint_script(name), udfs.complaint_level(name), udfs.complaint_event(name)):
            assert "公司补充" not in text, (name, text)
