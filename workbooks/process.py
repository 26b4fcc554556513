"""``logidesk process``: the names other code imports, from the modules that do the work:

- :mod:`workbooks.pipeline` — files and folders in, one result per register, the summary;
- :mod:`workbooks.result`   — the result workbook: the clerk's package, patched in one pass;
- :mod:`workbooks.error_sheet` — its 「错误清单」 sheet;
- :mod:`workbooks.outputs`  — lock files, temp files, atomic replace;
- :mod:`workbooks.folders`  — the walker and the result names;
- :mod:`workbooks.register` — reading, checking and computing a register (the one model);
- :mod:`workbooks.frames`   — a register held in a DataFrame (the ribbon).
"""
from __future__ import annotations

import sys
from pathlib import Path

from .folders import RESULT_SUFFIX, result_name
from .frames import process_frame
from .pipeline import DEFAULT_OUT, FileResult, Summary, main, process_paths, process_to
from .register import read_marker
from .result import ProcessError
from .xlsx.package import PackageError, open_package

__all__ = ["RESULT_SUFFIX", "DEFAULT_OUT", "FileResult", "ProcessError", "Summary", "main", "process_paths",
           "process_file", "process_to", "process_frame", "detect_kind", "output_path"]


def output_path(source: Path, out_dir: Path) -> Path:
    return Path(out_dir) / result_name(Path(source))


def process_file(source: Path, out_dir: Path, progress: bool = True) -> FileResult:
    """One register into ``out_dir`` (named like :func:`output_path`)."""
    return process_to(Path(source), output_path(source, out_dir), progress)


def detect_kind(path: Path) -> tuple[str, int] | None:
    """Template kind and version from the marker, or None (not a template or unreadable)."""
    try:
        return read_marker(open_package(path))
    except PackageError:
        return None


if __name__ == "__main__":
    sys.exit(main())
