"""Fill ``{{字段}}`` placeholders in a .docx, even where Word split them across runs, and
convert .docx to PDF with LibreOffice when it is installed."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Mapping

from docx import Document
from docx.oxml.ns import qn

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+?)\s*\}\}")
_W_P, _W_T = qn("w:p"), qn("w:t")


def _parts(doc) -> Iterable:
    """XML roots holding text: body, headers and footers of every section."""
    yield doc.element.body
    seen = set()
    for section in doc.sections:
        for hf in (section.header, section.footer, section.first_page_header,
                   section.first_page_footer, section.even_page_header, section.even_page_footer):
            if hf.is_linked_to_previous:
                continue
            el = hf._element
            if id(el) not in seen:
                seen.add(id(el))
                yield el


def _paragraphs(doc) -> Iterable:
    for root in _parts(doc):
        yield from root.iter(_W_P)


def placeholders(doc) -> set[str]:
    """Names of all placeholders in ``doc`` (joined across runs)."""
    names: set[str] = set()
    for p in _paragraphs(doc):
        text = "".join(t.text or "" for t in p.iter(_W_T))
        names.update(m.group(1) for m in PLACEHOLDER.finditer(text))
    return names


def _fill_paragraph(p, values: Mapping[str, str]) -> None:
    """Replace placeholders in one paragraph across its ``w:t`` nodes, keeping the first
    node's formatting for the replacement text."""
    nodes = [t for t in p.iter(_W_T)]
    if not nodes:
        return
    texts = [t.text or "" for t in nodes]
    full = "".join(texts)
    if "{{" not in full:
        return
    matches = list(PLACEHOLDER.finditer(full))
    if not matches:
        return
    owner = [i for i, s in enumerate(texts) for _ in s]  # node index of every character
    starts = []
    pos = 0
    for s in texts:
        starts.append(pos)
        pos += len(s)
    new = list(texts)
    # Work from the last match backwards so earlier offsets in each node stay valid.
    for m in reversed(matches):
        value = values[m.group(1)]
        si = owner[m.start()]
        ei = owner[m.end() - 1]
        so, eo = m.start() - starts[si], m.end() - starts[ei]
        if si == ei:
            new[si] = new[si][:so] + value + new[si][eo:]
        else:
            new[si] = new[si][:so] + value
            for k in range(si + 1, ei):
                new[k] = ""
            new[ei] = new[ei][eo:]
    for node, text in zip(nodes, new):
        node.text = text
        if text != text.strip():
            node.set(qn("xml:space"), "preserve")


def fill(template: bytes | str | os.PathLike, values: Mapping[str, str]):
    """A Document from ``template`` with every placeholder replaced.

    KeyError if the template uses a placeholder missing from ``values``."""
    src = io.BytesIO(template) if isinstance(template, bytes) else str(template)
    doc = Document(src)
    missing = placeholders(doc) - set(values)
    if missing:
        raise KeyError("、".join(sorted(missing)))
    for p in _paragraphs(doc):
        _fill_paragraph(p, values)
    return doc


def doc_text(path: str | os.PathLike) -> str:
    """All text of a .docx (body with tables, headers, footers), one paragraph per line."""
    doc = Document(str(path))
    return "\n".join("".join(t.text or "" for t in p.iter(_W_T)) for p in _paragraphs(doc))


def soffice() -> str | None:
    """Path of LibreOffice's ``soffice`` if installed (env LOGIDESK_SOFFICE overrides)."""
    env = os.environ.get("LOGIDESK_SOFFICE")
    if env:
        return env if Path(env).exists() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for cand in (r"C:\Program Files\LibreOffice\program\soffice.exe",
                 r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
                 "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if Path(cand).exists():
            return cand
    return None


def to_pdf(docs: list[Path], outdir: Path, timeout: float = 300) -> list[Path]:
    """Convert ``docs`` to PDF in ``outdir`` with one headless LibreOffice run.

    A private user profile lets several conversions run at once. RuntimeError if
    LibreOffice is missing or a PDF did not appear."""
    exe = soffice()
    if not exe:
        raise RuntimeError("未安装 LibreOffice，无法生成 PDF")
    if not docs:
        return []
    with tempfile.TemporaryDirectory(prefix="logidesk-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(outdir), *map(str, docs)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    pdfs = [outdir / (d.stem + ".pdf") for d in docs]
    missing = [p.name for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice 未能生成 PDF：{'、'.join(missing[:5])}"
                           f"（{proc.stderr.strip()[:200]}）")
    return pdfs
