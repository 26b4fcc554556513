"""Reading test registers the way every workflow does: through the one register model."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def frame_of(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """The model's frame of a register (index = sheet row); ``sheet="VIP客户"``: VIP register."""
    if sheet == "VIP客户":
        from workbooks.vip_register import open_vip_register
        return open_vip_register(path).frame()
    from workbooks.register import open_register
    return open_register(path).frame()


def settings_of(path: Path) -> dict[str, Any]:
    from workbooks.register import open_register
    s = dict(open_register(path).settings)
    s["_workbook"] = str(path)
    return s


def loaded(path: Path):
    from desk.registers import open_one
    return open_one(path)


def write_kind(path: Path, kind: str, rows: list[dict], settings: dict | None = None,
               title: str | None = None) -> Path:
    """A register of ``kind`` (claims/complaints/cod/storage) with the template's input
    headers, as a clerk fills it (openpyxl; formula-looking text kept as text)."""
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName

    from workbooks.spec import REGISTERS
    tpl = REGISTERS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = tpl.sheet
    if title:
        ws.append([title])
    headers = tpl.headers  # computed columns left blank: the model computes them
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    st = wb.create_sheet("设置")
    st.append(["项目", "内容"])
    for k, v in (settings or {"本网点": "福州鼓楼网点"}).items():
        st.append([k, v])
    wb.defined_names["LOGIDESK_TEMPLATE"] = DefinedName("LOGIDESK_TEMPLATE", attr_text=f'"{kind};1"')
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def sheet_formulas(xlsx: Path) -> list[str]:
    """Every <f> element (formula) in the workbook's sheets."""
    import re
    import zipfile
    out = []
    with zipfile.ZipFile(xlsx) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                out += re.findall(r"<f[ >].*?</f>|<f/>", z.read(n).decode("utf-8"))
    return out


def hyperlinks(xlsx: Path) -> int:
    """External hyperlinks (to an address, r:id) in the sheets; our own links to cells of the
    workbook (location=…, e.g. 错误清单 → the bad cell) are not counted."""
    import re
    import zipfile
    with zipfile.ZipFile(xlsx) as z:
        return sum(len(re.findall(r"<hyperlink\b[^>]*\br:id=", z.read(n).decode("utf-8")))
                   for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
