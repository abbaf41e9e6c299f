"""Settings from a file: ci_excel.toml read, parsed and turned into a Config."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ci_excel.config.model import CONFIG_FILE, Config
from ci_excel.config.sections import _TOP
from ci_excel.config.values import check_keys
from ci_excel.errors import ConfigError


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """Settings from `path`, else from ci_excel.toml in `cwd` (default: the working folder), else defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_FILE
        if not candidate.is_file():
            return Config()
        path = candidate
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: settings file not found") from exc
    except OSError as exc:  # a folder, no permission
        raise ConfigError(f"{path}: cannot read the settings file: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid TOML file: {exc}") from exc
    try:
        return config_from_dict(data, base=path.parent)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def config_from_dict(data: Mapping[str, Any], *, base: Path | None = None) -> Config:
    """Build a Config from parsed TOML; relative paths resolve against `base`."""
    check_keys(data, _TOP, "")
    kwargs: dict[str, Any] = {}
    for key, parse in _TOP.items():
        if key in data:
            kwargs.update(parse(data[key], base))
    return Config(**kwargs)
