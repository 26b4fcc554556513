"""Rules data (udfs/rules.toml): versions by effective date, vocabularies and aliases.

Nothing here computes money; it turns the reviewable data file into typed values
(integer fen, integer millionths) for the rule modules. A later version is added to the
TOML file with ``based_on`` and only the keys that change (LAW-5).
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import RuleError
from .fixed import FEN, decimal_to_units

RULES_PATH = Path(__file__).with_name("rules.toml")


def today() -> dt.date:
    """Today's date; ``LOGIDESK_TODAY=YYYY-MM-DD`` fixes it (reproducible demos and tests)."""
    fixed = os.environ.get("LOGIDESK_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


def _merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _norm(text: str) -> str:
    return "".join(str(text).split()).lower()


@dataclass
class Vocabulary:
    """Canonical names with aliases; lookup is whitespace- and case-insensitive."""

    label: str                       # what the user typed it for, e.g. 货物类别
    rule: str
    entries: dict[str, dict]
    _alias: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, entry in self.entries.items():
            self._alias[_norm(name)] = name
            for alias in entry.get("aliases", []):
                self._alias[_norm(alias)] = name

    @property
    def names(self) -> list[str]:
        return list(self.entries)

    def find(self, text: Any) -> str | None:
        return self._alias.get(_norm(text))

    def resolve(self, text: Any) -> str:
        name = self.find(text)
        if name is None:
            raise RuleError(f"未知的{self.label}「{text}」，可选：{'、'.join(self.names)}", self.rule)
        return name

    def __getitem__(self, name: str) -> dict:
        return self.entries[name]


def _fen(value: Any) -> int:
    return decimal_to_units(Decimal(str(value)), FEN)


class Rules:
    """One rules version, with figures as exact integers (fen; millionths for fractions)."""

    def __init__(self, version_id: str, data: dict) -> None:
        self.id = version_id
        self.data = data
        self.title: str = data.get("title", version_id)
        self.published: dt.date = data["published"]
        self.effective_from: dt.date = data["effective_from"]
        money = data["money"]
        self.max_fen = _fen(money["max_amount"])
        self.frac_scale = 10 ** int(money["fraction_places"])
        ins = data["insurance"]
        self.ins = ins
        self.ins_rate = self.frac(ins["rate"])
        self.ins_min = _fen(ins["minimum"])
        self.ins_manager_over = _fen(ins["manager_over"])
        self.ins_safety_over = _fen(ins["safety_over"])
        self.categories = Vocabulary("货物类别", "INS-4", data["categories"])
        cod = data["cod"]
        self.cod = cod
        self.cod_low_limit = _fen(cod["low_limit"])
        self.cod_low_fee = _fen(cod["low_fee"])
        self.cod_high_limit = _fen(cod["high_limit"])
        self.cod_rate = self.frac(cod["rate"])
        self.cod_high_fee = _fen(cod["high_fee"])
        sto = data["storage"]
        self.storage = sto
        self.free_days = int(sto["free_days"])
        self.class_rate = {k: self.frac(v["rate"]) for k, v in sto["classes"].items()}
        self.class_name = {k: v["name"] for k, v in sto["classes"].items()}
        self.city_class = {c: k for k, cities in sto["cities"].items() for c in cities}
        self.province_class = {p: k for k, provs in sto["provinces"].items() for p in provs}
        self.claim_types = Vocabulary("索赔类型", "CLM-1", data["claim_types"])
        self.k_multiple = self.frac(data["compensation"]["uninsured_freight_multiple"])
        self.causes = Vocabulary("索赔原因", "CLM-5", data["claim_causes"])
        self.claim_window_months = int(data["claim_window"]["months"])
        self.ecom = {k: (_fen(v) if k.endswith(("cap", "from")) else v)
                     for k, v in data["ecommerce"].items()}
        net = data["network"]
        self.net = net
        self.fee_sides = Vocabulary("承担方", "NET-4", net["sides"])                  # NET-4
        self.net_fee = {name: self.frac(net[side["rate_key"]]) for name, side in net["sides"].items()}
        self.net_light_kg = self.frac(net["light_kg"])
        self.networks = Vocabulary("网点类型", "NET-1", net["types"])
        self.labels = data["labels"]
        self.label_violations = Vocabulary("违规类型", "LBL-1", data["labels"]["violations"])
        self.deadlines = Vocabulary("时限事件", "DL-1", data["deadlines"])
        self.complaint_levels = data["complaint_levels"]
        self.complaints = Vocabulary("投诉类别", "CPL-3", data["complaints"])

    def frac(self, value: Any) -> int:
        """A rate or share as integer millionths (half-up)."""
        return decimal_to_units(Decimal(str(value)), self.frac_scale)

    def label(self) -> str:
        return f"{self.id}（{self.effective_from.isoformat()} 起施行）"

    def places(self) -> list[str]:
        """Every place name the storage table knows (cities, then provinces)."""
        return list(self.city_class) + list(self.province_class)


class Rulebook:
    """All versions of the rules data file plus the holiday tables."""

    def __init__(self, path: Path = RULES_PATH) -> None:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
        resolved: dict[str, dict] = {}

        def resolve(vid: str, seen: tuple = ()) -> dict:
            if vid in resolved:
                return resolved[vid]
            if vid in seen or vid not in raw["version"]:
                raise ValueError(f"rules.toml: bad based_on chain at {vid}")
            entry = raw["version"][vid]
            base = resolve(entry["based_on"], seen + (vid,)) if "based_on" in entry else {}
            resolved[vid] = _merge(base, {k: v for k, v in entry.items() if k != "based_on"})
            return resolved[vid]

        self.versions = sorted((Rules(v, resolve(v)) for v in raw["version"]),
                               key=lambda r: r.effective_from)
        self.holidays: dict[int, dict] = {int(y): t for y, t in raw.get("holidays", {}).items()}

    def for_date(self, when: dt.date | None) -> Rules:
        """The version in force on ``when`` (today when None). Dates before the first
        version use the first version: there is no older rules data to apply, and a claim
        shipped before it must still get its deadlines (DATE-4's 2024-02-29 example)."""
        when = today() if when is None else when
        if isinstance(when, dt.datetime):
            when = when.date()
        chosen = self.versions[0]
        for version in self.versions:
            if version.effective_from <= when:
                chosen = version
        return chosen


@lru_cache(maxsize=1)
def rulebook() -> Rulebook:
    """The rules data in use: udfs/rules.toml, or the file named by ``LOGIDESK_RULES``."""
    return Rulebook(Path(os.environ.get("LOGIDESK_RULES", RULES_PATH)))


def reload() -> None:
    """Forget the loaded rules data (after editing the file or changing LOGIDESK_RULES).
    The working-day calendar is keyed on the Rulebook, so it follows."""
    rulebook.cache_clear()


def rules_for(when: dt.date | None = None) -> Rules:
    return rulebook().for_date(when)
