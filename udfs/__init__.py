"""logidesk rules engine: the Python API of every Excel function (issue 2).

For every Excel function ``NAME`` there is ``udfs.name`` with the same arguments in the same
order. Python values in (Decimal, int, float, str, date, datetime, bool, None for an empty
cell); Decimal money (half-up to 0.01 yuan, MONEY-1), int days, date/datetime deadlines,
str texts out; bad input raises :class:`RuleError` with a Chinese message naming the rule.
Column forms of each function are in :mod:`udfs.columns`. No Excel import here: the
xlwings adapter is :mod:`udfs.xl`.
"""
from __future__ import annotations

from .claims import (claim_check, compensation, compensation_explain, ecom_compensation,
                     ecom_high_value, freight_waiver, network_compensation)
from .complaints import (complaint_event, complaint_level, complaint_script, rules_in_force,
                         rules_version)
from .deadlines import deadline, deadline_status, is_timed, is_workday, status_text, workdays_add
from .errors import RuleError
from .fees import (cod_fee, insurance_check, insurance_premium, insurance_remark, label_penalty,
                   network_fee, storage_days, storage_fee, storage_rate)
from .rulebook import rules_for, today

__all__ = [
    "RuleError", "rules_for", "today", "rules_in_force", "is_timed", "complaint_event",
    "insurance_premium", "insurance_check", "insurance_remark", "cod_fee", "storage_days",
    "storage_rate", "storage_fee", "compensation", "compensation_explain", "freight_waiver",
    "claim_check", "ecom_compensation", "ecom_high_value", "network_compensation", "network_fee",
    "deadline", "deadline_status", "workdays_add", "is_workday", "label_penalty",
    "complaint_level", "complaint_script", "rules_version", "status_text",
]
