"""The one contract of every ``logidesk`` command (cli/contract.py), end to end through
``cli.main.main``: --help, --version, -q, --out, --today, lock files, the exit codes of
the documented error cases (disk full on a small tmpfs, a read-only mount, a long name, an
existing --out, a lock file, no LibreOffice, PostgreSQL unreachable, a damaged rules file,
damaged workbooks) — and every message any of these runs prints is scanned for English
words outside the allow-list of names."""
from __future__ import annotations

import contextlib
import os
import re
import socket
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cli import contract, main as cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks" / "samples"
CLAIMS = SAMPLES / "理赔登记表_样例.xlsx"
TODAY = "2026-06-10"
PERIOD = "2026-05-下半月"
LONG = "长" * 90 + ".xlsx"            # 275 bytes in UTF-8: more than a file name may have

# Names a Chinese message may contain (products, formats, rule IDs are matched separately)
ALLOWED = {
    "logidesk", "LibreOffice", "PostgreSQL", "Excel", "WPS", "SQLite", "Python", "Windows", "Linux", "macOS",
    "PDF", "pdf", "docx", "xlsx", "xlsm", "xls", "ods", "xlam", "toml", "txt", "TOML", "XML", "zip", "UTF",
    "SSL", "URL", "SHA", "CPU", "VBA", "VIP", "Noto", "CJK", "Sans", "Serif", "soffice", "pg_hba", "conf", "Ctrl",
    "usage", "check", "import", "demo", "functions", "build", "process", "quote", "notices", "deadlines",
    "report", "addin", "holidays", "rules", "export", "doctor", "constraints", "install", "py", "README",
    "docs", "deploy", "md", "cli", "templates", "out", "git", "psycopg", "python", "venv", "fonts", "noto", "cjk", "HK", "SC", "TC", "JP", "KR",
} | set(cli.COMMANDS) | {"claims", "complaints", "storage", "cod"}  # command names; ROW_CHECK's register kinds
_STRIP = (
    re.compile(r"\S*[/\\]\S*"),                   # paths and URLs
    re.compile(r"--?[A-Za-z][\w-]*"),             # options
    re.compile(r"\b[A-Z]{2,5}-\d+\b"),            # rule IDs (CLM-8, DATE-5)
    re.compile(r"\[Content_Types\]\.xml"),        # the package part every .xlsx has
    re.compile(r"\b[\w.-]+\.(?:xml|xlsx|xlsm|xls|ods|docx|pdf|toml|txt|xlam|md|py|log|sqlite3)\b", re.I),
    re.compile(r"\b[A-Z][A-Z0-9_]{3,}\b"),        # environment variables (LOGIDESK_TODAY …)
    re.compile(r"\{[\w,]+\}"),                    # argparse's {check} of subcommands
    re.compile(r"\b\w+_\w+\b"),                     # identifiers and tags (pg_hba, win_amd64)
)
SEEN: list[str] = []


def english(text: str) -> list[str]:
    """ASCII words of three letters or more that are not in the allow-list."""
    text = re.sub(r"[：（）「」，。；、！？【】〔〕]", " ", text)   # a path glued to a word by 「：」
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text) if w not in ALLOWED]


