"""The parts around the sheets, edited as XML: relationships (``.rels``), content types
(``[Content_Types].xml``) and the workbook part.

Each is parsed by lxml (entity expansion, DTDs and the network off): elements are found by
namespace URI and local name and attributes by name, so any attribute order, any namespace
prefix and the strict (ISO) namespaces read the same. An edited part is serialised with the
prefixes its writer chose.
"""
from __future__ import annotations

import posixpath
import re
from typing import Callable, Iterable, Iterator

from lxml import etree

NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_R = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships")
CT_SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
# children of <workbook> that follow <calcPr> (ECMA-376 Part 1 §18.2.27, CT_Workbook sequence)
_AFTER_CALC_PR = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                  "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
_LINK_REF = re.compile(r"\[\d+\]")


def parse(data: bytes) -> etree._Element:
    """A package part as an element tree (raises etree.XMLSyntaxError)."""
    return etree.fromstring(data, _PARSER)


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def serialise(root: etree._Element) -> bytes:
    """A part as Excel writes it: the standalone declaration in double quotes, UTF-8."""
    return _DECLARATION + etree.tostring(root, encoding="unicode").encode("utf-8")


def extension(part: str) -> str:
    """A part name's extension as [Content_Types].xml matches it ("_rels/.rels" → "rels")."""
    base = part.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def rels_part(part: str) -> str:
    """The ``.rels`` part of ``part`` ("" is the package itself: ``_rels/.rels``)."""
    d, n = posixpath.split(part)
    return posixpath.join(d, "_rels", n + ".rels")


def owner_of(rels: str) -> str | None:
    """The part a ``.rels`` part belongs to (inverse of :func:`rels_part`), or None."""
    d, n = posixpath.split(rels)
    if posixpath.basename(d) != "_rels" or not n.endswith(".rels"):
        return None
    return posixpath.join(posixpath.dirname(d), n[:-len(".rels")])


