"""Benchmark of the downstream workflows, timed as the user runs them. Not a test: run it by hand.

    python bench/bench_workflows.py                  # report 20 × 10k, deadlines 10k/30k/100k, PDFs 200
    python bench/bench_workflows.py --skip-pdf

Every line times the command a user types, as a whole process (import, read, compute,
write, console output; the same figures as ``/usr/bin/time -v``), beside the alternative a
user would pick, and where it helps the in-process split (read+compute vs write):

- ``logidesk report DIR --period 2026-11-上半月 --out 报表.xlsx -q`` over 20 branch claim
  registers of 10,000 rows each (target ≤ 10 s), beside a pandas (calamine) read of the same
  20 files in a process of its own — which has no amount to total, since a clerk's file
  holds formulas, not numbers: a lower bound of that way of working, not the same work.
- ``logidesk deadlines DIR --no-ledger --within 3 --out 提醒.xlsx -q`` on claim registers of
  10k, 30k and 100k rows (linear: 30k ≤ 4 × 10k; 100k ≤ 3 × the pandas read of that file).
- ``pdf``: 200 notices with PDF (target ≥ 8 notices/s): sub-batches on every core after the
  numbering commit, side by side with one LibreOffice run for the whole batch (the old way).

Registers: the sample's 36 rows repeated (≈ 19 % planted errors, refused claims, every claim
type), waybills unique per branch, claim dates spread over November 2026; inputs only, as
a clerk's file (XlsxWriter, constant memory).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import wholeproc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LOGIDESK_TODAY", "2026-11-23")
DATA = Path(tempfile.gettempdir()) / "logidesk-bench-workflows"
RUNS = 3
ENV = {"LOGIDESK_TODAY": "2026-11-23"}


def register(path: Path, n: int, branch: str, prefix: str) -> Path:
    import xlsxwriter

    from workbooks import layout as L
    from workbooks.samples import claim_rows
    from workbooks.spec import CLAIMS
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    base = claim_rows()
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    L.write_marker(wb, "claims", CLAIMS.version, {"名称": "bench"})
    ws = wb.add_worksheet(CLAIMS.sheet)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, f"{branch} 理赔登记")  # a title row above the header
    for c, col in enumerate(CLAIMS.columns):
        ws.write_string(1, c, col.header)
    inputs = [(c, col.header) for c, col in enumerate(CLAIMS.columns) if not col.computed]
    for i in range(n):
        row = dict(base[i % len(base)])
        r = i + 2
        if isinstance(row.get("索赔日期"), dt.date) and isinstance(row.get("寄件日期"), dt.date):
            shift = row["索赔日期"] - row["寄件日期"]
            row["索赔日期"] = dt.date(2026, 11, 1 + i % 30)
            row["寄件日期"] = row["索赔日期"] - shift
        for c, h in inputs:
            v = f"{prefix}{i:08d}" if h == "运单号" else row.get(h)
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, dt.date):
                ws.write_number(r, c, L.serial(v), date_fmt)
            else:
                ws.write_number(r, c, v)
    st = wb.add_worksheet("设置")
    st.write_row(0, 0, ["项目", "内容"])
    st.write_row(1, 0, ["本网点", branch])
    wb.close()
    os.replace(tmp, path)
    return path


def cpu() -> float:
    """CPU seconds of this process and its finished workers (the machine is shared: wall
    time alone says little)."""
    import resource
    return sum(getattr(resource.getrusage(w), a) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for a in ("ru_utime", "ru_stime"))


NAIVE = """import sys, pandas as pd
for p in sys.argv[1:]:
    df = pd.read_excel(p, sheet_name="理赔登记表", header=1, engine="calamine")
    pd.to_numeric(df["赔偿金额"], errors="coerce").sum()
