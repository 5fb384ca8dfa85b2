"""Rule files: validation errors pinned exactly (yamllint style), and select/ignore."""

from __future__ import annotations

import pytest
import yaml

from cleaner import RuleError, choose_rules, load_pack, load_packs, parse_pack

HEAD = """\
pack: mine
description: Test pack.
rules:
"""

# (case id, pack text, line of the error, what the message says after FILE:LINE: )
ERRORS = [
    (
        "unknown-key-typo",
        HEAD + "  - id: r1\n    action: drop-line\n    patern: 'x'\n",
        6,
        'rule "mine/r1": unknown key "patern" (did you mean "pattern"?)',
    ),
    (
        "unknown-key-no-close-match",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: 'x'\n    colour: red\n",
        7,
        'rule "mine/r1": unknown key "colour" (allowed: id, description, action, pattern, where, within, '
        "flags, max-words, min-words, unless, confirm, replace, examples)",
    ),
    (
        "bad-action",
        HEAD + "  - id: r1\n    action: delete\n    pattern: 'x'\n",
        5,
        "rule \"mine/r1\": invalid action 'delete': expected one of drop-line, strip, replace, cut-tail, cut-head",
    ),
    (
        "missing-action",
        HEAD + "  - id: r1\n    pattern: 'x'\n",
        4,
        'rule "mine/r1": missing key "action"',
    ),
    (
        "uncompilable-pattern",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: '(unclosed'\n",
        6,
        'rule "mine/r1": invalid pattern: missing ) at position 9',
    ),
    (
        "uncompilable-unless",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    unless: '[a-'\n",
        7,
        'rule "mine/r1": invalid unless: unterminated character set at position 3',
    ),
    (
        "missing-pattern",
        HEAD + "  - id: r1\n    action: drop-line\n",
        4,
        'rule "mine/r1": missing key "pattern"',
    ),
    (
        "empty-pattern",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: ''\n",
        6,
        'rule "mine/r1": "pattern" must be a non-empty string',
    ),
    (
        "bad-where",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    where: middle\n",
        7,
        "rule \"mine/r1\": invalid where 'middle': expected one of anywhere, head, tail",
    ),
    (
        "within-without-head-or-tail",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    within: 3\n",
        7,
        'rule "mine/r1": "within" needs "where: head" or "where: tail"',
    ),
    (
        "bad-flag",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    flags: [multiline]\n",
        7,
        "rule \"mine/r1\": unknown flag 'multiline': expected some of ignorecase, verbose, dotall, ascii",
    ),
    (
        "max-words-not-int",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    max-words: many\n",
        7,
        "rule \"mine/r1\": \"max-words\" must be a whole number of at least 1, not 'many'",
    ),
    (
        "max-words-zero",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    max-words: 0\n",
        7,
        'rule "mine/r1": "max-words" must be a whole number of at least 1, not 0',
    ),
    (
        "min-words-above-max-words",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    max-words: 3\n    min-words: 5\n",
        8,
        'rule "mine/r1": "min-words" is larger than "max-words"',
    ),
    (
        "replace-without-action-replace",
        HEAD + "  - id: r1\n    action: strip\n    pattern: x\n    replace: y\n",
        7,
        'rule "mine/r1": "replace" is only allowed with "action: replace"',
    ),
    (
        "action-replace-without-replace",
        HEAD + "  - id: r1\n    action: replace\n    pattern: x\n",
        4,
        'rule "mine/r1": missing key "replace"',
    ),
    (
        "duplicate-rule-id",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n  - id: r1\n    action: strip\n    pattern: y\n",
        7,
        'rule "mine/r1": duplicate id (first defined on line 4)',
    ),
    (
        "duplicate-key",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    pattern: y\n",
        7,
        'rule "mine/r1": duplicate key "pattern"',
    ),
    (
        "bad-rule-id",
        HEAD + "  - id: Big Rule\n    action: drop-line\n    pattern: x\n",
        4,
        "pack \"mine\": rule id 'Big Rule' must be lowercase letters, digits, '-' or '_'",
    ),
    (
        "rule-without-id",
        HEAD + "  - action: drop-line\n    pattern: x\n",
        4,
        'pack "mine": rule without an "id"',
    ),
    (
        "bad-example",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    examples:\n      keep: [{text: a}]\n",
        8,
        'rule "mine/r1": each "keep" example must be a string',
    ),
    (
        "unknown-example-kind",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    examples:\n      removes: [x]\n",
        8,
        'rule "mine/r1": examples: unknown key "removes" (did you mean "remove"?)',
    ),
    (
        "invalid-yaml",
        HEAD + "  - id: r1\n    action: [drop-line\n",
        6,
        # libyaml's wording (PyYAML's wheels carry it; the pure-Python parser says it differently)
        "invalid YAML: did not find expected ',' or ']'"
        if yaml.__with_libyaml__
        else "invalid YAML: expected ',' or ']', but got '<stream end>'",
    ),
    (
        "unsafe-tag",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: !!python/name:os.system x\n",
        6,
        "invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system'",
    ),
    (
        "unknown-tag-in-example",
        HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n    examples:\n      keep: [!keep a]\n",
        8,
        "invalid YAML: could not determine a constructor for the tag '!keep'",
    ),
    (
        "non-mapping-pack",
        "- pack: mine\n- rules: []\n",
        1,
        "a rule pack must be a mapping with pack, description and rules",
    ),
    (
        "scalar-pack",
        "just some text\n",
        1,
        "a rule pack must be a mapping with pack, description and rules",
    ),
    ("empty-file", "", 1, "the rule file is empty"),
    ("missing-rules", "pack: mine\ndescription: x\n", 1, 'pack "mine": missing key "rules"'),
    ("rules-not-a-list", "pack: mine\nrules: {a: 1}\n", 2, 'pack "mine": "rules" must be a list of rules'),
    (
        "bad-pack-name",
        "pack: My Pack\nrules: []\n",
        1,
        "pack name 'My Pack' must be lowercase letters, digits, '-' or '_'",
    ),
    (
        "unknown-pack-key",
        "pack: mine\nrule: []\n",
        2,
        'pack: unknown key "rule" (did you mean "rules"?)',
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), [pytest.param(*case[1:], id=case[0]) for case in ERRORS])
def test_rule_file_error_is_pinned(tmp_path, text, line, message):
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_pack(path)
    assert str(info.value) == f"{path}:{line}: {message}"
    assert "\n" not in str(info.value)


