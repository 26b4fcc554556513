"""logidesk rules engine: the Python API of every Excel function.

For every Excel function ``NAME`` there is ``udfs.name`` with the same arguments in the same
order. Python values in (Decimal, int, float, str, date, datetime, bool, None for an empty
cell); Decimal money (half-up to 0.01 yuan, MONEY-1), int days, date/datetime deadlines,
str texts out; bad input raises :class:`RuleError` with a Chinese message naming the rule.
Column forms of each function are in :mod:`udfs.columns`. No Excel import here: the
xlwings adapter is :mod:`udfs.xl`, generated from :mod:`udfs.registry`.

The exports are listed below, each with the module that defines it: the declared functions in a
block generated from :mod:`udfs.registry` (``python -m udfs.gen_xl``; tests/test_udf_registry.py
fails when it is stale), the helpers by hand. A
function is imported from its module the first time it is asked for, so that importing
``udfs`` or one of its light modules (``udfs.quote`` for the counter quote) does not load
pandas and numpy: the claim and deadline rules need them, 0.25 s of start-up measured with
``python -X importtime -c "import udfs.claims"`` (0.28 s) against ``import udfs`` (0.03 s).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import RuleError
from .rulebook import rules_for, today

# exports:begin (generated from udfs/registry.py by `python -m udfs.gen_xl`; do not edit)
if TYPE_CHECKING:
    from .claims import (
        claim_check as claim_check,
        compensation as compensation,
        compensation_explain as compensation_explain,
        ecom_compensation as ecom_compensation,
        ecom_high_value as ecom_high_value,
        freight_waiver as freight_waiver,
        network_compensation as network_compensation,
    )
    from .complaints import (
        complaint_event as complaint_event,
        complaint_level as complaint_level,
        complaint_script as complaint_script,
        rules_version as rules_version,
    )
    from .deadlines import (
        deadline as deadline,
        deadline_status as deadline_status,
        is_workday as is_workday,
        workdays_add as workdays_add,
    )
    from .fees import (
        cod_fee as cod_fee,
        insurance_check as insurance_check,
        insurance_premium as insurance_premium,
        insurance_remark as insurance_remark,
        label_penalty as label_penalty,
        network_fee as network_fee,
        storage_days as storage_days,
        storage_fee as storage_fee,
        storage_rate as storage_rate,
    )
    from .tariff import (
        freight as freight,
        freight_explain as freight_explain,
    )
FUNCTION_HOMES = {
    'claim_check': 'claims',
    'compensation': 'claims',
    'compensation_explain': 'claims',
    'ecom_compensation': 'claims',
    'ecom_high_value': 'claims',
    'freight_waiver': 'claims',
    'network_compensation': 'claims',
    'complaint_event': 'complaints',
    'complaint_level': 'complaints',
    'complaint_script': 'complaints',
    'rules_version': 'complaints',
    'deadline': 'deadlines',
    'deadline_status': 'deadlines',
    'is_workday': 'deadlines',
    'workdays_add': 'deadlines',
    'cod_fee': 'fees',
    'insurance_check': 'fees',
    'insurance_premium': 'fees',
    'insurance_remark': 'fees',
    'label_penalty': 'fees',
    'network_fee': 'fees',
    'storage_days': 'fees',
    'storage_fee': 'fees',
    'storage_rate': 'fees',
    'freight': 'tariff',
    'freight_explain': 'tariff',
}
# exports:end

if TYPE_CHECKING:      # the helpers, written here by hand
    from .complaints import rules_in_force as rules_in_force
    from .deadlines import is_timed as is_timed, status_text as status_text

# exported name → the module of udfs that defines it: the declared functions, then the helpers
_HOMES = {**FUNCTION_HOMES, "rules_in_force": "complaints", "is_timed": "deadlines", "status_text": "deadlines"}

__all__ = ["RuleError", "rules_for", "today", *_HOMES]


if not TYPE_CHECKING:   # type checkers see the imports above; at run time a name comes on first use
    def __getattr__(name: str) -> Any:
        """An exported function, imported from its module when first asked for."""
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{home}", __name__), name)
        globals()[name] = value
        return value
