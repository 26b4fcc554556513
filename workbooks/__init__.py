"""Clerk workbooks: templates from declarative specs, sample registers, the register model,
the headless processor, the counter quote and the formula-equivalence check.

- :mod:`workbooks.spec`     one declarative spec per template (columns, types, lists, formulas)
- :mod:`workbooks.build`    templates → ``build/workbooks/*.xlsx`` (``logidesk build``)
- :mod:`workbooks.register` the one register model: open, check, compute, one outcome per row
- :mod:`workbooks.samples`  deterministic sample registers → ``workbooks/samples/``
- :mod:`workbooks.process`  ``logidesk process``: validate, compute, write results
- the counter quote: its template here (spec, build), its figures in :mod:`udfs.quote`
- :mod:`workbooks.equivalence`  the template formulas evaluated by the ``formulas`` package
"""
