"""Writing a generated file of the source tree (wrappers, exports, references): rewritten only
when its text changes, atomically, or checked for staleness (the generators' ``--check``)."""
from __future__ import annotations

import sys
from pathlib import Path


def is_stale(path: Path, text: str) -> bool:
    """True when ``path`` does not hold exactly ``text``."""
    return (path.read_text(encoding="utf-8") if path.exists() else "") != text


def refresh(path: Path, text: str, *, check: bool, command: str) -> bool:
    """Write ``text`` to ``path`` when it differs (atomic: a temporary file, then a rename), or
    with ``check`` only say on stderr that it is stale and how to regenerate it. True when the
    file was stale."""
    if not is_stale(path, text):
        return False
    if check:
        print(f"{path} is stale: run `{command}`", file=sys.stderr)
        return True
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    print(f"wrote {path}")
    return True
