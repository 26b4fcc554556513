"""The State Council's holiday notice (国务院办公厅关于20XX年部分节假日安排的通知) as data.

``parse(text)`` reads the notice as an administrator copies it from a web page or a PDF:
simplified or traditional characters, 周X / 星期X, half- or full-width punctuation, line
breaks and spaces anywhere. Each item has the shape

    序号、节日[、节日]：M月D日（周X）[至[M月]D日（周X）]放假[调休]，共N天。[M月D日（周X）、…上班。]

with the variants seen over the years: ``放假1天，不调休``; two holidays in one item
(国庆节、中秋节); the lunar date in the brackets (``农历除夕、周二``); a year before a date
(``2022年12月31日至2023年1月2日``); the older ``M月D日放假，M月D日（星期一）补休`` and
``M月D日放假，与周末连休``. Every day is checked against its stated weekday and every range
against its 共N天; make-up working days must be weekends; the items must be numbered
without gaps and name all seven holidays. A text that does not add up is refused with a
RuleError naming the item (DATE-5) — never a guessed calendar.

``render(year, table)`` writes holiday data back as notice text (the tests round-trip the
bundled years through it); ``toml_block`` gives the ``[holidays.YYYY]`` table to store.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import RuleError

RULE = "DATE-5"
HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
CN_DIGITS = "〇一二三四五六七八九"
WEEKDAYS = "一二三四五六日"

# Simplified ↔ traditional for the notice's own vocabulary (the parser only needs these;
# other characters of a traditional text are left as they are and do not matter).
_S2T = dict(zip(
    "节与周农历调国庆劳动补连关于办厅务门发电号经准现将体时间应区属构辖为个后无卫这单岁会们样对长开种项数书处运过进还阳腊当实确点报议礼",
    "節與週農曆調國慶勞動補連關於辦廳務門發電號經準現將體時間應區屬構轄為個後無衛這單歲會們樣對長開種項數書處運過進還陽臘當實確點報議禮"))
_T2S = {t: s for s, t in _S2T.items()} | {"禮": "礼", "曆": "历", "於": "于", "後": "后", "週": "周"}

SEP = r"(?:至|到|~|-|—|–)"
DATE = r"(?:(?P<{p}y>\d{{4}})年)?(?:(?P<{p}m>\d{{1,2}})月)?(?P<{p}d>\d{{1,2}})日(?:\((?P<{p}b>[^()]*)\))?"
ITEM_HEAD = re.compile(r"(?P<n>[一二三四五六七八九十]{1,3}|\d{1,2})[、.](?P<names>(?:[^、:。,;()]{1,8}、)*[^、:。,;()]{1,8}):")
TITLE_YEAR = re.compile(r"关于(\d{4})年(?:部分)?节假日安排的通知")
TEXT_YEAR = re.compile(r"现将(\d{4})年")
CLOSING = re.compile(r"节假日期间|各地区、各部门|国务院办公厅\d{4}年")
SCHEDULE_WORDS = re.compile(r"放假|上班|补休|补班|调休|共\d+天")
LOOSE_DATE = re.compile(r"(?<![年\d])\d{1,2}月\d{1,2}日")


class NoticeError(RuleError):
    def __init__(self, message: str) -> None:
        super().__init__(message, RULE)


def to_simplified(text: str) -> str:
    return "".join(_T2S.get(c, c) for c in text)


def to_traditional(text: str) -> str:
    return "".join(_S2T.get(c, c) for c in text)


def normalize(text: str) -> str:
    """Simplified characters, half-width punctuation (NFKC), no whitespace at all (a PDF
    copy breaks lines and inserts spaces anywhere)."""
    text = unicodedata.normalize("NFKC", to_simplified(text))
    text = text.replace("〔", "[").replace("〕", "]").replace("﹐", ",").replace("､", "、")
    return re.sub(r"\s+", "", text)


def cn_number(text: str) -> int:
    """一…九十九 or digits."""
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_DIGITS.index(tens) if tens else 1) * 10 + (CN_DIGITS.index(ones) if ones else 0)
    return CN_DIGITS.index(text)


def cn_numeral(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def _md(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


@dataclass
class Item:
    number: int
    names: list[str]
    off: list[dt.date] = field(default_factory=list)
    work: list[dt.date] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)      # e.g. 鼓励…在除夕休息 (no schedule)

    @property
    def title(self) -> str:
        return f"第{cn_numeral(self.number)}项「{'、'.join(self.names)}」"


@dataclass
class Schedule:
    year: int
    source: str
    published: dt.date | None
    items: list[Item]

    @property
    def off(self) -> list[dict[str, Any]]:
        """Days off as spans {name, from, to} (consecutive days of one item form a span)."""
        spans: list[dict[str, Any]] = []
        for item in self.items:
            name = "、".join(item.names)
            for day in sorted(item.off):
                if spans and spans[-1]["name"] == name and spans[-1]["to"] + dt.timedelta(days=1) == day:
                    spans[-1]["to"] = day
                else:
                    spans.append({"name": name, "from": day, "to": day})
        return spans

    @property
    def work(self) -> list[dt.date]:
        return sorted(d for item in self.items for d in item.work)

    def table(self) -> dict:
        """The [holidays.YYYY] table (as tomllib reads it)."""
        out: dict[str, Any] = {"rule": RULE, "source": self.source, "off": self.off, "work": self.work}
        if self.published:
            out["published"] = self.published
        return out


class _Body:
    """One item's text after the colon, consumed clause by clause."""

    def __init__(self, item: Item, year: int, text: str) -> None:
        self.item, self.year, self.text, self.pos = item, year, text, 0

    def fail(self, message: str) -> NoticeError:
        return NoticeError(f"{self.item.title}：{message}")

    def date(self, m: re.Match, p: str, default: dt.date | None = None, roll: bool = False) -> dt.date:
        """A date of the item; missing year/month from ``default``; ``roll``: a range end
        before its start is in the next year (12月31日至1月2日)."""
        y = int(m[f"{p}y"]) if m[f"{p}y"] else (default.year if default else self.year)
        if m[f"{p}m"]:
            mo = int(m[f"{p}m"])
        elif default is not None:
            mo = default.month
        else:
            raise self.fail(f"「{m[0]}」缺少月份")
        try:
            day = dt.date(y, mo, int(m[f"{p}d"]))
        except ValueError:
            raise self.fail(f"日期「{y}年{mo}月{m[f'{p}d']}日」不存在") from None
        if roll and default is not None and day < default and not m[f"{p}y"]:
            day = day.replace(year=day.year + 1)
        bracket = m[f"{p}b"]
        if bracket is not None:
            wd = re.search(r"(?:周|星期|礼拜)([一二三四五六日天])", bracket)
            if wd:
                stated = WEEKDAYS.index(wd[1].replace("天", "日"))
                if stated != day.weekday():
                    raise self.fail(f"{_md(day)}是{day.year}年的周{WEEKDAYS[day.weekday()]}，"
                                    f"通知写的是{wd[0]}")
        return day

    def match(self, pattern: str) -> re.Match | None:
        m = re.compile(pattern).match(self.text, self.pos)
        if m:
            self.pos = m.end()
        return m

    def count(self, first: dt.date, last: dt.date, stated: str) -> None:
        n = cn_number(stated)
        real = (last - first).days + 1
        if n != real:
            span = _md(first) if first == last else f"{_md(first)}至{_md(last)}"
            raise self.fail(f"{span}是 {real} 天，通知写的是共{stated}天")

    def parse(self) -> None:
        num = r"(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})"
        m = self.match(DATE.format(p="a") + SEP + DATE.format(p="b") + r"放假(?:调休)?[,，;]?共" + num + r"天[。;]?")
        if m:
            self.off_range(m)
        else:
            self.off_day(num)
        self.work_days()

    def off_range(self, m: re.Match) -> None:
        """M月D日（周X）至D日（周X）放假，共N天: every day of the range, checked against N."""
        a = self.date(m, "a")
        b = self.date(m, "b", default=a, roll=True)
        if b < a:
            raise self.fail(f"{_md(b)}早于{_md(a)}")
        self.count(a, b, m["n"])
        self.item.off += [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]

    def off_day(self, num: str) -> None:
        """One day off, in each of the forms the notices used: 共1天, 不调休, 与周末连休, a
        following 补休 day."""
        if self.match(DATE.format(p="a") + SEP + DATE.format(p="b") + r"放假"):
            raise self.fail("放假区间缺少「共N天」，无法核对天数")
        m = self.match(DATE.format(p="a") + r"放假")
        if not m:
            raise self.fail(f"无法识别放假日期：「{self.text[self.pos:self.pos + 30]}」")
        a = self.date(m, "a")
        self.item.off.append(a)
        if m2 := self.match(num + r"天(?:[,，]?不调休)?[。;]?"):
            self.count(a, a, m2["n"])
        elif m2 := self.match(r"(?:调休)?[,，]共" + num + r"天[。;]?"):
            self.count(a, a, m2["n"])
        elif self.match(r"[,，]与周末连休[。;]?"):
            if a.weekday() not in (0, 4):
                raise self.fail(f"{_md(a)}是周{WEEKDAYS[a.weekday()]}，不与周末相连，"
                                f"「与周末连休」不成立")
        elif m2 := self.match(r"[,，]" + DATE.format(p="c") + r"补休[。;]?"):
            extra = self.date(m2, "c", default=a)
            if extra.weekday() >= 5:
                raise self.fail(f"补休日{_md(extra)}是周{WEEKDAYS[extra.weekday()]}，不是工作日")
            self.item.off.append(extra)
        else:
            self.match(r"[。;]")

    def work_days(self) -> None:
        """Make-up working days: D(周X)、D(周X)上班。 (one or more sentences), each a weekend."""
        item = self.item
        while self.pos < len(self.text):
            start = self.pos
            dates: list[dt.date] = []
            while m := self.match(DATE.format(p="w") + r"[、,]?"):
                dates.append(self.date(m, "w", default=None) if m["wm"] else
                             self.date(m, "w", default=dates[-1] if dates else None))
            if not dates or not self.match(r"(?:照常)?(?:上班|补班)[。;]?"):
                self.pos = start
                break
            for day in dates:
                if day.weekday() < 5:
                    raise self.fail(f"调休上班日{_md(day)}是周{WEEKDAYS[day.weekday()]}，不是周末")
                if day in item.off:
                    raise self.fail(f"{_md(day)}既放假又上班")
            item.work += dates


