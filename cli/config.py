"""Deployment configuration: where the company's notice ledger and trusted templates live.

One ledger per company deployment, never per workbook folder. Where it comes from, first
match wins:

1. an explicit choice (``--ledger`` on the command line, ``ledger=`` in the API);
2. the environment variable ``LOGIDESK_LEDGER_URL`` (a SQLite path or ``postgresql://…``);
3. the configuration files, ``[ledger] url = "…"`` — first the user's file, then the
   machine-wide file the administrator deploys:

   ======================  =================================================  ==============================
   level                   Windows                                            Linux / macOS
   ======================  =================================================  ==============================
   user                    ``%APPDATA%\\logidesk\\config.toml``                 ``~/.config/logidesk/config.toml``
   machine (administrator) ``%PROGRAMDATA%\\logidesk\\config.toml``             ``/etc/logidesk/config.toml``
   ======================  =================================================  ==============================

4. the default: a SQLite file in the user's data folder
   (``%LOCALAPPDATA%\\logidesk\\logidesk-台账.sqlite3``, ``~/.local/share/logidesk/…``).

Several branches share one PostgreSQL ledger (``url = "postgresql://…"``). ``LOGIDESK_CONFIG``
names another configuration file (used alone); ``LOGIDESK_HOME`` moves every per-user folder
(configuration, data, logs) under one directory (portable installs, tests).

Templates (``[notices] templates = "…"``) are trusted only from the **machine** file: a clerk's
register or user file cannot redirect officially numbered notices to a planted template.
"""
from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.contract import EnvironmentProblem

ENV_URL = "LOGIDESK_LEDGER_URL"
ENV_CONFIG = "LOGIDESK_CONFIG"
ENV_HOME = "LOGIDESK_HOME"
LEDGER_FILENAME = "logidesk-台账.sqlite3"


class ConfigError(EnvironmentProblem):
    """A configuration file that cannot be read (Chinese message naming the file)."""


def _home() -> Path | None:
    h = os.environ.get(ENV_HOME, "").strip()
    return Path(h).expanduser() if h else None


def user_config_dir() -> Path:
    if (h := _home()) is not None:
        return h / "config"
    if sys.platform == "win32":  # pragma: no cover - Windows clients
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "logidesk"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "logidesk"


def machine_config_dir() -> Path:
    if (h := _home()) is not None:
        return h / "machine"
    if sys.platform == "win32":  # pragma: no cover
        return Path(os.environ.get("PROGRAMDATA") or r"C:\ProgramData") / "logidesk"
    return Path("/etc/logidesk")


def user_data_dir() -> Path:
    if (h := _home()) is not None:
        return h / "data"
    if sys.platform == "win32":  # pragma: no cover
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "logidesk"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "logidesk"


def log_dir() -> Path:
    if (h := _home()) is not None:
        return h / "logs"
    return Path.home() / ".logidesk" / "logs"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except OSError as e:
        from udfs.errtext import os_reason  # lazy: udfs/__init__ loads the rulebook, 18 ms at start-up
        raise ConfigError(f"配置文件无法读取：{path}（{os_reason(e)}）") from e
    except tomllib.TOMLDecodeError as e:
        from udfs.errtext import toml_text  # lazy: as os_reason above (18 ms at start-up)
        raise ConfigError(f"配置文件格式错误：{path}，{toml_text(e)}") from e


@dataclass(frozen=True)
class Source:
    """A configured value and where it came from (shown in messages and --help)."""

    value: str
    origin: str


def config_files() -> list[tuple[str, Path]]:
    """(level, path) of the configuration files read, user first."""
    explicit = os.environ.get(ENV_CONFIG, "").strip()
    if explicit:
        return [("config", Path(explicit).expanduser())]
    return [("user", user_config_dir() / "config.toml"), ("machine", machine_config_dir() / "config.toml")]


def ledger_target(explicit: str | os.PathLike | None = None) -> Source:
    """Where the ledger is, and why (see the module doc for the order)."""
    if explicit:
        return Source(str(explicit), "命令行/参数")
    env = os.environ.get(ENV_URL, "").strip()
    if env:
        return Source(env, f"环境变量 {ENV_URL}")
    for _level, path in config_files():
        url = str((_read_toml(path).get("ledger") or {}).get("url") or "").strip()
        if url:
            if not url.startswith(("postgresql://", "postgres://")):
                p = Path(url).expanduser()
                url = str(p if p.is_absolute() else path.parent / p)
            return Source(url, f"配置文件 {path}")
    return Source(str(user_data_dir() / LEDGER_FILENAME), "默认位置")


def trusted_template_dir() -> Source | None:
    """The administrator's template folder (``[notices] templates`` in the machine file or
    in the file named by ``LOGIDESK_CONFIG``), or None (bundled templates only)."""
    for level, path in config_files():
        if level == "user":
            continue
        folder = str((_read_toml(path).get("notices") or {}).get("templates") or "").strip()
        if folder:
            p = Path(folder).expanduser()
            return Source(str(p if p.is_absolute() else path.parent / p), f"配置文件 {path}")
    return None
