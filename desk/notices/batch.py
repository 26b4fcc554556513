"""Issue a batch of notices: validate rows, number them in the ledger, render .docx/.pdf.

Numbers are gap-free (NTC-7): numbers are allocated, .docx documents rendered into a staging
folder and ledger rows inserted inside one short ledger transaction; the files are moved into
place only after COMMIT (crash handling: :mod:`desk.notices.staging`). PDFs are converted
after COMMIT, outside the lock (:func:`_convert_pdfs`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

import udfs
from cli.config import trusted_template_dir
from desk.ledger import Ledger, NoticeRecord, normalise_waybill
from desk.notices import render
from desk.notices.capitals import figures, rmb_capitals, to_decimal
from desk.notices.kinds import KindSpec, spec as kind_spec
from desk.notices.register import as_date, as_decimal, is_blank
from desk.notices.staging import Staging, recover
from desk.notices.templates import FIELDS, TEMPLATE_DIR, template_path, write_defaults
from udfs.claims import actual_loss
from udfs.errtext import detail_text, os_reason

# Test hooks (crash-window tests): called with the Staging after COMMIT / after rendering.
HOOKS: dict[str, Callable[[Staging], None] | None] = {"after_commit": None, "after_render": None}

# Placeholder -> the register column (or setting) it comes from, for "missing field" messages.
SOURCE = {"送达日期": "实际送达日期", "对方公司": "责任网点", "重量": "重量(kg)", "金额大写": "金额",
          "实际损失": "物品价值"}
OPTIONAL = {"赔偿说明", "保价金额", "客户联系人", "重量", "始发地", "目的地", "寄递范围", "索赔日期", "运费"}
DATE_FIELDS = {"寄件日期", "索赔日期", "实际送达日期", "生效日期"}
MONEY_FIELDS = {"物品价值", "运费", "保价金额"}
CN_NUM = "零一二三四五六七八九"
UNIT_SUFFIXES = ("公司", "部", "点", "中心", "站", "处", "所", "厂", "店")
# The sender's settings (设置 sheet) a notice prints: never taken from the register's row.
SENDER_SETTINGS = ("公司名称", "本网点", "联系人", "联系电话", "收款账号")


class NoticeError(ValueError):
    """A batch refused before anything was written; ``problems`` lists row-level reasons;
    ``code`` the exit code it means (1 rows or a template to fix, 4 the environment)."""

    def __init__(self, message: str, problems: Sequence["Problem"] = (), code: int = 1) -> None:
        self.problems = list(problems)
        self.code = code
        lines = [message] + [f"  {p}" for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ……另有 {len(self.problems) - 50} 条")
        super().__init__("\n".join(lines))


class DuplicateNoticeError(NoticeError):
    """The same kind of notice was already issued for these waybills (use reissue)."""


@dataclass
class Problem:
    """Why one row cannot get its notice."""

    row: Any
    key: str
    message: str
    fields: tuple[str, ...] = ()
    where: str = ""           # file and row, e.g. 理赔登记表.xlsx 第7行
    needs_fix: bool = True    # False: no notice needed (refused claim, amount 0) — not a failure
    reason: str = ""          # skipped rows: "refused" (CLM-8), "zero" (amount 0), "type" (other claim type)

    def __str__(self) -> str:
        where = self.where or (f"第{self.row}行" if isinstance(self.row, (int,)) else str(self.row))
        return f"{where}（{self.key or '无单号'}）：{self.message}"


@dataclass
class IssuedNotice:
    """One notice written and recorded."""

    number: str
    kind: str
    waybill: str
    amount: Decimal | None
    notice_date: dt.date
    reply_by: dt.date | None
    docx: Path
    pdf: Path | None
    row: Any
    values: dict[str, str] = field(repr=False, default_factory=dict)


class IssueBatch(list):
    """``list[IssuedNotice]`` plus the rows skipped (``problems``) and duplicates skipped."""

    def __init__(self, items: Sequence[IssuedNotice] = (), problems: Sequence[Problem] = (),
                 skipped_duplicates: Sequence[str] = (), recovered: Mapping[str, int] | None = None,
                 *, skipped: Sequence[Problem] = (), template: Any = None):
        super().__init__(items)
        self.problems = list(problems)          # rows to fix (invalid input, missing fields)
        self.skipped = list(skipped)            # rows that need no notice (CLM-8 refusal, 0 元)
        self.skipped_duplicates = list(skipped_duplicates)
        self.recovered = dict(recovered or {})
        self.template = template                # TemplateChoice used
        self.warnings: list[str] = []           # settings problems, reported once
        self.pdf_failures: list[tuple[list[str], str]] = []  # (notice numbers, reason)


def cn_number(n: int) -> str:
    """Small counts in Chinese (五, 十, 三十): 回复天数 written as in NTC-1 「五天内」."""
    if n < 0 or n >= 100:
        return str(n)
    if n < 10:
        return CN_NUM[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens]) + "十" + (CN_NUM[ones] if ones else "")


def cn_date(d: dt.date | None) -> str:
    """2026年11月23日."""
    return "" if d is None else f"{d.year}年{d.month}月{d.day}日"


def _text(x: Any) -> str:
    if is_blank(x):
        return ""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x).strip()


def _rule_ids(*texts: str) -> list[str]:
    seen: dict[str, None] = {}
    for t in texts:
        for m in re.finditer(r"\b[A-Z]{2,5}-\d+\b", t or ""):
            seen[m.group(0)] = None
    return list(seen)


def _load_template(sp: KindSpec, folder: Path | None) -> tuple[render.DocxTemplate, set[str]]:
    path = template_path(sp.kind, folder)
    if not path.exists():
        if folder is None or folder == TEMPLATE_DIR:
            write_defaults()
        if not path.exists():
            raise NoticeError(f"找不到模板文件：{path}")
    try:
        tpl = render.DocxTemplate(path.read_bytes())
    except Exception as e:  # not a .docx (e.g. saved as .doc or damaged)
        raise NoticeError(f"模板文件无法读取：{path}（{detail_text(str(e))}）") from e
    names = tpl.placeholders()
    unknown = names - set(FIELDS)
    if unknown:
        raise NoticeError(f"模板 {path.name} 中有无法识别的占位符：{'、'.join('{{%s}}' % u for u in sorted(unknown))}"
                          f"（可用字段：{'、'.join(FIELDS)}）")
    return tpl, names


def _compute_amounts(frame: pd.DataFrame, sp: KindSpec) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Amount of each row: the register model's computed column (网点赔付 for NTC-1..3,
    赔偿金额 for NTC-4/6, 月运费 for VIP letters) — never recomputed here. A damage or
    content-mismatch notice falls back to 赔偿金额: the network standards cover only loss and
    delay (NET-10). A cell that shows an error (a live sheet's 「错误：…」) is reported.
    Returns (amounts, error texts, the column each amount came from)."""
    amount = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    errors = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    source = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    candidates = [sp.amount_column] + ([sp.amount_fallback] if sp.amount_fallback else [])
    for column in candidates:
        if column not in frame.columns:
            continue
        for i in frame.index:
            if amount[i] is not None:
                continue
            v = frame.at[i, column]
            if isinstance(v, str) and v.strip().startswith(("错误", "#")):  # the cell shows an error
                errors[i] = errors[i] or f"{column}无法计算：{v.strip().removeprefix('错误：')}"
            elif not is_blank(v):
                try:
                    amount[i] = as_decimal(v)
                    errors[i] = ""
                    source[i] = column
                except Exception:
                    errors[i] = errors[i] or f"{column}无法识别：{v}"
    return amount, errors, source


