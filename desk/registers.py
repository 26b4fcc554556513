"""Registers for the downstream workflows (notices, reminders, report, ribbon): files and
folders expanded by the one walker (``workbooks.folders.walk``), each register read once by
the one model (``workbooks.register.open_register(...).frame()``).

A register frame has the typed inputs, the computed values (none on invalid rows, 0 on
refused claims), the clerk's own columns and ``_row`` (sheet row), ``_outcome`` ("ok",
"refused", "invalid"), ``_reason`` (refusal), ``_errors`` (CellError list), ``_source``.
Files that cannot be read are returned with their reason, never dropped silently.
"""
from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from cli.console import log_problem
from udfs.errors import RuleError
from workbooks.folders import walk
from workbooks.register import RegisterError, evaluation_frame, open_register
from workbooks.xlsx.package import PackageError

KIND_NAMES = {"claims": "理赔登记表", "complaints": "投诉登记表", "storage": "仓储保管登记",
              "cod": "代收货款登记"}


@dataclass
class Loaded:
    """One register read through the model."""

    path: Path
    kind: str
    frame: pd.DataFrame
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    sheet: str = ""

    @property
    def branch(self) -> str:
        b = self.settings.get("本网点")
        return str(b).strip() if b not in (None, "") and str(b).strip() else self.path.stem


@dataclass
class Unread:
    """A file named or found that is not used, and why (shown to the user)."""

    path: Path
    reason: str
    quiet: bool = False  # our own results, lock files: listed in a note, not as a problem

    def __str__(self) -> str:
        return f"{self.path.name}：{self.reason}"


@dataclass
class Loads:
    registers: list[Loaded] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)

    def of(self, *kinds: str) -> list[Loaded]:
        return [r for r in self.registers if r.kind in kinds]


def open_one(path: str | Path, today: dt.date | None = None,
             columns: Mapping[str, Sequence[str]] | None = None) -> Loaded:
    """One register (RegisterError passed through, Chinese, naming file/sheet/column).

    ``columns``: per register kind, the columns a workflow reads — the frame then holds
    only those (plus ``_row``/``_outcome``/``_reason``/``_errors``/``_source``), built from
    the model's evaluations with exactly the values of ``Register.frame()``."""
    reg = open_register(Path(path))
    wanted = (columns or {}).get(reg.kind)
    frame = reg.frame(today=today) if wanted is None else slim_frame(reg, wanted, today)
    return Loaded(Path(path), reg.kind, frame, settings_of(reg), list(reg.problems), reg.sheet_name)


def slim_frame(reg: Any, wanted: Sequence[str], today: dt.date | None = None) -> pd.DataFrame:
    """``reg.frame()`` restricted to ``wanted`` columns (same values, same rows): a large
    register is turned into Python values only where a workflow looks."""
    parts = [evaluation_frame(ev, reg.path, columns=wanted)
             for ev in reg.iter_evaluations(today=today, columns=wanted)]
    if not parts:
        kinds = {c.header for c in reg.tpl.columns}
        return pd.DataFrame(columns=[*(h for h in wanted if h in kinds),
                                     "_row", "_outcome", "_reason", "_errors", "_source"])
    return pd.concat(parts) if len(parts) > 1 else parts[0]


def settings_of(reg: Any) -> dict[str, Any]:
    """The register's 设置 values; labels typed with a colon (本网点：) read as without."""
    return {str(k).rstrip(":：").strip(): v for k, v in dict(reg.settings).items()}


