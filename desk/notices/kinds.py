"""The notice kinds of RULES.md §7 (NTC-1..7): fields each needs, amount column, deadline.

Only names live here (columns, deadline events); every day count and amount comes from the
rules engine (``udfs``) or from the register's computed columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KindSpec:
    """What one notice kind needs."""

    kind: str                      # 破损公告 …
    title: str                     # title printed on the document
    code: str                      # number prefix: PS-2026-00001
    rules: tuple[str, ...]         # rule IDs the notice rests on
    required: tuple[str, ...]      # register columns the notice cannot do without
    amount_column: str             # 网点赔付 (公告) / 赔偿金额 (索赔函) / 月运费 (VIP)
    event: str | None = None       # udfs.deadline event for the reply-by date (DL-5 …)
    claim_types: tuple[str, ...] = ()  # 索赔类型 the notice is for (empty = any)
    key_column: str = "运单号"       # ledger key (re-issue check)
    scope_column: str | None = None  # column passed as udfs scope
    optional: tuple[str, ...] = field(default=())

    @property
    def is_claim(self) -> bool:
        """A claim notice (CLM-8: never for a refused claim); VIP letters are not."""
        return not self.kind.startswith("VIP")

    @property
    def internal(self) -> bool:
        """Internal notices may show rule IDs; letters to customers (VIP) carry none."""
        return self.is_claim


SETTINGS_FIELDS = ("本网点", "联系人", "联系电话", "收款账号", "公司名称", "经办人")


def kind_for_claim(claim_type: str) -> str | None:
    """The negotiation notice (公告) of a claim type: 破损 → 破损公告, 内件不符 → 内件不符公告 …"""
    for name, sp in KINDS.items():
        if name.endswith("公告") and sp.claim_types == (claim_type,):
            return name
    return None

_NOTICE_COMMON = ("运单号", "寄件日期", "责任网点", "收件人", "收件人电话")

KINDS: dict[str, KindSpec] = {
    "破损公告": KindSpec(
        "破损公告", "破损协商公告", "PS", ("NTC-1", "DL-5", "MONEY-1"),
        _NOTICE_COMMON, "网点赔付", event="破损公告", claim_types=("破损",)),
    # CLM-4 content mismatch (短少/内件不符) has its own wording: NTC-1's form with
    # "内件与运单不符" instead of "快件已破损"; reply within five days as a damage notice (DL-5).
    "内件不符公告": KindSpec(
        "内件不符公告", "短少/内件不符协商公告", "NB", ("NTC-1", "CLM-4", "DL-5", "MONEY-1"),
        _NOTICE_COMMON, "网点赔付", event="破损公告", claim_types=("内件不符",)),
    "遗失公告": KindSpec(
        "遗失公告", "遗失协商公告", "YS", ("NTC-2", "DL-5", "MONEY-1"),
        _NOTICE_COMMON, "网点赔付", event="遗失公告", claim_types=("遗失",)),
    "延误公告": KindSpec(
        "延误公告", "延误协商公告", "YW", ("NTC-3", "DL-5", "MONEY-1"),
        _NOTICE_COMMON + ("实际送达日期", "延误天数"), "网点赔付", event="延误公告",
        claim_types=("延误",)),
    "索赔函": KindSpec(
        "索赔函", "索赔函", "SP", ("NTC-4", "DL-2", "MONEY-1"),
        ("运单号", "寄件日期", "责任网点", "寄件人", "寄件人电话", "寄件地址", "收件人",
         "收件人电话", "收件地址", "索赔类型"),
        "赔偿金额", event="索赔处理", claim_types=("破损", "遗失", "内件不符"),
        scope_column="寄递范围"),
    "理赔申请报告书": KindSpec(
        "理赔申请报告书", "理赔申请报告书", "LP", ("NTC-5", "NTC-6", "DL-7", "MONEY-1"),
        ("运单号", "寄件日期", "寄件人", "寄件人电话", "责任网点", "索赔类型", "收件人",
         "收件人电话", "货物类别", "物品价值"),
        "赔偿金额", event="财务付款"),
    "VIP恭喜函": KindSpec(
        "VIP恭喜函", "VIP恭喜函", "VG", ("NTC-7",),
        ("客户名称", "统计月份", "月发件量", "生效日期"), "月运费", key_column="客户名称"),
    "VIP服务取消通知函": KindSpec(
        "VIP服务取消通知函", "VIP服务取消通知函", "VQ", ("NTC-7",),
        ("客户名称", "统计月份", "月发件量", "生效日期"), "月运费", key_column="客户名称"),
}

ALIASES = {
    "破损协商公告": "破损公告", "遗失协商公告": "遗失公告", "内件不符协商公告": "内件不符公告",
    "短少公告": "内件不符公告", "短少/内件不符协商公告": "内件不符公告", "mismatch": "内件不符公告", "延误协商公告": "延误公告",
    "索赔申请报告书": "理赔申请报告书", "理赔报告书": "理赔申请报告书", "VIP取消函": "VIP服务取消通知函",
    "damage": "破损公告", "loss": "遗失公告", "delay": "延误公告", "claim": "索赔函",
}


def spec(kind: str) -> KindSpec:
    """KindSpec of ``kind`` (aliases accepted); ValueError naming the valid kinds."""
    name = ALIASES.get(kind.strip(), kind.strip())
    if name not in KINDS:
        raise ValueError(f"未知的通知类型：{kind}（可选：{'、'.join(KINDS)}）")
    return KINDS[name]
