"""One walker for every workflow: ``walk(paths)``.

Expands the files and folders a clerk names (folders recursively, in a stable order) into
the registers to read, and lists every file it will not handle with the reason — never a
file skipped without a word. It never picks up:
- our own results (``<stem>_结果.xlsx``/``.xlsm``, also numbered ``_结果(2)``) found in a
  folder — reading them beside their inputs counted every claim twice; with ``results=True``
  a result is read only when its input (same folder, or the folder ``plan_outputs`` mirrors
  under ``out/``) is not read as well;
- Excel/WPS/LibreOffice lock files (``~$…``, ``.~lock.…#``) and our temp files (``.tmp-…``);
and it says what to do with the files it cannot read: an .xls/.ods is saved as .xlsx, an
encrypted workbook has its password removed, a damaged one names the part that failed
(the reason comes from ``workbooks.xlsx.open_package`` when ``check=True``).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .xlsx.package import PackageError, open_package

RESULT_SUFFIX = "_结果"
REGISTER_SUFFIXES = (".xlsx", ".xlsm")
LOCK_PREFIXES = ("~$", ".~lock.")
TEMP_PREFIX = ".tmp-"
_RESULT_RE = re.compile(re.escape(RESULT_SUFFIX) + r"(?:\s*[（(]\d+[)）])?$")
SAVE_AS = "请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再处理"
OTHER_SUFFIXES = {
    ".xls": f"旧版 Excel 97-2003 文件（.xls），{SAVE_AS}",
    ".xlsb": f"Excel 二进制工作簿（.xlsb），{SAVE_AS}",
    ".ods": f"OpenDocument 表格（.ods），{SAVE_AS}",
    ".et": f"WPS 表格文件（.et），{SAVE_AS}",
    ".csv": "CSV 文本文件没有模板标记，请用 logidesk build 生成的模板填写",
}


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str                     # Chinese, what to do
    key: str                        # lock, temp, result, xls, ods, encrypted, damaged, not_xlsx, missing, other


@dataclass
class Walk:
    files: list[Path] = field(default_factory=list)          # registers to read, in order
    skipped: list[Skipped] = field(default_factory=list)     # named on purpose or found, not handled
    ignored: list[Skipped] = field(default_factory=list)     # found in a folder and left alone quietly

    def __iter__(self) -> Iterator[Path]:
        return iter(self.files)


def is_result(path: Path) -> bool:
    return bool(_RESULT_RE.search(path.stem))


def is_lock(path: Path) -> bool:
    return path.name.startswith(LOCK_PREFIXES) or (path.name.startswith(".~") and path.name.endswith("#"))


def is_temp(path: Path) -> bool:
    return path.name.startswith(TEMP_PREFIX)


def classify(path: Path) -> Skipped | None:
    """Why a file is not read as a register, or None when it is one to read."""
    if is_lock(path):
        return Skipped(path, "Excel/WPS 的锁定文件（表格正在被打开），已跳过", "lock")
    if is_temp(path):
        return Skipped(path, "logidesk 未完成写入留下的临时文件，已跳过（可删除）", "temp")
    suffix = path.suffix.lower()
    if suffix in REGISTER_SUFFIXES:
        if is_result(path):
            return Skipped(path, "logidesk 生成的结果文件，不再重复读取", "result")
        return None
    if suffix in OTHER_SUFFIXES:
        return Skipped(path, OTHER_SUFFIXES[suffix], suffix.lstrip(".") if suffix in (".xls", ".ods") else "other")
    return Skipped(path, "不是 Excel 工作簿（.xlsx/.xlsm），已跳过", "other")


def check_package(path: Path) -> Skipped | None:
    """The reader's own verdict (encrypted, damaged, .xls renamed to .xlsx, …)."""
    try:
        open_package(path)
    except PackageError as e:
        return Skipped(path, e.message, e.reason)
    return None