def parse(text: str, year: int | None = None) -> Schedule:
    """The notice's schedule, or NoticeError naming what does not add up."""
    flat = normalize(text)
    year = _notice_year(flat, year)
    heads = list(ITEM_HEAD.finditer(flat))
    if not heads:
        raise NoticeError("通知中找不到放假安排条目（应为「一、元旦：1月1日（周五）放假…」）")
    closing = CLOSING.search(flat, heads[-1].end())
    items: list[Item] = []
    for i, head in enumerate(heads):
        body_end = heads[i + 1].start() if i + 1 < len(heads) else len(flat)
        items.append(_item(flat, head, body_end, year))
    _check_numbering(items)
    named = "".join("".join(it.names) for it in items)
    missing = [h for h in HOLIDAYS if h not in named]
    if missing:
        raise NoticeError(f"通知中缺少{'、'.join(missing)}的安排（复制时是否漏了一段？）")
    _check_days(items, year)
    published = _published(flat[closing.start():]) if closing else None
    return Schedule(year, f"国务院办公厅关于{year}年部分节假日安排的通知", published, items)


def _notice_year(flat: str, year: int | None) -> int:
    """The year the notice names, which must be ``year`` when one is given."""
    found = TITLE_YEAR.search(flat) or TEXT_YEAR.search(flat)
    if year is None:
        if not found:
            raise NoticeError("找不到通知的年份（标题应为「国务院办公厅关于20XX年部分节假日安排的通知」），"
                              "请用 --year 指定")
        return int(found[1])
    if found and int(found[1]) != year:
        raise NoticeError(f"通知是 {found[1]} 年的，不是 {year} 年")
    return year


