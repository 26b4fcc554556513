"""Rows a notice batch is issued for, read through the one register model.

Claim notices read the claim register (``workbooks.register``): typed inputs, computed
amounts, each row's outcome (refused claims and rows with input errors get no notice).
VIP letters read the VIP customer register (:mod:`workbooks.vip_register`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cli import console
from desk.notices.kinds import spec as kind_spec
from desk.registers import settings_of
from workbooks.register import RegisterError, open_register
from workbooks.vip_register import open_vip_register


def load_rows(workbook: Path, kind: str, ranges: list[tuple[int, int]] | None,
              ) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
    """(rows within ``ranges``, settings with ``_workbook``, notes) of ``workbook``.

    Raises :class:`cli.console.Refused` (exit 1) when the file is not a register of the
    right kind, naming file, sheet and column."""
    vip = kind_spec(kind).per_customer
    try:
        if vip:
            reg = open_vip_register(Path(workbook))
        else:
            reg = open_register(Path(workbook))
    except RegisterError as e:
        raise console.Refused(f"无法读取登记表：{getattr(e, 'message', e)}", console.EXIT_ROWS) from e
    if not vip and reg.kind != "claims":
        raise console.Refused(f"{Path(workbook).name} 不是理赔登记表（模板类型 {reg.kind}），无法出具{kind}", console.EXIT_ROWS)
    frame = reg.frame()
    rows = console.select_rows(ranges, frame["_row"].tolist())
    frame = frame[frame["_row"].isin(rows)]
    settings = settings_of(reg)
    settings["_workbook"] = str(workbook)
    return frame, settings, list(reg.problems)
