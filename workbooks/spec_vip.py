"""The VIP customer register (VIP客户登记表, NTC-7): the customers a VIP congratulation or
cancellation letter is written to. One row per customer and month; no computed columns —
the letter's figures are the month's volume and freight as recorded by sales.

Declared like the other registers (:class:`workbooks.spec.Template`), built by
:func:`build_vip_register` (``logidesk build``, :func:`workbooks.build.build_all`, writes it
beside the other templates), read by :func:`open_vip_register`
through the same model code as every register (header below title rows, moved columns,
typed inputs, errors naming file, sheet and cell).
"""
from __future__ import annotations

from pathlib import Path

from .outputs import follow_umask
from .spec import SETTINGS, Column, Template

VIP = Template(
    kind="vip", sheet="VIP客户", title="VIP客户登记表",
    settings=SETTINGS,
    columns=(
        Column("客户名称", "text", 24, required=True, rule="NTC-7", note="函件抬头：客户公司全称"),
        Column("客户联系人", "text", 10),
        Column("统计月份", "text", 9, required=True, rule="NTC-7", note="如 2026-10"),
        Column("月发件量", "int", 9, required=True, rule="NTC-7", note="当月发件票数"),
        Column("月运费", "money", 11, required=True, rule="NTC-7", note="当月运费合计（元）"),
        Column("生效日期", "date", 11, required=True, rule="NTC-7", note="VIP 服务开始或取消之日"),
    ),
)

def open_vip_register(path: str | Path):
    """A filled VIP customer register as a ``workbooks.register.Register`` (``.frame()``);
    RegisterError (Chinese, naming file and sheet) when it cannot be read."""
    from .register import HEAD_ROWS, Register, RegisterError, find_header, map_columns, read_settings
    from .xlsx.package import PackageError, open_package
    path = Path(path)
    try:
        pkg = open_package(path)
    except PackageError as e:
        raise RegisterError(e.message, e.reason, path) from None
    # The VIP sheet may also sit in a claim register's workbook: found by its header.
    names = [s.name for s in pkg.sheets if getattr(s, "type", "worksheet") == "worksheet"]
    order = ([VIP.sheet] if VIP.sheet in names else []) + [n for n in names if n != VIP.sheet]
    for name in order:
        head = pkg.head(name, HEAD_ROWS)
        found = find_header(head, VIP)
        if found:
            row, cells = found
            columns, extra, last = map_columns(VIP, row, cells, head, f"{path.name}「{name}」")
            return Register(path, VIP.kind, VIP, name, row, columns, extra, read_settings(pkg), VIP.version,
                            [], pkg, last)
    raise RegisterError(f"{path.name}：找不到 VIP 客户登记表（应有工作表「{VIP.sheet}」，表头"
                        f"「{'」「'.join(VIP.headers[:4])}」等）", "missing_sheet", path)


def build_vip_register(target: str | Path, rows: int = 200) -> Path:
    """The empty VIP customer register template: title row, header, input prompts and
    validation, 设置 sheet, template marker ``vip;1``; A4 landscape (atomic write)."""
    import os
    import tempfile

    import xlsxwriter
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False,
                                       "strings_to_numbers": False})
        ws = wb.add_worksheet(VIP.sheet)
        title = wb.add_format({"bold": True, "font_size": 14})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        fmts = {"text": wb.add_format({"border": 1, "num_format": "@"}),
                "int": wb.add_format({"border": 1, "num_format": "0"}),
                "money": wb.add_format({"border": 1, "num_format": "#,##0.00"}),
                "date": wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})}
        ws.write_string(0, 0, VIP.title, title)
        for j, col in enumerate(VIP.columns):
            ws.write_string(1, j, col.header, head)
            ws.set_column(j, j, col.width, fmts[col.kind])
            rng = (2, j, rows + 1, j)
            if col.kind == "int":
                ws.data_validation(*rng, {"validate": "integer", "criteria": ">=", "value": 0,
                                          "input_message": col.note[:255], "error_message": "请填写整数"})
            elif col.kind == "money":
                ws.data_validation(*rng, {"validate": "decimal", "criteria": ">=", "value": 0,
                                          "input_message": col.note[:255], "error_message": "请填写金额"})
            elif col.kind == "date":
                ws.data_validation(*rng, {"validate": "date", "criteria": ">", "value": __import__("datetime").date(2000, 1, 1),
                                          "input_message": col.note[:255], "error_message": "请填写日期"})
            elif col.note:
                ws.data_validation(*rng, {"validate": "any", "input_message": col.note[:255]})
        ws.freeze_panes(2, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(1)
        st = wb.add_worksheet("设置")
        st.write_string(0, 0, "项目", head)
        st.write_string(0, 1, "内容", head)
        for i, (k, _) in enumerate(VIP.settings, start=1):
            st.write_string(i, 0, k)
        st.set_column(0, 0, 12)
        st.set_column(1, 1, 36)
        from .build import marker_details
        from .layout import write_marker
        write_marker(wb, VIP.kind, VIP.version, marker_details(VIP.title))
        wb.close()
        follow_umask(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