def _item(flat: str, head: re.Match, body_end: int, year: int) -> Item:
    """One numbered item: its days off and make-up working days, then remarks that change
    no day (any other sentence is refused)."""
    stop = CLOSING.search(flat, head.end(), body_end)      # the closing paragraph
    body_end = stop.start() if stop else body_end
    item = Item(cn_number(head["n"]), head["names"].split("、"))
    body = _Body(item, year, flat[head.end():body_end])
    body.parse()
    for sentence in filter(None, re.split(r"[。;]", body.text[body.pos:])):
        # a remark such as 鼓励各单位…安排职工在除夕（2月9日）休息 changes no day
        if SCHEDULE_WORDS.search(sentence) or (LOOSE_DATE.search(sentence) and "鼓励" not in sentence):
            raise body.fail(f"无法识别「{sentence[:30]}」")
        item.notes.append(sentence)
    return item


def _check_numbering(items: list[Item]) -> None:
    """The items numbered 1, 2, 3… with no number twice and none missing."""
    numbers = [it.number for it in items]
    twice = sorted({n for n in numbers if numbers.count(n) > 1})
    if twice:
        raise NoticeError(f"条目序号重复：第{cn_numeral(twice[0])}项出现 {numbers.count(twice[0])} 次"
                          f"（是否粘贴了两遍，或混入了另一年的通知？）")
    if numbers != list(range(1, len(items) + 1)):
        expected = next(n for n, got in enumerate([*numbers, None], 1) if got != n)
        raise NoticeError(f"条目序号不连续：缺第{cn_numeral(expected)}项（复制时是否漏了一段？）")


