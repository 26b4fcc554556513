"""Issue 11 acceptance: a notice for a future year (a plausible 2027 notice written for this
test) goes through `logidesk holidays import`; afterwards working-day deadlines in 2027
compute in the per-cell and column forms, in the processor and in the reminders, without
touching the program folder; `rules check` reports the year; removing the company file
brings back the DATE-5 error. The early warning appears from 1 November and not before."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import udfs
from addin import handlers
from desk import demo, reminders
from desk.holidays import holidays_main, import_notice, rules_main
from udfs import columns, coverage, rulebook as rb
from udfs.errors import RuleError
from workbooks import process as P
from workbooks.samples import write_filled
from workbooks.spec import COMPLAINTS

D = dt.date
PROGRAM = Path(udfs.__file__).resolve().parents[1]

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
国办发明电〔2026〕9号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
    经国务院批准，现将2027年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
    一、元旦：1月1日（周五）至3日（周日）放假，共3天。
    二、春节：2月5日（农历除夕、周五）至12日（周五）放假调休，共8天。1月31日（周日）、2月20日（周六）上班。
    三、清明节：4月3日（周六）至5日（周一）放假，共3天。
    四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
    五、端午节：6月9日（周三）放假1天，不调休。
    六、中秋节：9月15日（周三）放假1天，不调休。
    七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
    节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2026年11月10日
"""

# (event, start, deadline by hand on the 2027 notice above)
CASES = [
    ("投诉损毁", D(2026, 12, 28), D(2027, 1, 5)),    # 12-29, 12-30, 12-31, (1-1..1-3 off) 1-4, 1-5
    ("维修批量", D(2026, 12, 28), D(2027, 1, 19)),   # 3 in Dec, 1-4..1-8, 1-11..1-15, 1-18, 1-19
    ("投诉延误", D(2027, 2, 4), D(2027, 2, 17)),     # 2-5..2-12 off, weekend: 2-15, 2-16, 2-17
    ("投诉损毁", D(2027, 2, 18), D(2027, 2, 24)),    # 2-19, Sat 2-20 调休上班, 2-22, 2-23, 2-24
]


