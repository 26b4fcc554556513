"""Install / remove the Excel side of logidesk on Windows (and macOS).

    python -m addin.install_excel                 # copy the add-in to the per-machine path, register it
    python -m addin.install_excel --addin \\\\server\\logidesk\\logidesk.xlam   # copy this prebuilt file
    python -m addin.install_excel --path \\\\server\\logidesk\\logidesk.xlam --register-only
    python -m addin.install_excel --uninstall     # remove what this module put in place, nothing else
    python -m addin.install_excel --dry-run       # print the plan, change nothing

Why a per-machine path: a workbook saved after using an add-in function stores a link to the
add-in's full path (``[1]!COD_FEE(B2)`` + an externalLink part). With the add-in at the same
path on every PC (default ``%ProgramData%\\logidesk\\logidesk.xlam``, or a network path the
administrator chooses) those links resolve everywhere; the add-in's own WorkbookOpen handler
repoints links that name another copy (``addin/xlam/appevents.py``).

Installing means (Windows):
1. ``logidesk.xlam`` (built here with :func:`addin.xlam.build.build`, or copied from ``--addin``)
   at the add-in path — unless ``--register-only``;
2. Excel's add-in list for the current user: ``HKCU\\Software\\Microsoft\\Office\\16.0\\Excel\\
   Options`` value ``OPENn = "<path>"`` (what 文件 → 选项 → 加载项 → 浏览 writes), and a trusted
   location for the add-in's folder (key ``Trusted Locations\\logidesk``);
3. ``%USERPROFILE%\\.logidesk\\logidesk.conf`` with this environment's interpreter and
   PYTHONPATH = the project root (xlwings reads it; the add-in's own sheet holds UDF Modules);
4. the copy an earlier version put in the user's XLSTART is removed (it would load twice).

Not installed: xlwings's own add-in (``xlwings addin install``): our add-in carries the xlwings
VBA runtime itself, so a second 「xlwings」 tab would only show settings logidesk never reads.
``--uninstall`` removes exactly the items above (never another OPENn value, never xlwings.xlam,
never the per-machine file unless ``--machine``). Uninstalling needs only the standard library
(``python install.py --uninstall`` runs it without the virtual environment).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
ADDIN_NAME = "logidesk.xlam"      # = addin.xlam.build.ADDIN_NAME (tested)
PROJECT_NAME = "logidesk"         # = addin.xlam.build.PROJECT_NAME (tested)
UDF_MODULE = "udfs.xl"            # = addin.xlam.udfvba.UDF_MODULE (tested)
OFFICE_VERSION = "16.0"           # Excel 2016, 2019, 2021, 2024 and Microsoft 365
OPTIONS_KEY = rf"Software\Microsoft\Office\{OFFICE_VERSION}\Excel\Options"
ADDIN_MANAGER_KEY = rf"Software\Microsoft\Office\{OFFICE_VERSION}\Excel\Add-in Manager"
TRUSTED_KEY = (rf"Software\Microsoft\Office\{OFFICE_VERSION}\Excel\Security\Trusted Locations"
               rf"\{PROJECT_NAME}")
TRUSTED_DESCRIPTION = "logidesk 加载项（install_excel 写入）"

MAC_CONTAINER = Path("Library/Containers/com.microsoft.Excel/Data")
MAC_XLSTART = Path("Library/Group Containers/UBF8T346G9.Office/User Content.localized/"
                   "Startup.localized/Excel")


@dataclass(frozen=True)
class Paths:
    addin: Path         # the add-in Excel loads (per machine on Windows)
    conf_dir: Path
    conf_file: Path
    log_dir: Path
    legacy_addin: Path  # where earlier versions put it (per-user XLSTART)


def default_addin_path(system: str, home: Path, env: dict[str, str]) -> Path:
    if system == "Windows":
        return Path(env.get("ProgramData") or env.get("PROGRAMDATA") or r"C:\ProgramData") \
            / PROJECT_NAME / ADDIN_NAME
    return home / MAC_XLSTART / ADDIN_NAME  # Excel for Mac has no add-in list in a registry


def paths(system: str, home: Path, environ: dict[str, str] | None = None,
          addin: Path | None = None) -> Paths:
    """Where things go for ``system`` ("Windows"/"Darwin") and the user's ``home``."""
    env = dict(os.environ if environ is None else environ)
    if system == "Windows":
        appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
        legacy = appdata / "Microsoft" / "Excel" / "XLSTART" / ADDIN_NAME
        profile = Path(env.get("USERPROFILE") or home)
        conf_dir = profile / f".{PROJECT_NAME}"  # xlwings VBA: USERPROFILE\.NAME\NAME.conf
    elif system == "Darwin":
        legacy = home / MAC_XLSTART / ADDIN_NAME
        conf_dir = home / MAC_CONTAINER  # xlwings VBA on Mac: <container>/NAME.conf
    else:
        raise ValueError(f"Excel is not available on {system}")
    target = addin or default_addin_path(system, home, env)
    logs = home / f".{PROJECT_NAME}" / "logs"
    return Paths(target, conf_dir, conf_dir / f"{PROJECT_NAME}.conf", logs, legacy)


