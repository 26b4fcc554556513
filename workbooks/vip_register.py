"""Reading the VIP customer register (VIP客户登记表, NTC-7), the customers a VIP
congratulation or cancellation letter is written to.

The template is declared with the others (:data:`workbooks.spec.VIP`) and built by
:func:`workbooks.build.build_vip_register` (``logidesk build``). :func:`open_vip_register`
reads a filled one through the same model code as every register (header below title rows,
moved columns, typed inputs, errors naming file, sheet and cell).
"""
from __future__ import annotations

from pathlib import Path

from .register import HEAD_ROWS, Register, RegisterError, find_header, map_columns, read_settings
from .spec import VIP
from .xlsx.package import PackageError, open_package


def open_vip_register(path: str | Path) -> Register:
    """A filled VIP customer register as a ``workbooks.register.Register`` (``.frame()``);
    RegisterError (Chinese, naming file and sheet) when it cannot be read."""
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
            columns, extra = map_columns(VIP, row, cells, head, f"{path.name}「{name}」")
            return Register(path, VIP.kind, VIP, name, row, columns, extra, read_settings(pkg), VIP.version,
                            [], pkg)
    raise RegisterError(f"{path.name}：找不到 VIP 客户登记表（应有工作表「{VIP.sheet}」，表头"
                        f"「{'」「'.join(VIP.headers[:4])}」等）", "missing_sheet", path)
