"""The notice kinds (NTC-1..7, docs/rules.md), each declared once.

One :class:`KindSpec` per kind holds everything the product derives from it: the fields it
needs, its title and number prefix, its amount column and amount lines, the wording of its
default template (:mod:`desk.notices.templates`), its ribbon button (:mod:`addin.ribbon`,
:mod:`addin.handlers`) and the differences in issuing (:mod:`desk.notices.batch`) as
attributes. A new kind is one more entry in :data:`KINDS` (and its generated template).

Only names live here (columns, deadline events); every day count and amount comes from the
rules engine (``udfs``) or from the register's computed columns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A block of a template's body: ("p", text) a paragraph, ("table", [(label, value), …]) a
# two-column table; texts hold {{字段}} placeholders (see desk.notices.templates.FIELDS).
Block = tuple[str, Any]


@dataclass(frozen=True)
class RibbonButton:
    """The kind's button in the ribbon's 公告 group; its label and screentip are the kind."""

    id: str
    image_mso: str
    supertip: str


@dataclass(frozen=True)
class KindSpec:
    """What one notice kind needs, says and does."""

    kind: str                      # 破损公告 …
    title: str                     # title printed on the document
    code: str                      # number prefix: PS-2026-00001
    rules: tuple[str, ...]         # rule IDs the notice rests on
    required: tuple[str, ...]      # register columns the notice cannot do without
    amount_column: str             # 网点赔付 (公告) / 赔偿金额 (索赔函) / 月运费 (VIP)
    body: tuple[Block, ...]        # the default template's wording, between heading and footer
    event: str | None = None       # udfs.deadline event for the reply-by date (DL-5 …)
    claim_types: tuple[str, ...] = ()  # 索赔类型 the notice is for (empty = any)
    key_column: str = "运单号"       # ledger key (re-issue check)
    scope_column: str | None = None  # column passed as udfs scope
    # A letter to a customer (NTC-7), one per customer: read from the VIP customer register,
    # never refused by CLM-8, printed without internal rule IDs and without a reply-by line.
    per_customer: bool = False
    amount_lines: bool = False     # the 金额（小写）/金额（大写） table after the body
    # A column the amount is read from when the amount column is blank: the network
    # standards cover only loss and delay (NET-10), so damage falls back to 赔偿金额.
    amount_fallback: str | None = None
    aliases: tuple[str, ...] = ()  # other names accepted for --kind
    button: RibbonButton | None = None
    # Issued from another kind's button (named here): each selected row gets the kind for
    # its claim type (the damage button: 破损公告 and 内件不符公告).
    issued_with: str | None = None

    @property
    def is_claim(self) -> bool:
        """A claim notice (CLM-8: never for a refused claim); letters to customers are not."""
        return not self.per_customer

    @property
    def internal(self) -> bool:
        """Internal notices may show rule IDs; letters to customers carry none."""
        return not self.per_customer


_NOTICE_COMMON = ("运单号", "寄件日期", "责任网点", "收件人", "收件人电话")
_VIP_FIELDS = ("客户名称", "统计月份", "月发件量", "生效日期")

# NTC-1/NTC-2 negotiation notice: {state} what the recipient confirmed, {word} the claim.
_NTC12 = ("{{对方公司}}，您好！我司于{{寄件日期}}发贵司，单号为{{运单号}}的快件，经与收件人{{收件人}}，"
          "收件电话{{收件人电话}}确认，{state}，请贵司核实，并在见公告之日起{{回复天数}}天内主动联系我司，"
          "联系人{{联系人}}，联系电话{{联系电话}}，如确认{word}，请将{word}赔偿金额{{金额}}元打入我公司账号"
          "{{收款账号}}，如逾期未收到贵司赔款，我司将上报总部客服部仲裁中心，请知悉！")


def _ntc12(state: str, word: str) -> str:
    return _NTC12.replace("{state}", state).replace("{word}", word)


_VIP_SALUTATION = ("p", "尊敬的{{客户名称}}：")
_VIP_THANKS = ("感谢贵司一直以来对{{公司名称}}的信任与支持！贵司{{统计月份}}发件{{月发件量}}票，运费合计"
               "人民币{{金额}}元（大写：人民币{{金额大写}}）")

KINDS: dict[str, KindSpec] = {
    "破损公告": KindSpec(
        "破损公告", "破损协商公告", "PS", ("NTC-1", "DL-5", "MONEY-1"),
        _NOTICE_COMMON, "网点赔付", event="破损公告", claim_types=("破损",),
        body=(("p", _ntc12("快件已破损", "破损")),),
        amount_lines=True, amount_fallback="赔偿金额", aliases=("破损协商公告", "damage"),
        button=RibbonButton("btnNoticeDamage", "ReviewNewComment",
                            "为选中的登记行生成破损公告（Word/PDF），并登记公告台账。")),
    # CLM-4 content mismatch (短少/内件不符) has its own wording: NTC-1's form with
    # "内件与运单不符" instead of "快件已破损"; reply within five days as a damage notice (DL-5).
    "内件不符公告": KindSpec(
        "内件不符公告", "短少/内件不符协商公告", "NB", ("NTC-1", "CLM-4", "DL-5", "MONEY-1"),
        _NOTICE_COMMON, "网点赔付", event="破损公告", claim_types=("内件不符",),
        body=(("p", _NTC12.replace("{state}", "快件内件与运单记载不符（短少/内件不符）")
                          .replace("如确认{word}", "如确认内件不符")
                          .replace("{word}赔偿金额", "内件不符赔偿金额")),),
        amount_lines=True, amount_fallback="赔偿金额",
        aliases=("内件不符协商公告", "短少公告", "短少/内件不符协商公告", "mismatch"),
        issued_with="破损公告"),
    "遗失公告": KindSpec(
        "遗失公告", "遗失协商公告", "YS", ("NTC-2", "DL-5", "MONEY-1"),
        _NOTICE_COMMON, "网点赔付", event="遗失公告", claim_types=("遗失",),
        body=(("p", _ntc12("快件至今未送达", "遗失")),),
        amount_lines=True, aliases=("遗失协商公告", "loss"),
        button=RibbonButton("btnNoticeLoss", "FindDialog", "为选中的登记行生成遗失公告，并登记公告台账。")),
    "延误公告": KindSpec(
        "延误公告", "延误协商公告", "YW", ("NTC-3", "DL-5", "MONEY-1"),
        _NOTICE_COMMON + ("实际送达日期", "延误天数"), "网点赔付", event="延误公告",
        claim_types=("延误",),
        body=(("p", "{{对方公司}}，您好！我司于{{寄件日期}}发贵司，单号为{{运单号}}的快件，经与收件人"
                    "{{收件人}}，收件电话{{收件人电话}}确认，快件于{{送达日期}}送达，延误{{延误天数}}天，"
                    "请贵司核实，并在见公告之日起{{回复天数}}天内主动联系我司，联系人{{联系人}}，联系电话"
                    "{{联系电话}}，如无异议，请将延误赔款金额{{金额}}元打入我公司账号{{收款账号}}，如逾期未收到"
                    "贵司赔款，我司将上报总部仲裁中心，请知悉！"),),
        amount_lines=True, aliases=("延误协商公告", "delay"),
        button=RibbonButton("btnNoticeDelay", "ReviewTrackChanges",
                            "为选中的登记行生成延误公告，并登记公告台账。")),
    "索赔函": KindSpec(
        "索赔函", "索赔函", "SP", ("NTC-4", "DL-2", "MONEY-1"),
        ("运单号", "寄件日期", "责任网点", "寄件人", "寄件人电话", "寄件地址", "收件人",
         "收件人电话", "收件地址", "索赔类型"),
        "赔偿金额", event="索赔处理", claim_types=("破损", "遗失", "内件不符"),
        scope_column="寄递范围",
        body=(
            ("p", "{{对方公司}}："),
            ("p", "{{寄件日期}}，我方交由贵司承运的快件（运单号：{{运单号}}），经{{本网点}}查询确认发生{{索赔类型}}。"
                  "现将有关情况函告如下，请贵司核实并予以赔偿。"),
            ("table", [("运单号", "{{运单号}}"), ("寄件日期", "{{寄件日期}}"), ("承运方", "{{责任网点}}"),
                       ("寄件人", "{{寄件人}}　{{寄件人电话}}"), ("寄件地址", "{{寄件地址}}"),
                       ("收件人", "{{收件人}}　{{收件人电话}}"), ("收件地址", "{{收件地址}}"),
                       ("索赔类型", "{{索赔类型}}"), ("索赔说明", "{{赔偿说明}}"),
                       # NTC-4 Decision: the actual loss and the amount claimed (after caps),
                       # each labelled; a capped amount is never labelled 实际损失
                       ("实际损失金额", "人民币{{实际损失}}元"), ("索赔金额", "人民币{{金额}}元"),
                       ("索赔金额（大写）", "人民币{{金额大写}}")]),
            ("p", "请贵司于{{回复期限}}前处理并赔偿。联系人：{{联系人}}，联系电话：{{联系电话}}。"),
        ),
        aliases=("claim",),
        button=RibbonButton("btnClaimLetter", "FileNew", "为选中的理赔登记行生成索赔函。")),
    "理赔申请报告书": KindSpec(
        "理赔申请报告书", "理赔申请报告书", "LP", ("NTC-5", "NTC-6", "DL-7", "MONEY-1"),
        ("运单号", "寄件日期", "寄件人", "寄件人电话", "责任网点", "索赔类型", "收件人",
         "收件人电话", "货物类别", "物品价值"),
        "赔偿金额", event="财务付款",
        body=(
            ("p", "现就下列快件申请赔偿，上报信息如下："),
            ("table", [("运单号", "{{运单号}}"), ("寄件日期", "{{寄件日期}}"),
                       ("投诉方", "{{寄件人}}　{{寄件人电话}}"), ("被投诉网点", "{{责任网点}}"),
                       ("投诉类型", "{{索赔类型}}"), ("收件人及联系方式", "{{收件人}}　{{收件人电话}}"),
                       ("寄件人及联系方式", "{{寄件人}}　{{寄件人电话}}"), ("内件", "{{货物类别}}"),
                       ("内件价值", "{{物品价值}}元"), ("赔偿说明", "{{赔偿说明}}"),
                       ("申请赔偿金额", "人民币{{金额}}元"), ("金额（大写）", "人民币{{金额大写}}"),
                       ("附件", "交易截图、发票、签收单")]),
            ("p", "申请网点：{{本网点}}，联系人：{{联系人}}，联系电话：{{联系电话}}。请财务部于{{回复期限}}前完成付款。"),
        ),
        aliases=("索赔申请报告书", "理赔报告书"),
        button=RibbonButton("btnClaimReport", "FileProperties", "为选中的理赔登记行生成理赔申请报告书。")),
    "VIP恭喜函": KindSpec(
        "VIP恭喜函", "VIP恭喜函", "VG", ("NTC-7",), _VIP_FIELDS, "月运费", key_column="客户名称",
        per_customer=True,
        body=(
            _VIP_SALUTATION,
            ("p", _VIP_THANKS + "。经销售部确认，恭喜贵司自{{生效日期}}起成为我司VIP客户，享受VIP专属服务。"),
            ("p", "如有任何需要，请联系{{联系人}}，联系电话{{联系电话}}。"),
        )),
    "VIP服务取消通知函": KindSpec(
        "VIP服务取消通知函", "VIP服务取消通知函", "VQ", ("NTC-7",), _VIP_FIELDS, "月运费",
        key_column="客户名称", per_customer=True,
        body=(
            _VIP_SALUTATION,
            ("p", _VIP_THANKS + "，月发件量未达到VIP客户标准，我司将自{{生效日期}}起取消贵司的"
                  "VIP服务。贵司月发件量重新达到标准后，可随时恢复。"),
            ("p", "如有疑问，请联系{{联系人}}，联系电话{{联系电话}}。"),
        ),
        aliases=("VIP取消函",)),
}

ALIASES = {alias: sp.kind for sp in KINDS.values() for alias in sp.aliases}


def spec(kind: str) -> KindSpec:
    """KindSpec of ``kind`` (aliases accepted); ValueError naming the valid kinds."""
    name = ALIASES.get(kind.strip(), kind.strip())
    if name not in KINDS:
        raise ValueError(f"未知的通知类型：{kind}（可选：{'、'.join(KINDS)}）")
    return KINDS[name]


def with_button() -> list[KindSpec]:
    """The kinds that have a ribbon button, in ribbon order."""
    return [sp for sp in KINDS.values() if sp.button is not None]


def issued_from(kind: str) -> tuple[str, ...]:
    """The kinds the button of ``kind`` issues: ``kind`` first, then those issued with it."""
    return (kind, *(sp.kind for sp in KINDS.values() if sp.issued_with == kind))