# ------------------------------------------------------------------ registry (HKCU)

class Registry(Protocol):
    """The few HKCU operations needed; :class:`WinRegistry` on Windows, a dict in tests."""

    def values(self, key: str) -> dict[str, object]: ...
    def set(self, key: str, name: str, value: object) -> None: ...
    def delete(self, key: str, name: str) -> None: ...
    def delete_key(self, key: str) -> None: ...


class WinRegistry:
    def __init__(self) -> None:
        import winreg  # lazy: winreg exists only on Windows

        # typeshed declares winreg's contents only for win32; type checks run on Linux
        self.w: Any = winreg

    def values(self, key: str) -> dict[str, object]:
        w = self.w
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, key) as k:
                out: dict[str, object] = {}
                i = 0
                while True:
                    try:
                        name, value, _ = w.EnumValue(k, i)
                    except OSError:
                        return out
                    out[name] = value
                    i += 1
        except FileNotFoundError:
            return {}

    def set(self, key: str, name: str, value: object) -> None:
        w = self.w
        with w.CreateKeyEx(w.HKEY_CURRENT_USER, key, 0, w.KEY_SET_VALUE) as k:
            kind = w.REG_DWORD if isinstance(value, int) else w.REG_SZ
            w.SetValueEx(k, name, 0, kind, value)

    def delete(self, key: str, name: str) -> None:
        w = self.w
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, key, 0, w.KEY_SET_VALUE) as k:
                w.DeleteValue(k, name)
        except FileNotFoundError:
            pass

    def delete_key(self, key: str) -> None:
        try:
            self.w.DeleteKey(self.w.HKEY_CURRENT_USER, key)
        except FileNotFoundError:
            pass


def open_value_path(value: object) -> str:
    """``/R "C:\\x\\a.xlam"`` or ``"C:\\x\\a.xlam"`` or ``a.xlam`` -> the path inside."""
    text = str(value).strip()
    if text.upper().startswith("/R "):
        text = text[3:].strip()
    return text.strip('"')


def is_our_addin(value: object) -> bool:
    return PureWindowsPath(open_value_path(value)).name.lower() == ADDIN_NAME


def register_plan(current: dict[str, object], addin: str) -> tuple[str, list[str]]:
    """(OPEN value name to write, stale OPEN names of another logidesk.xlam to delete).

    Excel loads ``OPEN``, ``OPEN1``, ``OPEN2``, … in order and stops at the first gap, so a new
    entry takes the first free name; an entry for any logidesk.xlam is reused (upgrade/moved)."""
    ours = [n for _, n, v in _open_entries(current) if is_our_addin(v)]
    if ours:
        return ours[0], ours[1:]
    used = {_open_name_index(n) for n in current}
    i = 0
    while i in used:
        i += 1
    return ("OPEN" if i == 0 else f"OPEN{i}"), []


def _open_entries(values: dict[str, object]) -> list[tuple[int, str, object]]:
    """The OPEN, OPEN1, OPEN2, … values as (index, name, value), in Excel's load order."""
    entries = [(i, n, v) for n, v in values.items() if (i := _open_name_index(n)) is not None]
    return sorted(entries, key=lambda e: e[0])


