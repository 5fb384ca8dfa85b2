"""``[tool.cleaner]`` in pyproject.toml: option defaults for a project, overridden by flags."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .errors import RuleError

# key in [tool.cleaner] -> (click parameter name, expected type)
KEYS: dict[str, tuple[str, type | tuple[type, ...]]] = {
    "rules": ("rule_paths", list),
    "default-rules": ("default_rules", bool),
    "select": ("select", list),
    "ignore": ("ignore", list),
    "include": ("include", list),
    "exclude": ("exclude", str),
    "input-format": ("input_format", str),
    "extraction": ("extraction", str),
    "max-removed-share": ("max_removed_share", (int, float)),
    "timeout": ("timeout", (int, float)),
    "field": ("field", str),
    "jobs": ("jobs", int),
}


class ConfigError(RuleError):
    """An invalid ``[tool.cleaner]`` table (exit code 2)."""


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` that has a ``[tool.cleaner]`` table."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            try:
                if _mentions_cleaner(path) and "cleaner" in _read(path).get("tool", {}):
                    return path
            except ConfigError:
                return path  # report its error when it is read
    return None


def read_config(path: Path) -> dict[str, Any]:
    """The ``[tool.cleaner]`` table of ``path`` as click defaults (parameter name -> value).

    Paths in ``rules`` are relative to the file's folder. Unknown keys and
    values of the wrong type are errors that name the file and the key.
    """
    table = _read(path).get("tool", {}).get("cleaner", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.cleaner] must be a table")
    defaults: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f'{path}: [tool.cleaner]: unknown key "{key}" (allowed: {", ".join(KEYS)})')
        name, expected = KEYS[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            kind = {list: "a list", bool: "true or false", str: "a string", int: "a whole number"}.get(expected, "a number")
            raise ConfigError(f'{path}: [tool.cleaner]: "{key}" should be {kind}, not {value!r}')
        if expected is list and not all(isinstance(item, str) for item in value):
            raise ConfigError(f'{path}: [tool.cleaner]: "{key}" should be a list of strings')
        if key == "rules":
            value = [str((path.parent / item).resolve()) for item in value]
        if key == "default-rules":
            name, value = "no_default_rules", not value
        defaults[name] = value
    return defaults


def _mentions_cleaner(path: Path) -> bool:
    """False when the file cannot hold a [tool.cleaner] table: it is then not parsed at all."""
    try:
        return b"cleaner" in path.read_bytes()
    except OSError:
        return True  # _read reports it


def _read(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
