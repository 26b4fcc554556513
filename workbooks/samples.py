"""Sample registers: ``python -m workbooks.samples [--out DIR]``.

Deterministic (fixed data, fixed document dates), small, realistic Chinese data covering
every claim type, every rule profile (customer CMP/INS, e-commerce ECM, branch network NET,
acceptance CLM, deadlines DL/CPL/COD-2, storage routes STO-3) and some deliberately bad
rows. ``PLANTED`` lists the bad rows (sheet row numbers) the processor must report — no
more, no fewer — with why each is bad.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from . import layout
from .build import atomic_close, marker_details, temp_path, validation_lists
from .spec import REGISTERS, SETTINGS, Template

SAMPLES_DIR = Path(__file__).with_name("samples")
D = dt.date

# claims: (运单号, 寄件, 索赔, 类型, 原因, 类别, 价值, 比例, 保价, 运费, 重量, 延误天数, 送达, 始发, 目的,
#          范围, 电商件, 发票, 实用性, 网点类型, 批货, 责任网点) + people and addresses filled below
_CLAIMS: list[tuple] = [
    # customer profile (CMP-1..7, INS-4/5)
    ("SF1001000001", D(2026, 9, 2), D(2026, 9, 10), "遗失", None, "普通货物", 3000, None, 5000, 45, 2.5, None, None, "福州", "上海", "国内", "否", None, None, None, None, "上海闵行营业部"),
    ("SF1001000002", D(2026, 9, 5), D(2026, 9, 12), "遗失", None, "普通货物", 3000, None, None, 45, 2.5, None, None, "厦门", "杭州", "国内", "否", None, None, None, None, "杭州西湖营业部"),
    ("SF1001000003", D(2026, 9, 8), D(2026, 9, 15), "破损", None, "普通货物", 1200, 0.25, 2000, 30, 1.2, None, D(2026, 9, 11), "泉州", "深圳", "国内", "否", None, None, None, None, "深圳南山营业部"),
    ("SF1001000004", D(2026, 9, 9), D(2026, 9, 16), "破损", None, "普通货物", 1200, 1, 2000, 30, 1.2, None, D(2026, 9, 12), "福州", "广州", "国内", "否", None, None, None, None, "广州天河营业部"),
    ("SF1001000005", D(2026, 9, 10), D(2026, 9, 18), "破损", None, "易碎品", 800, 0.5, 800, 25, 3, None, D(2026, 9, 13), "漳州", "南京", "国内", "否", None, None, None, None, "南京鼓楼营业部"),
    ("SF1001000006", D(2026, 9, 10), D(2026, 9, 20), "遗失", None, "易碎品", 800, None, 800, 25, 3, None, None, "漳州", "南京", "国内", "否", None, None, None, None, "南京鼓楼营业部"),
    ("SF1001000007", D(2026, 9, 12), D(2026, 9, 19), "遗失", None, "珠宝", 20000, None, 20000, 60, 0.3, None, None, "福州", "北京", "国内", "否", None, None, None, None, "北京朝阳营业部"),
    ("SF1001000008", D(2026, 9, 14), D(2026, 9, 22), "内件不符", None, "普通货物", 2000, 0.3, None, 40, 4, None, D(2026, 9, 17), "莆田", "苏州", "国内", "否", None, None, None, None, "苏州工业园区营业部"),
    ("SF1001000009", D(2026, 9, 15), D(2026, 9, 25), "延误", None, "普通货物", 500, None, None, 35, 1, 4, D(2026, 9, 21), "福州", "成都", "国内", "否", None, None, None, None, "成都锦江营业部"),
    ("SF1001000010", D(2026, 9, 16), D(2026, 9, 24), "遗失", None, "精密仪器", 50000, None, 50000, 300, 12, None, None, "厦门", "香港", "港澳台", "否", None, None, None, None, "香港转运中心"),
    ("SF1001000011", D(2026, 8, 20), D(2026, 9, 1), "遗失", None, "普通货物", 6000, None, 6000, 180, 8, None, None, "福州", "东京", "国际", "否", None, None, None, None, "国际件中心"),
    # acceptance (CLM-5..7)
    ("SF1001000012", D(2025, 9, 1), D(2026, 9, 2), "遗失", None, "普通货物", 900, None, None, 20, 1, None, None, "福州", "温州", "国内", "否", None, None, None, None, "温州鹿城营业部"),
    ("SF1001000013", D(2026, 9, 20), D(2026, 9, 26), "破损", "客户自行包装", "普通货物", 700, 0.4, None, 20, 2, None, D(2026, 9, 23), "宁德", "福州", "国内", "否", None, None, None, None, "福州仓山营业部"),
    ("SF1001000014", D(2026, 9, 21), D(2026, 9, 28), "遗失", "不可抗力", "普通货物", 1500, None, 1500, 22, 2, None, None, "福州", "合肥", "国内", "否", None, None, None, None, "合肥蜀山营业部"),
    ("SF1001000015", D(2026, 9, 21), D(2026, 9, 28), "遗失", "不可抗力", "普通货物", 1500, None, None, 22, 2, None, None, "福州", "合肥", "国内", "否", None, None, None, None, "合肥蜀山营业部"),
    # e-commerce profile (ECM-1..5)
    ("JD2002000001", D(2026, 10, 8), D(2026, 10, 14), "破损", None, "普通货物", 1600, 0.5, None, 12, 1.5, None, D(2026, 10, 11), "广州", "福州", "国内", "是", "是", "是", None, None, "福州晋安营业部"),
    ("JD2002000002", D(2026, 10, 9), D(2026, 10, 15), "遗失", None, "普通货物", 2600, None, None, 12, 1.5, None, None, "深圳", "厦门", "国内", "是", "是", "是", None, None, "厦门思明营业部"),
    ("TB2002000003", D(2026, 10, 10), D(2026, 10, 16), "遗失", None, "普通货物", 2400, None, None, 10, 1, None, None, "杭州", "泉州", "国内", "是", "否", "是", None, None, "泉州丰泽营业部"),
    ("TB2002000004", D(2026, 10, 10), D(2026, 10, 16), "遗失", None, "普通货物", 2400, None, None, 10, 1, None, None, "杭州", "泉州", "国内", "是", "否", "否", None, None, "泉州丰泽营业部"),
    ("PD2002000005", D(2026, 10, 11), D(2026, 10, 18), "内件不符", None, "普通货物", 3500, 0.6, None, 15, 2, None, D(2026, 10, 14), "上海", "漳州", "国内", "是", "是", "是", None, None, "漳州芗城营业部"),
    # branch network profile (NET-1..8)
    ("ZT3003000001", D(2026, 10, 20), D(2026, 10, 28), "遗失", None, "普通货物", 1800, None, None, 30, 3, None, None, "福州", "武汉", "国内", "否", None, None, "直营", None, "武汉洪山营业部"),
    ("ZT3003000002", D(2026, 10, 20), D(2026, 10, 28), "遗失", None, "普通货物", 200, None, None, 30, 3, None, None, "福州", "长沙", "国内", "否", None, None, "代理期", None, "长沙岳麓代理点"),
    ("ZT3003000003", D(2026, 10, 21), D(2026, 10, 30), "遗失", None, "普通货物", 12000, None, None, 260, 40, None, None, "福州", "南昌", "国内", "否", None, None, "直营", 12, "南昌东湖营业部"),
    ("ZT3003000004", D(2026, 10, 22), D(2026, 11, 2), "延误", None, "普通货物", 600, None, None, 18, 0.8, 3, D(2026, 10, 29), "厦门", "西安", "国内", "否", None, None, "直营", None, "西安雁塔营业部"),
    ("ZT3003000005", D(2026, 10, 22), D(2026, 11, 3), "延误", None, "普通货物", 900, None, None, 28, 5, 12, D(2026, 11, 7), "厦门", "郑州", "国内", "否", None, None, "直营", None, "郑州金水营业部"),
    ("ZT3003000006", D(2026, 10, 23), D(2026, 11, 4), "延误", None, "普通货物", 300, None, None, 16, 2, 15, D(2026, 11, 10), "福州", "重庆", "国内", "否", None, None, "代理期", None, "重庆渝北代理点"),
    ("ZT3003000007", D(2026, 10, 24), D(2026, 11, 5), "延误", None, "普通货物", 5000, None, None, 90, 20, 30, D(2026, 11, 25), "泉州", "沈阳", "国内", "否", None, None, "第三方", None, "沈阳外协承运商"),
    # recent claims, still open (时限状态 counts down)
    ("SF1001000016", D(2026, 11, 10), D(2026, 11, 18), "遗失", None, "普通货物", 400, None, None, 15, 1, None, None, "福州", "天津", "国内", "否", None, None, None, None, "天津和平营业部"),
    ("SF1001000017", D(2026, 11, 12), D(2026, 11, 20), "破损", None, "易潮湿", 650, 0.2, 650, 18, 2, None, D(2026, 11, 15), "福州", "青岛", "国内", "否", None, None, None, None, "青岛市南营业部"),
    # planted bad rows
    ("SF1001000018", D(2026, 11, 1), D(2026, 11, 8), "遗失", None, "普通货物", "三千元左右", None, None, 20, 1, None, None, "福州", "上海", "国内", "否", None, None, None, None, "上海闵行营业部"),
    ("SF1001000019", D(2026, 11, 2), D(2026, 11, 9), "破损", None, "电子产品", 900, 0.3, None, 20, 1, None, D(2026, 11, 5), "福州", "上海", "国内", "否", None, None, None, None, "上海闵行营业部"),
    ("SF1001000020", D(2026, 11, 3), None, "遗失", None, "普通货物", 900, None, None, 20, 1, None, None, "福州", "上海", "国内", "否", None, None, None, None, "上海闵行营业部"),
    ("SF1001000021", D(2026, 11, 4), D(2026, 11, 10), "破损", None, "普通货物", 900, 1.5, None, 20, 1, None, D(2026, 11, 6), "福州", "上海", "国内", "否", None, None, None, None, "上海闵行营业部"),
    ("SF1001000022", D(2026, 11, 5), D(2026, 11, 12), "破损", None, "普通货物", 900, 0.5, None, 20, 1, None, D(2026, 11, 8), "福州", "上海", "国内", "否", None, None, "加盟店", None, "上海闵行营业部"),
    ("SF1001000023", D(2026, 11, 6), D(2026, 10, 30), "遗失", None, "普通货物", 900, None, None, 20, 1, None, None, "福州", "上海", "国内", "否", None, None, None, None, "上海闵行营业部"),
    ("SF1001000024", D(2026, 11, 7), D(2026, 11, 14), "延误", None, "普通货物", 300, None, None, 20, None, 6, D(2026, 11, 12), "福州", "上海", "国内", "否", None, None, "直营", None, "上海闵行营业部"),
]
_PEOPLE = [("陈建华", "13805910001", "福州市鼓楼区五四路 88 号"), ("林美玲", "13905920002", "厦门市思明区湖滨南路 12 号"),
           ("王志强", "13705930003", "泉州市丰泽区田安路 36 号"), ("黄丽娟", "13605940004", "漳州市芗城区胜利路 9 号"),
           ("张伟", "13912340005", "上海市闵行区七莘路 1888 号"), ("李娜", "13812340006", "杭州市西湖区文三路 77 号"),
           ("刘洋", "13712340007", "深圳市南山区科技园南路 8 号"), ("吴敏", "13612340008", "南京市鼓楼区中山北路 101 号")]
# Planted bad rows of the claim sample (sheet row → why)
_CLAIM_BAD = {
    "SF1001000018": "物品价值填了文字（CMP-1）",
    "SF1001000019": "货物类别不在列表中（INS-4）",
    "SF1001000020": "缺少索赔日期（CLM-7）",
    "SF1001000021": "损失比例 150%（CMP-2）",
    "SF1001000022": "网点类型「加盟店」不在列表中（NET-1）",
    "SF1001000023": "索赔日期早于寄件日期（CLM-7）",
    "SF1001000024": "网点延误缺少重量（NET-5）",
}


# ANL-1/ANL-3 analysis columns of the claim sample: waybill → (责任环节, 原因, 上报集团日期);
# rows not listed leave them blank (older registers and clerks who skip them)
_CLAIM_ANALYSIS: dict[str, tuple] = {
    "SF1001000001": ("中转", "漏装漏卸", None),
    "SF1001000002": ("派送", "交接不清", None),
    "SF1001000003": ("装车", "野蛮装卸", None),
    "SF1001000004": ("中转", "堆码不当", None),
    "SF1001000005": ("干线运输", "挤压碰撞", None),
    "SF1001000006": ("中转", "错分错发", None),
    "SF1001000007": ("派送", "被盗", D(2026, 9, 19)),           # major (ANL-3), reported
    "SF1001000008": ("收件", "签收不规范", None),
    "SF1001000010": ("中转", "漏装漏卸", None),                # major, not reported
    "SF1001000011": ("干线运输", "其他", D(2026, 9, 2)),         # major, reported
    "SF1001000013": ("客户原因", "包装不良", None),
    "SF1001000014": ("干线运输", "车辆事故", None),
    "JD2002000001": ("派送", "野蛮装卸", None),
    "JD2002000002": ("派送", "交接不清", None),
    "PD2002000005": ("收件", "签收不规范", None),              # ECM-4 high value, not reported
    "ZT3003000001": ("干线运输", "漏装漏卸", None),
    "ZT3003000003": ("装车", "漏装漏卸", D(2026, 10, 31)),       # major (batch), reported
    "SF1001000016": ("仓储", "被盗", None),
    "SF1001000017": ("仓储", "雨淋受潮", None),
}


def claim_rows() -> list[dict[str, Any]]:
    heads = ["运单号", "寄件日期", "索赔日期", "索赔类型", "索赔原因", "货物类别", "物品价值", "损失比例", "保价金额",
             "运费", "重量(kg)", "延误天数", "实际送达日期", "始发地", "目的地", "寄递范围", "电商件", "有正规发票",
             "实用性物品", "网点类型", "批货", "责任网点"]
    rows = []
    for i, t in enumerate(_CLAIMS):
        row = dict(zip(heads, t))
        s, r = _PEOPLE[i % len(_PEOPLE)], _PEOPLE[(i + 3) % len(_PEOPLE)]
        row.update({"寄件人": s[0], "寄件人电话": s[1], "寄件地址": s[2],
                    "收件人": r[0], "收件人电话": r[1], "收件地址": r[2]})
        link, cause, reported = _CLAIM_ANALYSIS.get(row["运单号"], (None, None, None))
        row.update({"责任环节": link, "原因": cause, "上报集团日期": reported})
        if i in (0, 8, 20):
            row["已付金额"] = {0: 3045, 8: 35, 20: 1000}[i]
            row["结案日期"] = row["索赔日期"] + dt.timedelta(days=12)
        rows.append(row)
    return rows


# the sample rows name their columns: a column added to a template never shifts them
_COMPLAINT_HEADERS = ("投诉日期", "投诉人", "联系电话", "运单号", "投诉类别", "投诉内容", "诉求", "责任部门", "结案日期")
_STORAGE_HEADERS = ("运单号", "到货通知日期", "提货日期", "运费", "始发地", "目的地")
_COD_HEADERS = ("运单号", "代收金额", "到账日期", "提款日期")

_COMPLAINTS: list[tuple] = [
    (D(2026, 11, 2), "陈先生", "13805910011", "SF1001100001", "服务态度", "派件员电话中语气生硬，挂断电话", "道歉并更换派件员", "福州仓山营业部", D(2026, 11, 3)),
    (D(2026, 11, 3), "林女士", "13905920012", "SF1001100002", "货品滞留", "货物在中转场停留三天未动", "尽快发出", "福州转运中心", None),
    (D(2026, 11, 5), "王先生", "13705930013", "SF1001100003", "快件延误", "承诺次日达，第四天才到", "免运费", "厦门集美营业部", D(2026, 11, 12)),
    (D(2026, 11, 6), "黄女士", "13605940014", "", "运价", "同样重量比上月贵", "解释计费标准", "客服部", D(2026, 11, 6)),
    (D(2026, 11, 9), "张先生", "13912340015", "SF1001100005", "转货或转外协", "转外协后查不到物流信息", "提供最新位置", "外协管理组", None),
    (D(2026, 11, 10), "李女士", "13812340016", "SF1001100006", "配送司机不搬货", "司机不肯搬上五楼", "送货上楼", "配送部", D(2026, 11, 10)),
    (D(2026, 11, 12), "刘先生", "13712340017", "SF1001100007", "当晚未配载发车", "下午交货当晚没发车", "优先配载", "福州转运中心", None),
    (D(2026, 11, 16), "吴女士", "13612340018", "SF1001100008", "当日未配送", "说好当天送没有送", "今天送达", "泉州丰泽营业部", None),
    (D(2026, 11, 17), "郑先生", "13505910019", "SF1001100009", "窜货", "货物被发到了南平", "调回并赔偿延误", "南平营业部", None),
    (D(2026, 11, 18), "赵女士", "13405920020", "SF1001100010", "理赔不满意", "赔偿金额太低", "按发票价值赔偿", "理赔组", None),
    (D(2026, 11, 19), "孙先生", "13305930021", "SF1001100011", "发错货或运送质量", "收到的是别人的货", "换回自己的货", "厦门思明营业部", None),
    (D(2026, 11, 20), "周女士", "13205940022", "SF1001100012", "退货", "要求退回发货方", "尽快办理退货", "客服部", None),
    (D(2026, 11, 23), "钱先生", "13105910023", "SF1001100013", "服务态度", "前台不理睬", "道歉", "福州鼓楼营业部", None),
    # planted bad rows
    (D(2026, 11, 20), "冯女士", "13005920024", "SF1001100014", "态度差", "客服说话难听", "道歉", "客服部", None),
    (None, "韩先生", "18905930025", "SF1001100015", "快件延误", "一周未到", "查明原因", "福州转运中心", None),
    (D(2026, 12, 28), "曹女士", "18805940026", "SF1001100016", "发错货或运送质量", "外包装破损内件短少", "赔偿", "漳州芗城营业部", None),
    (D(2026, 11, 20), "彭先生", "18705910027", "SF1001100017", "运价", "报价与实收不符", "退差价", "客服部", D(2026, 11, 18)),
]
_COMPLAINT_BAD = {
    "SF1001100014": "投诉类别不在列表中（CPL-3）",
    "SF1001100015": "缺少投诉日期（CPL-1）",
    "SF1001100016": "5 个工作日期限跨入 2027 年，节假日安排尚未收录（DATE-5）",
    "SF1001100017": "结案日期早于投诉日期（DL-1）",
}


def complaint_rows() -> list[dict[str, Any]]:
    return [dict(zip(_COMPLAINT_HEADERS, t)) for t in _COMPLAINTS]


_STORAGE: list[tuple] = [
    ("FZ4004000001", D(2026, 11, 2), D(2026, 11, 4), 120, "福州", "厦门"),
    ("FZ4004000002", D(2026, 11, 2), D(2026, 11, 5), 120, "福州", "泉州"),
    ("FZ4004000003", D(2026, 11, 2), D(2026, 11, 6), 120, "汕头", "福州"),
    ("FZ4004000004", D(2026, 11, 3), D(2026, 11, 12), 85.5, "福州", "上海"),
    ("FZ4004000005", D(2026, 11, 3), D(2026, 11, 10), 66, "温州", "杭州"),
    ("FZ4004000006", D(2026, 11, 4), D(2026, 11, 14), 230, "福州", "北京"),
    ("FZ4004000007", D(2026, 11, 4), D(2026, 11, 8), 150, "上海", "天津"),
    ("FZ4004000008", D(2026, 11, 5), D(2026, 11, 20), 48.8, "厦门", "山东"),
    ("FZ4004000009", D(2026, 11, 16), None, 75, "福州", "深圳"),
    ("FZ4004000010", D(2026, 11, 6), D(2026, 11, 9), 99.9, "江苏", "福建"),
    # planted bad rows
    ("FZ4004000011", D(2026, 11, 6), D(2026, 11, 12), 80, "福州", "拉萨"),
    ("FZ4004000012", D(2026, 11, 9), D(2026, 11, 2), 80, "福州", "上海"),
    ("FZ4004000013", D(2026, 11, 9), D(2026, 11, 13), -80, "福州", "上海"),
]
_STORAGE_BAD = {
    "FZ4004000011": "目的地不在线路表中（STO-3）",
    "FZ4004000012": "提货日期早于到货通知日期（STO-2）",
    "FZ4004000013": "运费为负数（STO-1）",
}

_COD: list[tuple] = [
    ("DS5005000001", 800, D(2026, 8, 10), D(2026, 8, 20)),
    ("DS5005000002", 2000, D(2026, 8, 22), D(2026, 11, 25)),
    ("DS5005000003", 2000.01, D(2026, 9, 1), None),
    ("DS5005000004", 5000, D(2026, 9, 15), D(2026, 10, 8)),
    ("DS5005000005", 10000, D(2026, 10, 1), None),
    ("DS5005000006", 10000.01, D(2026, 8, 23), None),
    ("DS5005000007", 36800, D(2026, 11, 2), None),
    ("DS5005000008", 1234.56, None, None),
    ("DS5005000009", 6666.67, D(2026, 11, 20), None),
    # planted bad rows
    ("DS5005000010", -300, D(2026, 11, 2), None),
    ("DS5005000011", "五千", D(2026, 11, 2), None),
    ("DS5005000012", None, D(2026, 11, 3), None),
]
_COD_BAD = {
    "DS5005000010": "代收金额为负数（COD-1）",
    "DS5005000011": "代收金额填了文字（COD-1）",
    "DS5005000012": "缺少代收金额（COD-1）",
}


def _rows_of(kind: str) -> list[dict[str, Any]]:
    if kind == "claims":
        return claim_rows()
    if kind == "complaints":
        return complaint_rows()
    if kind == "storage":
        return [dict(zip(_STORAGE_HEADERS, t)) for t in _STORAGE]
    return [dict(zip(_COD_HEADERS, t)) for t in _COD]


def planted(kind: str) -> dict[int, str]:
    """Sheet row → reason, for the deliberately bad rows of a sample."""
    bad = {"claims": _CLAIM_BAD, "complaints": _COMPLAINT_BAD, "storage": _STORAGE_BAD, "cod": _COD_BAD}[kind]
    key = "运单号"
    return {i + 2: bad[r[key]] for i, r in enumerate(_rows_of(kind)) if r.get(key) in bad}


def write_filled(tpl: Template, rows: list[dict[str, Any]], target: Path) -> Path:
    """A register as a clerk would fill it: inputs typed in, formulas in place (not yet
    calculated: no cached values)."""
    wb = layout.new_workbook(temp_path(target), streaming=False, template_mode=True)
    styles = layout.Styles(wb)
    names = validation_lists()
    refs = {n: f"={layout.LISTS_SHEET}!${layout.col_letter(i)}$2:${layout.col_letter(i)}${len(v) + 1}"
            for i, (n, v) in enumerate(names.items())}
    ws = wb.add_worksheet(tpl.sheet)
    last_row = max(len(rows), 50) + 1
    layout.setup_data_sheet(wb, ws, layout.SheetSetup(tpl, last_row, SETTINGS[0][1], print_rows=len(rows) + 1),
                       styles, refs, names)
    for i in range(last_row - 1):
        r = i + 1
        row = rows[i] if i < len(rows) else {}
        for c, col in enumerate(tpl.columns):
            fmt = styles.cell(col.kind, computed=col.computed, wrap=col.wrap)
            if col.computed:
                ws.write_formula(r, c, tpl.formula(col, r + 1), fmt, "")
                continue
            v = row.get(col.header)
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v, fmt)
            elif isinstance(v, dt.date):
                ws.write_number(r, c, layout.serial(v), fmt)
            else:
                ws.write_number(r, c, v, fmt)
    layout.write_summary(wb, styles, tpl, last_row, None)
    layout.write_settings(wb, styles, SETTINGS)
    layout.write_lists(wb, names)
    layout.write_marker(wb, tpl.kind, tpl.version, marker_details(tpl.title))
    atomic_close(wb, target)
    return target


def sample_path(kind: str, out_dir: Path = SAMPLES_DIR) -> Path:
    return Path(out_dir) / f"{REGISTERS[kind].sheet}_样例.xlsx"


def generate(out_dir: Path = SAMPLES_DIR) -> dict[str, Path]:
    """Write every sample register; returns kind → path."""
    return {kind: write_filled(tpl, _rows_of(kind), sample_path(kind, out_dir))
            for kind, tpl in REGISTERS.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m workbooks.samples", description="生成样例登记表")
    p.add_argument("--out", type=Path, default=SAMPLES_DIR)
    a = p.parse_args(argv)
    for kind, path in generate(a.out).items():
        print(f"已生成 {path}（故意错误行：{', '.join(map(str, planted(kind)))}）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
