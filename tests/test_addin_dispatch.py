"""Ribbon buttons run headless through addin.dispatch with an xlwings-like book double."""
from __future__ import annotations

import datetime as dt
import sys
import types
from pathlib import Path

import openpyxl
import pytest
from addin_fixtures.fakebook import FakeBook
from openpyxl.workbook.defined_name import DefinedName
from register_columns import cell

from addin import dispatch, handlers, ribbon

TODAY = dt.date(2026, 11, 23)
HEADERS = ["运单号", "寄件日期", "索赔日期", "索赔类型", "物品价值", "运费"]
ROWS = [
    ["YT0001", dt.date(2026, 11, 1), dt.date(2026, 11, 10), "破损", "三百", 12],  # an input error
    ["YT0002", dt.date(2026, 11, 2), dt.date(2026, 11, 12), "遗失", 800, 20],
    ["YT0003", dt.date(2026, 11, 3), dt.date(2026, 11, 15), "延误", 50, 8],
]
REGISTER_BUTTONS = ["btnRefresh", "btnDeadlines", "btnNoticeDamage", "btnNoticeLoss",
                    "btnNoticeDelay", "btnClaimLetter", "btnClaimReport", "btnReport15", "btnAnalysis"]
NOTICE_BUTTONS = {"btnNoticeDamage": "破损公告", "btnNoticeLoss": "遗失公告", "btnNoticeDelay": "延误公告",
                  "btnClaimLetter": "索赔函", "btnClaimReport": "理赔申请报告书"}


def make_book(tmp_path: Path, marker: str | None = "claims;1", title: str = "理赔登记表") -> FakeBook:
    from workbooks.spec import REGISTERS
    kind = (marker or "claims;1").split(";")[0]
    headers = REGISTERS[kind].headers if kind in REGISTERS else HEADERS
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws["A1"] = "理赔登记表（示例网点）"
    ws.append(headers)  # the template's columns (computed ones blank: the model computes them)
    for row in ROWS:
        values = dict(zip(HEADERS, row), 货物类别="普通货物", 寄递范围="国内")
        ws.append([values.get(h) for h in headers])
    wb.create_sheet("说明")["A1"] = "填写说明"
    settings = wb.create_sheet("设置")
    settings.append(["项目", "内容"])
    settings.append(["本网点：", "福州鼓楼网点"])
    if marker is not None:
        wb.defined_names["LOGIDESK_TEMPLATE"] = DefinedName("LOGIDESK_TEMPLATE", attr_text=f'"{marker}"')
    path = tmp_path / f"{title}.xlsx"
    wb.save(path)
    book = FakeBook(path)
    book.sheets[title].activate()
    return book


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def fn(self, label: str, result):
        def call(*args, **kwargs):
            self.calls.append((label, args, kwargs))
            return result(*args, **kwargs) if callable(result) else result
        return call


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Recorder:
    """Stand-ins for the headless functions, recording how the handlers call them."""
    rec = Recorder()
    quote_file = tmp_path / "柜台报价.xlsx"
    quote_file.write_bytes(b"x")

    def module(name: str, **attrs) -> None:
        mod = types.ModuleType(name)
        for k, v in attrs.items():
            setattr(mod, k, v)
        monkeypatch.setitem(sys.modules, name, mod)

    module("desk.reminders", collect=rec.fn(
        "collect", lambda regs, today: regs[0].frame[["运单号"]].assign(状态="已逾期").iloc[:1]))
    class NoticeError(ValueError):
        pass

    def issue(rows, kind, out_dir, settings, on_duplicate, skip_invalid):
        batch = FakeBatch(types.SimpleNamespace(number=f"GG-{i}", waybill=w)
                          for i, w in zip(rows.index, rows["运单号"]))
        batch.problems = []
        batch.skipped_duplicates = []
        return batch

    module("desk.notices.batch", issue=rec.fn("issue", issue), NoticeError=NoticeError)
    module("desk.report", build=rec.fn("report", lambda reg, kind, out_dir: tmp_path / "十五日报表.xlsx"))
    module("workbooks.build", build_quote=rec.fn("quote", lambda target: quote_file))

    class ExportError(Exception):
        pass

    module("workbooks.export", ExportError=ExportError, export=rec.fn(
        "export", lambda path: types.SimpleNamespace(
            output=path.with_name(path.stem + "_发送版.xlsx"), values=7, computed_by_engine=True)))
    return rec


