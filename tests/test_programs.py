"""Compiled programs kept in the pack cache: a restored pattern is the pattern, or it is compiled again."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from cleaner import Cleaner, load_pack
from cleaner.programs import capture, restore
from cleaner.rules import Rule, _compile, flag_value

RULES_DIR = Path(__file__).parent.parent / "rules"
SHIPPED = Cleaner().rules


def _outcome(pattern: regex.Pattern, text: str):
    match = pattern.search(text)
    return match and (match.span(), match.groups(), match.groupdict())


@pytest.mark.parametrize("rule", SHIPPED, ids=lambda r: r.id)
def test_a_restored_pattern_matches_as_the_compiled_one(rule):
    compiled = regex.compile(rule.pattern, rule.regex_flags)
    restored = restore(capture(rule.pattern, rule.regex_flags), rule.pattern, rule.regex_flags)
    assert (restored.pattern, restored.flags, restored.groupindex) == (compiled.pattern, compiled.flags, compiled.groupindex)
    for example in (*rule.remove_examples, *rule.keep_examples):
        for text in (example.text, *example.text.splitlines(), example.text.upper()):
            assert _outcome(restored, text) == _outcome(compiled, text)


def test_a_program_restores_only_to_its_own_pattern_and_flags():
    program = capture(r"(?i)share\s+this", 0)
    assert restore(program, r"(?i)share\s+this", 0).search("SHARE this")
    assert restore(program, r"(?i)share\s+that", 0) is None
    assert restore(program, r"(?i)share\s+this", regex.MULTILINE) is None
    assert restore(program[:1], r"(?i)share\s+this", 0) is None  # damaged


def test_a_damaged_program_is_compiled_again():
    compiled = _compile(r"remind me later", flag_value(["ignorecase"]), ((1, 2, 3), ()))
    assert compiled.search("Remind me LATER")


def test_a_bad_pattern_still_raises_what_regex_raises():
    with pytest.raises(regex.error):
        capture("(unbalanced", 0)


def test_a_pack_from_the_cache_compiles_nothing(cache_dir, monkeypatch):
    path = RULES_DIR / "metadata.yaml"
    load_pack(path)  # validated, with its programs, into the cache
    pack = load_pack(path)
    monkeypatch.setattr(regex, "compile", _no_compiling)
    dated = next(r for r in pack.rules if r.name == "date-line-head")
    assert dated.compiled.match("Tuesday, 19 November 2019, 10:32")
    found = [rule.compiled.search(line) for rule in pack.rules for example in rule.remove_examples
             for line in example.text.splitlines()]
    assert sum(match is not None for match in found) >= len(pack.rules)
    assert all(rule.compiled_unless is not None for rule in pack.rules if rule.unless)
    assert all(rule.compiled_confirm is not None for rule in pack.rules if rule.confirm)


def test_a_rule_sent_to_a_worker_keeps_its_programs(cache_dir):
    load_pack(RULES_DIR / "metadata.yaml")
    rule = next(r for r in load_pack(RULES_DIR / "metadata.yaml").rules if r.name == "date-line-head")
    copy: Rule = pickle.loads(pickle.dumps(rule))
    assert copy.__dict__["programs"][0] is not None
    assert copy.compiled.match("23.10.2018")


def test_a_one_line_run_compiles_no_pattern_once_the_packs_are_cached(tmp_path):
    """The reason the programs are kept: a short run (a hook, a pipe) skips the compiler."""
    code = (
        "import regex, sys; calls = []; real = regex.compile\n"
        "regex.compile = lambda *a, **k: calls.append(a[0]) or real(*a, **k)\n"
        "import atexit; atexit.register(lambda: print(len(calls), file=sys.stderr))\n"
        "from cleaner.cli import main; sys.argv = ['cleaner', 'clean']; main()"
    )
    line = b"date 2025-10-30 Flights to the base resumed on Friday, officials said.\n"
    env = {"CLEANER_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    runs = [subprocess.run([sys.executable, "-c", code], input=line, capture_output=True, cwd=tmp_path, env=env)
            for _ in range(2)]
    assert [run.stdout for run in runs] == [b"Flights to the base resumed on Friday, officials said.\n"] * 2
    first, second = (int(run.stderr.decode().splitlines()[-1]) for run in runs)
    assert first > 0 and second == 0


def _no_compiling(*args, **kwargs):
    raise AssertionError(f"regex.compile called for {args[0][:40]!r}")