def _amount_rules(row: pd.Series, column: str) -> list[str]:
    """Rule IDs the amount rests on: the network standard of the row's 网点类型 for 网点赔付
    (NET-1/2/5/6/7, NET-8 value cap, from the rules data), else those the computed
    explanation 赔偿说明 cites (CMP-*, ECM-*, INS-*)."""
    if column == "网点赔付":
        r = udfs.rules_for(None)
        name = r.networks.find(row.get("网点类型")) if not is_blank(row.get("网点类型")) else None
        ctype = r.claim_types.find(row.get("索赔类型")) if not is_blank(row.get("索赔类型")) else None
        if name:
            key = "loss_rule" if ctype == "遗失" else "delay_rule"
            out = [r.networks[name].get(key)] if r.networks[name].get(key) else []
            if not is_blank(row.get("物品价值")):
                out.append(r.net.get("value_cap_rule"))
            return [x for x in out if x]
        return []
    return _rule_ids(_text(row.get("赔偿说明")))


def _actual_loss(get: Callable[[str], Any]) -> str:
    """实际损失 of a claim row (NTC-4 Decision): 物品价值 × 损失比例 before any cap, by the
    rules engine; '' when the row cannot give it (the gap is then reported as 物品价值)."""
    if is_blank(get("物品价值")) or is_blank(get("索赔类型")):
        return ""
    try:
        return figures(actual_loss(get("索赔类型"), get("物品价值"), get("损失比例")))
    except udfs.RuleError:
        return ""


