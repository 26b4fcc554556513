"""LibreOffice as a recipient without the add-in: open, recalculate everything, save/convert.

The profile (``-env:UserInstallation``) is our own and is told to recalculate OOXML files on
load (Calc's default is to trust the cached values, which would hide ``#NAME?``).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def make_profile(profile: Path) -> Path:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(XCU, encoding="utf-8")
    return profile


def convert(src: Path, out_dir: Path, profile: Path, to: str = "xlsx") -> Path:
    """``soffice --convert-to`` (recalculating on load); returns the converted file."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    filt = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "pdf": "pdf:calc_pdf_Export"}[to]
    subprocess.run([exe, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                    "--norestore", "--convert-to", filt, "--outdir", str(out_dir), str(src)],
                   check=True, capture_output=True, timeout=240)
    out = out_dir / (src.stem + "." + to)
    if not out.exists():
        raise RuntimeError(f"LibreOffice did not write {out}")
    return out
