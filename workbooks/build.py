"""Build the clerk templates from the specs: ``logidesk build``.

Templates are generated, never edited by hand nor committed: ``build/workbooks/`` by
default. Each register has its data sheet (header row 1, data from row 2, formulas
pre-filled in the first rows), 「汇总」 (guarded totals), 「设置」, hidden validation lists
and the hidden marker (defined name ``LOGIDESK_TEMPLATE`` + sheet ``_logidesk``).
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

import xlsxwriter

from cli.console import ArgumentParser  # Chinese usage, help and argument errors
from udfs.complaints import rules_in_force
from udfs.quote import quote
from udfs.rulebook import Rules, rules_for, today
from udfs.tariff import rules_rows as tariff_rows

from . import layout
from .outputs import follow_umask
from .spec import QUOTE_LINES, QUOTE_SHEET, REGISTERS, TEMPLATE_VERSION, VIP, Template

DEFAULT_OUT = Path("build/workbooks")


def rules_today() -> Rules:
    return rules_for(today())


def validation_lists(when: dt.date | None = None) -> dict[str, list[str]]:
    """Validation lists from the rules data in force (never typed into the templates)."""
    return rules_in_force(when or today())


def atomic_close(wb: Any, target: Path) -> None:
    """Close an XlsxWriter workbook that was opened on a temp name, then os.replace it."""
    wb.close()
    follow_umask(wb.filename)
    os.replace(wb.filename, target)


def temp_path(target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    return name


def marker_details(tpl_title: str) -> dict[str, str]:
    r = rules_today()
    return {"名称": tpl_title, "规则版本": r.label(), "生成程序": "logidesk build"}


def build_register(tpl: Template, target: Path) -> Path:
    """An empty register template: formulas pre-filled in ``tpl.rows`` rows."""
    wb = layout.new_workbook(temp_path(target), streaming=False, template_mode=True)
    styles = layout.Styles(wb)
    names = validation_lists()
    ws = wb.add_worksheet(tpl.sheet)
    last_row = tpl.rows + 1
    refs_holder: dict[str, str] = {}
    # lists go on a sheet created after the data sheet; refs are plain text so order is free
    for i, name in enumerate(names):
        letter = layout.col_letter(i)
        refs_holder[name] = f"={layout.LISTS_SHEET}!${letter}$2:${letter}${len(names[name]) + 1}"
    layout.setup_data_sheet(wb, ws, layout.SheetSetup(tpl, last_row, print_rows=layout.blank_print_rows(tpl)), styles, refs_holder, names)
    for r in range(2, last_row + 1):
        for c, col in enumerate(tpl.columns):
            if col.computed:
                ws.write_formula(r - 1, c, tpl.formula(col, r),
                                 styles.cell(col.kind, computed=True, wrap=col.wrap), "")
    layout.write_summary(wb, styles, tpl, last_row, None)
    layout.write_settings(wb, styles, [(k, "") for k, _ in tpl.settings])
    layout.write_lists(wb, names)
    layout.write_marker(wb, tpl.kind, tpl.version, marker_details(tpl.title))
    atomic_close(wb, target)
    return target


def _pct(x: Any) -> str:
    return f"{Decimal(str(x)) * 100:f}".rstrip("0").rstrip(".") + "%"


def chinese(aliases: Iterable[str]) -> list[str]:
    """The aliases a clerk reads on the 规则 sheet: the Chinese ones (``general``, ``fragile``
    are accepted as typed, but a Chinese sheet does not teach them)."""
    return [a for a in aliases if any(ord(ch) > 0x2E80 for ch in a)]


def rules_rows(r: Rules) -> Iterator[tuple[str, str, str, str]]:
    """The rules in force as (类别, 项目, 内容, 依据) rows, straight from the rules data."""
    d = r.data
    yield ("版本", r.id, f"{r.title}；发布 {r.published}，{r.effective_from} 起施行", "LAW-5")
    ins = d["insurance"]
    yield ("保价", "保价费", f"声明价值 × {_pct(ins['rate'])}，每票最低 {ins['minimum']} 元；不保价为 0", ins["rule"])
    yield ("保价", "单件价值审核", f"超过 {ins['manager_over']} 元：{ins['manager_note']}", ins["manager_rule"])
    yield ("保价", "单件价值立案", f"超过 {ins['safety_over']} 元：{ins['safety_note']}", ins["safety_rule"])
    yield ("保价", "运单备注", ins["waybill_remark"], ins["remark_rule"])
    cover = {"full": "可保价", "loss_only": "只保灭失险", "none": "不予保价"}
    for name, e in d["categories"].items():
        shown = chinese(e.get("aliases", []))
        alias = f"（又称：{'、'.join(shown)}）" if shown else ""
        yield ("货物类别", name, cover[e["cover"]] + alias, e["rule"])
    cod = d["cod"]
    yield ("代收货款", "手续费", f"≤{cod['low_limit']} 元：{cod['low_fee']} 元；{cod['low_limit']}～{cod['high_limit']} 元："
           f"{(Decimal(cod['rate']) * 1000).normalize():f}‰；>{cod['high_limit']} 元：{cod['high_fee']} 元", cod["rule"])
    yield ("代收货款", "会员卡", f"办卡或补卡 {cod['card_fee']} 元", cod["card_rule"])
    sto = d["storage"]
    yield ("仓储", "免费天数", f"到货通知后 {sto['free_days']} 天内免费，之后每天按运费的日费率计收", sto["days_rule"])
    for key, cls in sto["classes"].items():
        places = list(sto["cities"].get(key, [])) + list(sto["provinces"].get(key, []))
        yield ("仓储", f"{cls['name']} {_pct(cls['rate'])}", "、".join(places), sto["route_rule"])
    yield from tariff_rows(r)                                        # FRT-1, FRT-2
    for name, e in d["claim_types"].items():
        yield ("索赔类型", name, "、".join(chinese(e.get("aliases", []))), e["rule"])
    for name, e in d["claim_causes"].items():
        text = e["reason"] or "承运方原因，受理"
        if e.get("insured_exempt"):
            text += "；已保价的仍受理"
        yield ("索赔原因", name, text, e["rule"])
    comp = d["compensation"]
    yield ("客户赔偿", "未保价上限", f"实际损失与 {comp['uninsured_freight_multiple']} 倍运费孰低；已保价按保价金额", comp["rule"])
    yield ("索赔时效", "时效", f"寄件之日起 {d['claim_window']['months']} 个月", d["claim_window"]["rule"])
    e = d["ecommerce"]
    yield ("电商件", "部分破损", f"最高 {e['partial_damage_cap']} 元/票", e["partial_damage_rule"])
    yield ("电商件", "遗失、损毁、短少", f"最高 {e['loss_cap']} 元/票", e["loss_rule"])
    yield ("电商件", "无正规发票", f"损失 ≥{e['no_invoice_from']} 元：实用性物品最高 {e['no_invoice_practical_cap']} 元，"
           f"非实用性 {e['no_invoice_other_cap']} 元", e["no_invoice_rule"])
    yield ("电商件", "高价值", f"≥{e['high_value_from']} 元走高价值流程", e["high_value_rule"])
    net = d["network"]
    for name, t in net["types"].items():
        if "loss_per_waybill" in t:
            yield ("网点赔付", f"{name}：遗失", f"{t['loss_per_waybill']} 元/票，批货最高 {t['loss_batch_cap']} 元", t["loss_rule"])
        yield ("网点赔付", f"{name}：延误", f"{t['delay_per_day']} 元/票/天，≤1kg 最高 {t['delay_cap_light']} 元，"
               f">1kg 最高 {t['delay_cap_heavy']} 元，批货最高 {t['delay_batch_cap']} 元", t["delay_rule"])
    yield ("网点赔付", "手续费", f"罚款方 {_pct(net['fined_fee_rate'])}，获赔方 {_pct(net['compensated_fee_rate'])}", net["fee_rule"])
    units = {"hours": "小时", "minutes": "分钟", "days": "个日历日", "workdays": "个工作日", "months": "个月",
             "next_month_end": "（次月最后一天）"}
    for name, t in d["deadlines"].items():
        if t.get("scopes"):
            n = "；".join(f"{k} {v}" for k, v in t["scopes"].items()) + " " + units[t["unit"]]
        elif t["unit"] == "next_month_end":
            n = units["next_month_end"]
        else:
            n = f"{t['n']} {units[t['unit']]}"
        yield ("时限", name, n, t["rule"])
    for name, t in d["complaints"].items():
        level = d["complaint_levels"][t["level"]]
        yield ("投诉类别", name, f"{t['level']}{level['stars']}；回答要点：{t['script']}", t["rule"])


def build_rules(target: Path) -> Path:
    wb = layout.new_workbook(temp_path(target), streaming=False, template_mode=True)
    styles = layout.Styles(wb)
    r = rules_today()
    layout.write_rules_sheet(wb, styles, rules_rows(r), r.label())
    layout.write_marker(wb, "rules", TEMPLATE_VERSION, marker_details("规则"))
    atomic_close(wb, target)
    return target


def quote_values(example: bool = False, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Cached values for the quote template, computed by udfs.quote: the template comes empty
    (blank inputs, blank computed lines); ``example`` fills in the spec's example shipment
    (the formula-equivalence check evaluates the formulas on it), ``inputs`` any other one
    (line label → value)."""
    ex = {q.label: q.example for q in QUOTE_LINES if q.example is not None} if example else {}
    ex.update(inputs or {})
    res = quote(ex.get("运费"), ex.get("声明价值"), ex.get("代收金额"), ex.get("货物类别"), ex.get("始发地"),
                ex.get("目的地"), per_item=ex.get("单件价值"), on=today(), weight=ex.get("重量"),
                length=ex.get("长"), width=ex.get("宽"), height=ex.get("高"))
    return {**ex, **res["cells"]}


