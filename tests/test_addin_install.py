"""Pure parts of addin.install_excel (the real install needs Windows/macOS with Excel)."""
from __future__ import annotations

from pathlib import Path

import pytest

from addin import install_excel as ie
from addin.xlam.build import ROOT


def test_windows_paths(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "me")}
    p = ie.paths("Windows", tmp_path / "me", env)
    assert p.xlstart == tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    assert p.addin == p.xlstart / "logidesk.xlam"
    # must match the xlwings VBA: Environ("USERPROFILE") & "\.logidesk\logidesk.conf"
    assert p.conf_file == tmp_path / "me" / ".logidesk" / "logidesk.conf"
    assert p.log_dir == tmp_path / "me" / ".logidesk" / "logs"


def test_mac_paths_and_override(tmp_path: Path) -> None:
    p = ie.paths("Darwin", tmp_path, {})
    assert p.conf_file == tmp_path / "Library/Containers/com.microsoft.Excel/Data/logidesk.conf"
    assert p.xlstart.name == "Excel" and "Startup.localized" in str(p.xlstart)
    q = ie.paths("Windows", tmp_path, {}, xlstart=tmp_path / "share")
    assert q.addin == tmp_path / "share" / "logidesk.xlam"
    with pytest.raises(ValueError):
        ie.paths("Linux", tmp_path, {})


def test_conf_text_format() -> None:
    entries = ie.conf_entries("Windows", r"C:\logidesk\.venv\Scripts\python.exe", r"C:\logidesk")
    text = ie.conf_text(entries)
    assert text == ('"Interpreter_Win","C:\\logidesk\\.venv\\Scripts\\python.exe"\r\n'
                    '"PYTHONPATH","C:\\logidesk"\r\n"UDF Modules","udfs.xl"\r\n')
    assert ie.conf_entries("Darwin", "/usr/bin/python3", "/x")[0][0] == "Interpreter_Mac"
    with pytest.raises(ValueError):
        ie.conf_text([("PYTHONPATH", 'C:\\a"b')])


def test_conf_text_with_chinese_path_encodes_for_windows() -> None:
    text = ie.conf_text(ie.conf_entries("Windows", r"C:\Users\张三\python.exe", r"D:\物流\logidesk"))
    assert text.encode("gbk").decode("gbk") == text  # representable in the Chinese ANSI page


def test_dll_check(tmp_path: Path) -> None:
    assert ie.dll_problem("Darwin", tmp_path, "0.37.8") is None
    assert "xlwings64-0.37.8.dll" in ie.dll_problem("Windows", tmp_path, "0.37.8")
    (tmp_path / "xlwings64-0.37.8.dll").write_bytes(b"")
    assert ie.dll_problem("Windows", tmp_path, "0.37.8") is None


def test_uninstall_removes_only_ours(tmp_path: Path) -> None:
    p = ie.paths("Windows", tmp_path / "me", {"APPDATA": str(tmp_path / "ad"),
                                              "USERPROFILE": str(tmp_path / "me")})
    p.xlstart.mkdir(parents=True)
    p.addin.write_bytes(b"PK")
    (p.xlstart / "PERSONAL.XLSB").write_bytes(b"keep")
    p.conf_dir.mkdir(parents=True)
    p.conf_file.write_text("x")
    p.log_dir.mkdir(parents=True)
    (p.log_dir / "ribbon.log").write_text("log")
    assert ie.uninstall(p, remove_xlwings=False) == 0
    assert not p.addin.exists() and not p.conf_file.exists() and not p.log_dir.exists()
    assert (p.xlstart / "PERSONAL.XLSB").read_bytes() == b"keep"
    assert not p.conf_dir.exists()  # emptied and removed
    assert ie.uninstall(p, remove_xlwings=False) == 0  # idempotent


def test_dry_run_changes_nothing(tmp_path: Path, capsys) -> None:
    p = ie.paths("Windows", tmp_path, {"APPDATA": str(tmp_path / "ad"), "USERPROFILE": str(tmp_path)})
    assert ie.install(p, "Darwin", None, dry_run=True) == 0
    out = capsys.readouterr().out
    assert "[计划]" in out and str(p.addin) in out and str(ROOT) in out
    assert not p.xlstart.exists() and not p.conf_dir.exists()


def test_main_on_linux_says_excel_absent(capsys, monkeypatch) -> None:
    monkeypatch.setattr(ie.platform, "system", lambda: "Linux")
    assert ie.main([]) == 0
    assert "没有 Microsoft Excel" in capsys.readouterr().out