def test_parse_pack_names_its_source():
    with pytest.raises(RuleError) as info:
        parse_pack(HEAD + "  - id: r1\n    action: delete\n    pattern: x\n", source="inline.yaml")
    assert str(info.value).startswith('inline.yaml:5: rule "mine/r1": invalid action')


def test_unreadable_rule_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"pack: caf\xe9\n")
    with pytest.raises(RuleError, match=r"latin1\.yaml: cannot read rule file"):
        load_pack(path)


def test_duplicate_rule_id_across_files(tmp_path):
    rule = HEAD + "  - id: r1\n    action: drop-line\n    pattern: x\n"
    (tmp_path / "a.yaml").write_text(rule, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(rule, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_packs([tmp_path], default_rules=False)
    assert str(info.value) == f'{tmp_path / "b.yaml"}:4: rule "mine/r1": duplicate id (also defined in {tmp_path / "a.yaml"}:4)'


def test_missing_rule_path(tmp_path):
    with pytest.raises(RuleError, match="no such rule file or folder"):
        load_packs([tmp_path / "nope.yaml"], default_rules=False)


def test_valid_pack_fills_defaults():
    pack = parse_pack(
        HEAD
        + """\
  - id: r1
    description: "  Drops ads.  "
    action: drop-line
    where: tail
    pattern: '^Ad$'
    flags: ignorecase
    examples:
      remove: ["Body.\\nAd"]
      keep: "Ad hoc meetings were held."
"""
    )
    (rule,) = pack.rules
    assert (rule.id, rule.description, rule.where.value, rule.region_size) == ("mine/r1", "Drops ads.", "tail", 25)
    assert rule.flags == ("ignorecase",)
    assert [e.text for e in rule.keep_examples] == ["Ad hoc meetings were held."]
    assert rule.line == 4


# --- select and ignore -------------------------------------------------------------------

PACKS = [
    parse_pack(
        "pack: alpha\nrules:\n"
        "  - {id: one, action: drop-line, pattern: x}\n"
        "  - {id: two, action: drop-line, pattern: y}\n"
    ),
    parse_pack("pack: beta\nrules:\n  - {id: one, action: drop-line, pattern: z}\n"),
]


def ids(**selectors) -> list[str]:
    return [rule.id for rule in choose_rules(PACKS, **selectors)]


def test_no_selector_keeps_every_rule_in_order():
    assert ids() == ["alpha/one", "alpha/two", "beta/one"]


def test_select_by_pack_and_by_full_id():
    assert ids(select=["beta"]) == ["beta/one"]
    assert ids(select=["alpha/two"]) == ["alpha/two"]
    assert ids(select=["beta", "alpha/one"]) == ["alpha/one", "beta/one"]


def test_ignore_by_pack_and_by_full_id():
    assert ids(ignore=["alpha"]) == ["beta/one"]
    assert ids(ignore=["alpha/one"]) == ["alpha/two", "beta/one"]


def test_ignore_applies_after_select():
    assert ids(select=["alpha"], ignore=["alpha/two"]) == ["alpha/one"]


@pytest.mark.parametrize("selectors", [{"select": ["gamma"]}, {"ignore": ["alpha/three"]}, {"select": ["one"]}])
def test_unknown_selector_is_an_error(selectors):
    (name,) = next(iter(selectors.values()))
    with pytest.raises(RuleError) as info:
        choose_rules(PACKS, **selectors)
    assert str(info.value) == f'no rule or pack named "{name}" (see: cleaner rules list)'
