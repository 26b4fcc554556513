"""Places as clerks write them (STO-4): a city, a province or a full address → the
province, prefecture-level city and county of China's administrative divisions.

The division table is GB/T 2260 as shipped by the ``cpca`` package (MIT licence; its
``resources/adcodes.csv``: every province, prefecture-level city and county with its
12-digit code), pinned in pyproject.toml / constraints.txt. We read only that data file,
never importing the package; the matching below is ours, because STO-4 needs
contradictions (山东省温州) reported, not silently repaired.

How a text is read: full-width characters folded (NFKC), spaces removed, then names are
matched from the start, each more specific than the last (province → city → county); the
first text that is not a more specific division ends the place (so 福州市鼓楼区中山路 is
福州 / 鼓楼区, and the 中山 of the street name is never read as the city 中山). A name
may be written with or without its suffix (省/市/区/县/自治区…). A name given without the
division above it that exists in several places (朝阳区, 鼓楼区) is ambiguous unless every
candidate falls in the same route class.
"""
from __future__ import annotations

import csv
import importlib.metadata
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TABLE_PACKAGE = "cpca"
PROVINCE, CITY, COUNTY = 1, 2, 3

_ETHNIC_AUTONOMY = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]+?族)+自治[区州县旗]$")
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "省直辖县级行政区划",
             "地区", "林区", "新区", "特区", "省", "市", "盟", "区", "县", "旗")
_NOT_A_PLACE = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class Division:
    code: str            # 6-digit GB/T 2260 code
    name: str            # full name, e.g. 瑞安市
    level: int

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"


@dataclass(frozen=True)
class Place:
    """A resolved place: the most specific division found, with the ones above it."""
    text: str
    province: Division
    city: Division | None          # None for a province alone or a municipality
    county: Division | None

    def names(self) -> list[str]:
        """Short names to look up in the rules data, most specific first (STO-4): the
        county, the prefecture-level city (for a municipality, the municipality), the province."""
        out = []
        for div in (self.county, self.city, self.province):
            if div is not None:
                out.append(short_name(div.name))
        return out


class PlaceError(ValueError):
    """A place that contradicts itself or is ambiguous; ``str()`` is the Chinese message."""


def short_name(name: str) -> str:
    """瑞安市 → 瑞安, 浙江省 → 浙江, 长阳土家族自治县 → 长阳, 浦东新区 → 浦东."""
    m = _ETHNIC_AUTONOMY.match(name)
    if m:
        return m.group(1)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def table_version() -> str:
    """The installed division table, e.g. ``cpca 0.5.5`` (recorded in rules.toml)."""
    return f"{TABLE_PACKAGE} {importlib.metadata.version(TABLE_PACKAGE)}"


class DivisionTable:
    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.by_code: dict[str, Division] = {}
        self.names: dict[int, dict[str, list[Division]]] = {PROVINCE: {}, CITY: {}, COUNTY: {}}
        for code12, name in rows:
            code = code12[:6]
            if name in _NOT_A_PLACE:
                continue
            level = PROVINCE if code[2:] == "0000" else CITY if code[4:] == "00" else COUNTY
            div = Division(code, name, level)
            self.by_code[code] = div
            for key in {name, short_name(name)}:
                self.names[level].setdefault(key, []).append(div)
        self.longest = max(len(k) for level in self.names.values() for k in level)

    def parent_city(self, div: Division) -> Division | None:
        """The prefecture-level city of a county (None under a municipality or for a
        county-level city administered directly by its province)."""
        return self.by_code.get(div.city_code) if div.level == COUNTY else None

    def _match(self, s: str, pos: int, level: int) -> tuple[str, list[Division]] | None:
        for length in range(min(self.longest, len(s) - pos), 1, -1):
            key = s[pos:pos + length]
            found = self.names[level].get(key)
            if found:
                return key, found
        return None

    def resolve(self, text: str) -> list[Place]:
        """The places a text can name: one, several for a name that exists in several
        places (朝阳区), none when it starts with no division of China. Raises PlaceError
        when it contradicts itself (山东省温州)."""
        s = normalise(text)
        pos, level, skipped = 0, 0, False
        chosen: dict[int, tuple[str, list[Division]]] = {}
        while pos < len(s):
            best, best_score = None, None
            for lv in (PROVINCE, CITY, COUNTY):
                if lv <= level:
                    continue
                m = self._match(s, pos, lv)
                if m:
                    # prefer a name inside the places already named (北京朝阳 → 朝阳区, not
                    # 辽宁 朝阳市), then the longer name, then the higher level
                    score = (bool(self._inside(m[1], chosen)), len(m[0]), -lv)
                    if best_score is None or score > best_score:
                        best, best_score = (lv, m), score
            if best is None:
                if s[pos] in "省市区县" and not skipped:     # a stray suffix (温州市市 …)
                    pos, skipped = pos + 1, True
                    continue
                break
            skipped = False
            lv, (key, divs) = best
            inside = self._inside(divs, chosen)
            if not inside:
                # a county name written short (中山, from 中山路) that is not in the city
                # already named ends the place; a province or city, or a county written
                # in full (鹿城区), that contradicts the names before it is an error (STO-4)
                if lv == COUNTY and all(d.name != key for d in divs):
                    break
                upper = chosen[max(chosen)]
                raise PlaceError(self._contradiction(text, upper, (key, divs)))
            chosen[lv] = (key, inside)
            pos += len(key)
            level = lv
            while pos < len(s) and s[pos] in ",，、-/·":          # separators
                pos += 1
        if not chosen:
            return []
        lowest = chosen[max(chosen)][1]
        out = []
        for d in lowest:
            if d.level == COUNTY:
                out.append(Place(text, self.by_code[d.province_code], self.parent_city(d), d))
            elif d.level == CITY:
                out.append(Place(text, self.by_code[d.province_code], d, None))
            else:
                out.append(Place(text, d, None, None))
        return out

    def _inside(self, divs: list[Division], chosen: dict) -> list[Division]:
        """The candidates that lie in the divisions already named."""
        out = divs
        for lv, (_, above) in chosen.items():
            if lv == PROVINCE:
                codes = {p.code for p in above}
                out = [d for d in out if d.province_code in codes]
            elif lv == CITY:
                codes = {c.code for c in above}
                out = [d for d in out if d.city_code in codes]
        return out

    def _contradiction(self, text, upper, lower) -> str:
        where = "、".join(sorted({self.by_code[d.province_code].name if d.level == CITY
                                  else (self.parent_city(d) or self.by_code[d.province_code]).name
                                  for d in lower[1]}))
        return (f"地点「{normalise(text)}」自相矛盾：{upper[0]}与{lower[0]}（属{where}）不符，"
                f"请核对省市")


def describe(place: Place) -> str:
    """浙江省温州市瑞安市 — the full names of a resolved place."""
    return "".join(d.name for d in (place.province, place.city, place.county) if d is not None)


DATA_FILE = "cpca/resources/adcodes.csv"


@lru_cache(maxsize=1)
def table() -> DivisionTable:
    """The division table, read from the installed distribution's data file without
    importing the cpca package (its import builds a matcher and needs pkg_resources)."""
    dist = importlib.metadata.distribution(TABLE_PACKAGE)
    path = dist.locate_file(DATA_FILE)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [(r["adcode"], r["name"].strip()) for r in csv.DictReader(fh)]
    return DivisionTable(rows)
