"""Stand-in for ``udfs.xl`` used by the add-in tests only while the real module is absent."""
import datetime as dt

import xlwings as xw


@xw.func
@xw.arg("amount", doc="代收金额（元）")
def COD_FEE(amount, rate=0.01):
    """代收货款手续费"""
    return round(amount * rate, 2)


@xw.func(category="logidesk", volatile=True)
@xw.ret(expand="table")
def DEADLINE(start: dt.date, kind: str, days=None, holidays=None):
    """处理期限"""
    return start


@xw.func
def JOIN_ALL(sep, *parts):
    return sep.join(map(str, parts))


def not_a_udf(x):
    return x