def _cell_text(src: str, raw: Any) -> str:
    """A register value as printed: dates 2026年11月23日, amounts 1,234.50, else the text."""
    if src in DATE_FIELDS:
        try:
            return cn_date(as_date(raw))
        except ValueError:
            return _text(raw)
    if src in MONEY_FIELDS and not is_blank(raw):
        try:
            return figures(as_decimal(raw))
        except Exception:
            return _text(raw)
    return _text(raw)


def _month_text(month: Any) -> str | None:
    """统计月份 as 2026年10月 (from 2026-10, a date or a date text); None when unreadable."""
    if is_blank(month):
        return None
    try:
        d = as_date(month if not isinstance(month, str) or len(month.strip()) > 7 else month.strip() + "-01")
    except (ValueError, TypeError):
        return None
    if d is None:  # as_date gives None only for a blank, ruled out above
        return None
    return f"{d.year}年{d.month}月"


def _reply_by(sp: KindSpec, get: Callable[[str], Any], notice_date: dt.date,
              ) -> tuple[dt.date | None, str, str]:
    """(reply-by date, 回复期限, 回复天数) of the kind's deadline event (DL-*, via udfs)."""
    if not sp.event:
        return None, "无需回复", ""
    scope = _text(get(sp.scope_column)) if sp.scope_column else ""
    due = udfs.deadline(sp.event, notice_date, scope or None)
    reply_by = due.date() if isinstance(due, dt.datetime) else due
    return reply_by, cn_date(reply_by), cn_number((reply_by - notice_date).days)


def build_values(row: pd.Series, sp: KindSpec, settings: Mapping[str, Any], amount: Decimal | None,
                 notice_date: dt.date, issued_by: str, amount_rules: Sequence[str] = (),
                 ) -> tuple[dict[str, str], dt.date | None, list[str]]:
    """Placeholder values of one row, its reply-by date, and the rule IDs shown."""
    get = lambda name: row.get(name) if name in row.index else None  # noqa: E731
    values: dict[str, str] = {}
    for name in FIELDS:
        src = SOURCE.get(name, name)
        raw = get(src)
        if raw is None and name in SENDER_SETTINGS:
            raw = settings.get(name)
        values[name] = _cell_text(src, raw)
    if values["客户联系人"] == "" and not is_blank(get("联系人")):
        values["客户联系人"] = _text(get("联系人"))
    # Sender / branch settings always come from 设置 (the register's 联系人 is the customer's).
    for name in SENDER_SETTINGS:
        values[name] = _text(settings.get(name))
    month = _month_text(get("统计月份"))
    if month is not None:
        values["统计月份"] = month
    party = values["责任网点"]
    # NTC-1..3 「＿公司，您好」: a unit name (…营业部, …网点) is used as is.
    values["对方公司"] = party if not party or party.endswith(UNIT_SUFFIXES) else party + "公司"
    values["日期"] = cn_date(notice_date)
    values["经办人"] = issued_by
    values["金额"] = "" if amount is None else figures(amount)
    values["金额大写"] = "" if amount is None else rmb_capitals(amount)
    values["实际损失"] = _actual_loss(get)
    reply_by, values["回复期限"], values["回复天数"] = _reply_by(sp, get, notice_date)
    rules = list(dict.fromkeys([*sp.rules, *amount_rules]))
    values["依据"] = "、".join(rules)
    return values, reply_by, rules


def _safe(name: str, max_bytes: int = 120) -> str:
    """A waybill as a file-name part: no path characters, at most ``max_bytes`` UTF-8 bytes
    (file systems allow 255 per name; the number and kind take the rest)."""
    text = re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", name).strip("._") or "无单号"
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text


