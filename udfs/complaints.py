"""Complaints: level and time limit (CPL-1), answer script and handling (CPL-3)."""
from __future__ import annotations

from typing import Any

from . import values
from .errors import RuleError
from .rulebook import rules_for


def _category(category: Any) -> tuple[str, dict]:
    r = rules_for(None)
    if values.is_blank(category):
        raise RuleError("缺少投诉类别", "CPL-3")
    name = r.complaints.resolve(category)
    return name, r.complaints[name]


def complaint_event(category: Any) -> str:
    """The DEADLINE event of the category's level (投诉服务态度 / 投诉延误 / 投诉损毁)."""
    _, entry = _category(category)
    return rules_for(None).complaint_levels[entry["level"]]["event"]


def complaint_level(category: Any) -> str:
    """级别 (CPL-1), e.g. 复杂★★★（3个工作日）."""
    r = rules_for(None)
    _, entry = _category(category)
    level = r.complaint_levels[entry["level"]]
    n = r.deadlines[level["event"]]["n"]
    return f"{entry['level']}{level['stars']}（{n}个工作日）"


def complaint_script(category: Any) -> str:
    """回答要点 and 处理方式 for the category (CPL-3, source 002 第四章)."""
    name, entry = _category(category)
    note = rules_for(None).note(f"complaints.{name}")        # set by the company rules file
    return f"【{name}】回答要点：{entry['script']}\n处理方式：{entry['handling']}{note}"


def rules_version() -> str:
    """The rules version in force today, e.g. 2024.1（2024-03-01 起施行）."""
    return rules_for(None).label()


def rules_in_force(when: Any = None) -> dict[str, list[str]]:
    """Vocabularies of the version in force (validation lists and the rules sheet)."""
    r = rules_for(values.when(when, "日期", None, required=False))
    return {
        "claim_types": r.claim_types.names,
        "categories": r.categories.names,
        "places": r.places(),
        "complaints": r.complaints.names,
        "causes": r.causes.names,
        "networks": r.networks.names,
        "scopes": list(r.deadlines["索赔处理"]["scopes"]),
        "events": r.deadlines.names,
        "label_violations": r.label_violations.names,
        "sides": r.fee_sides.names,
        "yes_no": ["是", "否"],
        "links": list(r.data["analysis"]["links"]),           # ANL-1 责任环节
        "loss_causes": list(r.data["analysis"]["causes"]),    # ANL-1 原因 (company may extend)
    }
