"""Reading and patching .xlsx/.xlsm packages without rebuilding them.

- :mod:`.cells`    — cell value types (XlError) and value conversion (serials, escapes);
- :mod:`.package`  — open_package(): what is in a package (sheets, names, styles, strings),
                     clear refusals for .xls/.ods/encrypted/damaged files;
- :mod:`.sheetxml` — the streaming scanner of a worksheet's XML (rows and cells as byte spans);
- :mod:`.parts`    — relationships, content types and the workbook part, edited as XML;
- :mod:`.zipcopy`  — a zip writer that copies unchanged members raw and streams changed ones;
- :mod:`.styles`   — appending highlight formats (fills, xfs) to styles.xml.
"""
from .cells import XlError
from .package import Chunk, Package, PackageError, SheetInfo, open_package

__all__ = ["XlError", "Chunk", "Package", "PackageError", "SheetInfo", "open_package"]