def walk(paths: Iterable[str | Path], *, check: bool = False, results: bool = False) -> Walk:
    """The registers under ``paths``. A file named explicitly that is not handled is listed in
    ``skipped``; inside folders, lock and temp files and our results go to ``ignored`` and
    other non-workbooks (PDFs, notes) are not mentioned at all, while spreadsheets we cannot
    read (.xls, .ods, .xlsb) are listed in ``skipped``. ``results=True`` reads our
    ``_结果`` files too (never both a result and its input: the input wins). ``check=True``
    opens each workbook's package to list encrypted and damaged files as well."""
    out = Walk()
    seen: set[Path] = set()

    def consider(p: Path, named: bool) -> None:
        key = p.resolve()
        if key in seen:
            return
        seen.add(key)
        why = classify(p)
        if why is not None and why.key == "result" and results:
            why = None
        if why is not None:
            if named or why.key in ("xls", "ods") or (why.key == "other" and p.suffix.lower() in OTHER_SUFFIXES):
                out.skipped.append(why)
            else:
                out.ignored.append(why)
            return
        if check:
            bad = check_package(p)
            if bad is not None:
                out.skipped.append(bad)
                return
        out.files.append(p)

    for p in map(Path, paths):
        if p.is_dir():
            found: list[Path] = []
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [Path(root) / n for n in sorted(names)]
            for f in found:
                consider(f, named=False)
        elif p.exists():
            consider(p, named=True)
        else:
            out.skipped.append(Skipped(p, "文件或文件夹不存在", "missing"))
    if results:
        _drop_results_of_inputs(out)
    return out


def result_of(result: Path, source: Path) -> bool:
    """Whether ``result`` (a ``_结果`` file) is our output for ``source``: same stem, and it
    lies in the source's folder or below it (``out/``, ``out/福州/``), or in a folder that
    repeats the source's folder path below a common ancestor (``…/out/福州/`` for
    ``…/福州/``) — where ``plan_outputs`` puts results."""
    if _RESULT_RE.sub("", result.stem) != source.stem:
        return False
    src, res = source.resolve().parent, result.resolve().parent
    for anc in (src, *src.parents):
        if anc == Path(anc.anchor):
            break
        try:
            below = res.relative_to(anc)
        except ValueError:
            continue
        tail = src.relative_to(anc).parts
        if not tail or below.parts[-len(tail):] == tail:
            return True
    return False


def _drop_results_of_inputs(out: Walk) -> None:
    """A result read together with its own input would count every case twice: the input wins,
    the result is listed in ``ignored``. A result without its input is kept."""
    inputs: dict[str, list[Path]] = {}
    for f in out.files:
        if not is_result(f):
            inputs.setdefault(f.stem, []).append(f)
    kept = []
    for f in out.files:
        stem = _RESULT_RE.sub("", f.stem)
        if is_result(f) and any(result_of(f, i) for i in inputs.get(stem, ())):
            out.ignored.append(Skipped(f, "已读取其输入文件，结果文件不再重复计入", "result"))
        else:
            kept.append(f)
    out.files = kept


def _relative_dir(source: Path, roots: list[Path]) -> Path | None:
    for r in roots:
        if r.is_dir():
            try:
                return source.resolve().parent.relative_to(r.resolve())
            except ValueError:
                continue
    return None


def result_name(source: Path) -> str:
    """``a.xlsx`` → ``a_结果.xlsx``; an .xlsm stays an .xlsm (``a_结果.xlsm``)."""
    ext = source.suffix.lower()
    return f"{source.stem}{RESULT_SUFFIX}{ext if ext in REGISTER_SUFFIXES else '.xlsx'}"


def plan_outputs(files: Iterable[str | Path], roots: Iterable[str | Path], out_dir: str | Path) -> dict[Path, Path]:
    """Where each result goes, so that no two results collide and none overwrites an input:
    a file found in a folder keeps its folder relative to that folder under ``out_dir``
    (two branches' 理赔登记表.xlsx in 福州/ and 厦门/ → out/福州/…, out/厦门/…); a file named
    on its own goes to ``out_dir`` itself, or — when that name is taken — to a subfolder named
    after its own folder, then with a number: ``a_结果(2).xlsx``."""
    root_dirs = [Path(r) for r in roots]
    out_dir = Path(out_dir)
    plan: dict[Path, Path] = {}
    taken: set[Path] = set()
    inputs = {Path(f).resolve() for f in files}
    for f in map(Path, files):
        rel = _relative_dir(f, root_dirs)
        name = result_name(f)
        candidates = [out_dir / (rel if rel is not None else Path()) / name]
        if rel is None:
            candidates.append(out_dir / (f.resolve().parent.name or "_") / name)
        stem, ext = name.rsplit(".", 1)
        base = candidates[-1].parent
        candidates += [base / f"{stem}({k}).{ext}" for k in range(2, 1000)]
        for c in candidates:
            key = c.resolve()
            if key not in taken and key not in inputs:
                taken.add(key)
                plan[f] = c
                break
    return plan