def _check_days(items: list[Item], year: int) -> None:
    """Every day within the notice's year (December before to January after), in one item."""
    seen: dict[dt.date, Item] = {}
    lo, hi = dt.date(year - 1, 12, 1), dt.date(year + 1, 1, 31)
    for item in items:
        for day in item.off + item.work:
            if not lo <= day <= hi:
                raise NoticeError(f"{item.title}：{day.isoformat()} 不在 {year} 年")
            if day in seen:
                raise NoticeError(f"{item.title}：{_md(day)}已出现在{seen[day].title}")
            seen[day] = item


def _published(closing: str) -> dt.date | None:
    """The date under the closing paragraph (国务院办公厅 YYYY年M月D日), if it is a date."""
    pub = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", closing)
    if not pub:
        return None
    try:
        return dt.date(int(pub[1]), int(pub[2]), int(pub[3]))
    except ValueError:
        return None


# ---------------------------------------------------------------------- writing it back

def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_block(schedule: Schedule, imported: dt.date | None = None) -> str:
    """The [holidays.YYYY] table as TOML text, between marker comments that a later import
    of the same year replaces."""
    y = schedule.year
    lines = [f"# >>> logidesk holidays import {y}" + (f"（{imported.isoformat()} 导入）" if imported else ""),
             f"[holidays.{y}]",
             f'rule = "{RULE}"',
             f"source = {_toml_str(schedule.source)}"]
    if schedule.published:
        lines.append(f"published = {schedule.published.isoformat()}")
    lines.append("off = [")
    lines += [f"  {{ name = {_toml_str(s['name'])}, from = {s['from'].isoformat()}, to = {s['to'].isoformat()} }},"
              for s in schedule.off]
    lines.append("]")
    lines.append("work = [" + ", ".join(d.isoformat() for d in schedule.work) + "]")
    lines.append(f"# <<< logidesk holidays import {y}")
    return "\n".join(lines) + "\n"


def describe(schedule: Schedule) -> str:
    """What an administrator checks before confirming (plain text)."""
    out = [f"{schedule.source}" + (f"（{schedule.published.isoformat()} 发布）" if schedule.published else "")]
    for item in schedule.items:
        off = sorted(item.off)
        span = (f"{off[0].isoformat()}（周{WEEKDAYS[off[0].weekday()]}）" if len(off) == 1 else
                f"{off[0].isoformat()}（周{WEEKDAYS[off[0].weekday()]}）至 {off[-1].isoformat()}"
                f"（周{WEEKDAYS[off[-1].weekday()]}）")
        line = f"  {cn_numeral(item.number)}、{'、'.join(item.names)}：放假 {span}，共 {len(off)} 天"
        if item.work:
            line += "；调休上班 " + "、".join(f"{d.isoformat()}（周{WEEKDAYS[d.weekday()]}）" for d in item.work)
        out.append(line)
        out += [f"    附注：{note}" for note in item.notes]
    out.append(f"  合计放假 {sum(len(i.off) for i in schedule.items)} 天，调休上班 {len(schedule.work)} 天")
    return "\n".join(out)


