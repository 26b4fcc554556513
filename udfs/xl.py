"""Excel functions (xlwings UDFs): a thin adapter over the rules engine (issue 2, item 4).

Type conversion happens here and nowhere else: Excel gives floats, strings, booleans, None,
datetimes (and lists for ranges); we hand back floats (money already exact to the fen —
never Decimal, which COM would turn into Currency), datetimes, booleans and texts.

- All single cells → one value. Any argument a range → a column (one row per cell; single
  cells broadcast), computed by the column form, so one call fills 100k rows.
- Bad input → the text ``错误：<Chinese message>（rule）`` in that cell, never a traceback
  (classic xlwings UDFs cannot return a real error cell, and the VBA wrapper would show
  Err.Description). SUM ignores text, so use SAFE_SUM for totals of our results: it refuses
  to total a range that holds an error.

The functions carry no type annotations on purpose: xlwings reads annotations as converters.
"""
import datetime as dt
import logging
import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import xlwings as xw

import udfs
from udfs import columns
from udfs.errors import RuleError

log = logging.getLogger(__name__)

ERROR_PREFIX = "错误："
CATEGORY = "物流客服"


def _is_range(x):
    return isinstance(x, (list, tuple))


def _flatten(x):
    out = []
    for item in x:
        if isinstance(item, (list, tuple)):
            out.extend(item)
        else:
            out.append(item)
    return out


def _column(values):
    """A range's values as a Series: float64 when all are numbers/blank (fast path)."""
    if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values):
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype=float)
    return pd.Series(values, dtype=object)


def to_excel(value):
    """One Python result → what Excel should receive."""
    if isinstance(value, Decimal):
        return float(value)  # already quantized to 0.01 (MONEY-1)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value


def error_text(message):
    return f"{ERROR_PREFIX}{message}"


def _inner_error(args):
    """The first argument that is already one of our error texts (a nested call such as
    DEADLINE(COMPLAINT_EVENT(E2), A2)): shown unchanged rather than re-reported."""
    for a in args:
        if isinstance(a, str) and a.startswith(ERROR_PREFIX):
            return a
    return None


def call(name, *args):
    """Run engine function ``name`` on Excel arguments: one cell or whole columns."""
    try:
        if not any(_is_range(a) for a in args):
            inner = _inner_error(args)
            if inner is not None:
                return inner
            return to_excel(getattr(udfs, name)(*args))
        cols = [_flatten(a) if _is_range(a) else a for a in args]
        lengths = {len(c) for c in cols if isinstance(c, list)}
        if len(lengths) > 1:
            return error_text(f"各区域的行数不一致：{sorted(lengths)}")
        result = getattr(columns, name)(*[_column(c) if isinstance(c, list) else c for c in cols])
        inner = [_inner_error([c[i] if isinstance(c, list) else c for c in cols])
                 for i in range(lengths.pop() if lengths else 1)]
        out = []
        for value, error, nested in zip(result["value"].tolist(), result["error"].tolist(), inner):
            if nested is not None:
                out.append([nested])      # an argument is itself one of our errors: show it
            elif error is not None:
                out.append([error_text(error)])
            elif isinstance(value, pd.Timestamp):
                out.append([value.to_pydatetime()])
            elif value is pd.NA or (isinstance(value, float) and np.isnan(value)):
                out.append([""])
            else:
                out.append([to_excel(value.item() if hasattr(value, "item") else value)])
        return out
    except RuleError as e:
        return error_text(str(e))
    except Exception:  # noqa: BLE001 - never a traceback in a cell
        log.exception("UDF %s failed", name)
        return error_text("内部错误，请联系管理员（详情见日志）")


@xw.func(category=CATEGORY)
@xw.arg("declared_value", doc="声明价值（元）；空或 0 表示不保价")
@xw.arg("rate", doc="保价费率，默认 0.5%（INS-1）")
@xw.arg("minimum", doc="每票最低保价费，默认 5 元（INS-1）")
@xw.arg("category", doc="货物类别；不予保价货物（INS-4）保价费为 0（INS-7）")
def INSURANCE_PREMIUM(declared_value, rate=None, minimum=None, category=None):
    """保价费（INS-1）：声明价值 × 0.5%，每票最低 5 元；未保价为 0。"""
    return call("insurance_premium", declared_value, rate, minimum, category)


@xw.func(category=CATEGORY)
@xw.arg("category", doc="货物类别，如 普通货物、易碎品、珠宝")
@xw.arg("value_per_item", doc="单件保价金额（元）")
def INSURANCE_CHECK(category, value_per_item):
    """保价判定（INS-2..5）：可保价 / 只保灭失险 / 不予保价，及超 10 万、20 万元的审批要求。"""
    return call("insurance_check", category, value_per_item)


@xw.func(category=CATEGORY)
@xw.arg("category", doc="货物类别")
def INSURANCE_REMARK(category):
    """运单备注（INS-5）：只保灭失险货物必须注明的文字；其他货物为空。"""
    return call("insurance_remark", category)


