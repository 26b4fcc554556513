"""The company rules file: kept outside the program folder, layered over udfs/rules.toml.

An upgrade replaces the program folder (and udfs/rules.toml with it); the company file is
never touched by it. It may

* add holiday years (``[holidays.YYYY]``, DATE-5/DATE-6: the State Council's notice, usually
  written by ``logidesk holidays import``), or replace a bundled year;
* override what a company sets for itself, in versions that carry a rule ID, a published and
  an effective date like any rules version (LAW-5): k × freight (CMP-1), route places
  (STO-3), complaint scripts and categories (CPL-3), its own goods categories (INS-4/INS-5),
  and its freight tariff (FRT-1): the first company version that sets ``freight`` replaces
  the bundled example tariff as a whole (zones are never mixed with the example's); later
  company versions change it key by key.

A company version has no ``based_on``: from its effective date it is applied on top of
whichever bundled version is in force, so a later program upgrade that brings a new bundled
version keeps the company's settings.

Where the file is (first match wins):

1. ``LOGIDESK_COMPANY_RULES`` (a path; may be on a network share for every PC of a company);
2. Windows: ``%APPDATA%\\logidesk\\company_rules.toml`` (this user), then
   ``%PROGRAMDATA%\\logidesk\\company_rules.toml`` (every user of this PC);
   Linux and others: ``$XDG_CONFIG_HOME/logidesk/company_rules.toml`` (default
   ``~/.config/logidesk``), then ``/etc/logidesk/company_rules.toml``.
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import RuleError
from .errtext import os_reason, toml_text

ENV = "LOGIDESK_COMPANY_RULES"
FILENAME = "company_rules.toml"

# What a company version may set (dotted key prefixes of a rules version). Everything else
# is group/legal policy shipped with the program.
COMPANY_KEYS = (
    "title", "published", "effective_from", "rule",
    "compensation.uninsured_freight_multiple", "compensation.rule",       # CMP-1 k × 运费
    "storage.cities", "storage.provinces", "storage.rule",                # STO-3 线路地点
    "storage.extra_divisions",                                            # STO-4 区划表未收的地名
    "complaints",                                                         # CPL-3 话术、类别
    "categories",                                                         # INS-4/5 货物类别
    "freight",                                                            # FRT-1 公司运价
    "analysis.causes", "analysis.major_from",                             # ANL-1 原因、ANL-3 门槛
)
# Sections a company replaces as a whole (its first version that sets one drops the bundled one).
REPLACED = ("freight",)


def candidates(env: Mapping[str, str] | None = None, platform: str | None = None) -> list[Path]:
    """Where the company file may be, in the order they are looked at."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get(ENV):
        return [Path(env[ENV]).expanduser()]
    if platform.startswith("win"):
        out = []
        if env.get("APPDATA"):
            out.append(Path(env["APPDATA"]) / "logidesk" / FILENAME)
        out.append(Path(env.get("PROGRAMDATA") or r"C:\ProgramData") / "logidesk" / FILENAME)
        return out
    xdg = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return [Path(xdg) / "logidesk" / FILENAME, Path("/etc/logidesk") / FILENAME]


def company_rules_path(env: Mapping[str, str] | None = None,
                       platform: str | None = None) -> Path | None:
    """The company file in use, or None when there is none."""
    for path in candidates(env, platform):
        if path.is_file():
            return path
    return None


