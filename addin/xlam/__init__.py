"""Build logidesk.xlam on any OS: ribbon XML, VBA project (MS-OVBA/CFB) and conf sheet.

Entry points: :func:`addin.xlam.build.build` and ``logidesk addin`` (``build.main``).
"""