def run(capsys, *argv) -> tuple[int, str]:
    """``logidesk ARGV`` in process: (exit code, everything printed), and no English."""
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as e:  # argparse: --help, --version, bad arguments
        code = e.code if isinstance(e.code, int) else 0
    cap = capsys.readouterr()
    text = cap.out + cap.err
    SEEN.append(text)
    assert not english(text), f"English in the output of {argv}: {english(text)}\n{text}"
    return code, text


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGIDESK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)
    for name in ("LOGIDESK_LEDGER_URL", "LOGIDESK_CONFIG", "LOGIDESK_SOFFICE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@contextlib.contextmanager
def mounted(path: Path, options: str):
    """A tmpfs at ``path`` (size-limited or read-only); the test is skipped where mount is
    not allowed."""
    path.mkdir()
    got = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if got.returncode:
        pytest.skip(f"mount -t tmpfs not allowed here: {got.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- the contract itself
def test_docs_and_readme_carry_the_contract_block():
    assert contract.stale_docs(ROOT) == []
    cli_md = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for code, _, long in contract.EXIT_CODES:
        assert f"| {code} | {long} |" in cli_md
    assert set(contract.commands()) == set(cli.COMMANDS)


def test_a_plain_pair_joins_the_contract_with_defaults():
    c = contract.Command.of(("addin.x:main", "说明"))
    assert (c.target, c.help, c.out, c.suffix, c.today) == ("addin.x:main", "说明", None, "", False)


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_has_chinese_help_version_and_quiet(capsys, name):
    code, text = run(capsys, name, "--help")
    assert code == 0 and contract.exit_help() in text.replace("\n", "")
    assert "-q, --quiet" in text and "--version" in text and "用法：" in text
    decl = contract.commands()[name]
    assert ("--today" in text) == decl.today or name == "rules"  # rules: on its check subcommand
    code, text = run(capsys, name, "--version")
    assert (code, text.strip()) == (0, f"logidesk {contract.version()}")
    code, text = run(capsys, name, "-q", "--没有这个选项")
    error = next(line for line in text.splitlines() if "参数错误" in line)
    assert code == 2 and "-q" not in error          # -q is accepted; the bad option or a missing one is named


def test_top_level_help_and_version(capsys):
    code, text = run(capsys, "--help")
    assert code == 0 and contract.exit_help() in text and all(f"  {n}" in text for n in cli.COMMANDS)
    assert run(capsys, "--version") == (0, f"logidesk {contract.version()}\n")
    code, text = run(capsys, "不存在的命令")
    assert code == 2 and "未知命令：不存在的命令" in text


def test_help_shows_chinese_placeholders_only(capsys):
    _, text = run(capsys, "quote", "--help")
    assert not re.search(r"\b(FREIGHT|ORIGIN|DESTINATION|DECLARED|COD|CATEGORY|PER_ITEM|TODAY)\b", text)
    assert "--freight 元" in text and "--from 地名" in text and "--today 日期" in text
    _, text = run(capsys, "addin", "--help")
    assert "UDF_MODULE" not in text and "PYTHONPATH " not in text and "--udf-module 模块" in text


def test_install_py_help_is_chinese():
    got = subprocess.run([sys.executable, str(ROOT / "install.py"), "--help"], capture_output=True, text=True,
                         timeout=120)
    assert got.returncode == 0 and "用法：" in got.stdout and "选项：" in got.stdout
    assert "usage:" not in got.stdout and "show this help" not in got.stdout
    assert not english(got.stdout), english(got.stdout)


def test_a_command_that_still_declares_its_own_quiet_gets_the_contracts():
    from cli.console import ArgumentParser
    ap = ArgumentParser(prog="logidesk process", quiet=False)
    ap.add_argument("--quiet", action="store_true", help="不显示进度条")
    ap.add_argument("paths", nargs="+")
    assert ap.parse_args(["-q", "a.xlsx"]).quiet is True


def test_a_phase_without_counts_shows_progress_after_a_second(monkeypatch):
    import io
    import time

    from cli.console import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True
    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    with Progress("读取登记表", unit="个"):
        time.sleep(1.6)
    assert "读取登记表" in err.getvalue()
    quiet = Tty()
    monkeypatch.setattr(sys, "stderr", quiet)
    with Progress("读取登记表", unit="个", quiet=True):
        time.sleep(1.2)
    assert quiet.getvalue() == ""


# ----------------------------------------------------------------------------- -q on real runs
def test_quiet_real_runs(capsys, home):
    assert run(capsys, "functions", "-q")[0] == 0
    code, text = run(capsys, "quote", "-q", "--freight", "120", "--declared", "3000", "--from", "福州", "--to", "上海")
    assert code == 0 and "合计" in text
    code, text = run(capsys, "process", "-q", CLAIMS, "--out", home / "o")
    assert code == 1 and "错误行 7 行" in text           # the sample's rows 31–37 need the clerk (exit 1)
    code, text = run(capsys, "deadlines", "-q", SAMPLES, "--no-ledger")
    assert code in (0, 1) and "时限提醒" in text
    code, text = run(capsys, "export", "-q", CLAIMS, "--out", home / "send")
    assert code == 0 and (home / "send.xlsx").is_file() and not (home / "send").exists()
    assert run(capsys, "rules", "-q", "check")[0] == 0


def test_today_is_applied_for_the_command_and_restored(capsys, monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-01-05")
    code, text = run(capsys, "quote", "--today", "2026年6月10日", "--freight", "10", "--from", "福州", "--to", "上海")
    assert code == 0 and os.environ["LOGIDESK_TODAY"] == "2026-01-05"
    code, text = run(capsys, "quote", "--today", "明天", "--freight", "10", "--from", "福州", "--to", "上海")
    assert code == 2 and "「明天」不是日期" in text


# ----------------------------------------------------------------------------- --out
def test_out_of_a_folder_command_must_not_be_a_file(capsys, home):
    existing = home / "已有.txt"
    existing.write_text("x", encoding="utf-8")
    for argv in (("process", CLAIMS), ("notices", CLAIMS, "--kind", "破损公告", "--no-pdf")):
        code, text = run(capsys, *argv, "--out", existing)
        assert code == 2 and f"--out 应为文件夹，但「{existing}」是已有的文件" in text
    assert existing.read_text(encoding="utf-8") == "x"


def test_out_of_a_file_command_an_existing_folder_or_no_suffix(capsys, home):
    folder = home / "报表"
    folder.mkdir()
    code, _ = run(capsys, "deadlines", SAMPLES, "--no-ledger", "--out", folder)
    assert code in (0, 1) and (folder / "时限提醒.xlsx").is_file()
    code, _ = run(capsys, "report", CLAIMS, "--period", PERIOD, "--out", folder)
    assert code in (0, 1) and (folder / "货损货差十五日报表_2026-05-下半月.xlsx").is_file()
    code, _ = run(capsys, "report", CLAIMS, "--period", PERIOD, "--out", home / "半月报")
    assert code in (0, 1) and (home / "半月报.xlsx").is_file() and not (home / "半月报").exists()
    code, text = run(capsys, "export", CLAIMS, "--out", home / "发送版.txt")
    assert code == 2 and "--out「发送版.txt」的扩展名应为 .xlsx" in text and not (home / "发送版.txt").exists()


def test_an_existing_out_file_is_replaced_whole(capsys, home):
    target = home / "提醒.xlsx"
    target.write_bytes(b"old")
    code, _ = run(capsys, "deadlines", SAMPLES, "--no-ledger", "--out", target)
    assert code in (0, 1) and zipfile.is_zipfile(target)


# ----------------------------------------------------------------------------- lock files (exit 3)
@pytest.mark.parametrize("argv, name", [
    (("deadlines", SAMPLES, "--no-ledger", "--out"), "提醒.xlsx"),
    (("report", CLAIMS, "--period", PERIOD, "--out"), "报表.xlsx"),
    (("export", CLAIMS, "--out"), "发送版.xlsx"),
])
def test_every_writer_honours_a_lock_file(capsys, home, argv, name):
    target = home / name
    target.write_bytes(b"open in Excel")
    (home / f"~${name}").write_text("林晓", encoding="utf-8")
    code, text = run(capsys, *argv, target)
    assert code == 3 and "正在" in text and "打开" in text and f"~${name}" in text
    assert target.read_bytes() == b"open in Excel"


def test_an_open_register_is_refused_by_process_and_notices(capsys, home):
    src = home / "理赔.xlsx"
    src.write_bytes(CLAIMS.read_bytes())
    (home / "~$理赔.xlsx").write_text("林晓", encoding="utf-8")
    code, text = run(capsys, "process", src, "--out", home / "o")
    assert code == 3 and "锁定文件 ~$理赔.xlsx" in text
    code, text = run(capsys, "notices", src, "--kind", "破损公告", "--no-pdf")
    assert code == 3 and "锁文件 ~$理赔.xlsx" in text and not (home / "通知").exists()


# ----------------------------------------------------------------------------- environment (exit 4)
WRITERS = [
    ("process", lambda d: ("process", CLAIMS, "--out", d / "结果")),
    ("deadlines", lambda d: ("deadlines", SAMPLES, "--no-ledger", "--out", d / "提醒.xlsx")),
    ("report", lambda d: ("report", CLAIMS, "--period", PERIOD, "--out", d / "报表.xlsx")),
    ("export", lambda d: ("export", CLAIMS, "--out", d / "发送版.xlsx")),
    ("notices", lambda d: ("notices", CLAIMS, "--kind", "破损公告", "--no-pdf", "--out", d / "通知")),
]


@pytest.mark.parametrize("name, argv", WRITERS, ids=[w[0] for w in WRITERS])
def test_disk_full(capsys, home, name, argv):
    with mounted(home / "满", "size=64k") as full:
        (full / "填充").write_bytes(b"\0" * 40_000)
        code, text = run(capsys, *argv(full))
        assert code == 4 and "磁盘已满" in text, text
        left = [p.name for p in full.rglob("*") if p.is_file() and p.name != "填充"]
        assert not [n for n in left if n.endswith((".xlsx", ".docx"))], left
    if name != "process":                                 # process lists the file and goes on
        assert "logidesk.log" in text                     # the original English is in the log
        log = (home / "home" / "logs" / "logidesk.log").read_text(encoding="utf-8")
        assert "No space left on device" in log


@pytest.mark.parametrize("name, argv", WRITERS, ids=[w[0] for w in WRITERS])
def test_read_only_folder(capsys, home, name, argv):
    with mounted(home / "只读", "ro,size=64k") as ro:
        code, text = run(capsys, *argv(ro))
        assert code == 4 and "只读" in text, text


@pytest.mark.parametrize("argv", [
    ("deadlines", SAMPLES, "--no-ledger", "--out", LONG),
    ("report", CLAIMS, "--period", PERIOD, "--out", LONG),
    ("export", CLAIMS, "--out", LONG),
    ("process", CLAIMS, "--out", "长" * 90),
    ("notices", CLAIMS, "--kind", "破损公告", "--no-pdf", "--out", "长" * 90),
])
def test_a_name_too_long(capsys, home, argv):
    code, text = run(capsys, *argv)
    assert code == 4 and "文件名过长" in text, text
    assert not list(home.glob("长*"))


def test_pdf_without_libreoffice(capsys, home, monkeypatch):
    bare = home / "bin"
    bare.mkdir()
    monkeypatch.setenv("PATH", str(bare))
    code, text = run(capsys, "notices", CLAIMS, "--kind", "破损公告", "--pdf", "--out", home / "通知")
    assert code == 4 and "未安装 LibreOffice" in text and "未生成任何通知" in text
    assert not (home / "通知").exists()


def test_postgresql_unreachable_names_host_and_database_never_the_password(capsys, home):
    url = f"postgresql://clerk:s3cret-pw@127.0.0.1:{closed_port()}/logidesk"
    for argv in (("notices", CLAIMS, "--kind", "破损公告", "--no-pdf", "--ledger", url),
                 ("notices", "--list", "--ledger", url), ("deadlines", SAMPLES, "--ledger", url)):
        code, text = run(capsys, *argv)
        assert code == 4, text
        assert "台账数据库无法连接：PostgreSQL 主机 127.0.0.1" in text and "数据库 logidesk" in text
        assert "服务器拒绝连接" in text and "s3cret" not in text and "clerk" not in text
    assert not (home / "通知").exists()


# ----------------------------------------------------------------------------- damaged inputs
def _cli(home: Path, *argv, **env) -> tuple[int, str]:
    """``logidesk ARGV`` in a fresh interpreter (the rules are loaded once per process)."""
    environ = {**os.environ, "LOGIDESK_HOME": str(home / "home"), "LOGIDESK_TODAY": TODAY, **env}
    got = subprocess.run([sys.executable, "-m", "cli.main", *map(str, argv)], capture_output=True, text=True,
                         cwd=home, env=environ, timeout=600)
    text = got.stdout + got.stderr
    SEEN.append(text)
    assert not english(text), f"English in the output of {argv}: {english(text)}\n{text}"
    return got.returncode, text


def test_a_damaged_company_rules_file(home):
    bad = home / "company_rules.toml"
    bad.write_text("[storage]\ncities = 福州\n", encoding="utf-8")
    code, text = _cli(home, "deadlines", SAMPLES, "--no-ledger", LOGIDESK_COMPANY_RULES=str(bad))
    assert code == 4 and f"公司规则文件 {bad} 格式错误，第 2 行第 10 列：值无效" in text, text
    code, text = _cli(home, "rules", "check", LOGIDESK_COMPANY_RULES=str(bad))
    assert code == 1 and "第 2 行第 10 列" in text


def test_damaged_workbooks_are_described_in_chinese(capsys, home):
    (home / "in").mkdir()
    (home / "in" / "不是压缩包.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with zipfile.ZipFile(CLAIMS) as z, zipfile.ZipFile(home / "in" / "坏XML.xlsx", "w") as out:
        for info in z.infolist():
            data = z.read(info.filename)
            out.writestr(info, b"<Types><Default" if info.filename == "[Content_Types].xml" else data)
    code, text = run(capsys, "process", home / "in", "--out", home / "o")
    assert code == 1, text
    assert "不是 zip 压缩包" in text or "压缩包" in text
    assert re.search(r"XML 格式错误（第 1 行第 \d+ 列）", text), text


# ----------------------------------------------------------------------------- umask
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_follow_the_umask(capsys, home, mask, mode):
    was = os.umask(mask)
    try:
        run(capsys, "deadlines", SAMPLES, "--no-ledger", "--out", home / "提醒.xlsx")
        run(capsys, "report", CLAIMS, "--period", PERIOD, "--out", home / "报表.xlsx")
        run(capsys, "process", CLAIMS, "--out", home / "o")
        run(capsys, "export", CLAIMS, "--out", home / "发送版.xlsx")
    finally:
        os.umask(was)
    for p in (home / "提醒.xlsx", home / "报表.xlsx", home / "o" / "理赔登记表_样例_结果.xlsx", home / "发送版.xlsx"):
        assert stat.S_IMODE(p.stat().st_mode) == mode, p


# ----------------------------------------------------------------------------- the scan
def test_the_english_scan_catches_what_it_must():
    assert english("未完成：No space left on device：/tmp/a.xlsx") == ["space", "left", "device"]
    assert english("参数 --out 的值无效；依据 CLM-8；LibreOffice 与 PostgreSQL；LOGIDESK_TODAY") == []
    assert english("第 1 行第 8 列 (line 1, column 8)") == ["line", "column"]
