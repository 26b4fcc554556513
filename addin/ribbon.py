"""The ribbon tab 「物流客服」: one declarative list of groups and buttons.

The 公告 group's buttons come from the notice kinds' declarations
(:data:`desk.notices.kinds.KINDS`). Used by the add-in builder (customUI XML) and by
:mod:`addin.dispatch` (one handler per button id); the tests check that both sides agree.
"""
from __future__ import annotations

from dataclasses import dataclass

from desk.notices.kinds import with_button

TAB_ID = "tabLogidesk"
TAB_LABEL = "物流客服"
# The ONE VBA callback for every button; unique so no other add-in's macro can shadow it.
VBA_MODULE = "LogideskRibbon"
VBA_CALLBACK = "LogideskRibbonDispatch"


@dataclass(frozen=True)
class Button:
    id: str
    label: str
    image_mso: str
    screentip: str
    supertip: str


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    buttons: tuple[Button, ...]


def _notice_buttons() -> tuple[Button, ...]:
    """A button per notice kind that declares one; label and screentip are the kind."""
    return tuple(Button(sp.button.id, sp.kind, sp.button.image_mso, sp.kind, sp.button.supertip)
                 for sp in with_button() if sp.button is not None)


GROUPS: tuple[Group, ...] = (
    Group("grpCalc", "计算", (
        Button("btnRefresh", "刷新计算", "CalculateNow", "刷新计算",
               "按规则重新计算当前登记表的全部计算列（赔偿金额、期限、费用等）。"),
        Button("btnDeadlines", "检查时限", "DateAndTimeInsert", "检查时限",
               "列出今日到期、即将到期与已逾期的理赔和投诉。"),
    )),
    Group("grpNotices", "公告", _notice_buttons()),
    Group("grpReport", "报表", (
        Button("btnReport15", "十五日报表", "PivotTableInsert", "十五日报表",
               "汇总当前登记表，生成货损货差十五日报表。"),
        Button("btnAnalysis", "月度货损分析", "ChartInsert", "月度货损分析",
               "分析当前理赔登记表上一个月的货损货差：按索赔类型、责任环节、原因的件数与金额，帕累托图、"
               "近 12 个月趋势与重大案件（ANL-1～ANL-3）。"),
        Button("btnSendCopy", "生成发送版", "FileSaveAs", "生成发送版",
               "另存一份计算列已转为数值的副本，发给没有装加载项的人（其他网点、WPS、LibreOffice、手机）。"),
    )),
    Group("grpTools", "工具", (
        Button("btnQuote", "柜台报价", "Calculator", "柜台报价",
               "按运费、声明价值、代收金额等计算保价费、手续费与合计。"),
        Button("btnRulesVersion", "规则版本", "Info", "规则版本",
               "显示当前生效的规则版本与加载项版本。"),
        Button("btnFunctionHelp", "函数说明", "FunctionWizard", "函数说明",
               "列出本加载项提供的全部工作表函数及其参数。"),
    )),
)


def buttons() -> list[Button]:
    return [b for g in GROUPS for b in g.buttons]


def button_ids() -> list[str]:
    return [b.id for b in buttons()]