@dataclass(frozen=True)
class TemplateChoice:
    """The template a batch uses: file, why it is trusted, its bytes' SHA-256."""

    path: Path
    origin: str
    sha256: str


def resolve_template(kind: str, explicit: Path | None = None) -> TemplateChoice:
    """Templates come only from the bundled set, the administrator's folder (machine
    configuration ``[notices] templates``) or an explicit ``--templates`` choice. The
    register's 设置!模板目录 is never followed (a planted template could change the bank
    account printed on an officially numbered notice)."""
    sp = kind_spec(kind)
    if explicit is not None:
        folder, origin = Path(explicit), "命令行 --templates"
    else:
        admin = trusted_template_dir()
        folder, origin = (Path(admin.value), admin.origin) if admin else (TEMPLATE_DIR, "内置模板")
    path = template_path(sp.kind, folder)
    if not path.exists() and folder == TEMPLATE_DIR:
        write_defaults()
    if not path.exists():
        raise NoticeError(f"找不到模板文件：{path}（{origin}）")
    return TemplateChoice(path.resolve(), origin, hashlib.sha256(path.read_bytes()).hexdigest())


def _outcome(row: pd.Series) -> tuple[str, str]:
    """(outcome, reason) of a claim row: the register model's ``_outcome`` when present
    ("invalid" | "refused" | "ok" | "blank"), else read from the computed 受理判定 cell."""
    o = row.get("_outcome") if "_outcome" in row.index else None
    verdict = _text(row.get("受理判定")) if "受理判定" in row.index else ""
    if isinstance(o, str) and o:
        if o == "invalid":
            errs = row.get("_errors") if "_errors" in row.index else None
            texts = [getattr(e, "message", None) or str(e) for e in (errs or [])]
            return o, "；".join(texts) or "输入有误"
        return o, verdict if o == "refused" else ""
    if verdict.startswith("不予受理"):
        return "refused", verdict
    if verdict.startswith("错误"):
        return "invalid", verdict.removeprefix("错误：")
    return "ok", ""


def _where(idx: Any, row: pd.Series, settings: Mapping[str, Any]) -> str:
    src = row.get("_source") if "_source" in row.index else None
    src = src or settings.get("_workbook") or ""
    r = row.get("_row") if "_row" in row.index else idx
    return f"{Path(str(src)).name} 第{r}行" if src else f"第{r}行"


def issue(rows: pd.DataFrame, kind: str, out_dir: Path, settings: Mapping[str, Any],
          ledger: "Ledger | str | os.PathLike | None" = None, issued_by: str | None = None,
          on_duplicate: "str | Callable[[str, list[NoticeRecord]], bool]" = "refuse", *,
          notice_date: dt.date | None = None, pdf: bool | None = None,
          template_dir: Path | None = None, skip_invalid: bool = False,
          progress: Callable[[int, int], None] | None = None,
          pdf_progress: Callable[[int, int], None] | None = None) -> IssueBatch:
    """Issue notices of ``kind`` for ``rows`` (NTC-1..7; reply-by DL-5 via udfs.deadline).

    ``rows``: register rows (the model's frame: computed columns, ``_outcome``, ``_errors``,
    ``_source``, ``_row``). Refused claims (CLM-8) and amounts of 0 get no notice and are
    reported in ``.skipped`` (not failures); invalid rows in ``.problems``.
    ``on_duplicate`` — a notice of this kind already exists for the waybill (normalised):
    ``"refuse"`` (raise DuplicateNoticeError, nothing written), ``"skip"``, ``"reissue"``, or a
    callable ``(waybill, existing_records) -> bool`` that asks the user. ``pdf``: None = when
    LibreOffice is installed. ``skip_invalid``: issue the valid rows and report the others
    instead of refusing the whole batch. ``template_dir``: an explicit template folder
    (the command line's ``--templates``); else the administrator's, else the bundled set.

    Numbers are taken, documents rendered and ledger rows inserted in one short
    transaction; PDFs are converted after COMMIT, in sub-batches on every core: a failed
    conversion costs that sub-batch's PDFs (``.pdf_failures``), never an issued number.
    """
    sp = kind_spec(kind)
    if not callable(on_duplicate) and on_duplicate not in ("refuse", "skip", "reissue"):
        raise ValueError(f"on_duplicate 应为 refuse/skip/reissue 或回调函数：{on_duplicate!r}")
    warnings: list[str] = []
    if not is_blank(settings.get("模板目录")) and template_dir is None:
        warnings.append(f"设置表的「模板目录」（{_text(settings.get('模板目录'))}）不再使用："
                        "公告只用内置模板或管理员配置的模板目录；另用模板请在命令行加 --templates")
    signer = _text(issued_by) or _text(settings.get("经办人")) or _text(settings.get("联系人"))
    if not signer:
        raise NoticeError("设置表未填写「经办人」（也没有「联系人」），公告无人签署：请在设置表填写经办人，"
                          "或在命令行用 --by 指定")
    out_dir = Path(out_dir).resolve()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise NoticeError(f"无法创建输出文件夹 {out_dir}（{os_reason(e)}）", code=4) from e
    notice_date = notice_date or udfs.today()
    choice = resolve_template(sp.kind, template_dir)
    template, used = _load_template(sp, choice.path.parent)
    own = not isinstance(ledger, Ledger)
    led = Ledger.open(ledger)
    try:
        batch = _issue(rows, _Request(sp, out_dir, settings, led, signer, on_duplicate, notice_date,
                                      pdf, template, used, choice, skip_invalid, progress, pdf_progress))
        batch.warnings[:0] = warnings
        return batch
    finally:
        if own:
            led.close()


