"""The headless back office on filled registers: notices and their ledger, deadline reminders,
the half-month report, the monthly analysis, the counter quote in a terminal, holiday imports.

Built on ``workbooks`` (reading registers) and ``udfs`` (the rules); the Excel add-in (``addin``)
calls into it, it never imports the add-in.
"""
