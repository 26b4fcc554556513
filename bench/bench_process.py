"""Benchmark of ``logidesk process`` (issue 9, item 3). Not a test: run it by hand.

    python bench/bench_process.py                       # 10k, 100k, 1M rows; openpyxl up to 100k
    python bench/bench_process.py --sizes 10000 100000 --naive-max 100000 --repeat 3

The inputs are claim registers of the same rows (bench/registers.py): the sample's 36 rows
repeated with new waybill numbers (≈19 % carry a planted error), in two shapes —
``excel``: as Excel saves it (shared strings, a formula with its cached value in every
computed cell); ``script``: as a script saves it with openpyxl (inline strings, every
non-ASCII character of texts and formulas as a numeric character reference ``&#19981;``,
formulas without cached values). Both contenders run on the SAME file in the same run,
each in a fresh process (peak RSS is its own), interleaved when repeated (medians reported):

- ``process``: ``logidesk process`` (workbooks.pipeline: streaming read → the register
  model per chunk → cells patched into the clerk's package; on 2+ cores large sheets are
  worked in worker processes, ``LOGIDESK_WORKERS=0`` to compare one process);
- ``openpyxl``: what a user would script — openpyxl loads the workbook, the same register
  model computes the rows (udfs.columns), the computed cells are set, openpyxl saves.

Prints read / compute / write seconds (with workers: summed over them), rows per second,
peak RSS of the main process and of the largest worker, CPU seconds of all processes, the
openpyxl ÷ process ratio and the 1M ÷ 100k ratio, with the machine's load average.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("LOGIDESK_TODAY", "2026-11-23")


def run_process(path: str, out: str) -> dict:
    from workbooks.process import process_file
    t = time.perf_counter()
    res = process_file(Path(path), Path(out), progress=False)
    assert res.refused is None, res.refused
    s = res.seconds
    return {"read": s["read"], "compute": s["compute"], "write": s["write"],
            "total": time.perf_counter() - t, "rows": res.rows, "error_rows": len(res.error_rows)}


def run_openpyxl(path: str, out: str) -> dict:
    import numpy as np
    import openpyxl

    from workbooks.register import MemoryChunk, open_register
    t0 = time.perf_counter()
    reg = open_register(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[reg.sheet_name]
    t1 = time.perf_counter()
    cols = reg.read_columns
    first = reg.first_row
    rows, values, formulas = [], {c: [] for c in cols}, {c: [] for c in reg.computed_columns}
    for r, row in enumerate(ws.iter_rows(min_row=first, values_only=True), start=first):
        rows.append(r)
        for c in cols:
            v = row[c] if c < len(row) else None
            if c in formulas:
                is_f = isinstance(v, str) and v.startswith("=")
                formulas[c].append(v[1:] if is_f else None)
                values[c].append(None if is_f else v)
            else:
                values[c].append(v)
    ev = reg.evaluate(MemoryChunk(np.array(rows, dtype=np.int64), values, formulas))
    for h, comp in ev.computed.items():
        c = reg.columns[h] + 1
        for i, r in enumerate(rows):
            if ev.outcome[i] != "blank":
                ws.cell(r, c).value = comp.value(i)
    t2 = time.perf_counter()
    Path(out).mkdir(parents=True, exist_ok=True)
    wb.save(str(Path(out) / "openpyxl.xlsx"))
    t3 = time.perf_counter()
    return {"read": t1 - t0, "compute": t2 - t1, "write": t3 - t2, "total": t3 - t0,
            "rows": int(np.sum(ev.outcome != "blank"))}


def child(mode: str, path: str, out: str) -> None:
    import resource
    result = run_process(path, out) if mode == "process" else run_openpyxl(path, out)
    use = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)    # worker processes of the pass
    result["peak_mb"] = use.ru_maxrss / 1024
    result["worker_mb"] = kids.ru_maxrss / 1024
    # all threads and workers; steadier than wall time on a busy machine
    result["cpu"] = use.ru_utime + use.ru_stime + kids.ru_utime + kids.ru_stime
    print("RESULT " + json.dumps(result))


def measure(mode: str, path: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", mode, str(path), str(out)],
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-3000:]}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[7:])


def _median(runs: list[dict]) -> dict:
    keys = ("read", "compute", "write", "total", "peak_mb", "worker_mb", "cpu")
    return {**runs[0], **{k: statistics.median(r[k] for r in runs) for k in keys}}


def main(argv: list[str] | None = None) -> int:
    from registers import excel_shaped, script_written
    p = argparse.ArgumentParser(description="logidesk process 性能测试")
    p.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000, 1000000])
    p.add_argument("--shapes", nargs="+", choices=("excel", "script"), default=["excel", "script"],
                   help="输入形态：excel（Excel 保存）、script（openpyxl 脚本写出）")
    p.add_argument("--script-max", type=int, default=100000, help="script shape only up to this size")
    p.add_argument("--naive-max", type=int, default=100000, help="openpyxl only up to this size")
    p.add_argument("--repeat", type=int, default=1, help="interleaved runs per size (medians)")
    p.add_argument("--dir", type=Path, default=Path("/tmp/logidesk-bench"))
    p.add_argument("--child", nargs=3, metavar=("MODE", "PATH", "OUT"), help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        child(*a.child)
        return 0
    results: dict[tuple[str, str, int], dict] = {}
    makers = {"excel": excel_shaped, "script": script_written}
    print(f"{'shape':<7}{'mode':<9}{'rows':>9}{'read s':>9}{'compute s':>11}{'write s':>9}{'total s':>9}"
          f"{'rows/s':>10}{'peak MB':>9}{'+worker':>8}{'cpu s':>8}  load")
    for n in a.sizes:
        for shape in a.shapes:
            if shape == "script" and n > a.script_max:
                continue
            t = time.perf_counter()
            path = makers[shape](n, a.dir / f"claims_{shape}_{n}.xlsx")
            print(f"# input {path} ({path.stat().st_size / 1e6:.1f} MB, generated/cached in "
                  f"{time.perf_counter() - t:.1f} s)", flush=True)
            modes = ["process"] + (["openpyxl"] if n <= a.naive_max else [])
            runs: dict[str, list[dict]] = {m: [] for m in modes}
            for _ in range(a.repeat):
                for mode in modes:
                    runs[mode].append(measure(mode, path, a.dir / f"out_{mode}_{shape}_{n}"))
            for mode in modes:
                r = results[(shape, mode, n)] = _median(runs[mode])
                print(f"{shape:<7}{mode:<9}{n:>9}{r['read']:>9.2f}{r['compute']:>11.2f}{r['write']:>9.2f}"
                      f"{r['total']:>9.2f}{n / r['total']:>10.0f}{r['peak_mb']:>9.0f}{r['worker_mb']:>8.0f}"
                      f"{r['cpu']:>8.2f}  {os.getloadavg()[0]:.1f}", flush=True)
    for n in a.sizes:
        for shape in a.shapes:
            if (shape, "openpyxl", n) in results:
                ratio = results[(shape, "openpyxl", n)]["total"] / results[(shape, "process", n)]["total"]
                cpu = results[(shape, "openpyxl", n)]["cpu"] / results[(shape, "process", n)]["cpu"]
                print(f"{shape}: openpyxl ÷ process at {n} rows: {ratio:.1f}× wall, {cpu:.1f}× CPU  (goal ≥ 10× at 100k)")
        if ("script", "process", n) in results and ("excel", "process", n) in results:
            s_, e_ = results[("script", "process", n)], results[("excel", "process", n)]
            print(f"script ÷ excel (process) at {n} rows: {s_['total'] / e_['total']:.2f}× wall, "
                  f"{s_['cpu'] / e_['cpu']:.2f}× CPU  (goal ≤ 1.5×)")
    results = {(m, n): r for (shape, m, n), r in results.items() if shape == "excel"}
    if ("process", 100000) in results and ("process", 1000000) in results:
        big, small = results[("process", 1000000)], results[("process", 100000)]
        print(f"1M ÷ 100k time: {big['total'] / small['total']:.1f}× wall, {big['cpu'] / small['cpu']:.1f}× CPU "
              f"(linear: 10×); 1M: {big['total']:.1f} s "
              f"(goal ≤ 60 s), peak {big['peak_mb']:.0f} MB (goal ≤ 1024 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