@dataclass
class _Request:
    """One call of :func:`issue` once its template and its ledger are open."""

    sp: KindSpec
    out_dir: Path
    settings: Mapping[str, Any]
    led: Ledger
    issued_by: str
    on_duplicate: Any
    notice_date: dt.date
    pdf: bool | None
    template: render.DocxTemplate
    used: set[str]                 # placeholders the template uses
    choice: TemplateChoice
    skip_invalid: bool
    progress: Callable[[int, int], None] | None
    pdf_progress: Callable[[int, int], None] | None


@dataclass
class _Ready:
    """A row that passed every check: what its notice prints and the ledger records."""

    idx: Any
    key: str
    values: dict[str, str]
    reply_by: dt.date | None
    amount: Decimal | None
    rules: list[str]
    where: str


@dataclass
class _Sorted:
    """A batch's rows sorted out: ready for a number, to fix, needing no notice."""

    ready: list[_Ready] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    seen_keys: dict[str, Any] = field(default_factory=dict)   # normalised key -> its row

    def file(self, problem: Problem) -> None:
        (self.problems if problem.needs_fix else self.skipped).append(problem)


def _prepared(rows: pd.DataFrame) -> pd.DataFrame:
    """A copy with stripped column names and unique row labels (problems are reported and
    amounts aligned by label)."""
    frame = rows.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    if not frame.index.is_unique:
        frame.index = pd.RangeIndex(2, 2 + len(frame))
    return frame


def _require_settings(req: _Request) -> None:
    """Settings the template prints (设置 sheet): one message for the batch, not one per row."""
    missing = sorted(n for n in SENDER_SETTINGS if n in req.used and is_blank(req.settings.get(n)))
    if missing:
        src = Path(str(req.settings.get("_workbook") or "")).name
        raise NoticeError(f"{src + ' 的' if src else ''}设置表未填写：{'、'.join(missing)}"
                          f"（{req.sp.title}要用到），请先在「设置」工作表填写")