def _program_state() -> dict[str, str]:
    return {str(p.relative_to(PROGRAM)): hashlib.sha256(p.read_bytes()).hexdigest()
            for d in ("udfs", "cli", "workbooks", "desk", "addin") for p in sorted((PROGRAM / d).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture
def company_path(tmp_path, monkeypatch):
    path = tmp_path / "ProgramData" / "logidesk" / "company_rules.toml"
    monkeypatch.setenv("LOGIDESK_COMPANY_RULES", str(path))
    monkeypatch.setattr(coverage, "_printed", set())
    rb.reload()
    yield path
    monkeypatch.undo()
    rb.reload()


def _complaints_register(folder: Path) -> Path:
    rows = [dict(投诉日期=dt.datetime(2026, 12, 28), 投诉人="林女士", 联系电话="13900000001", 运单号="C27-1",
                 投诉类别="理赔不满意", 投诉内容="赔偿太少", 诉求="复核", 责任部门="理赔", 结案日期=None),
            dict(投诉日期=dt.datetime(2026, 12, 30), 投诉人="张先生", 联系电话="13900000002", 运单号="C27-2",
                 投诉类别="快件延误", 投诉内容="三天未到", 诉求="催送", 责任部门="客服", 结案日期=None)]
    folder.mkdir(parents=True, exist_ok=True)
    return write_filled(COMPLAINTS, rows, folder / "投诉登记表.xlsx")


def _processed_deadlines(register: Path, out: Path, column: str = "处理期限") -> dict[str, object]:
    summary = P.process_paths([register], out, progress=False)
    (f,) = summary.files
    with CalamineWorkbook.from_path(str(f.output)) as wb:
        rows = wb.get_sheet_by_name(COMPLAINTS.sheet).to_python(skip_empty_area=False)
    head = rows[0]
    return {r[head.index("运单号")]: r[head.index(column)] for r in rows[1:] if r[head.index("运单号")]}


def test_a_2027_notice_goes_through_import_and_every_path_computes_2027(company_path, tmp_path, capsys,
                                                                         monkeypatch):
    register = _complaints_register(tmp_path / "registers")
    before = _program_state()
    # before: DATE-5 everywhere
    with pytest.raises(RuleError) as e:
        udfs.deadline("投诉损毁", D(2026, 12, 28))
    assert e.value.rule == "DATE-5" and "2027" in str(e.value)
    got = _processed_deadlines(register, tmp_path / "out0")
    assert set(got) == {"C27-1", "C27-2"}
    # an error row shows its message once, in its widest computed cell (回答要点)
    assert all(v == "错误：见「回答要点」" for v in got.values())
    got = _processed_deadlines(register, tmp_path / "out0b", "回答要点")
    assert all(str(v).startswith("错误：") and "2027" in v and "DATE-5" in v for v in got.values())
    df = reminders.collect([register.parent], D(2027, 1, 4), 3)
    assert "投诉处理" not in set(df["类别"])                       # working days (CPL-1): no deadline
    assert len([err for err in df.attrs["errors"] if "2027" in err]) >= 2

    notice = tmp_path / "通知.txt"
    notice.write_text(NOTICE_2027, encoding="gb18030")           # saved by Notepad on a Chinese PC
    assert holidays_main(["import", str(notice), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "二、春节：放假 2027-02-05（周五）至 2027-02-12（周五），共 8 天；调休上班 2027-01-31（周日）、2027-02-20（周六）" in out
    assert f"已写入 {company_path}" in out and "现已收录 2023–2027 年" in out
    assert company_path.exists()

    # per-cell and column forms
    for event, start, due in CASES:
        assert udfs.deadline(event, start) == due
    col = columns.deadline(pd.Series([c[0] for c in CASES]), pd.Series(pd.to_datetime([c[1] for c in CASES])))
    assert [v.date() for v in col["value"]] == [c[2] for c in CASES] and col["error"].isna().all()
    assert udfs.is_workday(D(2027, 2, 20)) is True and udfs.is_workday(D(2027, 2, 8)) is False
    # the processor (投诉损毁 5 and 投诉延误 3 working days from 12-28 / 12-30)
    got = _processed_deadlines(register, tmp_path / "out1")
    assert got == {"C27-1": D(2027, 1, 5), "C27-2": D(2027, 1, 5)}
    # the reminders on 2027-01-04: both due tomorrow
    df = reminders.collect([register.parent], D(2027, 1, 4), 3)
    handling = df[df["类别"] == "投诉处理"]
    assert sorted(handling["运单号"]) == ["C27-1", "C27-2"]
    assert set(handling["期限"]) == {D(2027, 1, 5)} and set(handling["剩余天数"]) == {1}
    assert df.attrs["errors"] == []
    # rules check reports the year; the program folder is untouched
    assert rules_main(["check", "--today", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert "节假日已收录：2023–2027 年" in out and "2027：公司规则文件" in out and "【提醒】" not in out
    assert _program_state() == before

    # importing the same notice again replaces the block; the rest of the file is kept
    company_path.write_text(company_path.read_text(encoding="utf-8") + "\n# 管理员备注：勿删\n", encoding="utf-8")
    assert import_notice(NOTICE_2027, yes=True, out=lambda *_: None) == 0
    text = company_path.read_text(encoding="utf-8")
    assert text.count("[holidays.2027]") == 1 and "# 管理员备注：勿删" in text

    # removing the company file brings back the DATE-5 error
    company_path.unlink()
    rb.reload()
    with pytest.raises(RuleError) as e:
        udfs.deadline("投诉损毁", D(2026, 12, 28))
    assert e.value.rule == "DATE-5" and "2027" in str(e.value)
    assert columns.deadline(pd.Series(["投诉损毁"]), pd.Series(pd.to_datetime(["2026-12-28"])))["rule"][0] == "DATE-5"


def test_import_asks_first_and_refuses_a_bad_text_without_writing(company_path, capsys):
    answers = []
    assert import_notice(NOTICE_2027, ask=lambda q: answers.append(q) or "n", out=lambda *_: None) == 1
    assert answers == [f"写入公司规则文件 {company_path}？输入 y 确认："] and not company_path.exists()
    bad = NOTICE_2027.replace("2月20日（周六）上班", "2月19日（周五）上班")
    lines = []
    assert import_notice(bad, yes=True, out=lines.append) == 1
    assert lines == ["通知无法导入：第二项「春节」：调休上班日2月19日是周五，不是周末（DATE-5）"]
    assert not company_path.exists()
    # a year already bundled and identical: nothing to write
    lines = []
    text = __import__("udfs.holiday_notice", fromlist=["render"]).render(2026, rb.rulebook().holidays[2026])
    assert import_notice(text, yes=True, out=lines.append) == 0
    assert lines[-1] == "程序自带规则已收录 2026 年，且与通知一致，无需导入。" and not company_path.exists()
    # a hand-written [holidays.2027] is never overwritten
    company_path.parent.mkdir(parents=True)
    company_path.write_text('[holidays.2027]\nrule = "DATE-5"\nsource = "手工"\npublished = 2026-11-10\n'
                            'off = []\nwork = []\n', encoding="utf-8")
    lines = []
    assert import_notice(NOTICE_2027, yes=True, out=lines.append) == 1
    assert "已有手工编写的 [holidays.2027]" in lines[-1]


# ------------------------------------------------------------------------- the early warning

@pytest.mark.parametrize("today,expected", [
    (D(2026, 6, 1), None),
    (D(2026, 10, 31), None),
    (D(2026, 11, 1), "window"),
    (D(2026, 12, 31), "window"),
    (D(2027, 1, 4), "missing"),
])
def test_warning_appears_in_the_dated_window_only(today, expected):
    text = coverage.warning(today)
    if expected is None:
        assert text is None
    elif expected == "missing":
        assert "尚未收录 2027 年的节假日安排" in text and "现在都无法计算" in text
    else:
        assert text.startswith("【提醒】尚未收录 2027 年的节假日安排（已收录 2023–2026 年）")
        assert "logidesk holidays import 通知.txt" in text


def test_the_stop_dates_are_computed_from_the_deadline_table_and_the_calendar():
    stops = coverage.stop_dates(D(2026, 11, 1))
    r = udfs.rules_for(D(2026, 11, 1))
    workdays = {day: [e for e in events if r.deadlines[e]["unit"] == "workdays"] for day, events in stops.items()}
    assert {day: events for day, events in workdays.items() if events} == {
        D(2026, 12, 11): ["维修批量"], D(2026, 12, 23): ["维修三台"], D(2026, 12, 25): ["投诉损毁"],
        D(2026, 12, 29): ["投诉延误", "维修单台"], D(2026, 12, 30): ["维修报价"],
        D(2026, 12, 31): ["投诉服务态度"]}
    # each date is the first start whose deadline the engine cannot compute
    for day, events in stops.items():
        for event in events:
            if day > D(2026, 11, 1):                   # (already failing on the first day scanned)
                udfs.deadline(event, day - dt.timedelta(days=1))
            with pytest.raises(RuleError, match="2027"):
                udfs.deadline(event, day)
    text = coverage.warning(D(2026, 11, 1))
    assert "  自 2026-12-11 起：维修批量\n" in text and "  自 2026-12-25 起：投诉损毁" in text
    later = coverage.warning(D(2026, 12, 26))
    (gone,) = [line for line in later.splitlines() if line.startswith("  已无法计算：")]
    assert {"投诉损毁", "维修三台", "维修批量"} <= set(gone.split("：")[1].split("、"))
    assert "投诉延误" not in gone and "自 2026-12-29 起：投诉延误、维修单台" in later


def test_no_warning_once_the_year_is_imported_and_the_next_one_warns_in_its_window(company_path):
    assert import_notice(NOTICE_2027, yes=True, out=lambda *_: None) == 0
    assert coverage.warning(D(2026, 11, 1)) is None
    assert coverage.warning(D(2027, 10, 31)) is None
    assert "尚未收录 2028 年" in coverage.warning(D(2027, 11, 1))


def test_the_call_sites_print_once_in_the_window(company_path, tmp_path, capsys, monkeypatch):
    register = _complaints_register(tmp_path / "registers")
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-10-31")
    assert P.main([str(register), "--out", str(tmp_path / "o1"), "--quiet"]) == 1   # rows need 2027
    # both complaints need 2027's calendar (DATE-5): listed as 无法计算, so "done, rows to fix" (1)
    assert reminders.main([str(register.parent), "--today", "2026-10-31", "--no-ledger"]) == 1
    out = capsys.readouterr()
    assert "【提醒】" not in out.err and out.out.count("无法计算") >= 2
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-11-02")
    assert P.main([str(register), "--out", str(tmp_path / "o2"), "--quiet"]) == 1
    assert P.main([str(register), "--out", str(tmp_path / "o3"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.count("【提醒】尚未收录 2027 年") == 1 and "logidesk holidays import 通知.txt" in err
    monkeypatch.setattr(coverage, "_printed", set())
    assert reminders.main([str(register.parent), "--today", "2026-11-02", "--no-ledger"]) == 1
    assert capsys.readouterr().err.count("【提醒】尚未收录 2027 年") == 1
    # the demo (its steps left out here: only the warning is under test)
    monkeypatch.setattr(coverage, "_printed", set())
    monkeypatch.setattr(demo, "DEMO_STEPS", [])
    monkeypatch.setattr("cli.functions.main", lambda argv: 0)
    assert demo.main(["--out", str(tmp_path / "demo")]) == 0
    assert capsys.readouterr().err.count("【提醒】尚未收录 2027 年") == 1
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-10-01")
    monkeypatch.setattr(coverage, "_printed", set())
    assert demo.main(["--out", str(tmp_path / "demo")]) == 0
    assert "【提醒】" not in capsys.readouterr().err


class _UI:
    def __init__(self):
        self.alerts = []

    def alert(self, text, *a, **k):
        self.alerts.append(text)


def test_the_ribbon_check_appends_the_warning_to_its_message(monkeypatch):
    ctx = handlers.Context(object(), _UI(), D(2026, 11, 23))
    monkeypatch.setattr(handlers, "require_template", lambda ctx, kinds: "complaints")
    from desk.registers import Loaded
    empty = Loaded(Path("投诉登记表.xlsx"), "complaints", pd.DataFrame(), {}, [], "投诉登记表")
    monkeypatch.setattr(handlers, "register_on_sheet", lambda ctx, kind: empty)
    handlers.deadlines(ctx)
    (text,) = ctx.ui.alerts
    assert text.startswith("截至 2026-11-23，没有到期或逾期的事项。\n\n【提醒】尚未收录 2027 年")
    ctx = handlers.Context(object(), _UI(), D(2026, 10, 23))
    handlers.deadlines(ctx)
    assert ctx.ui.alerts == ["截至 2026-10-23，没有到期或逾期的事项。"]


def test_the_notice_as_a_pdf_file_imports_through_pdftotext(company_path, tmp_path, capsys):
    """A PDF of the notice (traditional characters, 星期X), made with LibreOffice, read with
    poppler's pdftotext — both installed by .ci/run."""
    import shutil

    from desk.notices.render import soffice, to_pdf
    from udfs import holiday_notice as hn
    if soffice() is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or pdftotext not installed")
    src = tmp_path / "通知2027.txt"
    src.write_text(hn.to_traditional(NOTICE_2027.replace("（周", "（星期").replace("、周", "、星期")), encoding="utf-8")
    (pdf,) = to_pdf([src], tmp_path)
    assert holidays_main(["import", str(pdf), "--yes"]) == 0
    assert "现已收录 2023–2027 年" in capsys.readouterr().out
    for event, start, due in CASES:
        assert udfs.deadline(event, start) == due


def test_an_unwritable_place_is_a_message_not_a_traceback(company_path, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    lines = []
    assert import_notice(NOTICE_2027, yes=True, target=blocker / "company_rules.toml", out=lines.append) == 4
    assert lines[-1].startswith(f"未写入：无法写入 {blocker / 'company_rules.toml'}")
    assert import_notice(str(tmp_path / "无此文件.txt"), out=lines.append) == 1
    assert "找不到文件" in lines[-1]
