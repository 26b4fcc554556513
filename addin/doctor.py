"""``logidesk doctor``: one command an administrator or a clerk runs on a PC to see whether
the install works, each check on one line with ✓ or ✗ and, for ✗, what to do.

Checks: Python and package versions, the add-in where Excel loads it and registered at the
shared path (Windows; elsewhere 不适用), the ledger reachable and writable (the SQLite file
or the PostgreSQL host and database, never the password), the company rules file found and
valid, the holiday years covered (and, from 1 November, the coming year), LibreOffice and
Chinese fonts for PDFs, the trusted templates folder, write permission in the default
output folders. Exit code: 0 when every check passes (warnings 「！」 included), 4 when one
fails (the environment), as the contract of :mod:`cli.contract` says.
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterator

from addin import install_excel
from cli import config, console
from desk.ledger import Ledger, LedgerError, pg_where
from desk.notices.render import soffice
from udfs import company, coverage, rulebook, rules_check
from udfs.errors import RuleError
from udfs.errtext import os_reason, os_text

OK, FAIL, WARN, NA = "✓", "✗", "！", "—"
MIN_PYTHON = (3, 11)
CJK_FONT_FILES = ("simsun.ttc", "simhei.ttf", "msyh.ttc", "msyh.ttf", "simkai.ttf", "simfang.ttf")


@dataclass
class Check:
    mark: str
    title: str
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        out = [f"{self.mark} {self.title}：{self.detail}"]
        if self.fix and self.mark in (FAIL, WARN):
            out.append(f"    处理：{self.fix}")
        return out


class _Rollback(Exception):
    """Ends the ledger's write test without keeping anything."""


# ----------------------------------------------------------------------------- checks
def check_python() -> Check:
    v = sys.version_info
    text = f"Python {v.major}.{v.minor}.{v.micro}（{sys.executable}）"
    if v[:2] < MIN_PYTHON:
        return Check(FAIL, "Python", text, f"安装 Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} 或更高版本后重新运行 install.py")
    return Check(OK, "Python", text)


def _pins() -> list[tuple[str, str]]:
    """(distribution, pinned version) of logidesk's runtime dependencies."""
    out = []
    for req in metadata.requires("logidesk") or []:
        if ";" in req:  # extras (postgres, dev): optional
            continue
        name, _, pin = req.partition("==")
        out.append((name.split("[")[0].strip(), pin.strip()))
    return out


def check_packages() -> Check:
    try:
        own = metadata.version("logidesk")
    except metadata.PackageNotFoundError:
        return Check(FAIL, "程序包", "logidesk 未安装", "在程序文件夹运行 python install.py --runtime")
    wrong = []
    for name, pin in _pins():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} 未安装")
            continue
        if pin and have != pin:
            wrong.append(f"{name} {have}（应为 {pin}）")
    if wrong:
        return Check(FAIL, "程序包", f"logidesk {own}；" + "、".join(wrong),
                     "重新运行 python install.py --runtime（按 constraints.txt 安装固定版本）")
    return Check(OK, "程序包", f"logidesk {own}，{len(_pins())} 个依赖包版本与 constraints.txt 一致")


def check_addin() -> Check:
    system = platform.system()
    if system != "Windows":
        return Check(NA, "Excel 加载项", f"不适用（本机是 {system}，没有 Excel；命令行照常使用）")
    return _check_addin_windows()  # pragma: no cover - Windows clients


def _check_addin_windows() -> Check:  # pragma: no cover - Windows clients
    p = install_excel.paths("Windows", Path.home())
    if not p.addin.is_file():
        return Check(FAIL, "Excel 加载项", f"找不到 {p.addin}",
                     "以管理员身份运行 python -m addin.install_excel（或按 docs/deploy.md 复制到共享位置）")
    values = install_excel.WinRegistry().values(install_excel.OPTIONS_KEY)
    opens = [install_excel.open_value_path(v) for k, v in values.items()
             if k.upper().startswith("OPEN") and install_excel.is_our_addin(v)]
    if not opens:
        return Check(FAIL, "Excel 加载项", f"{p.addin} 已就位，但当前用户的 Excel 没有登记它",
                     "以当前用户运行 python -m addin.install_excel --register-only")
    if Path(opens[0]).resolve() != p.addin.resolve():
        return Check(FAIL, "Excel 加载项", f"Excel 登记的是 {opens[0]}，不是 {p.addin}",
                     "运行 python -m addin.install_excel --register-only 改为共享位置")
    return Check(OK, "Excel 加载项", f"{p.addin}，已为当前用户登记")