def _open_name_index(name: str) -> int | None:
    up = name.upper()
    if up == "OPEN":
        return 0
    if up.startswith("OPEN") and up[4:].isdigit():
        return int(up[4:])
    return None


def register(reg: Registry, addin: Path) -> str:
    """Add (or repoint) our entry in Excel's add-in list and trust its folder; returns the
    OPEN value name written."""
    name, stale = register_plan(reg.values(OPTIONS_KEY), str(addin))
    for s in stale:
        reg.delete(OPTIONS_KEY, s)
    reg.set(OPTIONS_KEY, name, f'"{addin}"')
    for n, v in reg.values(ADDIN_MANAGER_KEY).items():  # an unticked earlier copy of ours
        if is_our_addin(n) or is_our_addin(v):
            reg.delete(ADDIN_MANAGER_KEY, n)
    reg.set(TRUSTED_KEY, "Path", str(PureWindowsPath(str(addin)).parent).rstrip("\\") + "\\")
    reg.set(TRUSTED_KEY, "AllowSubfolders", 0)
    reg.set(TRUSTED_KEY, "Description", TRUSTED_DESCRIPTION)
    return name


def unregister(reg: Registry) -> list[str]:
    """Remove our OPENn / Add-in Manager entries and our trusted location; renumber the OPEN
    values after ours so Excel still loads the user's other add-ins. Returns what was removed."""
    removed: list[str] = []
    opens = {n: v for n, v in reg.values(OPTIONS_KEY).items() if _open_name_index(n) is not None}
    keep = [v for _, _, v in _open_entries(opens) if not is_our_addin(v)]
    if len(keep) != len(opens):
        removed += [f"{OPTIONS_KEY}\\{n}" for n, v in opens.items() if is_our_addin(v)]
        for n in opens:
            reg.delete(OPTIONS_KEY, n)
        for i, v in enumerate(keep):
            reg.set(OPTIONS_KEY, "OPEN" if i == 0 else f"OPEN{i}", v)
    for n, v in reg.values(ADDIN_MANAGER_KEY).items():
        if is_our_addin(n) or is_our_addin(v):
            reg.delete(ADDIN_MANAGER_KEY, n)
            removed.append(f"{ADDIN_MANAGER_KEY}\\{n}")
    if reg.values(TRUSTED_KEY).get("Description") == TRUSTED_DESCRIPTION:
        reg.delete_key(TRUSTED_KEY)
        removed.append(TRUSTED_KEY)
    return removed


# ------------------------------------------------------------------ conf file

def conf_entries(system: str, interpreter: str, pythonpath: str,
                 udf_modules: str = UDF_MODULE) -> list[tuple[str, str]]:
    key = "Interpreter_Win" if system == "Windows" else "Interpreter_Mac"
    return [(key, interpreter), ("PYTHONPATH", pythonpath), ("UDF Modules", udf_modules)]


def conf_text(entries: list[tuple[str, str]]) -> str:
    """xlwings user-config format, read by VBA ``Input #f, name, value``: "KEY","VALUE"."""
    lines = []
    for key, value in entries:
        if '"' in key or '"' in value or "\n" in value:
            raise ValueError(f"conf value cannot contain quotes or newlines: {key}={value!r}")
        lines.append(f'"{key}","{value}"')
    return "\r\n".join(lines) + "\r\n"


def conf_encoding(system: str) -> str:
    # VBA's Open ... For Input reads the ANSI code page (GBK on Chinese Windows).
    return "mbcs" if system == "Windows" and os.name == "nt" else "utf-8"


def dll_problem(system: str, prefix: Path, version: str) -> str | None:
    if system != "Windows":
        return None
    names = [f"xlwings64-{version}.dll", f"xlwings32-{version}.dll"]
    if any((prefix / n).exists() for n in names):
        return None
    return (f"在 {prefix} 找不到 {names[0]}：请用 pip 重新安装 xlwings=={version}"
            "（加载项的 VBA 只认这一版本）。")