@xw.func(category=CATEGORY)
@xw.arg("amount", doc="代收金额（元）")
def COD_FEE(amount):
    """代收货款手续费（COD-1）：≤2000 元 5 元；≤10000 元 3‰；以上 30 元封顶。"""
    return call("cod_fee", amount)


@xw.func(category=CATEGORY)
@xw.arg("notice_date", doc="到货通知日期")
@xw.arg("pickup_date", doc="提货日期")
def STORAGE_DAYS(notice_date, pickup_date):
    """仓储计费天数（STO-2）：提货日 − 通知日 − 3 天免费期，最少 0。"""
    return call("storage_days", notice_date, pickup_date)


@xw.func(category=CATEGORY)
@xw.arg("origin", doc="始发地（城市或省）")
@xw.arg("destination", doc="目的地（城市或省）")
def STORAGE_RATE(origin, destination):
    """仓储保管费日费率（STO-1、STO-3）：0.10 / 0.05 / 0.03，取两端较低者。"""
    return call("storage_rate", origin, destination)


@xw.func(category=CATEGORY)
@xw.arg("freight", doc="运费（元）")
@xw.arg("notice_date", doc="到货通知日期")
@xw.arg("pickup_date", doc="提货日期")
@xw.arg("rate_or_origin", doc="日费率（数字），或始发地（文字，此时须填目的地）")
@xw.arg("destination", doc="目的地（第 4 个参数为始发地时必填）")
def STORAGE_FEE(freight, notice_date, pickup_date, rate_or_origin, destination=None):
    """仓储保管费（STO-1..3）：运费 × 日费率 × 计费天数。"""
    return call("storage_fee", freight, notice_date, pickup_date, rate_or_origin, destination)


@xw.func(category=CATEGORY)
@xw.arg("claim_type", doc="索赔类型：遗失、破损、内件不符、延误")
@xw.arg("value", doc="物品价值（元）：遗失为丢失的价值，破损/内件不符为全部内件价值，延误为物品价值（CMP-3）")
@xw.arg("freight", doc="运费（元）")
@xw.arg("insured_value", doc="保价金额（元），未保价留空")
@xw.arg("lost_share", doc="损失比例 0–1：破损、内件不符必填（CMP-8）；遗失为 1；延误为延误毁损的比例，默认 0（CMP-3）")
@xw.arg("category", doc="货物类别，默认 普通货物")
def COMPENSATION(claim_type, value, freight, insured_value=None, lost_share=None, category=None):
    """赔偿金额（CMP-1..7、INS-4/5）：保价按保价金额与损失孰低，未保价按 3 倍运费封顶。"""
    return call("compensation", claim_type, value, freight, insured_value, lost_share, category)


@xw.func(category=CATEGORY)
@xw.arg("claim_type", doc="索赔类型")
@xw.arg("value", doc="物品价值（元）")
@xw.arg("freight", doc="运费（元）")
@xw.arg("insured_value", doc="保价金额（元）")
@xw.arg("lost_share", doc="损失比例 0–1")
@xw.arg("category", doc="货物类别")
def COMPENSATION_EXPLAIN(claim_type, value, freight, insured_value=None, lost_share=None, category=None):
    """赔偿说明：适用的规则编号、基数、封顶、结果与免收运费。"""
    return call("compensation_explain", claim_type, value, freight, insured_value, lost_share, category)


@xw.func(category=CATEGORY)
@xw.arg("claim_type", doc="索赔类型")
@xw.arg("freight", doc="运费（元）")
@xw.arg("lost_share", doc="损失比例 0–1：破损、内件不符必填（CMP-8）")
def FREIGHT_WAIVER(claim_type, freight, lost_share=None):
    """免收运费（CMP-4）：遗失、延误、完全破损免收；部分破损、内件不符不免。"""
    return call("freight_waiver", claim_type, freight, lost_share)


@xw.func(category=CATEGORY)
@xw.arg("ship_date", doc="寄件日期")
@xw.arg("claim_date", doc="索赔日期")
@xw.arg("cause", doc="原因：客户原因、货物性质、不可抗力、客户自行包装、签收后索赔，可空")
@xw.arg("insured", doc="是否保价（是/否）")
def CLAIM_CHECK(ship_date, claim_date, cause=None, insured=None):
    """受理判定（CLM-5..7）：受理，或 不予受理：原因（规则编号）。"""
    return call("claim_check", ship_date, claim_date, cause, insured)


@xw.func(category=CATEGORY)
@xw.arg("claim_type", doc="索赔类型")
@xw.arg("value", doc="物品价值（元）")
@xw.arg("lost_share", doc="损失比例 0–1，默认 1")
@xw.arg("has_invoice", doc="有正规发票（是/否），默认 是")
@xw.arg("practical", doc="实用性物品（是/否），默认 是")
def ECOM_COMPENSATION(claim_type, value, lost_share=None, has_invoice=None, practical=None):
    """电商件赔偿（ECM-1..5）：部分破损 ≤500 元，其他 ≤2000 元，无发票 ≤1000/700 元。"""
    return call("ecom_compensation", claim_type, value, lost_share, has_invoice, practical)


