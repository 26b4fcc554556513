#!/usr/bin/env python3
"""Set up logidesk on this machine and run the main job on the bundled sample data.

    python install.py              # create .venv, install, build, run the sample job
    python install.py --uninstall  # remove the Excel add-in settings (Windows/macOS)

Uses only the standard library until the virtual environment exists. On Windows or macOS
with Excel it also installs the xlwings add-in runtime and logidesk.xlam; on Linux it
says that Excel is absent and uses the headless path.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CONSTRAINTS = ROOT / "constraints.txt"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(cmd: list[str], **kw) -> None:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def create_venv() -> Path:
    py = venv_python()
    if not py.exists():
        print(f"创建虚拟环境 {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", CONSTRAINTS, "-e", "."])
    return py


def excel_present() -> bool:
    system = platform.system()
    if system == "Windows":
        import winreg  # noqa: PLC0415 - Windows only
        try:
            winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, r"Excel.Application")
            return True
        except OSError:
            return False
    if system == "Darwin":
        return Path("/Applications/Microsoft Excel.app").exists()
    return False


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 10):
        print("需要 Python 3.10 或更高版本。", file=sys.stderr)
        return 2
    py = create_venv()
    has_excel = excel_present()
    if "--uninstall" in argv:
        run([py, "-m", "addin.install_excel", "--uninstall"])
        return 0
    if has_excel:
        run([py, "-m", "addin.install_excel"])
    else:
        print(f"本机（{platform.system()}）未检测到 Microsoft Excel：跳过加载项安装，"
              "使用无 Excel 的命令行（headless）路径。", flush=True)
    # The main job, headless, on the bundled sample data.
    run([py, "-m", "addin.cli", "demo"])
    print("\n安装完成。运行测试：.venv/bin/python -m pytest"
          if os.name != "nt" else "\n安装完成。运行测试：.venv\\Scripts\\python -m pytest")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
