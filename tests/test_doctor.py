"""``logidesk doctor`` end to end in a fresh interpreter: a healthy install, a broken ledger
URL, a damaged company rules file, no LibreOffice on PATH, an unwritable folder — the right
✗ line, the fix, and the contract's exit code each time; never the password."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli_contract import english

TODAY = "2026-06-10"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def doctor(tmp_path: Path, cwd: Path | None = None, **env: str) -> tuple[int, dict[str, str], str]:
    """(exit code, {check title: its line}, all output)."""
    rules = tmp_path / "company_rules.toml"
    if not rules.exists():
        rules.write_text("", encoding="utf-8")          # a company file that sets nothing: valid
    environ = {**os.environ, "LOGIDESK_HOME": str(tmp_path / "home"), "LOGIDESK_TODAY": TODAY,
               "LOGIDESK_COMPANY_RULES": str(rules), **env}
    for name in ("LOGIDESK_LEDGER_URL", "LOGIDESK_CONFIG", "LOGIDESK_SOFFICE"):
        if name not in env:
            environ.pop(name, None)
    got = subprocess.run([sys.executable, "-m", "cli.main", "doctor"], capture_output=True, text=True,
                         cwd=cwd or tmp_path, env=environ, timeout=300)
    text = got.stdout + got.stderr
    assert not english(text), english(text)
    lines = {}
    for line in got.stdout.splitlines():
        if line[:2] in ("✓ ", "✗ ", "！ ", "— "):
            lines[line[2:].split("：")[0]] = line
    return got.returncode, lines, text


def marks(lines: dict[str, str]) -> dict[str, str]:
    return {title: line[0] for title, line in lines.items()}


def test_a_healthy_install(tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed on this machine")
    code, lines, text = doctor(tmp_path)
    assert code == 0 and text.rstrip().endswith("全部检查通过。")
    assert marks(lines) == {
        "Python": "✓", "程序包": "✓", "Excel 加载项": "—", "通知台账": "✓", "公司规则文件": "✓", "节假日数据": "✓",
        "LibreOffice（生成 PDF）": "✓", "中文字体（PDF）": "✓", "公告模板目录": "✓",
        "写入权限": "✓"}
    ledger = tmp_path / "home" / "data" / "logidesk-台账.sqlite3"
    assert lines["通知台账"] == f"✓ 通知台账：SQLite 文件 {ledger}，可连接、可写入（来自默认位置）"
    assert lines["Excel 加载项"].startswith("— Excel 加载项：不适用（本机是 Linux")
    assert lines["节假日数据"] == "✓ 节假日数据：已收录 2023–2026 年"
    import sqlite3
    with sqlite3.connect(ledger) as con:   # the write test left nothing behind
        assert con.execute("SELECT COUNT(*) FROM notice_counters").fetchone() == (0,)


def test_a_broken_ledger_url_never_shows_the_password(tmp_path):
    port = closed_port()
    code, lines, text = doctor(tmp_path, LOGIDESK_LEDGER_URL=f"postgresql://clerk:s3cret-pw@127.0.0.1:{port}/logidesk")
    assert code == 4
    assert lines["通知台账"] == (f"✗ 通知台账：台账数据库无法连接：PostgreSQL 主机 127.0.0.1:{port}，数据库 logidesk"
                              "（服务器拒绝连接：服务未运行或端口不对）（来自环境变量 LOGIDESK_LEDGER_URL）")
    assert "    处理：检查数据库服务器、网络、pg_hba.conf 与账号（docs/deploy.md 第 1–2 步）" in text
    assert "s3cret" not in text and "clerk" not in text
    assert marks(lines)["公司规则文件"] == "✓" and "发现 1 项需要处理" in text


def test_a_damaged_company_rules_file(tmp_path):
    bad = tmp_path / "company_rules.toml"
    bad.write_text("[storage]\ncities = 福州\n", encoding="utf-8")
    code, lines, text = doctor(tmp_path)
    assert code == 4
    assert lines["公司规则文件"] == (f"✗ 公司规则文件：公司规则文件 {bad} 格式错误，第 2 行第 10 列：值无效"
                                 "（文本要加引号，日期写 2026-11-23，数字不加单位）（LAW-5）")
    assert "改正该行后运行 logidesk rules check" in text
    assert marks(lines)["通知台账"] == "✓"


def test_a_company_rules_file_that_is_not_there(tmp_path):
    code, lines, _ = doctor(tmp_path, LOGIDESK_COMPANY_RULES=str(tmp_path / "共享断开" / "company_rules.toml"))
    assert code == 4 and lines["公司规则文件"].startswith("✗ 公司规则文件：环境变量 LOGIDESK_COMPANY_RULES 指向的")


def test_no_libreoffice_on_path(tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    fc = shutil.which("fc-list")
    if fc:
        (bare / "fc-list").symlink_to(fc)               # fonts still found: only soffice is missing
    code, lines, text = doctor(tmp_path, PATH=str(bare))
    assert code == 4
    assert lines["LibreOffice（生成 PDF）"] == ("✗ LibreOffice（生成 PDF）：未找到 soffice：通知只能生成 .docx"
                                              "（--pdf 会以退出码 4 结束）")
    assert "设置 LOGIDESK_SOFFICE 为 soffice 的完整路径" in text
    if fc:
        assert marks(lines)["中文字体（PDF）"] == "✓"


def test_an_unwritable_current_folder(tmp_path):
    ro = tmp_path / "只读"
    ro.mkdir()
    got = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True)
    if got.returncode:
        pytest.skip("mount -t tmpfs not allowed here")
    try:
        code, lines, text = doctor(tmp_path, cwd=ro)
    finally:
        subprocess.run(["umount", "-l", str(ro)], capture_output=True)
    assert code == 4
    assert f"✗ 写入权限：当前文件夹（process 的 out、deadlines、report 默认写在这里）：{ro}：只读文件系统（无法写入）" in text