class _RowCheck:
    """Sorts the rows of a batch: each gets a notice, is listed to fix, or needs none."""

    def __init__(self, req: _Request, frame: pd.DataFrame) -> None:
        self.req = req
        self.frame = frame
        self.amounts, self.amount_errors, self.amount_source = _compute_amounts(frame, req.sp)
        self.out = _Sorted()

    def run(self) -> _Sorted:
        for idx, row in self.frame.iterrows():
            self.row(idx, row)
        return self.out

    def _screen(self, idx: Any, row: pd.Series, key: str, where: str) -> tuple[bool, Problem | None]:
        """(go on, why not): a row of another claim type, a blank, invalid or refused row
        gets no notice (blank rows silently)."""
        sp = self.req.sp
        if sp.claim_types and "索赔类型" in self.frame.columns and not is_blank(row.get("索赔类型")):
            ctype = udfs.rules_for(None).claim_types.find(row.get("索赔类型")) or _text(row.get("索赔类型"))
            if ctype not in sp.claim_types:  # another notice is for it: not applicable, not a failure
                return False, Problem(idx, key, f"索赔类型为「{ctype}」，不出具{sp.title}", where=where,
                                      needs_fix=False, reason="type")
        outcome, reason = _outcome(row)
        if outcome == "blank":
            return False, None
        if outcome == "invalid":  # an input error: no number, no notice (listed to fix)
            return False, Problem(idx, key, f"输入有误，不出具：{reason}", where=where)
        if sp.is_claim and outcome == "refused":  # CLM-8: no negotiation notice, claim letter or report
            return False, Problem(idx, key, f"{reason}，不出具{sp.title}（CLM-8）", where=where,
                                  needs_fix=False, reason="refused")
        return True, None

    def _gaps(self, idx: Any, row: pd.Series, key: str, where: str, values: dict[str, str],
              ) -> Problem | None:
        """The fields the template or the kind needs and the row lacks (the amount's cause)."""
        sp = self.req.sp
        needed = (self.req.used | {"金额"}) - OPTIONAL - {"编号"}
        gaps = {SOURCE.get(n, n) for n in needed if not values.get(n)}
        gaps |= {c for c in (*sp.required, sp.key_column) if c not in row.index or is_blank(row.get(c))}
        parts = []
        if "金额" in gaps:
            gaps.discard("金额")
            if self.amount_errors.get(idx):
                parts.append(self.amount_errors[idx])
            elif sp.amount_column == "网点赔付" and is_blank(row.get("网点类型")):
                gaps.add("网点类型（用于计算网点赔付）")
            else:
                gaps.add(sp.amount_column)
        missing = sorted(gaps)
        if missing:
            parts.insert(0, "缺少 " + "、".join(missing))
        return Problem(idx, key, "；".join(parts), tuple(missing), where=where) if parts else None

    def _zero(self, idx: Any, row: pd.Series, key: str, where: str, amount: Decimal) -> Problem:
        """An amount of 0 (or less): no notice needed, with the rules that made it so."""
        sp = self.req.sp
        source = self.amount_source.get(idx, "")
        why = "、".join(_amount_rules(row, source)) or sp.amount_column
        return Problem(idx, key, f"{source or sp.amount_column}为 {figures(amount)} 元（{why}），无需出具",
                       where=where, needs_fix=False, reason="zero")

    def row(self, idx: Any, row: pd.Series) -> None:
        req, sp = self.req, self.req.sp
        key = _text(row.get(sp.key_column)) if sp.key_column in self.frame.columns else ""
        where = _where(idx, row, req.settings)
        go_on, why_not = self._screen(idx, row, key, where)
        if not go_on:
            if why_not is not None:
                self.out.file(why_not)
            return
        amount = self.amounts.get(idx)
        try:
            values, reply_by, rules = build_values(row, sp, req.settings, amount, req.notice_date, req.issued_by,
                                                   _amount_rules(row, self.amount_source.get(idx, "")))
        except udfs.RuleError as e:
            return self.out.file(Problem(idx, key, f"回复期限无法计算：{e}", where=where))
        gap = self._gaps(idx, row, key, where, values)
        if gap is not None:
            return self.out.file(gap)
        if amount is not None and amount <= 0 and sp.is_claim:
            return self.out.file(self._zero(idx, row, key, where, amount))
        norm = normalise_waybill(key)
        if norm in self.out.seen_keys:
            return self.out.file(Problem(idx, key, f"{sp.key_column}在本次选择中重复（同第{self.out.seen_keys[norm]}行）",
                                         where=where))
        self.out.seen_keys[norm] = row.get("_row") if "_row" in row.index else idx
        if not sp.internal:  # letters to customers: no internal rule codes
            values["依据"] = ""
        self.out.ready.append(_Ready(idx, key, values, reply_by, amount, rules, where))


