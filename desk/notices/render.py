"""Fill ``{{字段}}`` placeholders in a .docx, even where Word split them across runs, and
convert .docx to PDF with LibreOffice when it is installed."""
from __future__ import annotations

import copy
import io
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Mapping

from docx import Document
from docx.oxml.ns import qn
from lxml import etree

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


def _timeout_for(n_docs: int) -> float:
    """Seconds a conversion of ``n_docs`` may take before it counts as hung:
    ``LOGIDESK_PDF_TIMEOUT`` (per sub-batch) or 60 s + 2 s per document."""
    env = os.environ.get("LOGIDESK_PDF_TIMEOUT", "").strip()
    if env:
        try:
            return float(env)
        except ValueError:
            pass
    return 60.0 + 2.0 * n_docs


def _run_soffice(exe: str, docs: list[Path], outdir: Path, timeout: float) -> str:
    """One headless LibreOffice run with a private profile; kills the whole process group
    on timeout (soffice forks soffice.bin). Returns stderr; raises RuntimeError."""
    with tempfile.TemporaryDirectory(prefix="logidesk-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--nologo", "--nolockcheck", "--convert-to", "pdf",
               "--outdir", str(outdir), *map(str, docs)]
        kw: dict[str, Any] = {"start_new_session": True} if sys.platform != "win32" else {}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            if sys.platform != "win32":
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    proc.kill()
            else:  # pragma: no cover
                proc.kill()
            proc.communicate()
            raise RuntimeError(f"LibreOffice 在 {timeout:.0f} 秒内没有完成（可能已卡住），已终止") from exc
    return err or ""


def to_pdf(docs: list[Path], outdir: Path, timeout: float | None = None) -> list[Path]:
    """Convert ``docs`` to PDF in ``outdir`` with one headless LibreOffice run.

    A private user profile lets several conversions run at once. RuntimeError if
    LibreOffice is missing, hangs past ``timeout`` or a PDF did not appear."""
    exe = soffice()
    if not exe:
        raise RuntimeError("未安装 LibreOffice，无法生成 PDF")
    if not docs:
        return []
    err = _run_soffice(exe, docs, outdir, _timeout_for(len(docs)) if timeout is None else timeout)
    pdfs = [outdir / (d.stem + ".pdf") for d in docs]
    missing = [p.name for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice 未能生成 PDF：{'、'.join(missing[:5])}"
                           f"（{err.strip()[:200]}）")
    return pdfs


def to_pdf_batches(docs: list[Path], outdir: Path, *, workers: int | None = None,
                   size: int | None = None, progress: Any = None,
                   ) -> tuple[dict[Path, Path], list[tuple[list[Path], str]]]:
    """Convert ``docs`` in sub-batches, ``workers`` LibreOffice processes at once (default:
    the number of cores, at most 4). Returns ({doc: pdf} converted, [(docs, reason)] failed):
    a failed or hung sub-batch loses only its own PDFs."""
    exe = soffice()
    if not exe:
        return {}, [(list(docs), "未安装 LibreOffice，无法生成 PDF")]
    if not docs:
        return {}, []
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    size = size or max(1, min(int(os.environ.get("LOGIDESK_PDF_BATCH", "100")), -(-len(docs) // workers)))
    groups = [docs[i:i + size] for i in range(0, len(docs), size)]
    done: dict[Path, Path] = {}
    failures: list[tuple[list[Path], str]] = []

    def one(k: int, group: list[Path]) -> tuple[list[Path], dict[Path, Path], str]:
        sub = outdir / f"part{k:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        try:
            err = _run_soffice(exe, group, sub, _timeout_for(len(group)))
        except (RuntimeError, OSError) as e:
            err = str(e)
        got = {d: sub / (d.stem + ".pdf") for d in group if (sub / (d.stem + ".pdf")).exists()}
        return group, got, err

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(one, k, g) for k, g in enumerate(groups)]
        for fut in futures:
            group, got, err = fut.result()
            done.update(got)
            lost = [d for d in group if d not in got]
            if lost:
                failures.append((lost, f"LibreOffice 未能生成 {len(lost)} 份 PDF（{err.strip()[:200]}）"))
            if progress:
                progress(len(done), len(docs))
    return done, failures


class DocxTemplate:
    """A .docx template parsed once and rendered many times at the package (zip) level —
    fast for batches of hundreds of notices; same placeholder rules as :func:`fill`."""

    _PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")

    def __init__(self, data: bytes) -> None:
        self.entries: list[tuple[zipfile.ZipInfo, bytes]] = []
        self.parts: dict[str, Any] = {}
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                raw = z.read(info)
                self.entries.append((info, raw))
                if self._PART.match(info.filename):
                    self.parts[info.filename] = etree.fromstring(raw)

    def placeholders(self) -> set[str]:
        names: set[str] = set()
        for root in self.parts.values():
            for p in root.iter(_W_P):
                text = "".join(t.text or "" for t in p.iter(_W_T))
                names.update(m.group(1) for m in PLACEHOLDER.finditer(text))
        return names

    def render(self, values: Mapping[str, str]) -> bytes:
        """The filled document as .docx bytes (KeyError naming unknown placeholders).

        Unchanged package parts are compressed once and copied; only the filled XML parts
        are serialised and deflated per notice."""
        missing = self.placeholders() - set(values)
        if missing:
            raise KeyError("、".join(sorted(missing)))
        if not hasattr(self, "_packed"):
            self._packed = {info.filename: deflate(raw) for info, raw in self.entries
                            if info.filename not in self.parts}
        members = []
        for info, _raw in self.entries:
            packed = self._packed.get(info.filename)
            if packed is None:
                root = copy.deepcopy(self.parts[info.filename])
                for p in root.iter(_W_P):
                    _fill_paragraph(p, values)
                packed = deflate(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                 standalone=True))
            members.append((info, packed))
        return zip_members(members)


def deflate(raw: bytes) -> tuple[int, int, bytes]:
    """(crc32, uncompressed size, raw deflate stream) of one zip member."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return zlib.crc32(raw), len(raw), c.compress(raw) + c.flush()


def zip_members(members: list) -> bytes:
    """A zip archive of pre-deflated members (UTF-8 names), as Word writes it."""
    out = io.BytesIO()
    central = []
    for info, (crc, size, data) in members:
        name = info.filename.encode("utf-8")
        y, mo, d, h, mi, se = info.date_time
        dos_time = (h << 11) | (mi << 5) | (se // 2)
        dos_date = ((max(y, 1980) - 1980) << 9) | (mo << 5) | d
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, 8, dos_time, dos_date,
                              crc, len(data), size, len(name), 0))
        out.write(name)
        out.write(data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0800, 8, dos_time,
                                   dos_date, crc, len(data), size, len(name), 0, 0, 0, 0,
                                   info.external_attr, offset) + name)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                          out.tell() - start, start, 0))
    return out.getvalue()