def _write_test(led: Ledger) -> None:
    """Insert a counter row inside a transaction and roll it back: proves write permission."""
    try:
        with led.transaction() as tx:
            p = "%s" if led.is_pg else "?"
            tx.cur.execute(f"INSERT INTO notice_counters (kind, year, last_seq) VALUES ({p}, {p}, {p})",
                           ("logidesk doctor", 0, 0))
            raise _Rollback
    except _Rollback:
        pass


def check_ledger(target: str | None = None) -> Check:
    try:
        src = config.ledger_target(target)
    except config.ConfigError as e:
        return Check(FAIL, "通知台账", str(e), "改正配置文件（见 docs/deploy.md「台账地址写在哪里」）")
    is_pg = src.value.startswith(("postgresql://", "postgres://"))
    where = pg_where(src.value) if is_pg else f"SQLite 文件 {src.value}"
    try:
        with Ledger(src.value, src.origin) as led:
            _write_test(led)
    except LedgerError as e:
        fix = ("检查数据库服务器、网络、pg_hba.conf 与账号（docs/deploy.md 第 1–2 步）" if is_pg
               else "检查文件权限，或由管理员从备份恢复（docs/deploy.md「备份与恢复」）")
        return Check(FAIL, "通知台账", f"{e}（来自{src.origin}）", fix)
    except OSError as e:
        return Check(FAIL, "通知台账", f"{where}：{os_text(e)}", "检查台账所在文件夹的权限与磁盘空间")
    return Check(OK, "通知台账", f"{where}，可连接、可写入（来自{src.origin}）")


def check_rules() -> list[Check]:
    """The company rules file found and valid; holiday years covered (coming year too)."""
    bundled = Path(os.environ.get("LOGIDESK_RULES", rulebook.RULES_PATH))
    path = company.company_rules_path()
    named = os.environ.get(company.ENV)
    if path is None and named:
        return [Check(FAIL, "公司规则文件", f"环境变量 {company.ENV} 指向的 {named} 不存在",
                      f"把规则文件放到该位置，或改正 {company.ENV}")]
    try:
        loaded = company.load(bundled, path)
    except RuleError as e:
        return [Check(FAIL, "公司规则文件", str(e), "改正该行后运行 logidesk rules check，或从共享位置重新复制")]
    problems = rules_check.check(loaded)
    shown = path if path is not None else f"未使用（只用程序自带规则；默认位置 {company.write_target()}）"
    out = [Check(OK, "公司规则文件", f"{shown}，检查通过") if not problems else
           Check(FAIL, "公司规则文件", f"{shown}：{len(problems)} 处问题，第一处：{problems[0]}",
                 "运行 logidesk rules check 查看全部问题并改正")]
    out.append(_check_holidays(rules_check.covered_years(loaded)))
    return out


def _check_holidays(years: dict) -> Check:
    today = rulebook.today()
    span = f"{min(years)}–{max(years)} 年" if years else "无"
    if today.year not in years:
        return Check(FAIL, "节假日数据", f"已收录 {span}，缺少今年（{today.year} 年）：按工作日计算的时限无法计算",
                     "logidesk holidays import 通知.txt（导入国务院办公厅的节假日安排通知）")
    warn = coverage.warning(today)
    if warn:
        return Check(WARN, "节假日数据", f"已收录 {span}；尚未收录 {today.year + 1} 年的节假日安排，部分按工作日"
                     "计算的时限将无法计算（DATE-5，详见 logidesk rules check）",
                     "国务院办公厅公布下一年安排后：logidesk holidays import 通知.txt")
    return Check(OK, "节假日数据", f"已收录 {span}")


