"""One answer on every path for rows with bad inputs: the sample registers plus generated rows
with every kind of input error (text in numbers, values outside the lists, blank required
cells, Excel error values, dates out of order, several errors in one row) are computed by

- ``logidesk process`` (the cached values of its result workbook and its 错误清单),
- ``workbooks.frames.process_frame`` (the public DataFrame API), and
- the template formulas of the clerk's file, evaluated by the independent ``formulas``
  engine (ROW_CHECK and our functions registered under their Excel names),

and the three must agree cell for cell, on the 汇总 totals and on the error counts. A row with
a bad input shows its first bad input (template order) in every computed cell, no number,
and is in no total."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from tests.register_columns import cell, cells
from tests.register_files import make_register
from workbooks import equivalence as E, layout as L, samples as S
from workbooks.frames import process_frame
from workbooks.process import process_file
from workbooks.register import XlError
from workbooks.spec import CLAIMS, ERROR_PREFIX, REGISTERS, Template

TODAY = "2026-11-23"
D = dt.date


def _claim(**kw: Any) -> dict[str, Any]:
    row = {"运单号": "GX0001", "寄件日期": D(2026, 11, 2), "索赔日期": D(2026, 11, 12), "索赔类型": "遗失",
           "货物类别": "普通货物", "物品价值": 1500, "保价金额": 0, "运费": 20}
    return {**row, **kw}


def _complaint(**kw: Any) -> dict[str, Any]:
    return {"投诉日期": D(2026, 11, 16), "投诉人": "王女士", "投诉类别": "服务态度", **kw}


def _storage(**kw: Any) -> dict[str, Any]:
    return {"运单号": "GX0003", "到货通知日期": D(2026, 11, 2), "提货日期": D(2026, 11, 9), "运费": 80,
            "始发地": "福州", "目的地": "上海", **kw}


def _cod(**kw: Any) -> dict[str, Any]:
    return {"运单号": "GX0004", "代收金额": 5000, "到账日期": D(2026, 11, 2), **kw}


GENERATED: dict[str, list[dict[str, Any]]] = {
    "claims": [
        _claim(物品价值="八百"),                                   # text in a money column
        _claim(运费="二十元", 损失比例="一半"),
        _claim(货物类别="普通货物X"),                              # outside the lists
        _claim(索赔类型="丢件"),
        _claim(电商件="可能", 网点类型="加盟店"),
        _claim(寄递范围="火星"),
        _claim(寄件日期=None),                                     # blank required cells
        _claim(物品价值=None, 运费=None),
        _claim(运单号=None),
        _claim(物品价值=XlError("#N/A")),                          # Excel error values
        _claim(索赔日期=XlError("#VALUE!")),
        _claim(索赔类型=XlError("#REF!")),
        _claim(寄件人=XlError("#N/A")),                            # a free text nothing computes with
        _claim(索赔日期=D(2026, 10, 30)),                          # dates out of order
        _claim(结案日期=D(2026, 11, 5)),
        _claim(寄件日期="下周"),                                   # text in a date column
        _claim(运费="x", 索赔类型="丢件"),                         # two errors: the first in template order
        _claim(延误天数="三天", 重量="重"),
        _claim(索赔类型="延误", 网点类型="直营", 延误天数=3),       # valid inputs, a failing formula (NET-5)
        _claim(寄件日期=D(2025, 9, 1), 索赔日期=D(2026, 9, 2), 物品价值="八百"),   # refused and a bad input
        _claim(),
    ],
    "complaints": [
        _complaint(投诉类别="态度差"), _complaint(投诉日期="昨天"), _complaint(投诉人=None),
        _complaint(投诉日期=XlError("#N/A")), _complaint(结案日期=D(2026, 11, 10)),
        _complaint(结案日期="已结"), _complaint(投诉类别=None, 结案日期=D(2026, 11, 1)),
        _complaint(投诉日期=D(2026, 12, 28), 投诉类别="发错货或运送质量"), _complaint(),
    ],
    "storage": [
        _storage(运费="八十"), _storage(始发地="火星"), _storage(到货通知日期=None),
        _storage(提货日期=XlError("#DIV/0!")), _storage(提货日期=D(2026, 11, 1)), _storage(运费=-80),
        _storage(目的地=None, 运费="x"), _storage(),
    ],
    "cod": [
        _cod(代收金额="五千"), _cod(代收金额=None), _cod(代收金额=XlError("#N/A")),
        _cod(提款日期=D(2026, 11, 1)), _cod(到账日期="下月"), _cod(提款日期=XlError("#NAME?")),
        _cod(代收金额=-300, 提款日期=D(2026, 10, 1)), _cod(),
    ],
}


def _rows(kind: str) -> list[dict[str, Any]]:
    """The sample's rows, then the generated ones (waybills made unique)."""
    rows = [dict(r) for r in S._rows_of(kind)]
    for i, r in enumerate(GENERATED[kind]):
        r = dict(r)
        r = {("重量(kg)" if k == "重量" else k): v for k, v in r.items()}
        if kind != "complaints" and r.get("运单号"):
            r["运单号"] = f"{r['运单号']}-{i:02d}"
        rows.append(r)
    return rows


