"""CLM-8 on the formula side: the template's own formulas show 0 and the refusal for a
claim that 受理判定 refuses — in LibreOffice, even without the add-in (IF takes only the
refusal branch), so a clerk's file viewed anywhere agrees with the processor."""
from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from workbooks.spec import CLAIMS

REFUSAL = "不予受理：客户自行包装导致的破损（CLM-6）"


def test_refused_claim_formulas_in_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = CLAIMS.sheet
    for c, h in enumerate(CLAIMS.headers, start=1):
        ws.cell(1, c, h)
    # row 2 refused (受理判定 holds the refusal as the add-in would compute it), row 3
    # accepted, row 4 without a waybill
    for r, (waybill, check) in ((2, ("SF1", REFUSAL)), (3, ("SF2", "受理")), (4, (None, None))):
        ws[f"{CLAIMS.letter('运单号')}{r}"] = waybill
        ws[f"{CLAIMS.letter('网点类型')}{r}"] = "直营"
        ws[f"{CLAIMS.letter('受理判定')}{r}"] = check
        for h in ("赔偿金额", "免收运费", "网点赔付", "赔偿说明"):
            ws[f"{CLAIMS.letter(h)}{r}"] = CLAIMS.formula(CLAIMS.column(h), r)
    src = tmp_path / "refused.xlsx"
    wb.save(src)
    profile = tmp_path / "profile"
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76', "--outdir", str(tmp_path),
                           str(src)], capture_output=True, text=True, timeout=180)
    out = tmp_path / "refused.csv"
    assert proc.returncode == 0 and out.exists(), proc.stdout + proc.stderr
    rows = list(csv.reader(out.open(encoding="utf-8")))
    col = {h: CLAIMS.headers.index(h) for h in ("赔偿金额", "免收运费", "网点赔付", "赔偿说明")}
    got = {r: tuple(rows[r - 1][i] for i in col.values()) for r in (2, 3, 4)}
    assert got[2] == ("0", "0", "0", REFUSAL)
    assert got[3] == ("#NAME?", "#NAME?", "#NAME?", "#NAME?")      # an accepted claim needs the add-in
    assert got[4] == ("", "", "", "")
