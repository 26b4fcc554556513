#!/usr/bin/env python3
"""Set up logidesk on this machine and run the main job on the bundled sample data.

    python install.py                     # .venv + install + add-in (if Excel) + sample job
    python install.py --runtime           # clerk PC: the product only, no test tools
    python install.py --dev               # developer: also pytest & co. (pip install -e .[dev])
    python install.py --wheelhouse DIR    # download every wheel an offline install needs
    python install.py --offline DIR       # install from that folder, never from the index
    python install.py --uninstall         # remove what the Excel add-in install put in place
    python install.py --help

Which set of packages: from a source checkout (a ``.git`` next to this file) the default is
``--dev``, so the README's second command (``.venv/bin/python -m pytest``) works; elsewhere
(a release copied to a clerk PC) it is ``--runtime``. Either flag overrides the guess.

Only the standard library is used until the virtual environment exists, and this file parses on
old Pythons so that they get a clear message instead of a traceback.
"""

import sys

MIN_PYTHON = (3, 11)

if sys.version_info < MIN_PYTHON:  # before anything that needs a newer Python
    sys.stderr.write(
        "logidesk 需要 Python %d.%d 或更高版本（当前为 %d.%d，位于 %s）。\n"
        "请从 https://www.python.org/downloads/ 安装 Python 3.11（64 位，为所有用户安装），"
        "然后用它运行：python install.py\n"
        % (MIN_PYTHON + sys.version_info[:2] + (sys.executable,)))
    sys.exit(2)

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import tomllib  # noqa: E402
import venv  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import NoReturn  # noqa: E402

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CONSTRAINTS = ROOT / "constraints.txt"
PYPROJECT = ROOT / "pyproject.toml"
PIP_QUIET = ["--quiet", "--disable-pip-version-check"]


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(cmd: list, **kw) -> None:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def store_python_problem(executable: str = sys.executable, system: str | None = None) -> str | None:
    """Microsoft Store Python runs in a package sandbox: files it writes under %APPDATA% land in
    a private copy that Excel never reads. Returns the Chinese refusal, or None."""
    system = system or platform.system()
    path = executable.replace("/", "\\").lower()
    if system != "Windows" or ("\\windowsapps\\" not in path
                               and "\\packages\\pythonsoftwarefoundation.python" not in path):
        return None
    return ("检测到 Microsoft Store 版 Python（%s）。它运行在应用沙盒中，写入 AppData 的文件"
            "会落到 Excel 看不到的私有副本里，加载项无法工作。\n"
            "解决办法：在「设置 → 应用 → 高级应用设置 → 应用执行别名」中关闭 python.exe / python3.exe，"
            "从 https://www.python.org/downloads/ 安装 Python 3.11（64 位，勾选为所有用户安装），"
            "然后用 \"C:\\Program Files\\Python311\\python.exe\" install.py 重新运行。" % executable)