def _register(path: Path, tpl: Template, rows: list[dict[str, Any]]) -> Path:
    """The clerk's file (openpyxl: error values as error cells, the template's formulas),
    with the template's 汇总 sheet."""
    make_register(path, tpl, [{k: (str(v) if isinstance(v, XlError) else v) for k, v in r.items()} for r in rows])
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet(L.SUMMARY_SHEET)
    ws.append(["项目", "数值"])
    for label, formula in L.summary_lines(tpl, len(rows) + 1):
        ws.append([label, formula])
    wb.save(path)
    return path


def _sheet(path: Path, name: str) -> list[list[Any]]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


@pytest.fixture(scope="module")
def worked(tmp_path_factory):
    """Every register computed the three ways (today fixed)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOGIDESK_TODAY", TODAY)
        out = {}
        for kind, tpl in REGISTERS.items():
            work = tmp_path_factory.mktemp(kind)
            rows = _rows(kind)
            src = _register(work / f"{tpl.sheet}.xlsx", tpl, rows)
            res = process_file(src, work / "out", progress=False)
            assert res.refused is None and res.output is not None
            frame = pd.DataFrame([{c.header: r.get(c.header) for c in tpl.inputs} for r in rows], dtype=object)
            computed, errors = process_frame(kind, frame)
            out[kind] = (tpl, rows, res, computed, errors, E.evaluate(src))
        yield out


@pytest.mark.parametrize("kind", list(REGISTERS))
def test_every_computed_cell_agrees(worked, kind):
    tpl, rows, res, computed, _, formulas = worked[kind]
    cached = _sheet(res.output, tpl.sheet)
    compared, bad = 0, []
    for i in range(len(rows)):
        r = i + 2
        for col in tpl.computed:
            c = tpl.headers.index(col.header)
            ref = f"{L.col_letter(c)}{r}"
            processor = cached[r - 1][c]
            api = computed.iloc[i][col.header]
            engine = formulas.get((tpl.sheet.upper(), ref), "<缺失>")
            a, b = E._norm_pair(processor, api)
            a2, b2 = E._norm_pair(processor, engine)
            compared += 1
            if a != b or a2 != b2:
                bad.append(f"{ref}（{col.header}）：处理 {processor!r}，process_frame {api!r}，公式 {engine!r}")
    assert bad == [] and compared == len(rows) * len(tpl.computed)


@pytest.mark.parametrize("kind", list(REGISTERS))
def test_totals_and_error_counts_agree(worked, kind):
    tpl, rows, res, computed, errors, formulas = worked[kind]
    summary = _sheet(res.output, L.SUMMARY_SHEET)
    for r in range(1, len(summary)):
        label, processor = summary[r][0], summary[r][1]
        engine = formulas.get((L.SUMMARY_SHEET.upper(), f"B{r + 1}"), "<缺失>")
        if label == L.ERROR_ROWS_LABEL:
            # the formulas engine cannot evaluate this SUMPRODUCT of array tests (LibreOffice
            # recalculates it: test_workflows_second_pass): the same count from its cells
            engine = E._error_rows(tpl, len(rows), formulas, _sheet(res.output, tpl.sheet))
        assert E._norm_pair(processor, engine)[0] == E._norm_pair(processor, engine)[1], (label, processor, engine)
        if label.endswith("合计"):     # a total refuses a column with errors, as SUM would skip them
            col = computed[label[:-2]]
            has_error = any(str(v).startswith(ERROR_PREFIX) for v in col)
            want = "有错误行，请先更正" if has_error else sum(v for v in col if isinstance(v, float))
            assert E._norm_pair(processor, want)[0] == E._norm_pair(processor, want)[1], label
    listed = [r for r in _sheet(res.output, "错误清单")[1:] if r[0] != ""]
    assert len(listed) == len(errors) == len(res.errors)
    assert [(int(r[0]), r[2], r[4]) for r in listed] == \
        list(zip(errors["行号"].astype(int), errors["单元格"], errors["错误信息"]))


def test_a_bad_input_shows_its_first_error_once_and_no_total(worked):
    """Exact texts, computed by hand from the messages of the checks (CMP-1, CLM-1, CLM-7): the
    widest column (赔偿说明) shows the message, every other computed cell (the row gate 受理判定
    too) says where to read it, and no cell shows a number."""
    tpl, rows, res, computed, errors, _ = worked["claims"]
    at = {r.get("运单号"): i for i, r in enumerate(rows)}
    see = "错误：见「赔偿说明」"
    text = "错误：物品价值应为数字，收到文字「八百」（CMP-1）"
    row = computed.iloc[at["GX0001-00"]]
    assert row["赔偿说明"] == text
    assert list(row[["受理判定", "赔偿金额", "免收运费", "处理期限", "时限状态"]]) == [see] * 5
    # two bad inputs: 索赔类型 (D) comes before 运费 (J) in the template
    two = computed.iloc[at["GX0001-16"]]
    assert two["赔偿说明"] == "错误：索赔类型「丢件」不在下拉列表中，可选：遗失、破损、内件不符、延误（CLM-1）"
    assert two["赔偿金额"] == two["受理答复期限"] == see
    # the claim date before the ship date is an input error of 索赔日期 (CLM-7)
    order = computed.iloc[at["GX0001-13"]]
    shown = set(order[[c.header for c in CLAIMS.computed]]) - {""}        # (网点赔付: no 网点类型)
    assert shown == {"错误：索赔日期 2026-10-30 早于寄件日期 2026-11-02（CLM-7）", see}
    # the good generated row: 遗失, uninsured, value 1500, freight 20 → min(1500, 3 × 20) = 60.00 (CMP-1),
    # freight waived 20.00 (CMP-4)
    good = computed.iloc[at["GX0001-20"]]
    assert (good["赔偿金额"], good["免收运费"]) == (60.0, 20.0)


def test_process_frame_issue_example(monkeypatch):
    """The issue's two rows: both in the error list, neither shows 免收运费 20.0."""
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    df = pd.DataFrame([_claim(运单号="A1", 货物类别="普通货物X"), _claim(运单号="A2", 物品价值="八百")])
    out, err = process_frame("claims", df)
    assert list(err["单元格"]) == [cell("货物类别", 2), cell("物品价值", 3)] and list(err["规则编号"]) == ["INS-4", "CMP-1"]
    assert all(str(v).startswith(ERROR_PREFIX) for v in out["免收运费"])
    assert out.loc[1, "免收运费"] == "错误：见「赔偿说明」"
    assert out.loc[1, "赔偿说明"] == "错误：物品价值应为数字，收到文字「八百」（CMP-1）"


