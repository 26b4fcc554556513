"""Differential test of the sheet reader: on every file the writer matrix generates, every
sheet read by ``open_package(...).read_small_sheet`` and the register sheet read by
``iter_chunks`` give the values openpyxl gives (an independent reader), cell for cell.

The product's one documented difference: a line break is ``\\n`` (Excel's CR LF is read as
LF). Variants read wrong today because of how single cells are read are xfail (strict).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import package_files as PF
import pytest
from test_writer_matrix import SAMPLES, Made

from udfs.cellvalue import NotCalculated, XlError
from workbooks.xlsx.package import open_package

# cell-level readings that differ from openpyxl today, per reader: (sample, variant)
FAILS: dict[str, set[tuple[str, str]]] = {"small": set(), "chunks": set()}


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Made:
    return Made(tmp_path_factory.mktemp("differential"))


def _norm(v: Any, contract: bool = False) -> Any:
    """A value comparable across readers; ``contract``: openpyxl's value as the product
    must read it (CR LF → LF)."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, NotCalculated):   # a formula saved without its result: openpyxl reads None
        return None
    if isinstance(v, XlError):
        return ("error", str(v))
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        return (v.replace("\r\n", "\n") if contract else v) if v else None
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return v


def _openpyxl(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    """(row, 0-based column) → value of every non-blank cell, per worksheet."""
    from openpyxl import load_workbook
    wb = load_workbook(path, data_only=True)
    out = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if c.data_type == "e" and isinstance(v, str):
                    v = XlError(v)
                v = _norm(v, contract=True)
                if v is not None:
                    cells[(c.row, c.column - 1)] = v
        out[ws.title] = cells
    return out


def _cases(reader: str) -> list:
    out = []
    for s in SAMPLES:
        for v in PF.VARIANTS:
            if v == "crlf" and s != "理赔登记表":
                continue
            marks = [pytest.mark.xfail(strict=True, reason=PF.CELL_LEVEL[v])] if (s, v) in FAILS[reader] else []
            out.append(pytest.param(s, v, marks=marks, id=f"{s}-{v}"))
    return out


@pytest.mark.parametrize("sample, variant", _cases("small"))
def test_small_sheets_read_as_openpyxl_reads_them(made, sample, variant) -> None:
    path = made.get(sample, variant)
    theirs = _openpyxl(path)
    pkg = open_package(path)
    assert [s.name for s in pkg.sheets if s.type == "worksheet"] == list(theirs)
    for name, cells in theirs.items():
        ours = {}
        for r, row in enumerate(pkg.read_small_sheet(name), start=1):
            for c, v in enumerate(row):
                if _norm(v) is not None:
                    ours[(r, c)] = _norm(v)
        assert ours == cells, name


@pytest.mark.parametrize("sample, variant", _cases("chunks"))
def test_register_chunks_read_as_openpyxl_reads_them(made, sample, variant) -> None:
    path = made.get(sample, variant)
    pkg = open_package(path)
    sheet = pkg.sheets[0].name
    theirs = _openpyxl(path)[sheet]
    ours = {}
    for chunk in pkg.iter_chunks(sheet, 1, size=7):
        for col, values in chunk.values.items():
            for r, v in zip(chunk.rows.tolist(), values):
                if _norm(v) is not None:
                    ours[(r, col)] = _norm(v)
    assert len(theirs) > 40
    assert ours == theirs
