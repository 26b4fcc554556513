"""The State Council's holiday notice (issue 11, item 2): the bundled 2023–2026 holiday data
rendered into notice texts of every form seen over the years parses back to the same days;
damaged texts are refused naming the item (DATE-5)."""
from __future__ import annotations

import datetime as dt

import pytest

from udfs import holiday_notice as hn, rulebook as rb
from udfs.errors import RuleError

D = dt.date
BUNDLED = {y: t for y, t in rb.Rulebook(rb.RULES_PATH).holidays.items()}
# the first day of each year's 春节 span, as the lunar calendar names it
LUNAR = {2023: "农历除夕", 2024: "农历正月初一", 2025: "农历除夕", 2026: "农历腊月廿八"}
STYLES = {
    "modern": dict(),
    "xingqi-halfwidth": dict(weekday="星期", fullwidth=False),
    "traditional": dict(traditional=True),
    "traditional-xingqi-pdf": dict(traditional=True, weekday="星期", pdf_breaks=23),
    "old-forms-lunar": dict(old_forms=True),
    "pdf-halfwidth": dict(fullwidth=False, pdf_breaks=11),
}


def _same(schedule: hn.Schedule, table: dict) -> None:
    assert schedule.off == [dict(s) for s in table["off"]]
    assert schedule.work == sorted(table["work"])


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("year", sorted(BUNDLED))
def test_bundled_years_round_trip(year, style):
    kw = dict(STYLES[style])
    if style == "old-forms-lunar":
        kw["lunar"] = {"春节": LUNAR[year]}
    text = hn.render(year, BUNDLED[year], published=D(year - 1, 11, 12), **kw)
    schedule = hn.parse(text)
    assert schedule.year == year and schedule.published == D(year - 1, 11, 12)
    assert schedule.source == f"国务院办公厅关于{year}年部分节假日安排的通知"
    _same(schedule, BUNDLED[year])
    # what is stored is exactly what the calendar reads
    import tomllib
    stored = tomllib.loads(hn.toml_block(schedule))["holidays"][str(year)]
    assert stored["off"] == schedule.off and stored["work"] == schedule.work
    assert stored["rule"] == "DATE-5"


def test_the_forms_are_really_in_the_rendered_texts():
    t24 = hn.render(2024, BUNDLED[2024], old_forms=True, traditional=True, weekday="星期",
                    lunar={"春节": "农历正月初一"})
    assert "一、元旦：1月1日放假，與週末連休。" in t24                     # 2024-01-01 is a Monday
    assert "五、端午節：6月10日放假，與週末連休。" in t24
    assert "2月10日（農曆正月初一、星期六）至17日（星期六）放假調休，共8天。" in t24
    t25 = hn.render(2025, BUNDLED[2025], old_forms=True)
    assert "一、元旦：1月1日（周三）放假1天，不调休。" in t25
    assert "六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。" in t25


REAL_2023_START = """国务院办公厅关于2023年部分节假日安排的通知
一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。
二、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。
三、清明节：4月5日放假，共1天。
四、劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。
五、端午节：6月22日至24日放假调休，共3天。6月25日（星期日）上班。
六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
国务院办公厅
2022年12月8日"""


def test_the_real_2023_notice_with_a_date_of_the_year_before():
    s = hn.parse(REAL_2023_START)
    assert s.off[0] == {"name": "元旦", "from": D(2022, 12, 31), "to": D(2023, 1, 2)}
    assert s.off[-1] == {"name": "中秋节、国庆节", "from": D(2023, 9, 29), "to": D(2023, 10, 6)}
    assert s.work == [D(2023, 1, 28), D(2023, 1, 29), D(2023, 4, 23), D(2023, 5, 6), D(2023, 6, 25),
                      D(2023, 10, 7), D(2023, 10, 8)]
    assert s.published == D(2022, 12, 8)


OLD_2015 = """國務院辦公廳關於2015年部分節假日安排的通知
一、元旦：1月1日至3日放假調休，共3天。1月4日（星期日）上班。
二、春節：2月18日至24日放假調休，共7天。2月15日（星期日）、2月28日（星期六）上班。
三、清明節：4月5日放假，4月6日（星期一）補休。
四、勞動節：5月1日放假，與週末連休。
五、端午節：6月20日放假，6月22日（星期一）補休。
六、中秋節：9月27日放假。
七、國慶節：10月1日至7日放假調休，共7天。10月10日（星期六）上班。
國務院辦公廳
2014年12月16日"""