def store_python_problem(executable: str, system: str) -> str | None:
    path = executable.replace("/", "\\").lower()
    if system != "Windows" or ("\\windowsapps\\" not in path
                               and "\\packages\\pythonsoftwarefoundation.python" not in path):
        return None
    return (f"检测到 Microsoft Store 版 Python（{executable}）：它写入 AppData 的文件 Excel 看不到。"
            "请安装 python.org 的 Python 3.11（为所有用户安装）后重新运行 install.py。")


def _mac_runpython(args: list[str]) -> list[str]:
    exe = Path(sys.executable).with_name("xlwings")
    if exe.exists():
        return [str(exe), *args]
    return [sys.executable, "-c", "import sys; from xlwings.cli import main; "
            f"sys.argv = ['xlwings'] + {args!r}; main()"]


# ------------------------------------------------------------------ install / uninstall

def _plan(p: Paths, system: str, addin_source: Path | None, register_only: bool,
          entries: list[tuple[str, str]]) -> list[str]:
    """The install steps, one line each, as printed before doing them (or instead, dry run)."""
    steps = []
    if not register_only:
        steps.append(f"复制 {addin_source or '本机生成的 ' + ADDIN_NAME} -> {p.addin}")
    if system == "Windows":
        steps.append(f"加入 Excel 加载项列表：HKCU\\{OPTIONS_KEY}\\OPENn = \"{p.addin}\"；"
                     f"受信任位置 {p.addin.parent}")
    steps.append(f"写入 {p.conf_file}：" + "；".join(f"{k}={v}" for k, v in entries))
    if _has_legacy_copy(p):
        steps.append(f"删除旧版本放在 XLSTART 的 {p.legacy_addin}")
    return steps


def _has_legacy_copy(p: Paths) -> bool:
    return p.legacy_addin.exists() and p.legacy_addin != p.addin


def _environment_problem(system: str) -> str | None:
    """Why this Python cannot serve the add-in (Store Python, missing xlwings DLL), or None."""
    import xlwings  # lazy: optional — uninstall runs on the standard library alone

    return (store_python_problem(sys.executable, system)
            or dll_problem(system, Path(sys.prefix), xlwings.__version__))


def _place_addin(p: Paths, addin_source: Path | None, register_only: bool) -> str | None:
    """Copy (or build) the add-in to its path; with ``register_only`` only check it is there.
    Returns the message of what went wrong, or None."""
    if register_only:
        if not p.addin.is_file():
            return f"找不到加载项文件 {p.addin}（--register-only 要求它已存在）。"
        return None
    if addin_source is None:
        from addin.xlam.build import build  # lazy: optional — uninstall runs on the standard library alone

        addin_source = build(ROOT / "build" / "addin")
    try:
        p.addin.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.addin.with_name(p.addin.name + ".tmp")
        shutil.copyfile(addin_source, tmp)
        tmp.replace(p.addin)
    except PermissionError:
        return (f"无法写入 {p.addin}：请先关闭所有 Excel 窗口；写入 ProgramData 等全机目录需要"
                "管理员权限（或由管理员预先放好文件后使用 --register-only）。")
    return None


def _register_with_excel(p: Paths, system: str, registry: Registry | None) -> None:
    """Windows: our entry in the user's add-in list; macOS: xlwings's own runpython install."""
    if system == "Windows":
        name = register(registry or WinRegistry(), p.addin)
        print(f"已加入 Excel 加载项列表（{name}）。")
    else:
        subprocess.run(_mac_runpython(["runpython", "install"]), check=True)


def _remove_legacy_copy(p: Paths) -> str | None:
    """Delete the copy an earlier version put in XLSTART; the message when it cannot, or None."""
    try:
        if _has_legacy_copy(p):
            p.legacy_addin.unlink()
    except PermissionError:
        return f"无法删除旧的 {p.legacy_addin}：请关闭 Excel 后重试。"
    return None


