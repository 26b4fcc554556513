"""Small claim registers for tests and demos, in the shared register layout.

Sheet 「理赔登记表」 (header row 1), sheet 「设置」 (label, value), optional sheet 「VIP客户」,
and the hidden defined name ``LOGIDESK_TEMPLATE = "claims;1"``.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

INPUT_COLUMNS = [
    "运单号", "寄件日期", "索赔日期", "索赔类型", "索赔原因", "货物类别", "物品价值", "损失比例",
    "保价金额", "运费", "重量(kg)", "延误天数", "实际送达日期", "始发地", "目的地", "寄递范围", "电商件",
    "有正规发票", "实用性物品", "网点类型", "批货", "责任网点", "寄件人", "寄件人电话", "寄件地址",
    "收件人", "收件人电话", "收件地址", "已付金额", "结案日期",
]
COMPUTED_COLUMNS = ["受理判定", "赔偿金额", "免收运费", "网点赔付", "赔偿说明", "受理答复期限",
                    "处理期限", "时限状态"]
CLAIM_COLUMNS = INPUT_COLUMNS + COMPUTED_COLUMNS
VIP_COLUMNS = ["客户名称", "客户联系人", "统计月份", "月发件量", "月运费", "生效日期"]

DEFAULT_SETTINGS = {"本网点": "福州鼓楼网点", "联系人": "李敏", "经办人": "赵磊", "联系电话": "0591-87654321",
                    "收款账号": "6222 0210 0100 8888 123", "公司名称": "天霖物流有限公司"}

_CITIES = ["杭州", "南京", "上海", "厦门", "泉州", "宁波", "苏州", "济南"]
_SURNAMES = "王李张刘陈杨黄赵吴周"
_CAUSES = ["无", "无", "客户自行包装", "不可抗力"]


def _as_text(ws: Any) -> None:
    """Clerk text that looks like a formula stays text, as Excel stores a typed '=… entry."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


def write_register(path: Path, rows: Sequence[Mapping[str, Any]],
                   settings: Mapping[str, Any] | None = None,
                   vip_rows: Sequence[Mapping[str, Any]] = (), title: str | None = None,
                   columns: Sequence[str] | None = None) -> Path:
    """Write a register workbook with openpyxl (no formulas; computed columns as given).

    ``title``: a title row above the header (as clerks add); ``columns``: the header in
    another order or a subset (the model finds columns by name)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "理赔登记表"
    if title:
        ws.append([title])
    cols = list(columns or CLAIM_COLUMNS)
    ws.append(cols)
    for r in rows:
        ws.append([r.get(c) for c in cols])
    _as_text(ws)
    st = wb.create_sheet("设置")
    st.append(["项目", "内容"])  # the template's header row
    for k, v in (settings if settings is not None else DEFAULT_SETTINGS).items():
        st.append([k, v])
    if vip_rows:
        vs = wb.create_sheet("VIP客户")
        vs.append(VIP_COLUMNS)
        for r in vip_rows:
            vs.append([r.get(c) for c in VIP_COLUMNS])
    dn = DefinedName("LOGIDESK_TEMPLATE", attr_text='"claims;1"', hidden=True)
    wb.defined_names["LOGIDESK_TEMPLATE"] = dn
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def claim_row(waybill: str, claim_type: str, **over: Any) -> dict[str, Any]:
    """One complete claim row (inputs only) with sensible defaults."""
    row = {
        "运单号": waybill, "寄件日期": dt.datetime(2026, 11, 2), "索赔日期": dt.datetime(2026, 11, 10),
        "索赔类型": claim_type, "索赔原因": "无", "货物类别": "普通货物", "物品价值": 1200,
        "损失比例": 1 if claim_type != "破损" else 0.5, "保价金额": 1500, "运费": 25, "重量(kg)": 2.5,
        "延误天数": 3 if claim_type == "延误" else None,
        "实际送达日期": dt.datetime(2026, 11, 9) if claim_type == "延误" else None,
        "始发地": "福州", "目的地": "杭州", "寄递范围": "国内", "电商件": "否", "有正规发票": "是",
        "实用性物品": "是", "网点类型": "直营" if claim_type in ("遗失", "延误") else None, "批货": "否", "责任网点": "杭州西湖网点",
        "寄件人": "张伟", "寄件人电话": "13800138000", "寄件地址": "福州市鼓楼区五四路1号",
        "收件人": "王芳", "收件人电话": "13900139000", "收件地址": "杭州市西湖区文三路2号",
    }
    row.update(over)
    return row


def random_rows(rng: random.Random, branch: str, n: int, year: int, month: int,
                waybill_prefix: str) -> list[dict[str, Any]]:
    """``n`` random claims (inputs only) of one branch spread over a month; the register
    model computes every amount (refused causes and closed claims included)."""
    out = []
    for i in range(n):
        day = rng.randint(1, 28)
        claim_date = dt.datetime(year, month, day)
        ctype = rng.choice(["破损", "遗失", "延误", "内件不符"])
        value = round(rng.uniform(50, 5000), 2)
        closed = claim_date + dt.timedelta(days=rng.randint(1, 40)) if rng.random() < 0.5 else None
        row = claim_row(f"{waybill_prefix}{i:04d}", ctype,
                        寄件日期=claim_date - dt.timedelta(days=rng.randint(1, 20)),
                        索赔日期=claim_date, 索赔原因=rng.choice(_CAUSES), 物品价值=value,
                        运费=rng.randint(8, 80), 目的地=rng.choice(_CITIES),
                        收件人=rng.choice(_SURNAMES) + "先生",
                        已付金额=round(value * rng.choice([0, 0, 1, 0.5]), 2) or None, 结案日期=closed)
        if ctype in ("破损", "内件不符"):
            row["损失比例"] = rng.choice([0.25, 0.5, 1])
        out.append(row)
    return out
