"""A workbook as Excel saves it after a clerk used the add-in on *another* PC.

Excel stores a call of an add-in function as ``[1]!COD_FEE(B2)`` where ``[1]`` is an
externalLink part whose relationship names the add-in's full path on the PC that saved it
(Microsoft KB 817578). :func:`excel_saved_copy` turns one of our files (formulas by plain name,
as the processor and templates write them) into that form at the zip/XML level.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

OTHER_USERS_ADDIN = r"C:\Users\lihua\AppData\Roaming\Microsoft\Excel\XLSTART\logidesk.xlam"
EXT_PART = "xl/externalLinks/externalLink1.xml"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def our_names() -> list[str]:
    from udfs.registry import FUNCTIONS

    return sorted((f.excel_name for f in FUNCTIONS.values() if getattr(f, "excel", True)),
                  key=len, reverse=True)


def link_formula(formula: str, names: list[str]) -> str:
    """COD_FEE(B2) -> [1]!COD_FEE(B2), outside string literals."""
    pattern = re.compile(r'("(?:[^"]|"")*")|(?<![\w!.\]])(' + "|".join(names) + r")(?=\()")
    return pattern.sub(lambda m: m.group(1) or f"[1]!{m.group(2)}", formula)


def excel_saved_copy(src: Path, dst: Path, addin_path: str = OTHER_USERS_ADDIN) -> int:
    """Write ``dst``; returns the number of formulas that now carry ``[1]!``."""
    names = our_names()
    linked = 0

    def fix_f(m: re.Match) -> str:
        nonlocal linked
        new = link_formula(m.group(2), names)
        linked += new != m.group(2)
        return m.group(1) + new + m.group(3)

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            name = info.filename
            if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                data = re.sub(r"(<f(?: [^>]*)?>)([^<]*)(</f>)", fix_f, data.decode("utf-8")).encode()
            elif name == "xl/workbook.xml":
                text = data.decode("utf-8")
                text = text.replace("</sheets>", '</sheets><externalReferences>'
                                    '<externalReference r:id="rIdExt1"/></externalReferences>', 1)
                data = text.encode()
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.decode().replace("</Relationships>", (
                    f'<Relationship Id="rIdExt1" Type="{NS_R}/externalLink" '
                    'Target="externalLinks/externalLink1.xml"/></Relationships>')).encode()
            elif name == "[Content_Types].xml":
                data = data.decode().replace("</Types>", (
                    f'<Override PartName="/{EXT_PART}" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>')).encode()
            zout.writestr(info, data)
        defined = "".join(f'<definedName name="{n}"/>' for n in sorted(names))
        zout.writestr(EXT_PART, (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<externalLink xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><externalBook r:id="rId1">'
            f'<definedNames>{defined}</definedNames></externalBook></externalLink>'))
        zout.writestr("xl/externalLinks/_rels/externalLink1.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{NS_R}/externalLinkPath" '
            f'Target="file:///{addin_path}" TargetMode="External"/></Relationships>'))
    return linked
