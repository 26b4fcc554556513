"""Install / remove the Excel side of logidesk on Windows or macOS.

    python -m addin.install_excel                 # install for the current user
    python -m addin.install_excel --uninstall     # remove everything installed here
    python -m addin.install_excel --dry-run       # print the plan, change nothing
    python -m addin.install_excel --addin \\\\server\\logidesk\\logidesk.xlam   # prebuilt copy

Installing means:
1. the xlwings add-in runtime of the *pinned* xlwings (``xlwings addin install``; on macOS it
   also enables RunPython) - our VBA declares ``xlwings64-<version>.dll`` of exactly that
   version;
2. ``logidesk.xlam`` (built here with :func:`addin.xlam.build.build`, or copied from
   ``--addin``) into the user's XLSTART folder, which Excel trusts by default;
3. ``%USERPROFILE%\\.logidesk\\logidesk.conf`` (macOS: the Excel sandbox folder) with the
   interpreter of this environment, PYTHONPATH = the project root and ``UDF Modules``.

``--uninstall`` removes the add-in file, the conf file (and ``~/.logidesk/logs``), and the
xlwings add-in. Excel must be closed for the files to be replaced.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from addin.xlam.build import ADDIN_NAME, PROJECT_NAME, ROOT
from addin.xlam.udfvba import UDF_MODULE

MAC_CONTAINER = Path("Library/Containers/com.microsoft.Excel/Data")
MAC_XLSTART = Path("Library/Group Containers/UBF8T346G9.Office/User Content.localized/"
                   "Startup.localized/Excel")


@dataclass(frozen=True)
class Paths:
    xlstart: Path  # Excel opens every workbook/add-in in here at start-up
    addin: Path  # installed logidesk.xlam
    conf_dir: Path
    conf_file: Path
    log_dir: Path


def paths(system: str, home: Path, environ: dict[str, str] | None = None,
          xlstart: Path | None = None) -> Paths:
    """Where things go for ``system`` ("Windows"/"Darwin") and the user's ``home``."""
    env = os.environ if environ is None else environ
    if system == "Windows":
        appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
        start = xlstart or appdata / "Microsoft" / "Excel" / "XLSTART"
        profile = Path(env.get("USERPROFILE") or home)
        conf_dir = profile / f".{PROJECT_NAME}"  # xlwings VBA: USERPROFILE\.NAME\NAME.conf
    elif system == "Darwin":
        start = xlstart or home / MAC_XLSTART
        conf_dir = home / MAC_CONTAINER  # xlwings VBA on Mac: <container>/NAME.conf
    else:
        raise ValueError(f"Excel is not available on {system}")
    logs = home / f".{PROJECT_NAME}" / "logs"
    return Paths(start, start / ADDIN_NAME, conf_dir, conf_dir / f"{PROJECT_NAME}.conf", logs)


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


def _xlwings_cli(args: list[str]) -> list[str]:
    exe = Path(sys.executable).with_name("xlwings.exe" if os.name == "nt" else "xlwings")
    if exe.exists():
        return [str(exe), *args]
    return [sys.executable, "-c", "import sys; from xlwings.cli import main; "
            f"sys.argv = ['xlwings'] + {args!r}; main()"]


def install(p: Paths, system: str, addin_source: Path | None, dry_run: bool = False) -> int:
    import xlwings

    problem = dll_problem(system, Path(sys.prefix), xlwings.__version__)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    entries = conf_entries(system, sys.executable, str(ROOT))
    steps = [
        f"安装 xlwings {xlwings.__version__} 加载项运行时：xlwings addin install",
        f"复制 {ADDIN_NAME} -> {p.addin}",
        f"写入 {p.conf_file}：" + "；".join(f"{k}={v}" for k, v in entries),
    ]
    for s in steps:
        print(("[计划] " if dry_run else "") + s)
    if dry_run:
        return 0
    subprocess.run(_xlwings_cli(["addin", "install"]), check=True)
    if system == "Darwin":
        subprocess.run(_xlwings_cli(["runpython", "install"]), check=True)
    p.xlstart.mkdir(parents=True, exist_ok=True)
    if addin_source is None:
        from addin.xlam.build import build

        addin_source = build(ROOT / "build" / "addin")
    try:
        shutil.copyfile(addin_source, p.addin)
    except PermissionError:
        print(f"无法覆盖 {p.addin}：请先关闭 Excel 再安装。", file=sys.stderr)
        return 1
    p.conf_dir.mkdir(parents=True, exist_ok=True)
    p.conf_file.write_text(conf_text(entries), encoding=conf_encoding(system), newline="")
    print(f"已安装。重新打开 Excel，功能区应出现「物流客服」选项卡；测试：=COD_FEE(100)")
    return 0


def uninstall(p: Paths, dry_run: bool = False, remove_xlwings: bool = True) -> int:
    targets = [p.addin, p.conf_file]
    for t in targets:
        print(("[计划] " if dry_run else "") + f"删除 {t}")
    if dry_run:
        return 0
    failed = False
    for t in targets:
        try:
            t.unlink(missing_ok=True)
        except PermissionError:
            print(f"无法删除 {t}：请先关闭 Excel。", file=sys.stderr)
            failed = True
    shutil.rmtree(p.log_dir, ignore_errors=True)
    for d in (p.conf_dir, p.log_dir.parent):
        try:
            d.rmdir()  # only if empty: never delete what we did not create
        except OSError:
            pass
    if remove_xlwings:
        subprocess.run(_xlwings_cli(["addin", "remove"]), check=False)
    print("已卸载 logidesk 加载项。" if not failed else "部分文件未能删除，见上。")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m addin.install_excel",
                                     description="安装/卸载 logidesk Excel 加载项（Windows/macOS）")
    parser.add_argument("--uninstall", action="store_true", help="卸载本程序安装的一切")
    parser.add_argument("--dry-run", action="store_true", help="只打印将要做的事")
    parser.add_argument("--addin", type=Path, help="使用已生成的 logidesk.xlam（如网络共享路径）")
    parser.add_argument("--xlstart", type=Path, help="XLSTART 文件夹（默认当前用户的）")
    parser.add_argument("--keep-xlwings", action="store_true", help="卸载时保留 xlwings 加载项")
    args = parser.parse_args(argv)
    system = platform.system()
    if system not in ("Windows", "Darwin"):
        print(f"本机（{system}）没有 Microsoft Excel：不安装加载项。"
              "可用 `logidesk addin` 生成 logidesk.xlam 后在 Windows 上安装。")
        return 0
    p = paths(system, Path.home(), xlstart=args.xlstart)
    try:
        if args.uninstall:
            return uninstall(p, args.dry_run, remove_xlwings=not args.keep_xlwings)
        if args.addin is not None and not args.addin.is_file():
            print(f"找不到加载项文件 {args.addin}", file=sys.stderr)
            return 2
        return install(p, system, args.addin, args.dry_run)
    except subprocess.CalledProcessError as exc:
        print(f"命令失败（退出码 {exc.returncode}）：{' '.join(map(str, exc.cmd))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
