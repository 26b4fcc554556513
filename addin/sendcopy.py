"""Ribbon button 「生成发送版」: the same as ``logidesk export`` on the active workbook's file."""
from __future__ import annotations

from typing import Any

from addin.handlers import Context, UserMessage, headless_function, import_feature, saved_path

EXPORT_MODULE = "workbooks.export"


def _unsaved(book: Any) -> bool:
    try:
        return not bool(book.api.Saved)
    except Exception:  # noqa: BLE001 - no COM object (tests, headless): nothing to ask
        return False


def send_copy(ctx: Context) -> None:
    path = saved_path(ctx.book)
    if _unsaved(ctx.book):
        raise UserMessage("发送版按磁盘上的文件生成：请先保存工作簿（Ctrl+S），再点「生成发送版」。")
    export = headless_function(EXPORT_MODULE, "export")
    try:
        res = export(path)
    except getattr(import_feature(EXPORT_MODULE), "ExportError", ()) as exc:
        raise UserMessage(f"未生成发送版：{exc}", "critical") from exc
    how = "已按规则重新计算，" if res.computed_by_engine else ""
    ctx.ui.alert(f"已生成发送版：\n{res.output}\n{how}{res.values} 个计算单元格已转为数值，"
                 "没有装加载项的 Excel、WPS、LibreOffice 打开也显示同样的结果。")


HANDLERS = {"btnSendCopy": send_copy}