def _drop_recovered(req: _Request, rows: _Sorted, existing: dict[str, list[NoticeRecord]],
                    recovered: Mapping[str, Any]) -> None:
    """Re-running a batch that died after its COMMIT: its notices exist (files just completed
    by recover()), so these rows are done — not duplicates to refuse."""
    done_before = set(recovered.get("batches", []))
    if not (existing and done_before):
        return
    keep = []
    for it in rows.ready:
        recs = existing.get(normalise_waybill(it.key), [])
        if recs and all(r.batch_id in done_before for r in recs):
            rows.skipped.append(Problem(it.idx, it.key, f"上次中断的批次已出具{req.sp.title}（"
                                        + "、".join(r.number for r in recs) + "），文件已恢复", where=it.where,
                                        needs_fix=False, reason="recovered"))
            existing.pop(normalise_waybill(it.key), None)
        else:
            keep.append(it)
    rows.ready = keep


def _without_duplicates(req: _Request, ready: list[_Ready], existing: dict[str, list[NoticeRecord]],
                        ) -> tuple[list[_Ready], list[str]]:
    """Re-issue check (NTC-7 traceability): rows whose waybill already has this kind are
    refused (the whole batch), skipped, re-issued, or as the callback answers. Returns
    (rows to issue, waybills skipped)."""
    if not existing:
        return ready, []
    sp = req.sp

    def recs_of(k: str) -> list[NoticeRecord]:
        return existing.get(normalise_waybill(k), [])

    if req.on_duplicate == "refuse":
        dup = [Problem(it.idx, it.key, f"已出具过{sp.title}：" + "、".join(r.number for r in recs_of(it.key)),
                       where=it.where) for it in ready if recs_of(it.key)]
        if dup:
            raise DuplicateNoticeError(
                f"{len(dup)} 个{sp.key_column}已出具过{sp.title}（台账 {req.led.ident}），如需重新出具请确认（--reissue）：",
                dup)
    keep, skipped = [], []
    for it in ready:
        recs = recs_of(it.key)
        again = (not recs or req.on_duplicate == "reissue"
                 or (callable(req.on_duplicate) and bool(req.on_duplicate(it.key, recs))))
        if again:
            keep.append(it)
        else:
            skipped.append(it.key)
    return keep, skipped


def _refuse_late_duplicates(req: _Request, tx: Any, ready: list[_Ready],
                            existing: dict[str, list[NoticeRecord]]) -> None:
    """Re-check under the number lock: another clerk may have issued the same notice between
    our check and now (same kind → same counter row → serialised)."""
    if req.on_duplicate == "reissue":
        return
    sp = req.sp
    late = {w for w in tx.find(sp.kind, [it.key for it in ready]) if w not in existing}
    if late:
        raise DuplicateNoticeError(
            f"{len(late)} 个{sp.key_column}刚由其他人出具了{sp.title}，本批未生成，请重试：",
            [Problem(it.idx, it.key, "刚由其他人出具", where=it.where) for it in ready
             if normalise_waybill(it.key) in late])


def _render_one(req: _Request, staging: Staging, it: _Ready, year: int, seq: int,
                ) -> tuple[NoticeRecord, IssuedNotice]:
    """Render one numbered notice into the staging folder; its ledger row and result."""
    sp = req.sp
    number = f"{sp.code}-{year}-{seq:05d}"
    values = dict(it.values, 编号=number)
    final = req.out_dir / f"{number}_{sp.kind}_{_safe(it.key)}.docx"
    if final.exists():
        raise NoticeError(f"文件已存在，未覆盖：{final}")
    with open(staging.path(final), "wb") as fh:
        fh.write(req.template.render(values))
    record = NoticeRecord(
        number=number, kind=sp.kind, year=year, seq=seq, waybill=it.key,
        amount=None if it.amount is None else to_decimal(it.amount),
        notice_date=req.notice_date, reply_by=it.reply_by, issued_by=req.issued_by,
        doc_path=str(final), pdf_path=None,
        batch_id=staging.batch_id, branch=values["本网点"],
        counterparty=values["责任网点"] or values["客户名称"], rules="、".join(it.rules),
        template=f"{req.choice.path}（{req.choice.origin}）", template_sha256=req.choice.sha256,
        source=it.where)
    notice = IssuedNotice(number, sp.kind, it.key, record.amount, req.notice_date, it.reply_by, final,
                          None, it.idx, values)
    return record, notice


