"""addin.install_excel and install.py: everything but the real Windows registry / Excel."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from addin import install_excel as ie
from addin.xlam import build as xbuild, udfvba

ROOT = Path(__file__).resolve().parents[1]
OPT = ie.OPTIONS_KEY
OTHER_USER = r"C:\Users\lihua\AppData\Roaming\Microsoft\Excel\XLSTART\logidesk.xlam"


class FakeRegistry:
    """HKCU as {key: {name: value}} with winreg's semantics for the calls install_excel makes."""

    def __init__(self, data: dict[str, dict[str, object]] | None = None) -> None:
        self.data = {k: dict(v) for k, v in (data or {}).items()}

    def values(self, key: str) -> dict[str, object]:
        return dict(self.data.get(key, {}))

    def set(self, key: str, name: str, value: object) -> None:
        self.data.setdefault(key, {})[name] = value

    def delete(self, key: str, name: str) -> None:
        self.data.get(key, {}).pop(name, None)

    def delete_key(self, key: str) -> None:
        self.data.pop(key, None)


def win_paths(tmp_path: Path) -> ie.Paths:
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "me"),
           "ProgramData": str(tmp_path / "ProgramData")}
    return ie.paths("Windows", tmp_path / "me", env)


def test_windows_paths_are_per_machine(tmp_path: Path) -> None:
    p = win_paths(tmp_path)
    assert p.addin == tmp_path / "ProgramData" / "logidesk" / "logidesk.xlam"
    assert p.legacy_addin == tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "logidesk.xlam"
    # must match the xlwings VBA: Environ("USERPROFILE") & "\.logidesk\logidesk.conf"
    assert p.conf_file == tmp_path / "me" / ".logidesk" / "logidesk.conf"
    assert p.log_dir == tmp_path / "me" / ".logidesk" / "logs"
    share = Path(r"\\fileserver\logidesk\logidesk.xlam")
    assert ie.paths("Windows", tmp_path, {}, addin=share).addin == share
    assert ie.default_addin_path("Windows", tmp_path, {}) == Path(r"C:\ProgramData") / "logidesk" / "logidesk.xlam"


def test_mac_paths(tmp_path: Path) -> None:
    p = ie.paths("Darwin", tmp_path, {})
    assert p.conf_file == tmp_path / "Library/Containers/com.microsoft.Excel/Data/logidesk.conf"
    assert "Startup.localized" in str(p.addin) and p.addin.name == "logidesk.xlam"
    with pytest.raises(ValueError):
        ie.paths("Linux", tmp_path, {})


def test_names_match_the_builder() -> None:
    assert (ie.ADDIN_NAME, ie.PROJECT_NAME, ie.UDF_MODULE) == (
        xbuild.ADDIN_NAME, xbuild.PROJECT_NAME, udfvba.UDF_MODULE)


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


# ---------------------------------------------------------------- Excel's add-in list

def test_register_takes_the_first_free_open_value() -> None:
    reg = FakeRegistry({OPT: {"OPEN": '/R "C:\\Program Files\\Office\\SOLVER.XLAM"', "Font": "x"}})
    name = ie.register(reg, Path(r"C:\ProgramData\logidesk\logidesk.xlam"))
    assert name == "OPEN1"
    assert reg.data[OPT]["OPEN1"] == '"C:\\ProgramData\\logidesk\\logidesk.xlam"'
    assert reg.data[OPT]["OPEN"].endswith('SOLVER.XLAM"') and reg.data[OPT]["Font"] == "x"
    trusted = reg.data[ie.TRUSTED_KEY]
    assert trusted["Path"] == "C:\\ProgramData\\logidesk\\" and trusted["AllowSubfolders"] == 0
    assert ie.register(FakeRegistry(), Path(r"C:\a\logidesk.xlam")) == "OPEN"