def _cjk_fonts() -> str | None:
    """A Chinese font LibreOffice can use, or None."""
    if sys.platform == "win32":  # pragma: no cover - Windows clients
        folder = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        return next((str(folder / f) for f in CJK_FONT_FILES if (folder / f).exists()), None)
    fc = shutil.which("fc-list")
    if fc is None:
        return None
    try:
        out = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names = sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
    return names[0] if names else None


def check_pdf() -> list[Check]:
    exe = soffice()
    out = [Check(OK, "LibreOffice（生成 PDF）", exe) if exe else
           Check(FAIL, "LibreOffice（生成 PDF）", "未找到 soffice：通知只能生成 .docx（--pdf 会以退出码 4 结束）",
                 "安装 LibreOffice（docs/deploy.md「LibreOffice 与字体」），或设置 LOGIDESK_SOFFICE 为 soffice 的完整路径")]
    font = _cjk_fonts()
    out.append(Check(OK, "中文字体（PDF）", font) if font else
               Check(FAIL, "中文字体（PDF）", "未找到中文字体：PDF 中的汉字会显示为方框",
                     "安装宋体/黑体（Windows 自带）或 Noto CJK 字体（Linux：fonts-noto-cjk）"))
    return out


def check_templates() -> Check:
    try:
        src = config.trusted_template_dir()
    except config.ConfigError as e:
        return Check(FAIL, "公告模板目录", str(e), "改正机器级配置文件")
    if src is None:
        return Check(OK, "公告模板目录", "使用程序内置模板（管理员没有配置 [notices] templates）")
    folder = Path(src.value)
    if not folder.is_dir():
        return Check(FAIL, "公告模板目录", f"{folder} 不存在或不是文件夹（来自{src.origin}）",
                     "创建该文件夹并放入模板，或改正机器级配置文件的 [notices] templates")
    n = len(list(folder.glob("*.docx")))
    return Check(OK, "公告模板目录", f"{folder}，{n} 个 .docx 模板（来自{src.origin}）")


def _writable(folder: Path) -> str | None:
    """None when a file can be created (and removed) in ``folder``, else the reason."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(prefix=".logidesk-doctor-", dir=folder):
            pass
    except OSError as e:
        return os_reason(e)
    return None


def output_folders() -> list[tuple[str, Path]]:
    return [("当前文件夹（process 的 out、deadlines、report 默认写在这里）", Path.cwd()),
            ("日志文件夹", config.log_dir()), ("用户数据文件夹（默认台账）", config.user_data_dir())]


def check_folders() -> list[Check]:
    out = []
    for what, folder in output_folders():
        why = _writable(folder)
        out.append(Check(OK, f"写入权限：{what}", str(folder)) if why is None else
                   Check(FAIL, f"写入权限：{what}", f"{folder}：{why}",
                         "换到有写入权限的文件夹运行，或请管理员开放权限（杀毒软件拦截时见 docs/deploy.md）"))
    return out


CHECKS: tuple[Callable[[], Check | list[Check]], ...] = (
    check_python, check_packages, check_addin, check_ledger, check_rules, check_pdf, check_templates,
    check_folders)


def run_checks(ledger: str | None = None) -> Iterator[Check]:
    for fn in CHECKS:
        got = check_ledger(ledger) if fn is check_ledger else fn()
        yield from (got if isinstance(got, list) else [got])


def main(argv: list[str] | None = None) -> int:
    ap = console.ArgumentParser(prog="logidesk doctor",
                           description="检查本机安装：每项一行，✓ 正常，✗ 需要处理（附处理方法），！提醒，— 不适用。")
    ap.add_argument("--ledger", help="检查这个台账（SQLite 路径或 postgresql:// URL；默认为配置的台账）")
    args = ap.parse_args(argv)
    return console.run("doctor", lambda: _main(args))


def _main(args: object) -> int:
    started = dt.datetime.now()
    failed = 0
    console.say(f"logidesk doctor（{started:%Y-%m-%d %H:%M}，{platform.system()}）")
    for check in run_checks(getattr(args, "ledger", None)):
        failed += check.mark == FAIL
        for line in check.lines():
            console.say(line)
    if failed:
        console.say(f"发现 {failed} 项需要处理（见上面 ✗ 的行）。", err=True)
        return console.EXIT_ENV
    console.say("全部检查通过。")
    return console.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