"""


def naive(paths: list[Path]) -> wholeproc.Run:
    """What a user would try instead: read the files with pandas (calamine) in a process of
    its own and total the 赔偿金额 column. Nothing is computed or checked, so it is a lower
    bound of that way of working, not the same work."""
    return wholeproc.median([sys.executable, "-c", NAIVE, *map(str, paths)], RUNS)


def bench_report(rows: int, files: int) -> None:
    from desk.report import consolidate, write_report
    folder = DATA / f"report-{files}x{rows}"
    paths = [register(folder / f"网点{i:02d}.xlsx", rows, f"网点{i:02d}", f"B{i:02d}-") for i in range(files)]
    cmd = wholeproc.logidesk("report", str(folder), "--period", "2026-11-上半月", "--today", "2026-11-23",
                             "--out", str(DATA / "report.xlsx"), "-q")
    r = wholeproc.median(cmd, RUNS, ENV)
    print(f"logidesk report {files} × {rows:,} rows -q: {r}  [target ≤ 10 s]")
    alt = naive(paths)
    print(f"  alternative (pandas read of the same files, nothing computed): {alt}; ratio {r.wall / alt.wall:.2f}")
    t, c = time.perf_counter(), cpu()
    data = consolidate([folder], "2026-11-上半月", dt.date(2026, 11, 23))
    t_read, _ = time.perf_counter() - t, cpu() - c
    out = write_report(data, DATA / "report.xlsx")
    total, c_total = time.perf_counter() - t, cpu() - c
    print(f"  in-process split: {total:.1f} s (read+compute {t_read:.1f} s, write {total - t_read:.1f} s); "
          f"CPU {c_total:.1f} s; {len(data['rows']):,} damage/shortage claims, {len(data['apart']):,} listed apart "
          f"→ {out.stat().st_size:,} bytes")


def bench_deadlines(sizes: list[int]) -> None:
    walls = {}
    for rows in sizes:
        path = register(DATA / f"deadlines-{rows}" / "网点.xlsx", rows, "网点", "D-")
        cmd = wholeproc.logidesk("deadlines", str(path.parent), "--today", "2026-11-23", "--no-ledger",
                                 "--within", "3", "--out", str(DATA / "deadlines.xlsx"), "-q")
        r = wholeproc.median(cmd, RUNS, ENV)
        walls[rows] = r.wall
        alt = naive([path])
        print(f"logidesk deadlines {rows:,} rows -q: {r}")
        print(f"  alternative (pandas read of the file, nothing computed): {alt}; ratio {r.wall / alt.wall:.2f}"
              f"  [target at 100k ≤ 3]")
    base = min(walls)
    for rows in sorted(walls)[1:]:
        print(f"  deadlines {rows:,} ÷ {base:,} rows: {walls[rows] / walls[base]:.2f}× "
              f"(rows {rows / base:.0f}×; linear target at 30k ≤ 4×)")


def bench_pdf(n: int) -> None:
    import pandas as pd

    from desk.notices import render
    from desk.notices.batch import issue
    from desk.notices.samples import DEFAULT_SETTINGS, claim_row
    if not render.soffice():
        print("pdf: LibreOffice not installed, skipped")
        return
    work = Path(tempfile.mkdtemp(prefix="logidesk-bench-pdf-"))
    try:
        rows = pd.DataFrame([claim_row(f"P{i:05d}", "遗失", 网点赔付=1000) for i in range(n)])
        t = time.perf_counter()
        b = issue(rows, "遗失公告", work / "out", DEFAULT_SETTINGS, ledger=work / "l.sqlite3",
                  notice_date=dt.date(2026, 11, 23), pdf=True)
        el = time.perf_counter() - t
        print(f"pdf {n} notices: {el:.1f} s = {n / el:.1f} notices/s, {sum(1 for x in b if x.pdf)} PDFs, "
              f"{len(b.pdf_failures)} failed sub-batches (workers {min(4, os.cpu_count() or 1)})  [target ≥ 8/s]")
        docs = [x.docx for x in b]
        t = time.perf_counter()
        render.to_pdf(docs, work / "one")
        el1 = time.perf_counter() - t
        print(f"  alternative (one LibreOffice run for the batch, PDFs only): {el1:.1f} s = {n / el1:.1f} notices/s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    global DATA, RUNS
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--deadline-rows", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    ap.add_argument("--runs", type=int, default=3, help="runs of each command; the median is shown")
    ap.add_argument("--pdf", type=int, default=200)
    ap.add_argument("--skip-pdf", action="store_true")
    ap.add_argument("--dir", type=Path, help=f"registers and outputs here (default {DATA})")
    a = ap.parse_args()
    RUNS = a.runs
    if a.dir:
        DATA = a.dir
    os.environ.setdefault("LOGIDESK_HOME", str(DATA / "home"))
    ENV["LOGIDESK_HOME"] = os.environ["LOGIDESK_HOME"]
    bench_report(a.rows, a.files)
    bench_deadlines(a.deadline_rows)
    if not a.skip_pdf:
        bench_pdf(a.pdf)


if __name__ == "__main__":
    main()