def install(p: Paths, system: str, addin_source: Path | None, dry_run: bool = False,
            register_only: bool = False, registry: Registry | None = None) -> int:
    problem = _environment_problem(system)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    entries = conf_entries(system, sys.executable, str(ROOT))
    for step in _plan(p, system, addin_source, register_only, entries):
        print(("[计划] " if dry_run else "") + step)
    if dry_run:
        return 0
    problem = _place_addin(p, addin_source, register_only)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    _register_with_excel(p, system, registry)
    problem = _remove_legacy_copy(p)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    p.conf_dir.mkdir(parents=True, exist_ok=True)
    p.conf_file.write_text(conf_text(entries), encoding=conf_encoding(system), newline="")
    print("已安装。重新打开 Excel，功能区应出现「物流客服」选项卡；测试：=COD_FEE(100)")
    return 0


def _uninstall_targets(p: Paths, system: str, machine: bool) -> list[Path]:
    """The files uninstall removes: the conf file, the XLSTART copy, and the add-in itself
    only with ``machine`` (or off Windows, where the add-in is per user)."""
    targets = [p.conf_file] + ([p.legacy_addin] if p.legacy_addin != p.addin else [])
    if machine or system != "Windows":
        targets.append(p.addin)
    return targets


def _delete_files(targets: list[Path]) -> bool:
    """Delete ``targets`` (missing ones are fine); False when one could not be deleted."""
    deleted = True
    for t in targets:
        try:
            t.unlink(missing_ok=True)
        except PermissionError:
            print(f"无法删除 {t}：请先关闭 Excel（全机文件需要管理员权限）。", file=sys.stderr)
            deleted = False
    return deleted


def _remove_empty_folders(p: Paths, machine: bool) -> None:
    shutil.rmtree(p.log_dir, ignore_errors=True)
    for d in (p.conf_dir, p.log_dir.parent) + ((p.addin.parent,) if machine else ()):
        try:
            d.rmdir()  # only if empty: never delete what we did not create
        except OSError:
            pass


def uninstall(p: Paths, system: str, dry_run: bool = False, machine: bool = False,
              registry: Registry | None = None) -> int:
    targets = _uninstall_targets(p, system, machine)
    prefix = "[计划] " if dry_run else ""
    for t in targets:
        print(prefix + f"删除 {t}")
    if system == "Windows":
        print(prefix + "从 Excel 加载项列表与受信任位置中删除 logidesk")
    if dry_run:
        return 0
    deleted = _delete_files(targets)
    if system == "Windows":
        for item in unregister(registry or WinRegistry()):
            print(f"已删除注册表项 HKCU\\{item}")
    _remove_empty_folders(p, machine)
    print("已卸载 logidesk 加载项。" if deleted else "部分文件未能删除，见上。")
    return 0 if deleted else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m addin.install_excel",
                                     description="安装/卸载 logidesk Excel 加载项（Windows/macOS）")
    parser.add_argument("--uninstall", action="store_true", help="卸载本程序安装的一切（只此而已）")
    parser.add_argument("--dry-run", action="store_true", help="只打印将要做的事")
    parser.add_argument("--addin", type=Path, help="复制这个已生成的 logidesk.xlam（如网络共享上的）")
    parser.add_argument("--path", type=Path,
                        help=r"加载项所在位置（默认 %%ProgramData%%\logidesk\logidesk.xlam；"
                             "每台电脑必须相同，也可以是网络路径）")
    parser.add_argument("--register-only", action="store_true",
                        help="不复制文件，只为当前用户登记（文件已由管理员放好）")
    parser.add_argument("--machine", action="store_true", help="与 --uninstall 同用：同时删除全机的加载项文件")
    args = parser.parse_args(argv)
    system = platform.system()
    if system not in ("Windows", "Darwin"):
        print(f"本机（{system}）没有 Microsoft Excel：不安装加载项。"
              "可用 `logidesk addin` 生成 logidesk.xlam 后在 Windows 上安装。")
        return 0
    p = paths(system, Path.home(), addin=args.path)
    try:
        if args.uninstall:
            return uninstall(p, system, args.dry_run, machine=args.machine)
        if args.addin is not None and not args.addin.is_file():
            print(f"找不到加载项文件 {args.addin}", file=sys.stderr)
            return 2
        return install(p, system, args.addin, args.dry_run, register_only=args.register_only)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"安装步骤失败：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
