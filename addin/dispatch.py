"""Entry point of every ribbon button: ``addin.dispatch.run(control.Id)``.

The VBA callback ``LogideskRibbonDispatch`` runs
``RunPython "import addin.dispatch; addin.dispatch.run('<control id>')"``. Whatever happens,
the user sees a Chinese message box, never a traceback: unexpected errors are logged to
``~/.logidesk/logs/ribbon.log`` (or ``$LOGIDESK_LOG_DIR``) and the box says where.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import traceback
from pathlib import Path
from typing import Any

import xlwings

from addin import handlers, ribbon, sendcopy
from addin.handlers import Context, Ui, UserMessage

# every button's handler, in ribbon order (handlers.py owns most; sendcopy the send copy)
_ALL = {**handlers.HANDLERS, **sendcopy.HANDLERS}
HANDLERS = {bid: _ALL[bid] for bid in ribbon.button_ids() if bid in _ALL}
HANDLERS.update({k: v for k, v in _ALL.items() if k not in HANDLERS})

__all__ = ["run", "log_path", "HANDLERS"]


def log_path() -> Path:
    base = os.environ.get("LOGIDESK_LOG_DIR")
    return (Path(base) if base else Path.home() / ".logidesk" / "logs") / "ribbon.log"


def _log(control_id: str, text: str) -> Path | None:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} {control_id}\n{text}\n")
        return path
    except OSError:
        logging.getLogger(__name__).exception("cannot write %s", path)
        return None


def run(control_id: str, book: Any = None, ui: Any = None, today: dt.date | None = None) -> str:
    """Run the handler of ``control_id``; returns "ok", "message" or "error" (for tests)."""
    try:
        if book is None:
            book = xlwings.Book.caller()
        ui = ui or Ui(book)
    except Exception:  # noqa: BLE001 - no workbook: nothing to show a box in
        _log(control_id, traceback.format_exc())
        return "error"
    try:
        handler = HANDLERS.get(control_id)
        if handler is None:
            raise UserMessage(f"未知的按钮「{control_id}」：加载项与 Python 包版本不一致，请重新安装。",
                              "critical")
        handler(Context(book, ui, today or dt.date.today()))
        return "ok"
    except UserMessage as msg:
        _safe_alert(ui, msg.text, msg.mode, control_id)
        return "message"
    except Exception as exc:  # noqa: BLE001 - the whole point: never a traceback in Excel
        where = _log(control_id, traceback.format_exc())
        detail = f"{type(exc).__name__}: {exc}"[:300]
        text = f"操作未完成：{detail}"
        text += f"\n详细信息已记录在 {where}" if where else ""
        _safe_alert(ui, text, "critical", control_id)
        return "error"


def _safe_alert(ui: Any, text: str, mode: str, control_id: str) -> None:
    try:
        ui.alert(text, mode)
    except Exception:  # noqa: BLE001
        _log(control_id, f"could not show message: {text}\n{traceback.format_exc()}")
