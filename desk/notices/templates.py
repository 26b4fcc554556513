"""Default notice templates (.docx), generated once by code into ``templates/``.

Staff edit the generated files in Word; the wording below is RULES.md §7 (NTC-1..7).
Placeholders are ``{{字段}}``; the fields available are listed in :data:`FIELDS`.
Regenerate the defaults with ``python -m desk.notices.templates [--force]``.
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from workbooks.outputs import follow_umask

TEMPLATE_DIR = Path(__file__).with_name("templates")

# Every placeholder a template may use (anything else is reported as unknown).
FIELDS = (
    "编号", "日期", "公司名称", "本网点", "联系人", "联系电话", "收款账号", "经办人",
    "运单号", "寄件日期", "索赔日期", "索赔类型", "索赔原因", "货物类别", "物品价值", "运费",
    "保价金额", "重量", "延误天数", "送达日期", "始发地", "目的地", "寄递范围", "责任网点", "对方公司",
    "寄件人", "寄件人电话", "寄件地址", "收件人", "收件人电话", "收件地址", "赔偿说明",
    "金额", "金额大写", "实际损失", "回复期限", "回复天数", "依据",
    "客户名称", "客户联系人", "统计月份", "月发件量", "生效日期",
)

_HEAD = [("title", "{{公司名称}}"), ("title", "{{标题}}"), ("meta", "编号：{{编号}}　　日期：{{日期}}")]
# Amounts as finance writes them: 人民币480.00元 in figures, 人民币肆佰捌拾元整 in capitals.
_AMOUNT = ("金额（小写）", "人民币{{金额}}元"), ("金额（大写）", "人民币{{金额大写}}")
_FOOT = [
    ("p", "回复期限：{{回复期限}}"),
    ("small", "依据：{{依据}}"),
    ("sign", "{{公司名称}}　{{本网点}}\n经办人：{{经办人}}　　{{日期}}"),
]

_NTC12 = ("{{对方公司}}，您好！我司于{{寄件日期}}发贵司，单号为{{运单号}}的快件，经与收件人{{收件人}}，"
          "收件电话{{收件人电话}}确认，{state}，请贵司核实，并在见公告之日起{{回复天数}}天内主动联系我司，"
          "联系人{{联系人}}，联系电话{{联系电话}}，如确认{word}，请将{word}赔偿金额{{金额}}元打入我公司账号"
          "{{收款账号}}，如逾期未收到贵司赔款，我司将上报总部客服部仲裁中心，请知悉！")


def _ntc12(state: str, word: str) -> str:
    return _NTC12.replace("{state}", state).replace("{word}", word)

BODIES: dict[str, list[tuple]] = {
    "破损公告": [("p", _ntc12("快件已破损", "破损"))],
    "内件不符公告": [("p", _NTC12.replace("{state}", "快件内件与运单记载不符（短少/内件不符）")
                                 .replace("如确认{word}", "如确认内件不符")
                                 .replace("{word}赔偿金额", "内件不符赔偿金额"))],
    "遗失公告": [("p", _ntc12("快件至今未送达", "遗失"))],
    "延误公告": [("p", "{{对方公司}}，您好！我司于{{寄件日期}}发贵司，单号为{{运单号}}的快件，经与收件人"
                      "{{收件人}}，收件电话{{收件人电话}}确认，快件于{{送达日期}}送达，延误{{延误天数}}天，"
                      "请贵司核实，并在见公告之日起{{回复天数}}天内主动联系我司，联系人{{联系人}}，联系电话"
                      "{{联系电话}}，如无异议，请将延误赔款金额{{金额}}元打入我公司账号{{收款账号}}，如逾期未收到"
                      "贵司赔款，我司将上报总部仲裁中心，请知悉！")],
    "索赔函": [
        ("p", "{{对方公司}}："),
        ("p", "{{寄件日期}}，我方交由贵司承运的快件（运单号：{{运单号}}），经{{本网点}}查询确认发生{{索赔类型}}。"
              "现将有关情况函告如下，请贵司核实并予以赔偿。"),
        ("table", [("运单号", "{{运单号}}"), ("寄件日期", "{{寄件日期}}"), ("承运方", "{{责任网点}}"),
                   ("寄件人", "{{寄件人}}　{{寄件人电话}}"), ("寄件地址", "{{寄件地址}}"),
                   ("收件人", "{{收件人}}　{{收件人电话}}"), ("收件地址", "{{收件地址}}"),
                   ("索赔类型", "{{索赔类型}}"), ("索赔说明", "{{赔偿说明}}"),
                   # NTC-4 Decision: the actual loss and the amount claimed (after caps), each
                   # labelled; a capped amount is never labelled 实际损失
                   ("实际损失金额", "人民币{{实际损失}}元"), ("索赔金额", "人民币{{金额}}元"),
                   ("索赔金额（大写）", "人民币{{金额大写}}")]),
        ("p", "请贵司于{{回复期限}}前处理并赔偿。联系人：{{联系人}}，联系电话：{{联系电话}}。"),
    ],
    "理赔申请报告书": [
        ("p", "现就下列快件申请赔偿，上报信息如下："),
        ("table", [("运单号", "{{运单号}}"), ("寄件日期", "{{寄件日期}}"), ("投诉方", "{{寄件人}}　{{寄件人电话}}"),
                   ("被投诉网点", "{{责任网点}}"), ("投诉类型", "{{索赔类型}}"),
                   ("收件人及联系方式", "{{收件人}}　{{收件人电话}}"), ("寄件人及联系方式", "{{寄件人}}　{{寄件人电话}}"),
                   ("内件", "{{货物类别}}"), ("内件价值", "{{物品价值}}元"), ("赔偿说明", "{{赔偿说明}}"),
                   ("申请赔偿金额", "人民币{{金额}}元"), ("金额（大写）", "人民币{{金额大写}}"),
                   ("附件", "交易截图、发票、签收单")]),
        ("p", "申请网点：{{本网点}}，联系人：{{联系人}}，联系电话：{{联系电话}}。请财务部于{{回复期限}}前完成付款。"),
    ],
    "VIP恭喜函": [
        ("p", "尊敬的{{客户名称}}："),
        ("p", "感谢贵司一直以来对{{公司名称}}的信任与支持！贵司{{统计月份}}发件{{月发件量}}票，运费合计"
              "人民币{{金额}}元（大写：人民币{{金额大写}}）。经销售部确认，恭喜贵司自{{生效日期}}起成为我司VIP客户，"
              "享受VIP专属服务。"),
        ("p", "如有任何需要，请联系{{联系人}}，联系电话{{联系电话}}。"),
    ],
    "VIP服务取消通知函": [
        ("p", "尊敬的{{客户名称}}："),
        ("p", "感谢贵司一直以来对{{公司名称}}的信任与支持！贵司{{统计月份}}发件{{月发件量}}票，运费合计"
              "人民币{{金额}}元（大写：人民币{{金额大写}}），月发件量未达到VIP客户标准，我司将自{{生效日期}}起取消贵司的"
              "VIP服务。贵司月发件量重新达到标准后，可随时恢复。"),
        ("p", "如有疑问，请联系{{联系人}}，联系电话{{联系电话}}。"),
    ],
}

TITLES = {"破损公告": "破损协商公告", "内件不符公告": "短少/内件不符协商公告",
          "遗失公告": "遗失协商公告", "延误公告": "延误协商公告"}


def template_path(kind: str, folder: Path | None = None) -> Path:
    """Path of the template file for ``kind`` (folder: a company's own templates)."""
    return (folder or TEMPLATE_DIR) / f"{kind}.docx"


def _font(run, size: float | None = None, bold: bool = False) -> None:
    run.font.name = "SimSun"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    if size:
        run.font.size = Pt(size)
    run.bold = bold


LANGUAGE = {"w:val": "zh-CN", "w:eastAsia": "zh-CN", "w:bidi": "ar-SA"}


def _chinese(doc) -> None:
    """The document's default language is Chinese (zh-CN, East Asian zh-CN), so a PDF made
    on a machine without Word (LibreOffice) uses Chinese, not Japanese, glyph forms."""
    for lang in doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        for k, v in LANGUAGE.items():
            lang.set(qn(k), v)
    lang = doc.styles["Normal"].element.get_or_add_rPr().find(qn("w:lang"))
    if lang is None:
        lang = doc.styles["Normal"].element.get_or_add_rPr().makeelement(qn("w:lang"), {})
        doc.styles["Normal"].element.get_or_add_rPr().append(lang)
    for k, v in LANGUAGE.items():
        lang.set(qn(k), v)


def build_document(kind: str):
    """A python-docx Document holding the default template of ``kind``."""
    doc = Document()
    _chinese(doc)
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    blocks = _HEAD + BODIES[kind]
    if kind not in ("VIP恭喜函", "VIP服务取消通知函"):
        blocks = blocks + [("table", list(_AMOUNT))] if kind in TITLES else blocks
        blocks = blocks + _FOOT
    else:  # letters to customers: no internal rule codes
        blocks = blocks + [_FOOT[2]]
    for block in blocks:
        style, content = block[0], block[1]
        if style == "table":
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in content:
                cells = table.add_row().cells
                _font(cells[0].paragraphs[0].add_run(label), bold=True)
                _font(cells[1].paragraphs[0].add_run(value))
            doc.add_paragraph()  # breathing space after the table
            continue
        text = content.replace("{{标题}}", TITLES.get(kind, kind))
        for line in text.split("\n"):
            para = doc.add_paragraph()
            run = para.add_run(line)
            if style == "title":
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(run, 16, bold=True)
            elif style == "meta":
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _font(run, 10.5)
            elif style == "small":
                _font(run, 9)
            elif style == "sign":
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _font(run)
            else:
                para.paragraph_format.first_line_indent = Pt(24) if not line.endswith("：") else None
                _font(run)
    section = doc.sections[0]
    from docx.shared import Mm
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4 (python-docx defaults to Letter)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("{{编号}}"), 9)
    return doc