def _assign_work(off: list[dict], work: list[dt.date]) -> list[list[dt.date]]:
    """Each make-up working day goes to the nearest holiday span (the one it makes up for)."""
    out: list[list[dt.date]] = [[] for _ in off]
    for day in work:
        dist = [min(abs((day - s["from"]).days), abs((day - s["to"]).days)) for s in off]
        out[dist.index(min(dist))].append(day)
    return out


def render(year: int, table: dict, *, weekday: str = "周", fullwidth: bool = True,
           traditional: bool = False, lunar: dict[str, str] | None = None, old_forms: bool = False,
           pdf_breaks: int = 0, published: dt.date | None = None) -> str:
    """Notice text for a holiday table (tests: parse(render(...)) gives the table back).

    weekday: 周 or 星期; lunar: {holiday name: lunar text for its first day}; old_forms: a
    one-day holiday beside a weekend is written 「M月D日放假，与周末连休」, other one-day
    holidays 「放假1天，不调休」; pdf_breaks: break the lines every N characters with stray
    spaces, as a copy from a PDF does."""
    lunar = lunar or {}

    def wd(d: dt.date) -> str:
        return f"{weekday}{WEEKDAYS[d.weekday()]}"
    off = table.get("off", [])
    work = _assign_work(off, list(table.get("work", [])))
    items = []
    for i, (span, days) in enumerate(zip(off, work), 1):
        body = _item_text(year, span, days, wd, lunar.get(span["name"]), old_forms)
        if days:
            body += "、".join(f"{_md(d)}（{wd(d)}）" for d in sorted(days)) + "上班。"
        items.append(f"{cn_numeral(i)}、{span['name']}：{body}")
    pub = published or dt.date(year - 1, 11, 12)
    text = "\n".join([
        f"国务院办公厅关于{year}年部分节假日安排的通知",
        f"国办发明电〔{year - 1}〕7号",
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
        f"经国务院批准，现将{year}年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。",
        *items,
        "节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，"
        "确保人民群众祥和平安度过节日假期。",
        "国务院办公厅",
        f"{pub.year}年{pub.month}月{pub.day}日",
    ])
    return _as_copied(text, fullwidth, traditional, pdf_breaks)


def _item_text(year: int, span: dict, days: list[dt.date], wd: Callable[[dt.date], str],
               lunar: str | None, old_forms: bool) -> str:
    """An item's days off as the notice writes them (a range with 共N天, or one day)."""
    a, b = span["from"], span["to"]
    a_br = "（" + (lunar + "、" if lunar is not None else "") + wd(a) + "）"
    if a == b:
        if old_forms and not days and a.weekday() in (0, 4):
            return f"{_md(a)}放假，与周末连休。"
        if old_forms and not days:
            return f"{_md(a)}{a_br}放假1天，不调休。"
        return f"{_md(a)}{a_br}放假{'调休' if days else ''}，共1天。"
    b_text = f"{b.day}日" if (a.month, a.year) == (b.month, b.year) else _md(b)
    if a.year != year or b.year != a.year:
        body_a, b_text = f"{a.year}年{_md(a)}", f"{b.year}年{_md(b)}"
    else:
        body_a = _md(a)
    return (f"{body_a}{a_br}至{b_text}（{wd(b)}）放假{'调休' if days else ''}，"
            f"共{(b - a).days + 1}天。")


def _as_copied(text: str, fullwidth: bool, traditional: bool, pdf_breaks: int) -> str:
    """The text as an administrator may paste it: half-width punctuation, traditional
    characters, a PDF's line breaks and stray spaces."""
    if not fullwidth:
        text = text.translate(str.maketrans("：，（）；", ":,();"))
    if traditional:
        text = to_traditional(text)
    if pdf_breaks:
        lines = []
        for line in text.split("\n"):
            lines += [line[i:i + pdf_breaks] for i in range(0, len(line), pdf_breaks)]
        text = " \n".join(lines).replace("放假", "放 假")
    return text
