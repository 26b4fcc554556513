"""Every bad-input class for every function: a RuleError (a ValueError) with a Chinese
message and the rule ID, e.g. ``代收金额不能为负数：-1（COD-1）`` (issue 2, item 3).

Classes: negative number, text in a number cell, logical value in a number cell, unknown
category / claim type / cause / network / place / event / scope / complaint category /
violation / side, dates out of order, invalid dates, missing required input, share > 1,
non-integer counts, out-of-range amounts.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import udfs
from udfs import RuleError

d = dt.date
A, B = d(2026, 3, 1), d(2026, 3, 5)    # A before B


def P(id_, call, text, rule):
    return pytest.param(call, text, rule, id=id_)


CASES = [
    # ---------------------------------------------------------- INSURANCE_PREMIUM (INS-1)
    P("ins-neg", lambda: udfs.insurance_premium(-1), "声明价值不能为负数：-1", "INS-1"),
    P("ins-neg-float", lambda: udfs.insurance_premium(-0.01), "声明价值不能为负数：-0.01", "INS-1"),
    P("ins-text", lambda: udfs.insurance_premium("一千"), "声明价值应为数字，收到文字「一千」", "INS-1"),
    P("ins-bool", lambda: udfs.insurance_premium(True), "声明价值应为数字，收到逻辑值「True」", "INS-1"),
    P("ins-date", lambda: udfs.insurance_premium(A), "声明价值应为数字，收到「2026-03-01」", "INS-1"),
    P("ins-inf", lambda: udfs.insurance_premium(float("inf")), "金额超出范围：声明价值 inf", "INS-1"),
    P("ins-inf-decimal", lambda: udfs.insurance_premium(Decimal("Infinity")), "金额超出范围：声明价值 Infinity", "INS-1"),
    P("cod-1e30-text", lambda: udfs.cod_fee("1e30"), "金额超出范围：代收金额 1e30（最高 1,000,000,000 元）", "COD-1"),
    P("cod-1e30", lambda: udfs.cod_fee(1e30), "金额超出范围：代收金额 1e+30", "COD-1"),
    P("cod-ambiguous", lambda: udfs.cod_fee("1.000,50"), "代收金额「1.000,50」的写法有歧义", "COD-1"),
    P("cod-ambiguous-comma", lambda: udfs.cod_fee("1,5"), "代收金额「1,5」的写法有歧义", "COD-1"),
    P("cod-ambiguous-fullwidth", lambda: udfs.cod_fee("12，50"), "写法有歧义", "COD-1"),
    P("date-yymmdd-serial", lambda: udfs.storage_days(260902, A), "到货通知日期不是有效日期：260902", "STO-2"),
    P("date-typo-year", lambda: udfs.deadline("破损公告", d(2926, 3, 1)), "起算日期不是有效日期：2926-03-01（年份应在 1900–2199 之间）", "DL-1"),
    P("date-typo-year-text", lambda: udfs.deadline("破损公告", "2926-03-01"), "年份应在 1900–2199 之间", "DL-1"),
    P("date-serial-before-1900-03", lambda: udfs.storage_days(60, A), "到货通知日期不是有效日期：60", "STO-2"),
    P("days-huge", lambda: udfs.workdays_add(A, Decimal("1e30")), "工作日数超出范围", "DATE-2"),
    P("ins-huge", lambda: udfs.insurance_premium(1e10), "金额超出范围：声明价值 10000000000（最高 1,000,000,000 元）", "INS-1"),
    P("ins-rate>1", lambda: udfs.insurance_premium(100, 1.5), "保价费率应在 0 到 1 之间：1.5", "INS-1"),
    P("ins-rate-neg", lambda: udfs.insurance_premium(100, -0.1), "保价费率应在 0 到 1 之间：-0.1", "INS-1"),
    P("ins-rate-text", lambda: udfs.insurance_premium(100, "高"), "保价费率应为数字，收到文字「高」", "INS-1"),
    P("ins-min-neg", lambda: udfs.insurance_premium(100, None, -5), "最低保价费不能为负数：-5", "INS-1"),
    P("ins-min-bool", lambda: udfs.insurance_premium(100, None, False), "最低保价费应为数字，收到逻辑值「False」", "INS-1"),
    # ---------------------------------------------------------- INSURANCE_CHECK / REMARK (INS-2..5)
    P("chk-cat", lambda: udfs.insurance_check("火箭", 100), "未知的货物类别「火箭」，可选：普通货物", "INS-4"),
    P("chk-neg", lambda: udfs.insurance_check("普通货物", -1), "单件价值不能为负数：-1", "INS-2"),
    P("chk-text", lambda: udfs.insurance_check("普通货物", "abc"), "单件价值应为数字，收到文字「abc」", "INS-2"),
    P("chk-bool", lambda: udfs.insurance_check("普通货物", True), "单件价值应为数字，收到逻辑值「True」", "INS-2"),
    P("remark-cat", lambda: udfs.insurance_remark("火箭"), "未知的货物类别「火箭」", "INS-4"),
    # ---------------------------------------------------------- COD_FEE (COD-1)
    P("cod-neg", lambda: udfs.cod_fee(-1), "代收金额不能为负数：-1", "COD-1"),
    P("cod-neg-dec", lambda: udfs.cod_fee(Decimal("-2000.01")), "代收金额不能为负数：-2000.01", "COD-1"),
    P("cod-text", lambda: udfs.cod_fee("abc"), "代收金额应为数字，收到文字「abc」", "COD-1"),
    P("cod-text-nan", lambda: udfs.cod_fee("NaN"), "代收金额应为数字，收到文字「NaN」", "COD-1"),
    P("cod-bool", lambda: udfs.cod_fee(True), "代收金额应为数字，收到逻辑值「True」", "COD-1"),
    P("cod-bool-false", lambda: udfs.cod_fee(False), "代收金额应为数字，收到逻辑值「False」", "COD-1"),
    P("cod-huge", lambda: udfs.cod_fee(1e10), "金额超出范围：代收金额", "COD-1"),
    # ---------------------------------------------------------- STORAGE_DAYS (STO-2)
    P("days-order", lambda: udfs.storage_days(B, A), "提货日期 2026-03-01 早于到货通知日期 2026-03-05", "STO-2"),
    P("days-missing-notice", lambda: udfs.storage_days(None, B), "缺少到货通知日期", "STO-2"),
    P("days-missing-pickup", lambda: udfs.storage_days(A, ""), "缺少提货日期", "STO-2"),
    P("days-text", lambda: udfs.storage_days("昨天", B), "到货通知日期不是日期：「昨天」", "STO-2"),
    P("days-invalid", lambda: udfs.storage_days("2026-02-30", B), "到货通知日期不是有效日期：2026-02-30", "STO-2"),
    P("days-bool", lambda: udfs.storage_days(A, True), "提货日期不是日期：「True」", "STO-2"),
    P("days-serial", lambda: udfs.storage_days(-5, B), "到货通知日期不是有效日期：-5", "STO-2"),
    # ---------------------------------------------------------- STORAGE_RATE (STO-3)
    P("rate-place", lambda: udfs.storage_rate("拉萨", "福州"), "线路未定义：「拉萨」", "STO-3"),
    P("rate-place-dest", lambda: udfs.storage_rate("福州", "乌鲁木齐市"), "线路未定义：「乌鲁木齐市」", "STO-3"),
    P("rate-province", lambda: udfs.storage_rate("广东", "福州"), "线路未定义：「广东」", "STO-3"),
    P("rate-missing-origin", lambda: udfs.storage_rate(None, "福州"), "缺少始发地", "STO-3"),
    P("rate-missing-dest", lambda: udfs.storage_rate("福州", ""), "缺少目的地", "STO-3"),
    # ---------------------------------------------------------- STORAGE_FEE (STO-1..3)
    P("fee-neg", lambda: udfs.storage_fee(-100, A, B, 0.1), "运费不能为负数：-100", "STO-1"),
    P("fee-text", lambda: udfs.storage_fee("百元", A, B, 0.1), "运费应为数字，收到文字「百元」", "STO-1"),
    P("fee-bool", lambda: udfs.storage_fee(True, A, B, 0.1), "运费应为数字，收到逻辑值「True」", "STO-1"),
    P("fee-missing", lambda: udfs.storage_fee(None, A, B, 0.1), "缺少运费", "STO-1"),
    P("fee-order", lambda: udfs.storage_fee(100, B, A, 0.1), "提货日期 2026-03-01 早于到货通知日期 2026-03-05", "STO-2"),
    P("fee-rate>1", lambda: udfs.storage_fee(100, A, B, 1.5), "日费率应在 0 到 1 之间：1.5", "STO-1"),
    P("fee-rate-neg", lambda: udfs.storage_fee(100, A, B, -0.05), "日费率应在 0 到 1 之间：-0.05", "STO-1"),
    P("fee-rate-bool", lambda: udfs.storage_fee(100, A, B, True), "日费率应为数字，收到逻辑值「True」", "STO-1"),
    P("fee-rate-missing", lambda: udfs.storage_fee(100, A, B, None), "缺少日费率或始发地", "STO-1"),
    P("fee-place", lambda: udfs.storage_fee(100, A, B, "拉萨", "福州"), "线路未定义：「拉萨」", "STO-3"),
    P("fee-no-dest", lambda: udfs.storage_fee(100, A, B, "福州"), "缺少目的地", "STO-3"),
    # ---------------------------------------------------------- COMPENSATION (CMP-1..7)
    P("cmp-type", lambda: udfs.compensation("被偷", 100, 10), "未知的索赔类型「被偷」，可选：遗失、破损、内件不符、延误", "CLM-1"),
    P("cmp-type-missing", lambda: udfs.compensation(None, 100, 10), "缺少索赔类型", "CLM-1"),
    P("cmp-value-neg", lambda: udfs.compensation("遗失", -100, 10), "物品价值不能为负数：-100", "CMP-1"),
    P("cmp-value-text", lambda: udfs.compensation("遗失", "很贵", 10), "物品价值应为数字，收到文字「很贵」", "CMP-1"),
    P("cmp-value-bool", lambda: udfs.compensation("遗失", True, 10), "物品价值应为数字，收到逻辑值「True」", "CMP-1"),
    P("cmp-value-missing", lambda: udfs.compensation("遗失", None, 10), "缺少物品价值", "CMP-1"),
    P("cmp-freight-neg", lambda: udfs.compensation("遗失", 100, -10), "运费不能为负数：-10", "CMP-1"),
    P("cmp-freight-missing", lambda: udfs.compensation("遗失", 100, ""), "缺少运费", "CMP-1"),
    P("cmp-freight-bool", lambda: udfs.compensation("遗失", 100, False), "运费应为数字，收到逻辑值「False」", "CMP-1"),
    P("cmp-insured-neg", lambda: udfs.compensation("遗失", 100, 10, -1), "保价金额不能为负数：-1", "CMP-1"),
    P("cmp-insured-text", lambda: udfs.compensation("遗失", 100, 10, "是"), "保价金额应为数字，收到文字「是」", "CMP-1"),
    P("cmp-share>1", lambda: udfs.compensation("破损", 100, 10, None, 1.5), "损失比例应在 0 到 1 之间：1.5", "CMP-2"),
    P("cmp-share-pct>100", lambda: udfs.compensation("破损", 100, 10, None, "150%"), "损失比例应在 0 到 1 之间：150%", "CMP-2"),
    P("cmp-share-neg", lambda: udfs.compensation("破损", 100, 10, None, -0.5), "损失比例应在 0 到 1 之间：-0.5", "CMP-2"),
    P("cmp-share-text", lambda: udfs.compensation("破损", 100, 10, None, "一半"), "损失比例应为数字，收到文字「一半」", "CMP-2"),
    P("cmp-share-bool", lambda: udfs.compensation("破损", 100, 10, None, True), "损失比例应为数字，收到逻辑值「True」", "CMP-2"),
    P("cmp-cat", lambda: udfs.compensation("遗失", 100, 10, None, None, "火箭"), "未知的货物类别「火箭」", "INS-4"),
    # ---------------------------------------------------------- COMPENSATION_EXPLAIN
    P("exp-type", lambda: udfs.compensation_explain("被偷", 100, 10), "未知的索赔类型「被偷」", "CLM-1"),
    P("exp-share", lambda: udfs.compensation_explain("破损", 100, 10, None, 2), "损失比例应在 0 到 1 之间：2", "CMP-2"),
    P("exp-neg", lambda: udfs.compensation_explain("遗失", -1, 10), "物品价值不能为负数：-1", "CMP-1"),
    P("exp-cat", lambda: udfs.compensation_explain("遗失", 1, 10, None, None, "火箭"), "未知的货物类别「火箭」", "INS-4"),
    # ---------------------------------------------------------- FREIGHT_WAIVER (CMP-4)
    P("fw-type", lambda: udfs.freight_waiver("被偷", 10), "未知的索赔类型「被偷」", "CLM-1"),
    P("fw-neg", lambda: udfs.freight_waiver("遗失", -10), "运费不能为负数：-10", "CMP-4"),
    P("fw-text", lambda: udfs.freight_waiver("遗失", "十元"), "运费应为数字，收到文字「十元」", "CMP-4"),
    P("fw-bool", lambda: udfs.freight_waiver("遗失", True), "运费应为数字，收到逻辑值「True」", "CMP-4"),
    P("fw-missing", lambda: udfs.freight_waiver("遗失", None), "缺少运费", "CMP-4"),
    P("fw-share", lambda: udfs.freight_waiver("破损", 10, 1.01), "损失比例应在 0 到 1 之间：1.01", "CMP-2"),
    # ---------------------------------------------------------- CLAIM_CHECK (CLM-5..7)
    P("clm-order", lambda: udfs.claim_check(B, A), "索赔日期 2026-03-01 早于寄件日期 2026-03-05", "CLM-7"),
    P("clm-missing-ship", lambda: udfs.claim_check(None, A), "缺少寄件日期", "CLM-7"),
    P("clm-missing-claim", lambda: udfs.claim_check(A, None), "缺少索赔日期", "CLM-7"),
    P("clm-text", lambda: udfs.claim_check("上周", A), "寄件日期不是日期：「上周」", "CLM-7"),
    P("clm-cause", lambda: udfs.claim_check(A, B, "外星人"), "未知的索赔原因「外星人」", "CLM-5"),
    P("clm-insured", lambda: udfs.claim_check(A, B, "不可抗力", "也许"), "是否保价应填「是」或「否」，收到「也许」", "CLM-5"),
    # ---------------------------------------------------------- ECOM_COMPENSATION (ECM-1..5)
    P("ecm-type", lambda: udfs.ecom_compensation("被偷", 100), "未知的索赔类型「被偷」", "CLM-1"),
    P("ecm-neg", lambda: udfs.ecom_compensation("遗失", -1), "物品价值不能为负数：-1", "ECM-2"),
    P("ecm-text", lambda: udfs.ecom_compensation("遗失", "abc"), "物品价值应为数字，收到文字「abc」", "ECM-2"),
    P("ecm-bool", lambda: udfs.ecom_compensation("遗失", True), "物品价值应为数字，收到逻辑值「True」", "ECM-2"),
    P("ecm-missing", lambda: udfs.ecom_compensation("遗失", None), "缺少物品价值", "ECM-2"),
    P("ecm-share", lambda: udfs.ecom_compensation("破损", 100, 1.2), "损失比例应在 0 到 1 之间：1.2", "ECM-5"),
    P("ecm-invoice", lambda: udfs.ecom_compensation("遗失", 100, None, "可能"), "有正规发票应填「是」或「否」，收到「可能」", "ECM-3"),
    P("ecm-practical", lambda: udfs.ecom_compensation("遗失", 100, None, "否", 2), "实用性物品应填「是」或「否」，收到「2」", "ECM-3"),
    P("ecm-high-neg", lambda: udfs.ecom_high_value(-5), "物品价值不能为负数：-5", "ECM-4"),
    # ---------------------------------------------------------- NETWORK_COMPENSATION (NET-1..8)
    P("net-type", lambda: udfs.network_compensation("被偷", 100), "未知的索赔类型「被偷」", "CLM-1"),
    P("net-damage", lambda: udfs.network_compensation("破损", 100), "网点间赔付标准只规定遗失和延误", "NET-10"),
    P("net-mismatch", lambda: udfs.network_compensation("内件不符", 100), "网点间赔付标准只规定遗失和延误", "NET-10"),
    P("net-network", lambda: udfs.network_compensation("遗失", 100, None, None, "加盟"), "未知的网点类型「加盟」", "NET-1"),
    P("net-value-neg", lambda: udfs.network_compensation("遗失", -100), "实际价值不能为负数：-100", "NET-8"),
    P("net-value-text", lambda: udfs.network_compensation("遗失", "abc"), "实际价值应为数字，收到文字「abc」", "NET-8"),
    P("net-value-bool", lambda: udfs.network_compensation("遗失", True), "实际价值应为数字，收到逻辑值「True」", "NET-8"),
    P("net-batch-no-count", lambda: udfs.network_compensation("遗失", None, None, None, None, "是"), "批货须填写运单票数", "NET-9"),
    P("net-third-loss", lambda: udfs.network_compensation("遗失", 100, None, None, "第三方"), "第三方网点未规定遗失赔付标准", "NET-1"),
    P("net-days-missing", lambda: udfs.network_compensation("延误", None, None, 1), "缺少延误天数", "NET-5"),
    P("net-days-neg", lambda: udfs.network_compensation("延误", None, -1, 1), "延误天数不能小于 0：-1", "NET-5"),
    P("net-days-frac", lambda: udfs.network_compensation("延误", None, 1.5, 1), "延误天数应为整数：1.5", "NET-5"),
    P("net-days-text", lambda: udfs.network_compensation("延误", None, "三天", 1), "延误天数应为数字，收到文字「三天」", "NET-5"),
    P("net-days-bool", lambda: udfs.network_compensation("延误", None, True, 1), "延误天数应为数字，收到逻辑值「True」", "NET-5"),
    P("net-weight-missing", lambda: udfs.network_compensation("延误", None, 6), "缺少重量(kg)", "NET-5"),
    P("net-weight-neg", lambda: udfs.network_compensation("延误", None, 3, -1), "重量(kg)", "NET-5"),
    P("net-weight-text", lambda: udfs.network_compensation("延误", None, 3, "重"), "重量(kg)应为数字，收到文字「重」", "NET-5"),
    P("net-agency-days", lambda: udfs.network_compensation("延误", None, -2, None, "代理期"), "延误天数不能小于 0：-2", "NET-6"),
    P("net-batch-flag", lambda: udfs.network_compensation("遗失", 100, None, None, None, "大概"), "批货票数应为数字，收到文字「大概」", "NET-9"),
    # ---------------------------------------------------------- NETWORK_FEE (NET-4)
    P("nf-neg", lambda: udfs.network_fee(-1, "罚款方"), "结案金额不能为负数：-1", "NET-4"),
    P("nf-text", lambda: udfs.network_fee("abc", "罚款方"), "结案金额应为数字，收到文字「abc」", "NET-4"),
    P("nf-bool", lambda: udfs.network_fee(True, "罚款方"), "结案金额应为数字，收到逻辑值「True」", "NET-4"),
    P("nf-missing", lambda: udfs.network_fee(None, "罚款方"), "缺少结案金额", "NET-4"),
    P("nf-side", lambda: udfs.network_fee(100, "第三方"), "承担方应为「罚款方」或「获赔方」，收到「第三方」", "NET-4"),
    P("nf-side-missing", lambda: udfs.network_fee(100, ""), "缺少承担方", "NET-4"),
    # ---------------------------------------------------------- DEADLINE (DL-*)
    P("dl-event", lambda: udfs.deadline("开会", A), "未知的时限事件「开会」", "DL-1"),
    P("dl-event-missing", lambda: udfs.deadline(None, A), "缺少时限事件", "DL-1"),
    P("dl-start-missing", lambda: udfs.deadline("赔款支付", None), "缺少起算日期", "DL-1"),
    P("dl-start-text", lambda: udfs.deadline("赔款支付", "下周一"), "起算日期不是日期：「下周一」", "DL-1"),
    P("dl-start-bool", lambda: udfs.deadline("赔款支付", True), "起算日期不是日期：「True」", "DL-1"),
    P("dl-scope", lambda: udfs.deadline("索赔处理", A, "火星"), "「索赔处理」的范围应为：国内、港澳台、国际，收到「火星」", "DL-2"),
    P("dl-scope-internal", lambda: udfs.deadline("内部理赔", A, "国际"), "「内部理赔」的范围应为：未保价、保价，收到「国际」", "DL-7"),
    # ---------------------------------------------------------- DEADLINE_STATUS
    P("st-order", lambda: udfs.deadline_status("赔款支付", B, A), "完成日期 2026-03-01 早于起算日期 2026-03-05", "DL-1"),
    P("st-event", lambda: udfs.deadline_status("开会", A), "未知的时限事件「开会」", "DL-1"),
    P("st-today-text", lambda: udfs.deadline_status("赔款支付", A, None, "今天"), "今天不是日期：「今天」", "DL-1"),
    P("st-done-text", lambda: udfs.deadline_status("赔款支付", A, "做完了"), "完成日期不是日期：「做完了」", "DL-1"),
    # ---------------------------------------------------------- WORKDAYS_ADD / IS_WORKDAY (DATE-2)
    P("wd-n-text", lambda: udfs.workdays_add(A, "三"), "工作日数应为数字，收到文字「三」", "DATE-2"),
    P("wd-n-frac", lambda: udfs.workdays_add(A, 1.5), "工作日数应为整数：1.5", "DATE-2"),
    P("wd-n-bool", lambda: udfs.workdays_add(A, True), "工作日数应为数字，收到逻辑值「True」", "DATE-2"),
    P("wd-n-missing", lambda: udfs.workdays_add(A, None), "缺少工作日数", "DATE-2"),
    P("wd-start-missing", lambda: udfs.workdays_add(None, 1), "缺少起始日期", "DATE-2"),
    P("wd-start-text", lambda: udfs.workdays_add("明天", 1), "起始日期不是日期：「明天」", "DATE-2"),
    P("isw-missing", lambda: udfs.is_workday(None), "缺少日期", "DATE-2"),
    P("isw-text", lambda: udfs.is_workday("周六"), "日期不是日期：「周六」", "DATE-2"),
    P("isw-2027", lambda: udfs.is_workday(d(2027, 5, 1)), "2027年的节假日安排尚未收录", "DATE-5"),
    # ---------------------------------------------------------- LABEL_PENALTY (LBL-1)
    P("lbl-violation", lambda: udfs.label_penalty(10, "贴歪了"), "未知的违规类型「贴歪了」，可选：未贴、贴不全、旧标签未清除", "LBL-1"),
    P("lbl-violation-missing", lambda: udfs.label_penalty(10, None), "缺少违规类型", "LBL-1"),
    P("lbl-pieces-zero", lambda: udfs.label_penalty(0, "未贴"), "件数不能小于 1：0", "LBL-1"),
    P("lbl-pieces-neg", lambda: udfs.label_penalty(-3, "未贴"), "件数不能小于 1：-3", "LBL-1"),
    P("lbl-pieces-frac", lambda: udfs.label_penalty(2.5, "未贴"), "件数应为整数：2.5", "LBL-1"),
    P("lbl-pieces-text", lambda: udfs.label_penalty("很多", "未贴"), "件数应为数字，收到文字「很多」", "LBL-1"),
    P("lbl-pieces-bool", lambda: udfs.label_penalty(True, "未贴"), "件数应为数字，收到逻辑值「True」", "LBL-1"),
    P("lbl-pieces-missing", lambda: udfs.label_penalty(None, "贴不全"), "缺少件数", "LBL-1"),
    # ---------------------------------------------------------- COMPLAINTS (CPL-1, CPL-3)
    P("cpl-level", lambda: udfs.complaint_level("天气不好"), "未知的投诉类别「天气不好」", "CPL-3"),
    P("cpl-level-missing", lambda: udfs.complaint_level(None), "缺少投诉类别", "CPL-3"),
    P("cpl-script", lambda: udfs.complaint_script("天气不好"), "未知的投诉类别「天气不好」", "CPL-3"),
]


@pytest.mark.parametrize("call, text, rule", CASES)
def test_bad_input_raises_rule_error(call, text, rule):
    with pytest.raises(RuleError) as info:
        call()
    e = info.value
    assert isinstance(e, ValueError)
    assert e.rule == rule
    assert text in str(e), str(e)
    assert str(e).endswith(f"（{rule}）"), str(e)   # the rule ID is named in the message


def test_rule_error_is_a_value_error_with_chinese_message_and_rule():
    assert issubclass(RuleError, ValueError)
    e = RuleError("代收金额不能为负数：-1", "COD-1")
    assert str(e) == "代收金额不能为负数：-1（COD-1）"
    assert e.rule == "COD-1" and e.message == "代收金额不能为负数：-1"
    # a message that already names its rule is not suffixed twice
    assert str(RuleError("见 CLM-7 说明", "CLM-7")) == "见 CLM-7 说明"
    with pytest.raises(ValueError):
        udfs.cod_fee(-1)


def test_unknown_category_lists_every_choice():
    with pytest.raises(RuleError) as info:
        udfs.insurance_check("火箭", 1)
    for name in ("普通货物", "工艺品", "精密仪器", "珠宝", "古董", "玉雕", "根雕", "石雕",
                 "国外维修进口货品", "客户退货", "易碎品", "易潮湿", "易污染", "包装不合格"):
        assert name in str(info.value)


def test_negative_weight_message_reads_well():
    with pytest.raises(RuleError) as info:
        udfs.network_compensation("延误", None, 3, -1)
    assert "重量(kg)不能为负数：-1" in str(info.value) or "重量(kg)不能小于 0：-1" in str(info.value)