def write_target(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """Where ``logidesk holidays import`` writes: the file in use, else the per-machine
    file on Windows (every clerk of the PC sees it), else the per-user file elsewhere."""
    found = company_rules_path(env, platform)
    if found is not None:
        return found
    paths = candidates(env, platform)
    platform = sys.platform if platform is None else platform
    return paths[-1] if platform.startswith("win") else paths[0]


def read_toml(path: Path, what: str) -> dict:
    """A TOML file, or a RuleError naming the file and the line (never a traceback)."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise RuleError(f"{what} {path} 格式错误，{toml_text(e)}", "LAW-5") from None
    except OSError as e:
        raise RuleError(f"无法读取{what} {path}：{os_reason(e)}", "LAW-5") from None


def merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def leaf_keys(table: dict, prefix: str = "") -> list[str]:
    """Dotted paths of every non-table value."""
    out: list[str] = []
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else key
        out += leaf_keys(value, path) if isinstance(value, dict) else [path]
    return out


@dataclass
class Source:
    """One rules file: where it is and what it holds (raw TOML)."""

    path: Path
    kind: str                       # "bundled" / "company"
    raw: dict

    @property
    def what(self) -> str:
        return "程序自带规则文件" if self.kind == "bundled" else "公司规则文件"


@dataclass
class Layer:
    """A rules version as it takes effect: bundled data plus the company layers in force."""

    id: str
    data: dict
    bundled_id: str
    company_ids: list[str] = field(default_factory=list)
    company_keys: frozenset = frozenset()       # dotted keys the company set
    company_path: Path | None = None


@dataclass
class Loaded:
    bundled: Source
    company: Source | None
    bundled_versions: dict[str, dict]           # id -> resolved data (based_on applied)
    company_versions: dict[str, dict]           # id -> company override as written
    layers: list[Layer]
    holidays: dict[int, dict]
    holiday_origin: dict[int, Path]             # year -> file it came from


def resolve_versions(src: Source) -> dict[str, dict]:
    raw = src.raw.get("version", {})
    resolved: dict[str, dict] = {}

    def resolve(vid: str, seen: tuple = ()) -> dict:
        if vid in resolved:
            return resolved[vid]
        if vid in seen or vid not in raw:
            raise RuleError(f"{src.what} {src.path}：version.\"{seen[-1] if seen else vid}\".based_on "
                            f"指向的版本「{vid}」不存在或循环引用", "LAW-5")
        entry = raw[vid]
        base = resolve(entry["based_on"], seen + (vid,)) if "based_on" in entry else {}
        resolved[vid] = merge(base, {k: v for k, v in entry.items() if k != "based_on"})
        return resolved[vid]

    for vid in raw:
        resolve(vid)
    return resolved


def _day(value: Any) -> dt.date:
    """A version's date; anything else sorts last (rules_check refuses it by name)."""
    ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return value if ok else dt.date.max


def load(bundled_path: Path, company_path: Path | None) -> Loaded:
    """Read both files and build the layered versions (no validation; see rules_check)."""
    bundled = Source(Path(bundled_path), "bundled", read_toml(Path(bundled_path), "程序自带规则文件"))
    company = (Source(Path(company_path), "company", read_toml(Path(company_path), "公司规则文件"))
               if company_path is not None else None)
    bver = resolve_versions(bundled)
    if not bver:
        raise RuleError(f"程序自带规则文件 {bundled.path} 中没有任何规则版本 [version.…]", "LAW-5")
    cver = dict(company.raw.get("version", {})) if company else {}
    border = sorted(bver, key=lambda v: _day(bver[v].get("effective_from")))
    corder = sorted(cver, key=lambda v: _day(cver[v].get("effective_from")))
    points = sorted({_day(bver[v].get("effective_from")) for v in border}
                    | {_day(cver[v].get("effective_from")) for v in corder})
    layers: list[Layer] = []
    for point in points:
        layer = _layer_at(point, bver, border, cver, corder, company)
        if not (layers and layers[-1].id == layer.id):
            layers.append(layer)
    holidays, origin = _holidays(bundled, company)
    return Loaded(bundled, company, bver, cver, layers, holidays, origin)


def _layer_at(point: dt.date, bver: dict[str, dict], border: list[str], cver: dict[str, dict],
              corder: list[str], company: Source | None) -> Layer:
    """The layer in force from ``point``: the last bundled version in force then, with the
    company versions in force then over it (named, dated and titled after both)."""
    base_id = border[0]
    for vid in border:
        if _day(bver[vid].get("effective_from")) <= point:
            base_id = vid
    applied = [vid for vid in corder if _day(cver[vid].get("effective_from")) <= point]
    data, keys = _over(bver[base_id], [cver[vid] for vid in applied])
    if applied:
        last = cver[applied[-1]]
        data = dict(data, published=max(_day(bver[base_id].get("published")), _day(last.get("published"))),
                    effective_from=point,
                    title=f"{bver[base_id].get('title', base_id)} + {last.get('title', applied[-1])}")
    vid = base_id if not applied else f"{base_id}+{applied[-1]}"
    return Layer(vid, data, base_id, applied, frozenset(keys),
                 company.path if applied and company else None)


def _over(data: dict, company_versions: list[dict]) -> tuple[dict, set[str]]:
    """Bundled data with company versions merged over it, in order, and the dotted keys
    they set; a section a company replaces as a whole (REPLACED) drops the bundled one."""
    keys: set[str] = set()
    replaced: set[str] = set()
    for entry in company_versions:
        override = {k: v for k, v in entry.items()
                    if k not in ("title", "published", "effective_from", "rule")}
        for section in REPLACED:                         # FRT-1: replaces the example
            if section in override and section not in replaced:
                data, replaced = {k: v for k, v in data.items() if k != section}, replaced | {section}
        data = merge(data, override)
        keys |= set(leaf_keys(override))
    return data, keys


def _holidays(bundled: Source, company: Source | None) -> tuple[dict[int, dict], dict[int, Path]]:
    """The holiday tables by year (a company's year replaces the bundled one) and the file
    each came from; a year that is no number is left for rules_check to name."""
    holidays: dict[int, dict] = {}
    origin: dict[int, Path] = {}
    for src in (bundled, company):
        if src is None:
            continue
        for year, table in src.raw.get("holidays", {}).items():
            try:
                y = int(year)
            except ValueError:
                continue                      # rules_check names it
            holidays[y] = table
            origin[y] = src.path
    return holidays, origin
