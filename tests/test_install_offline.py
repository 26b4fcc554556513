"""The documented offline install, end to end: wheelhouse, then an install with the index off.

A copy of the source tree (no .git: what a clerk PC gets) is installed with
``install.py --runtime --offline DIR`` while pip sees no index and no configuration, so a
missing wheel (e.g. the build backend setuptools/wheel) fails the install. The sample job then
runs in that runtime-only environment: the product needs no test tool, and the environment's
size is checked against the goal of issue 12 (≤ 230 MB).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIZE_GOAL_MB = 230


def _tree_mb(path: Path) -> float:
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
    return total / 1e6


def _copy_source(dst: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".venv", "build")
    for name in ("udfs", "cli", "workbooks", "desk", "addin"):
        shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    for name in ("install.py", "pyproject.toml", "constraints.txt", "README.md"):
        shutil.copy(ROOT / name, dst / name)


@pytest.mark.slow
def test_offline_install_from_a_wheelhouse(tmp_path: Path) -> None:
    src = tmp_path / "logidesk"
    src.mkdir()
    _copy_source(src)
    wheels = tmp_path / "wheels"
    r = subprocess.run([sys.executable, src / "install.py", "--runtime", "--wheelhouse", wheels],
                       cwd=src, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    names = [p.name.lower() for p in wheels.iterdir()]
    assert any(n.startswith("setuptools-") for n in names), names  # the build backend
    assert any(n.startswith("wheel-") for n in names), names
    assert not any(n.startswith(("pytest-", "scipy-", "formulas-", "psycopg")) for n in names)

    # Index off: no configuration files, no PIP_* variables (this machine sets find-links).
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_NO_CACHE_DIR="1")
    r = subprocess.run([sys.executable, src / "install.py", "--runtime", "--offline", wheels],
                       cwd=src, capture_output=True, text=True, env=env, timeout=900)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "仅产品运行所需" in out and "安装完成" in out
    assert "函数示例" in out and "十五日报表" in out and "生成发送版" in out  # the whole sample job ran

    py = src / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    probe = ("import importlib.util as u; "
             "print([m for m in ('pytest','hypothesis','formulas','oletools','psycopg','scipy',"
             "'openpyxl') if u.find_spec(m)])")
    assert subprocess.run([py, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"
    size = _tree_mb(src / ".venv")
    print(f"runtime environment: {size:.0f} MB")
    assert size <= SIZE_GOAL_MB, f"runtime .venv is {size:.0f} MB (goal ≤ {SIZE_GOAL_MB} MB)"