def test_register_repoints_an_old_entry_and_drops_duplicates() -> None:
    reg = FakeRegistry({OPT: {"OPEN": '"C:\\x\\other.xlam"', "OPEN1": f'"{OTHER_USER}"',
                              "OPEN2": '"D:\\old\\LOGIDESK.XLAM"'},
                        ie.ADDIN_MANAGER_KEY: {OTHER_USER: ""}})
    assert ie.register(reg, Path(r"C:\ProgramData\logidesk\logidesk.xlam")) == "OPEN1"
    assert reg.data[OPT] == {"OPEN": '"C:\\x\\other.xlam"',
                             "OPEN1": '"C:\\ProgramData\\logidesk\\logidesk.xlam"'}
    assert reg.data[ie.ADDIN_MANAGER_KEY] == {}


def test_unregister_removes_only_ours_and_keeps_the_others_loading() -> None:
    xlwings_entry = '"C:\\Users\\me\\AppData\\Roaming\\Microsoft\\Excel\\XLSTART\\xlwings.xlam"'
    reg = FakeRegistry({OPT: {"OPEN": '"C:\\x\\a.xlam"', "OPEN1": '"C:\\ProgramData\\logidesk\\logidesk.xlam"',
                              "OPEN2": xlwings_entry, "DefaultFormat": 51},
                        ie.ADDIN_MANAGER_KEY: {"C:\\y\\b.xlam": "", OTHER_USER: ""},
                        ie.TRUSTED_KEY: {"Path": "C:\\ProgramData\\logidesk\\",
                                         "Description": ie.TRUSTED_DESCRIPTION}})
    removed = ie.unregister(reg)
    # Excel stops at the first gap in OPEN, OPEN1, …: the user's xlwings entry moves up
    assert reg.data[OPT] == {"OPEN": '"C:\\x\\a.xlam"', "OPEN1": xlwings_entry, "DefaultFormat": 51}
    assert reg.data[ie.ADDIN_MANAGER_KEY] == {"C:\\y\\b.xlam": ""}
    assert ie.TRUSTED_KEY not in reg.data and len(removed) == 3
    # a trusted location of the same key name written by someone else is left alone
    reg2 = FakeRegistry({ie.TRUSTED_KEY: {"Path": "D:\\", "Description": "公司策略"}})
    assert ie.unregister(reg2) == [] and ie.TRUSTED_KEY in reg2.data


def _no_subprocess(*a, **k):
    raise AssertionError(f"install_excel must not start programs on Windows: {a}")


def test_install_copies_registers_writes_conf_and_removes_the_xlstart_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(ie, "dll_problem", lambda *a: None)
    monkeypatch.setattr(ie.subprocess, "run", _no_subprocess)  # no `xlwings addin install`
    p = win_paths(tmp_path)
    p.legacy_addin.parent.mkdir(parents=True)
    p.legacy_addin.write_bytes(b"old")
    (p.legacy_addin.parent / "PERSONAL.XLSB").write_bytes(b"keep")
    src = tmp_path / "built.xlam"
    src.write_bytes(b"PK new")
    reg = FakeRegistry()
    assert ie.install(p, "Windows", src, registry=reg) == 0
    assert p.addin.read_bytes() == b"PK new"
    assert reg.data[OPT] == {"OPEN": f'"{p.addin}"'}
    assert not p.legacy_addin.exists() and (p.legacy_addin.parent / "PERSONAL.XLSB").exists()
    assert '"UDF Modules","udfs.xl"' in p.conf_file.read_text(encoding="utf-8")
    # a user logon script registers the file the administrator placed, without copying
    reg2 = FakeRegistry()
    assert ie.install(p, "Windows", None, register_only=True, registry=reg2) == 0
    assert reg2.data[OPT] == {"OPEN": f'"{p.addin}"'}
    p.addin.unlink()
    assert ie.install(p, "Windows", None, register_only=True, registry=FakeRegistry()) == 1


