"""Which way to read a register's sheet XML (issue 9, item 3). Not a test: run by hand.

    python bench/bench_sheet_reader.py /tmp/logidesk-bench/claims_100000.xlsx

Reads every cell of the register sheet into typed values, three ways, in one run:
- ``xlsx``: workbooks.xlsx (numpy index of each 4 MiB block, values a block at a time);
- ``lxml``: lxml.etree.iterparse over the same part (C parser, Python per element);
- ``calamine``: python-calamine's to_python (what the processor used before; holds the sheet).
(``decompress`` is the inflate alone. A first version matched rows and cells with Python
regexes: ~1.5 µs a cell, 32 s for a 100k-row register; it is kept only as the fallback
for odd sheets, workbooks.xlsx.scan.normalise.)
"""
from __future__ import annotations

import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def by_xlsx(path: str, sheet: str) -> int:
    from workbooks.xlsx import open_package
    n = 0
    for chunk in open_package(path).iter_chunks(sheet, 2):
        n += sum(sum(v is not None for v in col) for col in chunk.values.values())
    return n


def decompress_only(path: str, sheet: str) -> int:
    from workbooks.xlsx import open_package
    pkg = open_package(path)
    with zipfile.ZipFile(path) as z, z.open(pkg.sheet(sheet).part) as f:
        n = 0
        while True:
            b = f.read(1 << 22)
            if not b:
                return n
            n += len(b)


def by_lxml(path: str, sheet: str) -> int:
    from lxml import etree

    from workbooks.xlsx import open_package
    from workbooks.xlsx.cells import XlError, from_serial
    pkg = open_package(path)
    sst, dates = pkg.shared_strings, pkg.date_styles
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    C, V, ROW = ns + "c", ns + "v", ns + "row"
    n = 0
    with zipfile.ZipFile(path) as z, z.open(pkg.sheet(sheet).part) as f:
        for _, row in etree.iterparse(f, events=("end",), tag=ROW, huge_tree=True):
            vals = {}
            for c in row.iterchildren(C):
                t = c.get("t", "n")
                v = c.findtext(V)
                if v is None or v == "":
                    continue
                if t == "s":
                    x = sst[int(v)]
                elif t == "n":
                    x = float(v)
                    s = int(c.get("s", "0"))
                    if dates[s]:
                        x = from_serial(x)
                elif t == "e":
                    x = XlError(v)
                elif t == "b":
                    x = v == "1"
                else:
                    x = v
                vals[c.get("r")] = x
            n += len(vals)
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
    return n


def by_calamine(path: str, sheet: str) -> int:
    from python_calamine import CalamineWorkbook
    with CalamineWorkbook.from_path(path) as wb:
        rows = wb.get_sheet_by_name(sheet).to_python()
    return sum(sum(v != "" for v in r) for r in rows[1:])


def main() -> None:
    path = sys.argv[1]
    sheet = sys.argv[2] if len(sys.argv) > 2 else "理赔登记表"
    for name, fn in (("decompress", decompress_only), ("xlsx", by_xlsx), ("lxml", by_lxml),
                     ("calamine", by_calamine)):
        t = time.perf_counter()
        n = fn(path, sheet)
        print(f"{name:<11}{time.perf_counter() - t:7.2f} s  ({n} cells/bytes)", flush=True)


if __name__ == "__main__":
    main()
