"""Demo step of ``logidesk demo`` / ``install.py``: notices for the bundled sample register."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd

import udfs
from desk.notices.batch import issue
from desk.notices.kinds import KINDS
from desk.notices.render import soffice
from desk.notices.source import load_rows
from workbooks.samples import sample_path

SAMPLE_NAME = "理赔登记表_样例.xlsx"
LEDGER_NAME = "logidesk-台账.sqlite3"


def sample_register() -> Path:
    """The bundled sample claim register (workbooks/samples/)."""
    try:
        p = sample_path("claims")
        if p.exists():
            return p
    except Exception:  # noqa: BLE001 - fall back to the known location
        pass
    return Path(__file__).resolve().parents[2] / "workbooks" / "samples" / SAMPLE_NAME


def demo_dir(out: Path) -> Path:
    return Path(out) / "demo"


# NTC-7: a customer sales confirms as VIP gets the congratulation letter; one whose monthly
# volume no longer qualifies gets the cancellation letter — never both
VIP_LETTER = {"福州鑫达贸易有限公司": "VIP恭喜函", "闽侯恒通电子商行": "VIP服务取消通知函"}
# the one kind the demo also converts to PDF (when LibreOffice is installed: it is slow)
PDF_KIND = "破损公告"


def vip_rows(today: dt.date, kind: str | None = None) -> pd.DataFrame:
    """Two made-up VIP customers for the NTC-7 letters (``kind``: those who get that letter)."""
    month = (today.replace(day=1) - dt.timedelta(days=1))
    start = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    rows = pd.DataFrame([
        {"客户名称": "福州鑫达贸易有限公司", "客户联系人": "陈经理", "统计月份": f"{month:%Y-%m}",
         "月发件量": 1260, "月运费": 12345.6, "生效日期": start},
        {"客户名称": "闽侯恒通电子商行", "客户联系人": "刘女士", "统计月份": f"{month:%Y-%m}",
         "月发件量": 85, "月运费": 1001, "生效日期": start},
    ], index=[2, 3])
    return rows if kind is None else rows[[VIP_LETTER[c] == kind for c in rows["客户名称"]]]


def demo_step(out: Path) -> str:
    """Issue every notice kind for the sample register into ``out/demo/notices`` (fresh demo
    ledger ``out/demo/logidesk-台账.sqlite3``, explicit so the company's ledger is untouched);
    PDF for the damage notices when LibreOffice is installed. The register is read by the
    model: refused claims (CLM-8) and rows with input errors get no notice."""
    base = demo_dir(out)
    notices_dir = base / "notices"
    ledger = base / LEDGER_NAME
    shutil.rmtree(notices_dir, ignore_errors=True)  # the demo's own output only
    for suffix in ("", "-wal", "-shm"):
        Path(str(ledger) + suffix).unlink(missing_ok=True)
    frame, settings, _ = load_rows(sample_register(), "索赔函", None)
    today = udfs.today()
    parts, problems, skipped, pdfs = [], 0, 0, 0
    for kind, sp in KINDS.items():
        rows = vip_rows(today, kind) if sp.per_customer else frame
        batch = issue(rows, kind, notices_dir, settings, ledger=ledger,  # signed by 设置!经办人
                      skip_invalid=True, pdf=None if kind == PDF_KIND else False)
        parts.append(f"{kind} {len(batch)}")
        problems += len(batch.problems)
        skipped += sum(1 for p in batch.skipped if p.reason != "type")
        pdfs += sum(1 for n in batch if n.pdf)
    pdf_note = f"PDF {pdfs} 份" if pdfs else ("未安装 LibreOffice，未生成 PDF" if not soffice() else "PDF 0 份")
    return (f"{'、'.join(parts)} 份（{pdf_note}）；不予受理或金额为 0 无需出具 {skipped} 行次，"
            f"输入有误未出具 {problems} 行次；输出 {notices_dir}，台账 {ledger.name}")