def _write_numbered(req: _Request, ready: list[_Ready], existing: dict[str, list[NoticeRecord]],
                    ) -> list[IssuedNotice]:
    """Numbers taken, documents rendered into staging and ledger rows inserted in one
    transaction; the files are published after COMMIT (module doc, :mod:`desk.notices.staging`)."""
    year = req.notice_date.year
    staging = Staging(req.out_dir)
    issued: list[IssuedNotice] = []
    committing = False
    try:
        with req.led.transaction() as tx:
            first = tx.allocate(req.sp.kind, year, len(ready))
            _refuse_late_duplicates(req, tx, ready, existing)
            records: list[NoticeRecord] = []
            for n, it in enumerate(ready):
                record, notice = _render_one(req, staging, it, year, first + n)
                records.append(record)
                issued.append(notice)
                if req.progress:
                    req.progress(n + 1, len(ready))
            if HOOKS["after_render"]:
                HOOKS["after_render"](staging)
            staging.write_manifest(req.led.ident)
            tx.insert(records)
            committing = True  # COMMIT runs as the block exits
        # COMMITTED: the ledger is the truth; files follow (recover() rolls forward on crash).
    except BaseException:
        if committing:
            staging.close(remove=False)  # outcome of COMMIT unknown: recover() asks the ledger
        else:
            staging.abort()
        raise
    if HOOKS["after_commit"]:
        HOOKS["after_commit"](staging)
    staging.publish()
    return issued


def _issue(rows: pd.DataFrame, req: _Request) -> IssueBatch:
    """Body of :func:`issue` once the template and the ledger are open."""
    sp = req.sp
    # First finish what a crashed run left (its committed notices' files roll forward), so
    # re-running the same command does not meet "already issued" without the files.
    recovered = recover(req.out_dir, req.led.ident, req.led.batch_exists)
    frame = _prepared(rows)
    _require_settings(req)
    sorted_rows = _RowCheck(req, frame).run()
    if sorted_rows.problems and not req.skip_invalid:
        raise NoticeError(f"{len(sorted_rows.problems)} 行数据不全或不适用，未生成任何{sp.title}：",
                          sorted_rows.problems)
    existing = req.led.find(sp.kind, [it.key for it in sorted_rows.ready]) if sorted_rows.ready else {}
    _drop_recovered(req, sorted_rows, existing, recovered)
    ready, dup_skipped = _without_duplicates(req, sorted_rows.ready, existing)

    def result(issued: list[IssuedNotice]) -> IssueBatch:
        return IssueBatch(issued, sorted_rows.problems, dup_skipped, recovered, skipped=sorted_rows.skipped,
                          template=req.choice)

    if not ready:
        return result([])
    want_pdf = render.soffice() is not None if req.pdf is None else req.pdf
    if want_pdf and render.soffice() is None:
        raise NoticeError("未安装 LibreOffice，无法生成 PDF（不要 PDF 请加 --no-pdf）")
    batch = result(_write_numbered(req, ready, existing))
    if want_pdf:
        _convert_pdfs(batch, req.led, req.out_dir, req.pdf_progress)
    return batch


def _convert_pdfs(batch: IssueBatch, led: Ledger, out_dir: Path,
                  progress: Callable[[int, int], None] | None) -> None:
    """PDFs of the issued (committed, published) notices, outside the ledger transaction:
    sub-batches in parallel, each PDF moved into place as its sub-batch finishes and then
    recorded; a failed or hung sub-batch costs only its own PDFs (``batch.pdf_failures``)."""
    tmp = Path(tempfile.mkdtemp(prefix=".logidesk-pdf-", dir=out_dir))
    try:
        docs = [n.docx for n in batch]
        done, failures = render.to_pdf_batches(docs, tmp, progress=progress)
        by_doc = {n.docx: n for n in batch}
        recorded: dict[str, str] = {}
        for doc, pdf in done.items():
            final = doc.with_suffix(".pdf")
            os.replace(pdf, final)
            by_doc[doc].pdf = final
            recorded[by_doc[doc].number] = str(final)
        led.set_pdf(recorded)
        for group, message in failures:
            batch.pdf_failures.append(([by_doc[d].number for d in group], message))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