class FakeBatch(list):
    problems: list = []
    skipped_duplicates: list = []


@pytest.fixture(autouse=True)
def _log_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("LOGIDESK_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("LOGIDESK_HOME", str(tmp_path / "home"))  # this test's own ledger
    monkeypatch.delenv("LOGIDESK_LEDGER_URL", raising=False)
    return tmp_path / "logs"


def test_button_ids_and_handlers_agree() -> None:
    assert list(dispatch.HANDLERS) == ribbon.button_ids()
    assert all(callable(h) for h in dispatch.HANDLERS.values())


@pytest.mark.parametrize("button", ribbon.button_ids())
def test_every_button_runs_headless(button: str, tmp_path: Path, fakes: Recorder) -> None:
    book = make_book(tmp_path)
    book.select("理赔登记表", "B4:C5")  # data rows 4 and 5 = YT0002, YT0003
    outcome = dispatch.run(button, book=book, today=TODAY)
    assert outcome == "ok", book.app.alerts
    if button == "btnQuote":
        assert book.app.books.opened == [str(tmp_path / "柜台报价.xlsx")]
        assert fakes.calls[0][1][0].name.startswith("柜台报价-")
        return
    assert len(book.app.alerts) == 1 and book.app.alerts[0]["title"] == "物流客服"
    text = book.last_alert
    if button in NOTICE_BUTTONS:
        (label, args, kwargs), = fakes.calls
        rows, kind, out_dir, settings = args
        assert kind == NOTICE_BUTTONS[button]
        assert list(rows["运单号"]) == ["YT0002", "YT0003"] and list(rows.index) == [4, 5]
        assert out_dir == tmp_path / "通知"
        assert settings == {"本网点": "福州鼓楼网点", "_workbook": book.fullname}  # 设置 through the model
        assert kwargs["skip_invalid"] is True and callable(kwargs["on_duplicate"])
        assert f"已生成{kind} 2 份" in text and "GG-4  运单 YT0002" in text
    elif button == "btnRefresh":  # the model reads the live sheet: header in row 2, data rows 3..5
        assert book.app.calculations == 1
        assert "共 3 行，正确 2 行，有错误 1 行" in text and "错误清单" in text
        errs = book.sheets["错误清单"].cells
        assert (errs[(2, 1)], errs[(2, 2)], errs[(2, 3)]) == (3, cell("物品价值", 3), "物品价值")  # text in a money cell
    elif button == "btnDeadlines":
        (label, args, kwargs), = fakes.calls
        assert kwargs == {"today": TODAY} and args[0][0].kind == "claims" and len(args[0][0].frame) == 3
        assert book.sheets["时限提醒"].cells[(2, 1)] == "YT0001"
    elif button == "btnReport15":
        assert "十五日报表.xlsx" in text
    elif button == "btnAnalysis":  # the real analysis of the live sheet: the month before TODAY
        out = tmp_path / "月度货损分析_2026-10.xlsx"
        assert text == f"月度货损分析（2026-10）已生成：{out}" and out.is_file()
    elif button == "btnRulesVersion":
        assert "当前生效规则" in text and "xlwings 0.37.8" in text
    elif button == "btnSendCopy":
        (label, args, _), = fakes.calls
        assert args == (Path(book.fullname),)
        assert "已生成发送版" in text and "_发送版.xlsx" in text and "7 个计算单元格" in text
    elif button == "btnFunctionHelp":
        names = [c for (r, col), c in book.sheets["函数说明"].cells.items() if col == 1 and r > 1]
        assert "COD_FEE" in names
    assert "Traceback" not in text


@pytest.mark.parametrize("button", REGISTER_BUTTONS)
def test_not_our_template(button: str, tmp_path: Path, fakes: Recorder) -> None:
    book = make_book(tmp_path, marker=None)
    book.select("理赔登记表", "A3:A3")
    assert dispatch.run(button, book=book, today=TODAY) == "message"
    assert "不是物流客服模板" in book.last_alert and book.app.alerts[-1]["mode"] == "critical"
    assert fakes.calls == []


@pytest.mark.parametrize("button", REGISTER_BUTTONS)
def test_wrong_sheet(button: str, tmp_path: Path, fakes: Recorder) -> None:
    book = make_book(tmp_path)
    book.select("说明", "A1:A1")
    assert dispatch.run(button, book=book, today=TODAY) == "message"
    assert "当前工作表「说明」不是理赔登记表的登记表" in book.last_alert
    assert fakes.calls == []


@pytest.mark.parametrize("button", list(NOTICE_BUTTONS))
def test_nothing_selected(button: str, tmp_path: Path, fakes: Recorder) -> None:
    book = make_book(tmp_path)
    assert book.selection is None
    assert dispatch.run(button, book=book, today=TODAY) == "message"
    assert "请先在登记表中选中要处理的行" in book.last_alert
    book.select("理赔登记表", "A1:F2")  # title and header rows only
    assert dispatch.run(button, book=book, today=TODAY) == "message"
    assert "不在登记表的数据行内" in book.last_alert
    assert fakes.calls == []


def test_wrong_template_kind(tmp_path: Path, fakes: Recorder) -> None:
    book = make_book(tmp_path, marker="complaints;1", title="投诉登记表")
    book.select("投诉登记表", "A3:A3")
    assert dispatch.run("btnClaimLetter", book=book, today=TODAY) == "message"
    assert "此按钮用于理赔登记表；当前工作簿是投诉登记表" in book.last_alert
    book = make_book(tmp_path, marker="storage;1", title="仓储保管登记")
    assert dispatch.run("btnReport15", book=book, today=TODAY) == "message"


def test_empty_register(tmp_path: Path, fakes: Recorder) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "代收货款登记"
    from workbooks.spec import REGISTERS
    wb.active.append(REGISTERS["cod"].headers)
    wb.defined_names["LOGIDESK_TEMPLATE"] = DefinedName("LOGIDESK_TEMPLATE", attr_text='"cod;1"')
    wb.save(tmp_path / "cod.xlsx")
    book = FakeBook(tmp_path / "cod.xlsx")
    assert dispatch.run("btnRefresh", book=book, today=TODAY) == "message"
    assert "还没有数据行" in book.last_alert


@pytest.mark.parametrize("module,button", [
    ("workbooks.register", "btnRefresh"), ("desk.reminders", "btnDeadlines"),
    ("desk.notices.batch", "btnNoticeLoss"), ("desk.report", "btnReport15"),
    ("workbooks.build", "btnQuote"),
])
def test_feature_not_installed(module: str, button: str, tmp_path: Path, fakes: Recorder,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import raises ModuleNotFoundError
    book = make_book(tmp_path)
    book.select("理赔登记表", "A3:A3")
    assert dispatch.run(button, book=book, today=TODAY) == "message"
    assert "此功能尚未安装" in book.last_alert and module in book.last_alert


def test_missing_function_in_module(tmp_path: Path, fakes: Recorder, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "desk.report", types.ModuleType("desk.report"))
    book = make_book(tmp_path)
    assert dispatch.run("btnReport15", book=book, today=TODAY) == "message"
    assert "此功能尚未安装（desk.report.build）" in book.last_alert


def test_unexpected_error_is_logged_not_shown_as_traceback(tmp_path: Path, fakes: Recorder,
                                                           monkeypatch, _log_dir: Path) -> None:
    def boom(ctx, kind):
        raise ZeroDivisionError("division by zero in rule X")

    monkeypatch.setattr(handlers, "register_on_sheet", boom)
    book = make_book(tmp_path)
    assert dispatch.run("btnRefresh", book=book, today=TODAY) == "error"
    text = book.last_alert
    assert text.startswith("操作未完成：ZeroDivisionError: division by zero in rule X")
    assert str(_log_dir / "ribbon.log") in text and "Traceback" not in text
    log = (_log_dir / "ribbon.log").read_text("utf-8")
    assert "btnRefresh" in log and "Traceback (most recent call last)" in log and "boom" in log


def test_duplicate_notice_asks_the_user(tmp_path: Path, fakes: Recorder, monkeypatch) -> None:
    answers = []

    def issue(rows, kind, out_dir, settings, on_duplicate, skip_invalid):
        answers.append(on_duplicate("YT0002", [types.SimpleNamespace(number="GG-1")]))
        batch = FakeBatch()
        batch.problems = ["第5行（YT0003）：缺少物品价值"]
        batch.skipped_duplicates = ["YT0002"]
        return batch

    monkeypatch.setattr(sys.modules["desk.notices.batch"], "issue", issue)
    book = make_book(tmp_path)
    book.select("理赔登记表", "A4:A5")
    book.app.answer = "yes"
    assert dispatch.run("btnNoticeDamage", book=book, today=TODAY) == "ok"
    ask, result = book.app.alerts
    assert ask["buttons"] == "yes_no" and "运单 YT0002 已有破损公告（GG-1）" in ask["prompt"]
    assert answers == [True]
    assert "未生成 1 行" in result["prompt"] and "缺少物品价值" in result["prompt"]
    assert "已有通知、未重复生成：YT0002" in result["prompt"] and result["mode"] == "critical"


def test_notice_error_is_a_message(tmp_path: Path, fakes: Recorder, monkeypatch) -> None:
    mod = sys.modules["desk.notices.batch"]

    def issue(*a, **k):
        raise mod.NoticeError("寄件人电话格式不对")

    monkeypatch.setattr(mod, "issue", issue)
    book = make_book(tmp_path)
    book.select("理赔登记表", "A4:A4")
    assert dispatch.run("btnClaimLetter", book=book, today=TODAY) == "message"
    assert book.last_alert == "未生成索赔函：寄件人电话格式不对"


def test_unsaved_workbook(tmp_path: Path, fakes: Recorder) -> None:
    book = make_book(tmp_path)
    book.fullname = "工作簿1"  # never saved: Excel gives only a name
    book.select("理赔登记表", "A4:A4")
    assert dispatch.run("btnNoticeLoss", book=book, today=TODAY) == "message"
    assert "请先保存工作簿" in book.last_alert


def test_real_notices_on_sample_register(tmp_path: Path) -> None:
    """The live path with the notices helper's real code on its own sample register."""
    from desk.notices import samples

    path = samples.write_register(tmp_path / "网点登记表.xlsx",
                                  [samples.claim_row("YT9001", "破损"), samples.claim_row("YT9002", "遗失")])
    book = FakeBook(path)
    book.select("理赔登记表", "C2:D2")
    assert dispatch.run("btnNoticeDamage", book=book) == "ok", book.app.alerts
    assert "已生成破损公告 1 份（选中 1 行）" in book.last_alert
    docs = list((tmp_path / "通知").glob("*.docx"))
    assert len(docs) == 1 and "YT9001" in book.last_alert
    # pressing again: the ledger knows it; the user answers "no" to reissuing
    assert dispatch.run("btnNoticeDamage", book=book) == "ok"
    assert book.app.alerts[-2]["buttons"] == "yes_no"
    assert "已生成破损公告 0 份" in book.last_alert and "已有通知、未重复生成：YT9001" in book.last_alert
    # a loss claim gets no damage notice: not applicable (no failure), nothing written
    book.select("理赔登记表", "C3:D3")
    assert dispatch.run("btnNoticeDamage", book=book) == "ok"
    assert "无需出具 1 行" in book.last_alert and "第3行（YT9002）：索赔类型为「遗失」" in book.last_alert
    assert len(list((tmp_path / "通知").glob("*.docx"))) == 1


def test_unknown_button(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    assert dispatch.run("btnNoSuch", book=book) == "message"
    assert "未知的按钮「btnNoSuch」" in book.last_alert


def test_without_excel_no_exception(_log_dir: Path) -> None:
    # Off Excel, xw.Book.caller() raises; run() must still return, logging why.
    assert dispatch.run("btnRefresh") == "error"
    assert "btnRefresh" in (_log_dir / "ribbon.log").read_text("utf-8")


def test_alert_failure_does_not_raise(tmp_path: Path, _log_dir: Path) -> None:
    class BrokenUi:
        def alert(self, text, mode="info"):
            raise OSError("no window")

    book = make_book(tmp_path, marker=None)
    assert dispatch.run("btnRefresh", book=book, ui=BrokenUi()) == "message"
    assert "could not show message" in (_log_dir / "ribbon.log").read_text("utf-8")


@pytest.mark.parametrize("refers_to,expected", [
    ('="claims;1"', ("claims", "1")), ('="Quote;2"', ("quote", "2")), ("=rules", ("rules", "")),
    ('="invoice;1"', None), ("=Sheet1!$A$1", None), ("", None),
])
def test_marker_parsing(refers_to: str, expected) -> None:
    class Name:
        def __init__(self, r):
            self.refers_to = r

    class Book:
        names = {"LOGIDESK_TEMPLATE": Name(refers_to)}

    assert handlers.template_kind(Book()) == expected