def build_quote(target: Path, example: bool = False, inputs: dict[str, Any] | None = None) -> Path:
    wb = layout.new_workbook(temp_path(target), streaming=False, template_mode=True)
    styles = layout.Styles(wb)
    names = validation_lists()
    refs = {n: f"={layout.LISTS_SHEET}!${layout.col_letter(i)}$2:${layout.col_letter(i)}${len(v) + 1}"
            for i, (n, v) in enumerate(names.items())}
    layout.write_quote_sheet(wb, styles, refs, quote_values(example, inputs))
    r = rules_today()
    layout.write_rules_sheet(wb, styles, rules_rows(r), r.label())
    layout.write_lists(wb, names)
    layout.write_marker(wb, "quote", TEMPLATE_VERSION, marker_details("柜台报价"))
    atomic_close(wb, target)
    return target


def build_vip_register(target: str | Path, rows: int = 200) -> Path:
    """The empty VIP customer register template (:data:`workbooks.spec.VIP`): title row,
    header, input prompts and validation, 设置 sheet, template marker ``vip;1``; A4 landscape
    (atomic write)."""
    target = Path(target)
    tmp = temp_path(target)
    try:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False,
                                       "strings_to_numbers": False})
        ws = wb.add_worksheet(VIP.sheet)
        title = wb.add_format({"bold": True, "font_size": 14})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        fmts = {"text": wb.add_format({"border": 1, "num_format": "@"}),
                "int": wb.add_format({"border": 1, "num_format": "0"}),
                "money": wb.add_format({"border": 1, "num_format": "#,##0.00"}),
                "date": wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})}
        ws.write_string(0, 0, VIP.title, title)
        for j, col in enumerate(VIP.columns):
            ws.write_string(1, j, col.header, head)
            ws.set_column(j, j, col.width, fmts[col.kind])
            opts = _vip_validation(col.kind, col.note)
            if opts:
                ws.data_validation(2, j, rows + 1, j, opts)
        ws.freeze_panes(2, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(1)
        st = wb.add_worksheet("设置")
        st.write_string(0, 0, "项目", head)
        st.write_string(0, 1, "内容", head)
        for i, (k, _) in enumerate(VIP.settings, start=1):
            st.write_string(i, 0, k)
        st.set_column(0, 0, 12)
        st.set_column(1, 1, 36)
        layout.write_marker(wb, VIP.kind, VIP.version, marker_details(VIP.title))
        atomic_close(wb, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _vip_validation(kind: str, note: str) -> dict[str, Any] | None:
    """Excel data validation of one VIP register column (its prompt and what it accepts)."""
    if kind == "int":
        return {"validate": "integer", "criteria": ">=", "value": 0,
                "input_message": note[:255], "error_message": "请填写整数"}
    if kind == "money":
        return {"validate": "decimal", "criteria": ">=", "value": 0,
                "input_message": note[:255], "error_message": "请填写金额"}
    if kind == "date":
        return {"validate": "date", "criteria": ">", "value": dt.date(2000, 1, 1),
                "input_message": note[:255], "error_message": "请填写日期"}
    if note:
        return {"validate": "any", "input_message": note[:255]}
    return None


def build_all(out_dir: Path = DEFAULT_OUT) -> list[Path]:
    """Every template into ``out_dir``; returns the paths written."""
    out_dir = Path(out_dir)
    paths = [build_register(t, out_dir / f"{t.sheet}.xlsx") for t in REGISTERS.values()]
    paths.append(build_vip_register(out_dir / f"{VIP.sheet}.xlsx"))   # NTC-7 letters are made from it
    paths.append(build_quote(out_dir / f"{QUOTE_SHEET}.xlsx"))
    paths.append(build_rules(out_dir / "规则.xlsx"))
    return paths


def main(argv: list[str] | None = None) -> int:
    p = ArgumentParser(prog="logidesk build", description="生成登记表（含 VIP 客户登记表）、柜台报价与规则表模板")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"输出文件夹（默认 {DEFAULT_OUT}）")
    args = p.parse_args(argv)
    for path in build_all(args.out):
        print(f"已生成 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
