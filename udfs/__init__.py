"""logidesk rules engine: the Python API of every Excel function.

For every Excel function ``NAME`` there is ``udfs.name`` with the same arguments in the same
order. Python values in (Decimal, int, float, str, date, datetime, bool, None for an empty
cell); Decimal money (half-up to 0.01 yuan, MONEY-1), int days, date/datetime deadlines,
str texts out; bad input raises :class:`RuleError` with a Chinese message naming the rule.
Column forms of each function are in :mod:`udfs.columns`. No Excel import here: the
xlwings adapter is :mod:`udfs.xl`, generated from :mod:`udfs.registry`.

The exports are listed below, each with the module that defines it (the declarations of
:mod:`udfs.registry` say the same; tests/test_udf_registry.py checks that they agree). A
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

if TYPE_CHECKING:      # the names of _HOMES, re-exported for type checkers
    from .claims import (claim_check as claim_check, compensation as compensation,
                         compensation_explain as compensation_explain, ecom_compensation as ecom_compensation,
                         ecom_high_value as ecom_high_value, freight_waiver as freight_waiver,
                         network_compensation as network_compensation)
    from .complaints import (complaint_event as complaint_event, complaint_level as complaint_level,
                             complaint_script as complaint_script, rules_in_force as rules_in_force,
                             rules_version as rules_version)
    from .deadlines import (deadline as deadline, deadline_status as deadline_status, is_timed as is_timed,
                            is_workday as is_workday, status_text as status_text, workdays_add as workdays_add)
    from .fees import (cod_fee as cod_fee, insurance_check as insurance_check,
                       insurance_premium as insurance_premium, insurance_remark as insurance_remark,
                       label_penalty as label_penalty, network_fee as network_fee,
                       storage_days as storage_days, storage_fee as storage_fee, storage_rate as storage_rate)
    from .tariff import (freight as freight, freight_explain as freight_explain)

# exported name → the module of udfs that defines it
_HOMES = {
    **dict.fromkeys(["insurance_premium", "insurance_check", "insurance_remark", "cod_fee", "storage_days",
                     "storage_rate", "storage_fee", "network_fee", "label_penalty"], "fees"),
    **dict.fromkeys(["freight", "freight_explain"], "tariff"),
    **dict.fromkeys(["compensation", "compensation_explain", "freight_waiver", "claim_check", "ecom_compensation",
                     "ecom_high_value", "network_compensation"], "claims"),
    **dict.fromkeys(["deadline", "deadline_status", "workdays_add", "is_workday", "is_timed", "status_text"],
                    "deadlines"),
    **dict.fromkeys(["complaint_level", "complaint_script", "complaint_event", "rules_version", "rules_in_force"],
                    "complaints"),
}

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