def test_generated_rows_cover_every_kind_of_input_error(worked):
    """The generated rows do hit every kind of check (so the agreement above means something)."""
    messages = " ".join(str(m) for k in worked for m in worked[k][4]["错误信息"])
    for part in ("应为数字", "不在下拉列表中", "缺少", "Excel 错误值", "早于", "不是日期"):
        assert part in messages, part


def test_a_file_from_a_template_before_the_row_gate(tmp_path, monkeypatch):
    """A clerk's register made from the previous template (no ROW_CHECK, ``cell=""`` guards):
    its formulas are the template's own, not values typed over them — no override errors —
    and the result carries the current formulas."""
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    from workbooks.register import open_register, previous_formula
    rows = [_claim(运单号="OLD1"), _claim(运单号="OLD2", 物品价值="八百", 结案日期=D(2026, 11, 20))]
    path = make_register(tmp_path / "旧模板.xlsx", CLAIMS, rows, formula_rows=5)
    wb = openpyxl.load_workbook(path)
    ws = wb[CLAIMS.sheet]
    for r in range(2, 7):
        for col in CLAIMS.computed:
            ws.cell(r, CLAIMS.headers.index(col.header) + 1,
                    "=" + previous_formula(col, lambda h, r=r: f"{CLAIMS.letter(h)}{r}"))
    wb.save(path)
    assert ws[cell("时限状态", 2)].value.startswith(cells('=IF({运单号}="","",IF(ISNUMBER({处理期限})', 2))  # the old one
    ev = next(open_register(path).iter_evaluations())
    assert [(e.row, e.column, e.kind) for e in ev.errors] == [(3, "物品价值", "input")]
    assert list(ev.outcome[:2]) == ["ok", "invalid"]
    res = process_file(path, tmp_path / "out", progress=False)
    import zipfile
    with zipfile.ZipFile(res.output) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert cells('<f>IF(COUNTBLANK({运单号}),"",ROW_CHECK(CLAIM_CHECK({寄件日期},{索赔日期},{索赔原因},{保价金额}&gt;0),'
                 '"claims@赔偿说明",', 2) in sheet