def load(paths: Iterable[str | Path], kinds: Sequence[str] | None = None, *,
         today: dt.date | None = None, progress: Callable[[int, int], None] | None = None,
         columns: Mapping[str, Sequence[str]] | None = None,
         prepare: Callable[[Loaded], pd.DataFrame] | None = None) -> Loads:
    """Every register under ``paths`` of ``kinds`` (all kinds when None).

    ``prepare``: a picklable function (module level, or a partial of one) that turns a
    register of ``kinds`` into the frame the workflow keeps (its rows and columns); it runs
    where the file is read — in the worker, so only what the workflow needs comes back.

    A file named explicitly that is not a register of these kinds is in ``unread``; inside
    folders, registers of other kinds are left alone quietly, our ``_结果`` files and lock
    files never counted (so a claim is counted once)."""
    given = [Path(p) for p in paths]
    named = {p.resolve() for p in given if p.is_file()}
    w = walk(given, results=True)  # a result is read only where its input is absent
    out = Loads()
    for s in w.skipped:
        out.unread.append(Unread(Path(s.path), s.reason))
    for s in w.ignored:
        out.unread.append(Unread(Path(s.path), s.reason, quiet=True))
    files = list(w.files)
    opened = _open_all(files, today, progress, columns, kinds, prepare)
    for f, (reg, reason, key) in zip(files, opened):
        if reg is None:
            in_folder = f.resolve() not in named
            out.unread.append(Unread(f, reason, quiet=in_folder and key in ("not_template", "no_batch")))
            continue
        if kinds is not None and reg.kind not in kinds:
            if f.resolve() in named:
                want = "、".join(KIND_NAMES.get(k, k) for k in kinds)
                out.unread.append(Unread(f, f"是{KIND_NAMES.get(reg.kind, reg.kind)}，此命令只读{want}"))
            continue
        out.registers.append(reg)
    return out


def _open_safe(path: Path, today: dt.date | None, columns: Mapping[str, Sequence[str]] | None = None,
               kinds: Sequence[str] | None = None, prepare: Callable[[Loaded], pd.DataFrame] | None = None,
               ) -> tuple[Loaded | None, str, str]:
    """(register, "", "") or (None, Chinese reason, reason key) — picklable for a worker."""
    try:
        reg = open_one(path, today, columns)
        if prepare is not None and (kinds is None or reg.kind in kinds):
            reg.frame = prepare(reg)
        return reg, "", ""
    except (RegisterError, PackageError) as e:    # a package that breaks while its rows are read
        return None, _message(e), str(getattr(e, "reason", ""))
    except OSError as e:
        return None, f"无法读取（{e.strerror or e}）", "os"
    except RuleError:          # the rules data itself (a damaged company rules file): every file's
        raise
    except Exception as e:  # noqa: BLE001 — one file's fault never stops the run over the others
        where = log_problem("registers", f"{path}：内部错误：{e!r}", e)
        return None, ("读取失败：程序内部错误，本文件未读取，其他文件照常处理；"
                      + (f"详情已写入日志：{where}，请发给管理员。" if where else "请联系管理员。")), "internal"


PARALLEL_FROM = 4  # files: below this, worker start-up costs more than it saves


def _open_all(files: list[Path], today: dt.date | None, progress: Callable[[int, int], None] | None,
              columns: Mapping[str, Sequence[str]] | None = None, kinds: Sequence[str] | None = None,
              prepare: Callable[[Loaded], pd.DataFrame] | None = None) -> list[tuple[Loaded | None, str, str]]:
    """Open every register; several files are read in parallel, one process per core."""
    workers = min(os.cpu_count() or 1, len(files))
    if progress:
        progress(0, len(files))
    if workers < 2 or len(files) < PARALLEL_FROM:
        out = []
        for i, f in enumerate(files):
            out.append(_open_safe(f, today, columns, kinds, prepare))
            if progress:
                progress(i + 1, len(files))
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_open_safe, f, today, columns, kinds, prepare) for f in files]
        out = []
        for i, fut in enumerate(futures):
            out.append(fut.result())
            if progress:
                progress(i + 1, len(files))
        return out


def _message(e: BaseException) -> str:
    msg = getattr(e, "message", None) or str(e)
    return str(msg)


def error_text(errors: Any) -> str:
    """The row's errors (CellError list from the model) as one line."""
    if not errors:
        return ""
    if isinstance(errors, str):
        return errors
    parts = []
    for e in errors:
        letter = getattr(e, "letter", "")
        msg = getattr(e, "message", None) or str(e)
        parts.append(f"{letter}：{msg}" if letter else msg)
    return "；".join(parts)


def where(frame_row: Any, path: Path | str | None = None) -> str:
    """``理赔登记表.xlsx 第7行`` for a frame row (``_source``/``_row``)."""
    src = frame_row.get("_source") if hasattr(frame_row, "get") else None
    src = src or path
    row = frame_row.get("_row") if hasattr(frame_row, "get") else None
    name = Path(str(src)).name if src else "当前工作表"
    return f"{name} 第{row}行" if row is not None else name