@xw.func(category=CATEGORY)
@xw.arg("claim_type", doc="索赔类型：遗失或延误")
@xw.arg("actual_value", doc="物品实际价值（元），低于标准时按实际价值")
@xw.arg("days_late", doc="延误天数")
@xw.arg("weight_kg", doc="重量（kg），1 kg 以内（含）封顶 250 元")
@xw.arg("network", doc="网点类型：直营、代理期、第三方")
@xw.arg("batch", doc="批货/整包件的运单票数；空、0、1 或 否 为单票（NET-9）")
def NETWORK_COMPENSATION(claim_type, actual_value, days_late=None, weight_kg=None, network=None, batch=None):
    """网点间赔付（NET-1..3、5..8）。"""
    return call("network_compensation", claim_type, actual_value, days_late, weight_kg, network, batch)


@xw.func(category=CATEGORY)
@xw.arg("amount", doc="结案金额（元）")
@xw.arg("side", doc="罚款方（6%）或 获赔方（4%）")
def NETWORK_FEE(amount, side):
    """结案手续费（NET-4）：罚款方 6%，获赔方 4%。"""
    return call("network_fee", amount, side)


@xw.func(category=CATEGORY)
@xw.arg("event_name", doc="时限事件，如 索赔处理、破损公告、投诉延误、开票")
@xw.arg("start", doc="起算日期（小时时限可含时间）")
@xw.arg("scope", doc="范围：索赔处理 国内/港澳台/国际；内部理赔 未保价/保价")
def DEADLINE(event_name, start, scope=None):
    """期限（DL-*、CPL-1、INV-1、COD-2、RPR-1、LAW-3/4）：日期，小时时限为日期时间。"""
    return call("deadline", event_name, start, scope)


@xw.func(category=CATEGORY)
@xw.arg("event_name", doc="时限事件")
@xw.arg("start", doc="起算日期")
@xw.arg("done", doc="完成日期，未完成留空")
@xw.arg("today", doc="今天，默认系统日期")
@xw.arg("scope", doc="范围")
def DEADLINE_STATUS(event_name, start, done=None, today=None, scope=None):
    """时限状态：剩余N天 / 今日到期 / 已逾期N天 / 按时完成 / 逾期N天完成。"""
    return call("deadline_status", event_name, start, done, today, scope)


@xw.func(category=CATEGORY)
@xw.arg("start", doc="起始日期")
@xw.arg("n", doc="工作日数（负数向前）")
def WORKDAYS_ADD(start, n):
    """第 n 个工作日（DATE-2），按国务院放假安排含调休。"""
    return call("workdays_add", start, n)


@xw.func(category=CATEGORY)
@xw.arg("day", doc="日期")
def IS_WORKDAY(day):
    """是否工作日（DATE-2），含调休上班的周末。"""
    return call("is_workday", day)


@xw.func(category=CATEGORY)
@xw.arg("pieces", doc="单票件数")
@xw.arg("violation", doc="违规类型：未贴、贴不全、旧标签未清除")
def LABEL_PENALTY(pieces, violation):
    """标签违规罚款（LBL-1），每票。"""
    return call("label_penalty", pieces, violation)


@xw.func(category=CATEGORY)
@xw.arg("category", doc="投诉类别，如 服务态度、货品滞留、快件延误")
def COMPLAINT_LEVEL(category):
    """投诉级别与处理时限（CPL-1）。"""
    return call("complaint_level", category)


@xw.func(category=CATEGORY)
@xw.arg("category", doc="投诉类别")
def COMPLAINT_SCRIPT(category):
    """投诉回答要点与处理方式（CPL-3）。"""
    return call("complaint_script", category)


@xw.func(category=CATEGORY)
@xw.arg("category", doc="投诉类别")
def COMPLAINT_EVENT(category):
    """投诉类别对应的时限事件（CPL-1）：投诉服务态度 / 投诉延误 / 投诉损毁，供 DEADLINE 使用。"""
    return call("complaint_event", category)


@xw.func(category=CATEGORY)
def RULES_VERSION():
    """当前施行的规则版本。"""
    return call("rules_version")


@xw.func(category=CATEGORY)
@xw.arg("values", doc="要合计的区域（本加载项函数的结果）")
def SAFE_SUM(values):
    """安全合计：区域内有「错误：」单元格时不给出合计，避免 SUM 悄悄漏掉错误行。"""
    cells = _flatten(values) if _is_range(values) else [values]
    bad = sum(1 for c in cells if isinstance(c, str) and c.startswith(ERROR_PREFIX))
    if bad:
        return error_text(f"区域内有 {bad} 个错误单元格，合计不可用，请先更正")
    total = Decimal(0)
    for c in cells:
        if isinstance(c, (int, float)) and not isinstance(c, bool):
            if not math.isfinite(c) or abs(c) >= 1e15:
                return error_text(f"区域内有超出可计算范围的数字：{c}（MONEY-1）")
            total += Decimal(repr(float(c)))
    return float(total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