def resolve(owner: str, target: str) -> str:
    """A relationship target relative to its owner part → zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(owner), target))


class Rels:
    """One ``.rels`` part: the relationships of ``owner``."""

    def __init__(self, data: bytes, owner: str) -> None:
        self.root = parse(data)
        self.owner = owner

    def _elements(self) -> Iterator[etree._Element]:
        for el in self.root:
            if local(el) == "Relationship" and el.get("Id") is not None:
                yield el

    def items(self) -> list[tuple[str, str, str, bool]]:
        """(Id, Type, resolved target part, external) of each relationship, in order."""
        out = []
        for el in self._elements():
            external = el.get("TargetMode", "Internal") == "External"
            tgt = el.get("Target", "")
            out.append((el.get("Id"), el.get("Type", ""), tgt if external else resolve(self.owner, tgt), external))
        return out

    def target(self, rid: str) -> str | None:
        return next((t for i, _ty, t, ext in self.items() if i == rid and not ext), None)

    def remove(self, drop: Callable[[str, str, str, bool], bool]) -> list[str]:
        """Remove the relationships ``drop(id, type, target, external)`` selects; their Ids."""
        gone = []
        for el, (rid, typ, tgt, ext) in zip(list(self._elements()), self.items()):
            if drop(rid, typ, tgt, ext):
                self.root.remove(el)
                gone.append(rid)
        return gone

    def add(self, typ: str, target_part: str) -> str:
        """A new relationship to ``target_part`` (written relative to the owner); its Id."""
        used = {rid for rid, *_ in self.items()}
        n = len(used) + 1
        while f"rId{n}" in used:
            n += 1
        rid = f"rId{n}"
        ns = etree.QName(self.root).namespace or NS_PKG_REL
        el = etree.SubElement(self.root, f"{{{ns}}}Relationship")
        el.set("Id", rid)
        el.set("Type", typ)
        el.set("Target", posixpath.relpath(target_part, posixpath.dirname(self.owner) or "."))
        return rid

    def bytes(self) -> bytes:
        return serialise(self.root)


class ContentTypes:
    """``[Content_Types].xml``: Default (by extension) and Override (by part) entries."""

    def __init__(self, data: bytes) -> None:
        self.root = parse(data)

    def _entries(self, kind: str) -> Iterator[etree._Element]:
        for el in list(self.root):
            if local(el) == kind:
                yield el

    def overrides(self) -> dict[str, str]:
        return {el.get("PartName", "").lstrip("/"): el.get("ContentType", "") for el in self._entries("Override")}

    def defaults(self) -> dict[str, str]:
        return {el.get("Extension", "").lower(): el.get("ContentType", "") for el in self._entries("Default")}

    def remove_parts(self, parts: Iterable[str]) -> None:
        gone = {p.lower() for p in parts}
        for el in self._entries("Override"):
            if el.get("PartName", "").lstrip("/").lower() in gone:
                self.root.remove(el)

    def remove_unused_defaults(self, names: Iterable[str], extensions: Iterable[str]) -> None:
        """Drop the Default entries of ``extensions`` that no part in ``names`` needs (a part
        needs its extension's Default unless an Override names it)."""
        over = {p.lower() for p in self.overrides()}
        used = {extension(n) for n in names if not n.endswith("/") and n.lower() not in over}
        drop = {e.lower() for e in extensions} - used
        for el in self._entries("Default"):
            if el.get("Extension", "").lower() in drop:
                self.root.remove(el)

    def set_part(self, part: str, content_type: str) -> None:
        for el in self._entries("Override"):
            if el.get("PartName", "").lstrip("/").lower() == part.lower():
                el.set("ContentType", content_type)
                return
        ns = etree.QName(self.root).namespace or NS_CT
        el = etree.SubElement(self.root, f"{{{ns}}}Override")
        el.set("PartName", "/" + part)
        el.set("ContentType", content_type)

    def bytes(self) -> bytes:
        return serialise(self.root)


class Workbook:
    """The workbook part: its sheets, defined names and calculation properties."""

    def __init__(self, data: bytes) -> None:
        self.root = parse(data)
        self.ns = etree.QName(self.root).namespace or ""

    def _child(self, name: str) -> etree._Element | None:
        return next((el for el in self.root if local(el) == name), None)

    def sheets(self) -> list[tuple[str, str]]:
        """(name, relationship Id) of each sheet, in tab order."""
        holder = self._child("sheets")
        out = []
        for el in (holder if holder is not None else ()):
            if local(el) == "sheet":
                rid = next((el.get(f"{{{ns}}}id") for ns in NS_R if el.get(f"{{{ns}}}id") is not None), "")
                out.append((el.get("name", ""), rid))
        return out

    def defined_names(self) -> dict[str, str]:
        holder = self._child("definedNames")
        return {el.get("name", ""): el.text or "" for el in (holder if holder is not None else ())
                if local(el) == "definedName"}

    def drop_links(self) -> None:
        """Remove ``externalReferences`` and the defined names that point into a link (``[n]``)."""
        ext = self._child("externalReferences")
        if ext is not None:
            self.root.remove(ext)
        holder = self._child("definedNames")
        if holder is not None:
            for el in list(holder):
                if local(el) == "definedName" and _LINK_REF.search(el.text or ""):
                    holder.remove(el)
            if not len(holder):
                self.root.remove(holder)

    def recalc_on_load(self) -> None:
        """``<calcPr fullCalcOnLoad="1">``, adding calcPr in its schema place if absent."""
        calc = self._child("calcPr")
        if calc is None:
            calc = etree.Element(f"{{{self.ns}}}calcPr" if self.ns else "calcPr")
            after = next((i for i, el in enumerate(self.root) if local(el) in _AFTER_CALC_PR), None)
            if after is None:
                self.root.append(calc)
            else:
                self.root.insert(after, calc)
        calc.set("fullCalcOnLoad", "1")

    def add_sheet(self, name: str, sheet_id: int, rid: str) -> None:
        """A ``<sheet>`` at the end of ``<sheets>`` (the relationship namespace bound on the
        element itself when the root does not declare it)."""
        holder = self._child("sheets")
        if holder is None:
            raise ValueError("workbook part without <sheets>")
        tag = f"{{{self.ns}}}sheet" if self.ns else "sheet"
        el = etree.SubElement(holder, tag, nsmap=None if NS_R[0] in self.root.nsmap.values() else {"r": NS_R[0]})
        el.set("name", name)
        el.set("sheetId", str(sheet_id))
        el.set(f"{{{NS_R[0]}}}id", rid)

    def keep_cached_values(self, calc_id: int) -> None:
        """No recalculation on open (no ``fullCalcOnLoad``) and a ``calcId`` of at least
        ``calc_id`` (an older one makes Excel recalculate everything on load)."""
        calc = self._child("calcPr")
        if calc is None:
            return
        calc.attrib.pop("fullCalcOnLoad", None)
        cid = calc.get("calcId")
        if cid is None or not cid.isdigit() or int(cid) < calc_id:
            calc.set("calcId", str(calc_id))

    def bytes(self) -> bytes:
        return serialise(self.root)


def all_rels(parts: dict[str, bytes]) -> dict[str, Rels]:
    """Every ``.rels`` part of a package held in memory, by owner part (raises
    etree.XMLSyntaxError)."""
    out = {}
    for name, data in parts.items():
        owner = owner_of(name)
        if owner is not None:
            out[owner] = Rels(data, owner)
    return out


def unreachable(parts: dict[str, bytes], drop: set[str], rels: dict[str, Rels]) -> set[str]:
    """``drop`` and every part only they lead to (a removed VBA project takes its signature
    parts with it): the parts reachable from the package root once ``drop`` is cut off are
    kept, internal targets of dropped parts that nothing kept points at are added."""
    out = set(drop)
    changed = True
    while changed:
        changed = False
        kept_targets = {t for owner, r in rels.items() if owner not in out
                        for _i, _ty, t, ext in r.items() if not ext}
        for owner in list(out):
            r = rels.get(owner)
            for _i, _ty, t, ext in (r.items() if r is not None else ()):
                if not ext and t in parts and t not in out and t not in kept_targets:
                    out.add(t)
                    changed = True
    return out


def remove_parts(parts: dict[str, bytes], drop: set[str]) -> list[str]:
    """Remove ``drop`` (and what only it leads to) from a package held in memory, with
    their ``.rels`` parts, every relationship pointing at them, their content-type
    overrides and any Default left without a part: no part or relationship is left
    pointing at a removed part. Returns the removed parts (sorted)."""
    rels = all_rels(parts)
    gone = unreachable(parts, {p for p in drop if p in parts}, rels)
    for p in gone:
        parts.pop(p, None)
        parts.pop(rels_part(p), None)
    for owner, r in rels.items():
        if owner in gone or rels_part(owner) not in parts:
            continue
        if r.remove(lambda _i, _ty, t, ext: not ext and t in gone):
            parts[rels_part(owner)] = r.bytes()
    ct_name = "[Content_Types].xml"
    if ct_name in parts:
        ct = ContentTypes(parts[ct_name])
        ct.remove_parts(gone)
        ct.remove_unused_defaults([n for n in parts if n != ct_name],
                                  {extension(p) for p in gone} - {"xml", "rels"})
        parts[ct_name] = ct.bytes()
    return sorted(gone)