def test_the_generated_register_declarations_are_current():
    """udfs/register_inputs.py (what ROW_CHECK reads) is generated from the templates."""
    from workbooks import gen_checks
    assert gen_checks.TARGET.read_text(encoding="utf-8") == gen_checks.render()
    assert gen_checks.main(["--check"]) == 0


def test_row_check_at_the_excel_boundary(monkeypatch):
    """What xlwings hands ROW_CHECK (every argument as [[value]], an error cell as its text or
    as the COM SCODE): the messages of 错误清单; a wrong call says so in Chinese."""
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    from udfs.xlcall import call
    from udfs.xlvalues import SCODE_BASE
    cell = lambda v: [[v]]  # noqa: E731
    good = ["SF1", 5000.0, dt.datetime(2026, 11, 2), None]
    assert call("ROW_CHECK", cell(15.0), cell("cod"), *map(cell, good)) == 15.0   # 5000 × 3‰ (COD-1)
    na = SCODE_BASE + 2042                                                         # #N/A through COM
    assert call("ROW_CHECK", cell(15.0), cell("cod"), *map(cell, ["SF1", na, None, None])) == \
        "错误：代收金额是 Excel 错误值 #N/A（不能当作空白），请更正该单元格或其引用的单元格（COD-1）"
    assert call("ROW_CHECK", cell(0.0), cell("cod"), *map(cell, ["SF1", 100.0, dt.datetime(2026, 11, 12),
                                                                   dt.datetime(2026, 11, 2)])) == \
        "错误：提款日期 2026-11-02 早于到账日期 2026-11-12（COD-2）"
    assert call("ROW_CHECK", cell("#N/A"), cell("cod"), *map(cell, good)) == "错误：计算结果是 Excel 错误值 #N/A"
    assert call("ROW_CHECK", 1.0, "cod", "SF1") == "错误：ROW_CHECK 应有 4 个输入单元格，收到 1 个（请用模板公式）"
    assert call("ROW_CHECK", 1.0, "仓库", "SF1").startswith("错误：未知的登记表类型「仓库」")