def project_requirements(extras: list[str]) -> list[str]:
    """Requirement strings of pyproject.toml: dependencies + the named extras (expanded)."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    name = project["name"]
    out = list(project["dependencies"])
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop(0)
        if extra in seen:
            continue
        seen.add(extra)
        for req in optional[extra]:
            if req.startswith(name + "["):  # self-reference such as logidesk[postgres]
                todo += [e.strip() for e in req[len(name) + 1:].rstrip("]").split(",")]
            else:
                out.append(req)
    return out


def build_backend() -> list[str]:
    """[build-system] requires, pinned by constraints.txt (setuptools, wheel)."""
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["build-system"]["requires"]


def wheelhouse_command(python: str, target: Path, extras: list[str],
                       platform_tag: str | None = None, python_version: str | None = None) -> list:
    """``pip download`` of every wheel an offline install of this project needs, build backend
    (setuptools + wheel) included. ``platform_tag`` (e.g. win_amd64) prepares a folder for other
    PCs; then only binary wheels are accepted."""
    cmd = [python, "-m", "pip", "download", *PIP_QUIET, "--dest", target, "-c", CONSTRAINTS]
    if platform_tag:
        cmd += ["--platform", platform_tag, "--only-binary=:all:",
                "--python-version", python_version or "%d.%d" % sys.version_info[:2]]
    return cmd + project_requirements(extras) + build_backend()


def pip_install_command(python: str, extras: list[str], offline: Path | None) -> list:
    target = "." + ("[" + ",".join(extras) + "]" if extras else "")
    cmd = [python, "-m", "pip", "install", *PIP_QUIET]
    if offline is not None:
        cmd += ["--no-index", "--find-links", offline]
    return cmd + ["-c", CONSTRAINTS, "-e", target]


def create_venv(extras: list[str], offline: Path | None) -> Path:
    py = venv_python()
    if not py.exists():
        print(f"创建虚拟环境 {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    run(pip_install_command(str(py), extras, offline))
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


class ChineseParser(argparse.ArgumentParser):
    """argparse with Chinese usage, headings and errors (this file uses the standard library
    only: it runs before anything is installed)."""

    WORDS = (("usage: ", "用法："), ("options:", "选项："), ("optional arguments:", "选项："),
             ("show this help message and exit", "显示此帮助并退出"))
    ERRORS = (("unrecognized arguments:", "无法识别的参数："), ("expected one argument", "需要一个值"),
              ("not allowed with argument", "不能同时使用"), ("argument ", "参数 "))

    def format_usage(self) -> str:
        return self._zh(super().format_usage())

    def format_help(self) -> str:
        return self._zh(super().format_help())

    def _zh(self, text: str) -> str:
        for en, zh in self.WORDS:
            text = text.replace(en, zh)
        return text

    def error(self, message: str) -> NoReturn:
        for en, zh in self.ERRORS:
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：参数错误：{message}\n")


def parser() -> argparse.ArgumentParser:
    p = ChineseParser(
        prog="python install.py",
        description="安装 logidesk：创建 .venv、按 constraints.txt 安装固定版本、安装 Excel 加载项"
                    "（有 Excel 时），并在自带样例数据上运行主流程。",
        epilog="源码目录（有 .git）默认 --dev，其他情况默认 --runtime。网点电脑请用 --runtime。")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--runtime", action="store_true", help="只装产品运行所需的包（网点电脑）")
    kind.add_argument("--dev", action="store_true", help="另装测试与开发工具（源码目录的开发者用）")
    p.add_argument("--postgres", action="store_true", help="另装 PostgreSQL 台账驱动（psycopg）")
    p.add_argument("--offline", type=Path, metavar="文件夹",
                   help="离线安装：只从这个文件夹（--wheelhouse 生成）取包，不访问软件包索引")
    p.add_argument("--no-demo", action="store_true", help="不运行样例主流程")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--uninstall", action="store_true",
                        help="只卸载 Excel 加载项（本程序安装的文件与注册项），不安装任何东西")
    action.add_argument("--wheelhouse", type=Path, metavar="文件夹",
                        help="只把离线安装所需的全部安装包（含打包工具）下载到这个文件夹")
    p.add_argument("--platform", metavar="平台",
                   help="与 --wheelhouse 同用：为其他电脑下载，如 win_amd64（只收预编译的安装包）")
    return p


def extras_for(args: argparse.Namespace) -> tuple[list[str], str]:
    if args.dev:
        extras, why = ["dev"], "--dev"
    elif args.runtime:
        extras, why = [], "--runtime"
    elif (ROOT / ".git").exists():
        extras, why = ["dev"], "源码目录（有 .git），默认 --dev"
    else:
        extras, why = [], "非源码目录，默认 --runtime"
    if args.postgres and "dev" not in extras:
        extras.append("postgres")
    return extras, why


def uninstall() -> int:
    """Runs with this interpreter: addin.install_excel's uninstall needs only the standard
    library, so nothing is installed to remove the add-in."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "addin.install_excel", "--uninstall"],
                          cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    problem = store_python_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.uninstall:
        return uninstall()
    extras, why = extras_for(args)
    if args.wheelhouse is not None:
        args.wheelhouse.mkdir(parents=True, exist_ok=True)
        run(wheelhouse_command(sys.executable, args.wheelhouse.resolve(), extras,
                               args.platform))
        print(f"离线安装包已下载到 {args.wheelhouse}（{len(list(args.wheelhouse.iterdir()))} 个文件）。"
              f"\n在目标电脑上：python install.py --offline {args.wheelhouse}"
              + (" --dev" if "dev" in extras else " --runtime"))
        return 0
    if args.platform:
        print("--platform 只能与 --wheelhouse 同用。", file=sys.stderr)
        return 2
    if args.offline is not None and not args.offline.is_dir():
        print(f"找不到离线安装目录 {args.offline}", file=sys.stderr)
        return 2
    print(f"安装内容：{'产品 + 开发与测试工具' if 'dev' in extras else '仅产品运行所需'}（{why}）",
          flush=True)
    py = create_venv(extras, args.offline.resolve() if args.offline else None)
    if excel_present():
        run([py, "-m", "addin.install_excel"])
    else:
        print(f"本机（{platform.system()}）未检测到 Microsoft Excel：跳过加载项安装，"
              "使用无 Excel 的命令行（headless）路径。", flush=True)
    if not args.no_demo:
        run([py, "-m", "cli.main", "demo"])  # the main job, headless, on the sample data
    if "dev" in extras:
        print("\n安装完成。运行测试：" + (".venv\\Scripts\\python -m pytest" if os.name == "nt"
                                        else ".venv/bin/python -m pytest"))
    else:
        print("\n安装完成（未安装测试工具；开发者请用 python install.py --dev）。")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
