"""Shared helpers: paths to the test data, a CLI runner that shows its output on failure,
and a writer for small rule packs."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cleaner.cli import cli

DATA = Path(__file__).parent / "data"
SEEDS = DATA / "seeds"
HTML = DATA / "html"


def invoke(args: Sequence[str], input: str | bytes | None = None, exit_code: int = 0) -> Result:
    """Run ``cleaner ARGS`` in-process; fail with its stdout and stderr unless it exits with ``exit_code``."""
    result = CliRunner().invoke(cli, list(args), input=input)
    if result.exit_code != exit_code:
        exc = result.exception if not isinstance(result.exception, SystemExit) else None
        raise AssertionError(
            f"cleaner {' '.join(args)} exited {result.exit_code}, expected {exit_code}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}\n--- exception\n{exc!r}"
        ) from exc
    return result


@pytest.fixture(autouse=True)
def _run_in_an_empty_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI reads [tool.cleaner] from the nearest pyproject.toml above the working folder;
    # the checkout's own pyproject.toml must not change what the tests see.
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(name="invoke")
def invoke_fixture() -> Callable[..., Result]:
    return invoke


@pytest.fixture
def write_pack(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a (dedented) YAML pack to ``tmp_path/NAME`` and return its path."""

    def write(text: str, name: str = "mine.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder for every test (also seen by subprocesses), so the user's cache is never touched."""
    path = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(path))
    return path
