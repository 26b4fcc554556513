"""Column forms of the fee rules: insurance premium (INS-1), COD fee (COD-1), storage days
and fee (STO-1..3) and network case fees (NET-4) over whole register columns.

Each function reads its columns with :mod:`udfs.colparse` and feeds them to the same kernel
the per-cell function of :mod:`udfs.fees` calls, so both forms agree to the fen. It returns
(values, ok): rows not ok take the per-cell path, which gives their message. Kept apart from
:mod:`udfs.fees` because numpy and pandas come with it: the counter quote needs only the
per-cell functions and starts without them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import colparse
from .errors import RuleError
from .fees import (
    COVER_CODE,
    COVER_NONE,
    cod_kernel,
    looks_numeric,
    network_fee_kernel,
    premium_kernel,
    route_rate_units,
    storage_days_kernel,
    storage_fee_kernel,
)
from .fixed import as_int_array
from .rulebook import Rules, rules_for

Column = tuple[np.ndarray, np.ndarray]      # (values, ok)


def insurance_premium_fast(declared_value: pd.Series, rate: pd.Series, minimum: pd.Series,
                           category: pd.Series | None = None) -> Column:
    r = rules_for(None)
    value, _, ok1 = colparse.money(declared_value, r.max_fen)
    rate_u, rate_blank, ok2 = colparse.fraction(rate, r.frac_scale)
    min_fen, min_blank, ok3 = colparse.money(minimum, r.max_fen)
    rate_u = np.where(rate_blank, r.ins_rate, rate_u)
    min_fen = np.where(min_blank, r.ins_min, min_fen)
    ok = ok1 & ok2 & ok3
    if category is not None:
        default = COVER_CODE[r.categories[r.categories.names[0]]["cover"]]
        cover, _, ok4 = colparse.vocab_codes(category, r.categories,
                                             lambda c: COVER_CODE[r.categories[c]["cover"]], default)
        value = np.where(cover == COVER_NONE, 0, value)
        ok &= ok4
    bound = int(value.max(initial=0)) * int(rate_u.max(initial=0)) * 2
    return premium_kernel(as_int_array(value, bound), as_int_array(rate_u, bound), min_fen,
                          r.frac_scale), ok


def cod_fee_fast(amount: pd.Series) -> Column:
    r = rules_for(None)
    fen, _, ok = colparse.money(amount, r.max_fen)
    return cod_kernel(fen, r), ok


def storage_days_fast(notice_date: pd.Series, pickup_date: pd.Series) -> Column:
    days, ok, _ = _storage_days_rules(notice_date, pickup_date)
    return days, ok


def _storage_days_rules(notice_date: pd.Series,
                        pickup_date: pd.Series) -> tuple[np.ndarray, np.ndarray, Rules | None]:
    """(chargeable days, ok, rules version of the ok rows or None) — STO-2 over columns."""
    notice, nb, ok1 = colparse.dates(notice_date)
    pickup, pb, ok2 = colparse.dates(pickup_date)
    ok = ok1 & ok2 & ~nb & ~pb
    with np.errstate(invalid="ignore"):
        ok &= pickup >= notice
    r = _single_version(notice, ok)
    if r is None:
        return np.zeros(len(ok), np.int64), np.zeros(len(ok), bool), None
    days = storage_days_kernel(np.where(ok, notice, pickup), pickup, r.free_days)
    return np.where(ok, days, 0), ok, r


def _single_version(days: np.ndarray, ok: np.ndarray) -> Rules | None:
    """The rules version of every ok row when they share one; rows of other versions are
    marked not ok (they take the per-cell path, which picks their own version)."""
    if not ok.any():
        return None
    first = rules_for(pd.Timestamp(days[ok].min()).date())
    last = rules_for(pd.Timestamp(days[ok].max()).date())
    if first is last:
        return first
    ok &= days >= np.datetime64(last.effective_from, "D")
    return last


def storage_fee_fast(freight: pd.Series, notice_date: pd.Series, pickup_date: pd.Series,
                     rate_or_origin: pd.Series, destination: pd.Series) -> Column:
    days, ok, r = _storage_days_rules(notice_date, pickup_date)
    if r is None:
        return np.zeros(len(ok), np.int64), ok
    fen, fblank, ok1 = colparse.money(freight, r.max_fen)
    rate, rblank, ok2 = colparse.fraction(rate_or_origin, r.frac_scale)
    text_rows = np.flatnonzero(~ok2 | rblank)
    if len(text_rows):
        found, good = _route_rates(r, rate_or_origin.to_numpy(dtype=object)[text_rows],
                                   destination.to_numpy(dtype=object)[text_rows])
        rate, ok2 = rate.copy(), ok2.copy()
        rate[text_rows] = found
        ok2[text_rows] = good
    bound = int(fen.max(initial=0)) * int(rate.max(initial=0)) * int(days.max(initial=0)) * 2
    fee = storage_fee_kernel(as_int_array(fen, bound), as_int_array(rate, bound),
                             as_int_array(days, bound), r.frac_scale)
    return fee, ok & ok1 & ~fblank & ok2


def _route_rates(r: Rules, origins: np.ndarray, destinations: np.ndarray) -> Column:
    """(daily rate, found) of each row's route (STO-3), looked up once per distinct
    (origin, destination) pair; an origin that is no place text is not found."""
    oc, ou = pd.factorize(pd.Series(origins, dtype=object), use_na_sentinel=False)
    dc, du = pd.factorize(pd.Series(destinations, dtype=object), use_na_sentinel=False)
    pair_ids, pair_codes = np.unique(oc.astype(np.int64) * len(du) + dc, return_inverse=True)
    pairs = [(ou[i // len(du)], du[i % len(du)]) for i in pair_ids]
    found = np.zeros(len(pairs), dtype=np.int64)
    good = np.zeros(len(pairs), dtype=bool)
    for k, (origin, destination) in enumerate(pairs):
        if isinstance(origin, str) and not looks_numeric(origin):
            try:
                found[k], good[k] = route_rate_units(r, origin, destination), True
            except RuleError:
                pass
    return found[pair_codes], good[pair_codes]


def network_fee_fast(amount: pd.Series, side: pd.Series) -> Column:
    r = rules_for(None)
    fen, blank, ok1 = colparse.money(amount, r.max_fen)
    rate, sblank, ok2 = colparse.codes(side, lambda u: r.net_fee.get(r.fee_sides.find(u))
                                       if isinstance(u, str) else None)
    ok = ok1 & ~blank & ok2 & ~sblank
    rate = np.where(ok, rate, 0).astype(np.int64)
    return network_fee_kernel(fen, rate, r.frac_scale), ok
