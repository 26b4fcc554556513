"""Worker processes (large registers on several cores) write the same result as one process:
same cells, values, 汇总, 错误清单, counts; only the appended highlight formats are numbered
differently (every format's highlight is fixed before the workers start)."""
from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest
from clerk_files import rich_register

from workbooks import process as P, result as R

TODAY = "2026-11-23"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


@pytest.mark.parametrize("shape", ["rich", "excel"])
def test_workers_write_what_one_process_writes(tmp_path, monkeypatch, shape):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    if shape == "rich":
        src = rich_register(tmp_path / "r.xlsx")
        monkeypatch.setattr(R, "CHUNK_ROWS", 10)
        from workbooks.xlsx import sheetxml
        monkeypatch.setattr(sheetxml, "BLOCK", 4000)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
        from registers import excel_shaped
        src = excel_shaped(3000, tmp_path / "e.xlsx")
        monkeypatch.setattr(R, "CHUNK_ROWS", 700)
        from workbooks.xlsx import sheetxml
        monkeypatch.setattr(sheetxml, "BLOCK", 1 << 18)
    monkeypatch.setenv("LOGIDESK_WORKERS", "0")
    one = P.process_file(src, tmp_path / "one", progress=False)
    monkeypatch.setenv("LOGIDESK_WORKERS", "2")
    two = P.process_file(src, tmp_path / "two", progress=False)
    assert one.refused is None and two.refused is None
    assert (one.rows, one.error_rows, one.totals, one.partial_totals) == \
        (two.rows, two.error_rows, two.totals, two.partial_totals)
    assert [(e.row, e.letter, e.message) for e in one.errors] == [(e.row, e.letter, e.message) for e in two.errors]
    a, b = _parts(one.output), _parts(two.output)
    assert set(a) == set(b)
    strip = lambda x: re.sub(rb' s="\d+"', b"", x)  # noqa: E731
    for name in a:
        if name == "xl/styles.xml":
            continue
        assert strip(a[name]) == strip(b[name]), name
    assert a["xl/worksheets/sheet1.xml"] != b"" and len(one.error_rows) > 0


def test_workers_are_used_for_large_sheets(monkeypatch):
    monkeypatch.delenv("LOGIDESK_WORKERS", raising=False)
    monkeypatch.setattr(R.os, "cpu_count", lambda: 2)
    assert R.workers_for(R.PARALLEL_FROM - 1) == 0 and R.workers_for(R.PARALLEL_FROM) == 2
    monkeypatch.setattr(R.os, "cpu_count", lambda: 1)
    assert R.workers_for(10 * R.PARALLEL_FROM) == 0
    monkeypatch.setenv("LOGIDESK_WORKERS", "0")
    monkeypatch.setattr(R.os, "cpu_count", lambda: 8)
    assert R.workers_for(10 * R.PARALLEL_FROM) == 0
