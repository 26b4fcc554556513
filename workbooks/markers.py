"""How a workbook is recognised as one of our templates: the defined name holding
``"<kind>;<version>"``, the hidden marker sheet, and the settings sheet. A module of its own,
without imports, so that the add-in's buttons can recognise a workbook without loading the
register model."""

MARKER_NAME = "LOGIDESK_TEMPLATE"
MARKER_SHEET = "_logidesk"
SETTINGS_SHEET = "设置"