def document_bytes(kind: str) -> bytes:
    """The default template of ``kind`` as reproducible .docx bytes (fixed dates)."""
    import datetime as dt
    import io
    import zipfile

    from desk.notices.render import _deflate, _zip
    doc = build_document(kind)
    fixed = dt.datetime(2026, 1, 1)
    props = doc.core_properties
    props.created = props.modified = fixed
    props.last_printed = fixed
    props.author = props.last_modified_by = "logidesk"
    props.title = TITLES.get(kind, kind)
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        members = []
        for info in z.infolist():
            info.date_time = (1980, 1, 1, 0, 0, 0)
            members.append((info, _deflate(z.read(info))))
    return _zip(members)


def write_defaults(folder: Path | None = None, force: bool = False) -> list[Path]:
    """Write every default template not yet present (all with ``force``); atomic writes."""
    folder = folder or TEMPLATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in BODIES:
        path = template_path(kind, folder)
        if path.exists() and not force:
            continue
        fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".docx", dir=folder)
        os.close(fd)
        try:
            with open(tmp, "wb") as fh:
                fh.write(document_bytes(kind))
            follow_umask(tmp)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m desk.notices.templates",
                                 description="生成默认通知模板（.docx），员工可在 Word 中修改措辞")
    ap.add_argument("--dir", type=Path, default=TEMPLATE_DIR, help="模板目录")
    ap.add_argument("--force", action="store_true", help="覆盖已有模板")
    args = ap.parse_args(argv)
    for p in write_defaults(args.dir, args.force):
        print(f"已生成 {p}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