def test_old_forms_bu_xiu_and_lian_xiu():
    s = hn.parse(OLD_2015)
    off = {x["name"]: (x["from"], x["to"]) for x in s.off}
    assert off["清明节"] == (D(2015, 4, 5), D(2015, 4, 6))        # Sunday + Monday 补休
    assert off["劳动节"] == (D(2015, 5, 1), D(2015, 5, 1))         # a Friday, with the weekend
    assert [x for x in s.off if x["name"] == "端午节"] == [        # Sat 6-20 and Mon 6-22, not Sun
        {"name": "端午节", "from": D(2015, 6, 20), "to": D(2015, 6, 20)},
        {"name": "端午节", "from": D(2015, 6, 22), "to": D(2015, 6, 22)}]
    assert off["中秋节"] == (D(2015, 9, 27), D(2015, 9, 27))
    assert s.work == [D(2015, 1, 4), D(2015, 2, 15), D(2015, 2, 28), D(2015, 10, 10)]


def test_a_remark_that_changes_no_day_is_kept_as_a_note():
    text = hn.render(2024, BUNDLED[2024]).replace(
        "2月18日（周日）上班。", "2月18日（周日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。")
    s = hn.parse(text)
    _same(s, BUNDLED[2024])
    assert any("除夕" in n for it in s.items for n in it.notes)


GOOD = hn.render(2026, BUNDLED[2026])


@pytest.mark.parametrize("old,new,message", [
    ("2月15日（周日）", "2月15日（周一）", "第二项「春节」：2月15日是2026年的周日，通知写的是周一"),
    ("共9天", "共8天", "第二项「春节」：2月15日至2月23日是 9 天，通知写的是共8天"),
    ("10月10日（周六）上班", "10月9日（周五）上班", "第七项「国庆节」：调休上班日10月9日是周五，不是周末"),
    ("6月19日（周五）至21日（周日）", "6月19日（周五）至6月31日（周日）", "第五项「端午节」：日期「2026年6月31日」不存在"),
    ("三、清明节：4月4日（周六）至6日（周一）放假，共3天。\n", "", "条目序号不连续：缺第三项"),
    ("四、劳动节", "五、劳动节", "条目序号重复：第五项出现 2 次"),
    ("四、劳动节", "八、劳动节", "条目序号不连续：缺第四项"),
    ("1月4日（周日）上班", "1月4日（周日）上般", "第一项「元旦」：无法识别"),
    ("9月20日（周日）上班。", "9月20日（周日）上班。10月1日（周四）上班。", "第六项「中秋节」：调休上班日10月1日是周四"),
    ("至3日（周六）放假调休，共3天", "至3日（周六）放假调休", "第一项「元旦」：放假区间缺少「共N天」"),
    ("5月1日（周五）至5日（周二）", "5月1日（周五）至5日（周二）至", "第四项「劳动节」"),
    ("9月25日（周五）至27日（周日）", "10月2日（周五）至4日（周日）", "第七项「国庆节」：10月2日已出现在第六项「中秋节」"),
])
def test_a_text_that_does_not_add_up_is_refused_naming_the_item(old, new, message):
    assert old in GOOD
    with pytest.raises(RuleError) as e:
        hn.parse(GOOD.replace(old, new, 1))
    assert message in str(e.value) and e.value.rule == "DATE-5"


def test_a_missing_holiday_and_an_impossible_lian_xiu_are_refused():
    cut = GOOD.replace("七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。10月10日（周六）上班。\n", "")
    with pytest.raises(RuleError, match="缺少国庆节的安排"):
        hn.parse(cut)
    with pytest.raises(RuleError, match="第四项「劳动节」：5月6日是周三，不与周末相连"):
        hn.parse(OLD_2015.replace("5月1日放假，與週末連休", "5月6日放假，與週末連休"))
    with pytest.raises(RuleError, match="补休日4月4日是周六"):
        hn.parse(OLD_2015.replace("4月6日（星期一）補休", "4月4日（星期六）補休"))


def test_a_notice_pasted_twice_is_refused():
    with pytest.raises(RuleError, match="条目序号重复：第一项出现 2 次"):
        hn.parse(GOOD + "\n" + GOOD)


def test_year_argument_must_agree_and_empty_text_is_refused():
    with pytest.raises(RuleError, match="通知是 2026 年的，不是 2027 年"):
        hn.parse(GOOD, 2027)
    with pytest.raises(RuleError, match="找不到放假安排条目"):
        hn.parse("国务院办公厅关于2027年部分节假日安排的通知")
    items_only = "\n".join(line for line in GOOD.splitlines() if line[:2] in
                           ("一、", "二、", "三、", "四、", "五、", "六、", "七、"))
    with pytest.raises(RuleError, match="找不到通知的年份"):
        hn.parse(items_only)
    _same(hn.parse(items_only, 2026), BUNDLED[2026])
