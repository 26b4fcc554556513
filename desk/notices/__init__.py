"""Notices and letters (公告、函, NTC-1..7, docs/rules.md) as .docx/.pdf, numbered in the ledger.

Modules: :mod:`desk.notices.kinds` (each kind declared once), :mod:`desk.notices.batch`
(:func:`~desk.notices.batch.issue`, the headless API of the ribbon and the demo),
:mod:`desk.notices.cli` (``logidesk notices``), :mod:`desk.notices.templates` (the bundled
``templates/<kind>.docx`` with ``{{字段}}`` placeholders; or the administrator's folder,
:mod:`cli.config`, or an explicit ``--templates``), :mod:`desk.notices.render`,
:mod:`desk.notices.staging` (crash safety of a batch), :mod:`desk.notices.demo`.

The package imports nothing itself, so ``logidesk notices --list`` starts without pandas.
"""