def test_install_refuses_store_python(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ie.sys, "executable",
                        r"C:\Users\me\AppData\Local\Microsoft\WindowsApps\python.exe")
    assert ie.install(win_paths(tmp_path), "Windows", None, registry=FakeRegistry()) == 1
    assert "Microsoft Store" in capsys.readouterr().err
    assert not (tmp_path / "ProgramData").exists()


def test_uninstall_removes_only_ours(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(ie.subprocess, "run", _no_subprocess)  # never `xlwings addin remove`
    p = win_paths(tmp_path)
    xlstart = p.legacy_addin.parent
    xlstart.mkdir(parents=True)
    p.legacy_addin.write_bytes(b"PK")
    (xlstart / "PERSONAL.XLSB").write_bytes(b"keep")
    (xlstart / "xlwings.xlam").write_bytes(b"users own xlwings add-in")
    p.addin.parent.mkdir(parents=True)
    p.addin.write_bytes(b"PK machine")
    p.conf_dir.mkdir(parents=True)
    p.conf_file.write_text("x")
    p.log_dir.mkdir(parents=True)
    (p.log_dir / "ribbon.log").write_text("log")
    reg = FakeRegistry({OPT: {"OPEN": f'"{p.addin}"'}})
    assert ie.uninstall(p, "Windows", registry=reg) == 0
    assert not p.legacy_addin.exists() and not p.conf_file.exists() and not p.log_dir.exists()
    assert (xlstart / "PERSONAL.XLSB").read_bytes() == b"keep"
    assert (xlstart / "xlwings.xlam").exists()
    assert p.addin.exists()  # other users of this PC still use the per-machine file
    assert reg.data[OPT] == {} and not p.conf_dir.exists()
    assert ie.uninstall(p, "Windows", machine=True, registry=reg) == 0  # idempotent; --machine
    assert not p.addin.exists() and not p.addin.parent.exists()


def test_dry_run_changes_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(ie, "dll_problem", lambda *a: None)
    monkeypatch.setattr(ie.subprocess, "run", _no_subprocess)
    p = win_paths(tmp_path)
    p.legacy_addin.parent.mkdir(parents=True)
    p.legacy_addin.write_bytes(b"old")
    reg = FakeRegistry()
    assert ie.install(p, "Windows", None, dry_run=True, registry=reg) == 0
    out = capsys.readouterr().out
    assert "[计划]" in out and str(p.addin) in out and str(ROOT) in out and "OPENn" in out
    assert str(p.legacy_addin) in out and p.legacy_addin.exists()
    assert not (tmp_path / "ProgramData").exists() and not p.conf_dir.exists() and reg.data == {}
    assert ie.uninstall(p, "Windows", dry_run=True, registry=reg) == 0
    assert p.legacy_addin.exists()


def test_main_on_linux_says_excel_absent(capsys, monkeypatch) -> None:
    monkeypatch.setattr(ie.platform, "system", lambda: "Linux")
    assert ie.main([]) == 0
    assert "没有 Microsoft Excel" in capsys.readouterr().out


def test_install_excel_imports_only_the_standard_library() -> None:
    """install.py --uninstall runs it with the system Python, before/without the venv."""
    code = ("import sys; before = set(sys.modules); import addin.install_excel; "
            "print(sorted(m.split('.')[0] for m in set(sys.modules) - before))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    loaded = set(eval(out))  # noqa: S307 - our own output
    assert not loaded & {"lxml", "xlwings", "pandas", "numpy", "olefile", "udfs", "workbooks"}


# ---------------------------------------------------------------- install.py

def _load_install():
    spec = importlib.util.spec_from_file_location("install_under_test", ROOT / "install.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _copy_installer(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "install.py", tmp_path / "install.py")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copy(ROOT / "constraints.txt", tmp_path / "constraints.txt")
    (tmp_path / "addin").symlink_to(ROOT / "addin", target_is_directory=True)
    return tmp_path / "install.py"


@pytest.mark.parametrize("args", [["--help"], ["--uninstall"]])
def test_install_py_help_and_uninstall_do_only_that(tmp_path: Path, args) -> None:
    script = _copy_installer(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    r = subprocess.run([sys.executable, script, *args], cwd=tmp_path, capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / ".venv").exists() and not (tmp_path / "build").exists()
    assert "$ " not in r.stdout  # no command (pip, demo) was run
    if args == ["--help"]:
        assert "--runtime" in r.stdout and "--wheelhouse" in r.stdout
    else:
        assert "没有 Microsoft Excel" in r.stdout


def _old_python() -> str | None:
    for name in ("python3.10", "python3.9", "python3.8"):
        found = shutil.which(name)
        if found and subprocess.run([found, "-c", "1"], capture_output=True).returncode == 0:
            return found
    base = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for v in sorted(base.glob("3.1[0]*")) + sorted(base.glob("3.[6-9].*")):
        if (v / "bin" / "python").exists():
            return str(v / "bin" / "python")
    return None


def test_install_py_on_an_old_python_says_so_in_chinese(tmp_path: Path) -> None:
    old = _old_python()
    if old is None:
        pytest.skip("no Python older than 3.11 on this machine")
    script = _copy_installer(tmp_path)
    r = subprocess.run([old, script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "需要 Python 3.11 或更高版本" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / ".venv").exists()


def test_install_py_refuses_store_python_and_picks_extras(tmp_path: Path) -> None:
    inst = _load_install()
    store = r"C:\Users\me\AppData\Local\Microsoft\WindowsApps\PythonSoftwareFoundation.Python.3.11_qbz5n2kfra8p0\python.exe"
    assert "应用执行别名" in inst.store_python_problem(store, "Windows")
    assert inst.store_python_problem(r"C:\Program Files\Python311\python.exe", "Windows") is None
    assert inst.store_python_problem("/usr/bin/python3", "Linux") is None
    args = inst.parser().parse_args(["--runtime"])
    assert inst.extras_for(args)[0] == []
    assert inst.extras_for(inst.parser().parse_args(["--runtime", "--postgres"]))[0] == ["postgres"]
    assert inst.extras_for(inst.parser().parse_args(["--dev"]))[0] == ["dev"]
    cmd = inst.pip_install_command("py", ["dev"], None)
    assert cmd[-2:] == ["-e", ".[dev]"] and "--no-index" not in cmd
    off = inst.pip_install_command("py", [], Path("/wh"))
    assert off[-2:] == ["-e", "."] and off[off.index("--find-links") + 1] == Path("/wh")


def test_runtime_requirements_have_no_test_tools() -> None:
    inst = _load_install()
    names = {r.split("==")[0].split("[")[0].lower() for r in inst.project_requirements([])}
    assert not names & {"pytest", "hypothesis", "formulas", "oletools", "psycopg", "openpyxl",
                        "chinese-calendar", "antlr4-vba", "scipy"}
    dev = {r.split("==")[0].split("[")[0].lower() for r in inst.project_requirements(["dev"])}
    assert {"pytest", "hypothesis", "formulas", "oletools", "psycopg", "antlr4-vba"} <= dev
    wh = inst.wheelhouse_command("py", Path("/wh"), [])
    assert "setuptools>=68" in wh and "wheel" in wh


def test_every_requirement_is_pinned_exactly() -> None:
    inst = _load_install()
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version and "," not in version and "*" not in version, line
            pins[name.lower().replace("_", "-")] = version
    for req in inst.project_requirements(["dev"]) + ["setuptools", "wheel"]:
        name = req.split("==")[0].split(">=")[0].split("[")[0].lower().replace("_", "-")
        assert name in pins, f"{name} is not pinned in constraints.txt"
        if "==" in req:
            assert req.split("==")[1] == pins[name], req
