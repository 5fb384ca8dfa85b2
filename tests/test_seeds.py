"""The two real documents the project started from, through the library and the CLI."""

from __future__ import annotations

import pytest

from cleaner import clean

from conftest import SEEDS, invoke

NAMES = sorted(p.name.removesuffix(".input.txt") for p in SEEDS.glob("*.input.txt"))


def test_both_seeds_are_present():
    assert NAMES == ["000_moscow_times", "001_unn"]


def read_seed(name: str) -> tuple[str, str]:
    text = (SEEDS / f"{name}.input.txt").read_text(encoding="utf-8")
    expected = (SEEDS / f"{name}.expected.txt").read_text(encoding="utf-8")
    assert text.rstrip() != expected.rstrip(), "a seed whose input is already clean tests nothing"
    return text, expected


@pytest.mark.parametrize("name", NAMES)
def test_clean_seed(name):
    text, expected = read_seed(name)
    assert clean(text).rstrip() == expected.rstrip()


@pytest.mark.parametrize("name", NAMES)
def test_cli_seed_from_stdin(name):
    text, expected = read_seed(name)
    result = invoke(["clean"], input=text.encode("utf-8"))
    assert result.stdout_bytes.decode("utf-8").rstrip() == expected.rstrip()
    assert result.stderr == ""  # quiet on success
