"""Validating the YAML of a rule pack: a closed set of keys, defaults filled in, one error type.

Kept apart from :mod:`cleaner.rules` because it needs PyYAML and compiles every
pattern: a run whose packs are in the cache never imports it (nor yaml).
Follows yamllint's habit: each :class:`RuleError` names the file, the line and the rule.
"""

from __future__ import annotations

import difflib
from typing import Any

import regex
import yaml

from .errors import RuleError
from .rules import FLAG_NAMES, Action, Example, Rule, RulePack, Where, flag_value

PACK_KEYS = ("pack", "description", "rules")
RULE_KEYS = (
    "id",
    "description",
    "action",
    "pattern",
    "where",
    "within",
    "flags",
    "max-words",
    "min-words",
    "unless",
    "confirm",
    "replace",
    "examples",
)
EXAMPLE_KEYS = ("remove", "keep")
NAME_PATTERN = regex.compile(r"[a-z0-9][a-z0-9_-]*")


def parse_pack(text: str, *, source: str = "<string>") -> RulePack:
    """Validate the YAML text of a pack; ``source`` names it in error messages."""
    node = _compose(text, source)
    if not isinstance(node, yaml.MappingNode):
        raise RuleError(f"{source}:{_line(node)}: a rule pack must be a mapping with pack, description and rules")
    loader = _Reader(source)
    top = loader.mapping(node, PACK_KEYS, where="pack")
    pack_name = _require(top, "pack", source, _line(node), "pack")
    name = loader.value(pack_name)
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise RuleError(
            f"{source}:{_line(pack_name)}: pack name {name!r} must be lowercase letters, digits, '-' or '_'"
        )
    description = _optional_str(loader, top, "description", source, f'pack "{name}"')
    rules_node = top.get("rules")
    if rules_node is None:
        raise RuleError(f'{source}:{_line(node)}: pack "{name}": missing key "rules"')
    if not isinstance(rules_node, yaml.SequenceNode):
        raise RuleError(f'{source}:{_line(rules_node)}: pack "{name}": "rules" must be a list of rules')
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for rule_node in rules_node.value:
        rule = _parse_rule(loader, rule_node, name, source)
        if rule.name in seen:
            raise RuleError(
                f'{source}:{rule.line}: rule "{rule.id}": duplicate id (first defined on line {seen[rule.name]})'
            )
        seen[rule.name] = rule.line
        rules.append(rule)
    return RulePack(name=name, description=description, rules=tuple(rules), source=source)


def _parse_rule(loader: _Reader, node: yaml.Node, pack: str, source: str) -> Rule:
    start = _line(node)
    if not isinstance(node, yaml.MappingNode):
        raise RuleError(f'{source}:{start}: pack "{pack}": each rule must be a mapping')
    id_node = next((v for k, v in node.value if k.value == "id"), None)
    if id_node is None:
        raise RuleError(f'{source}:{start}: pack "{pack}": rule without an "id"')
    name = loader.value(id_node)
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise RuleError(
            f"{source}:{_line(id_node)}: pack \"{pack}\": rule id {name!r} must be lowercase letters, digits, '-' or '_'"
        )
    rid = f"{pack}/{name}"
    where = f'rule "{rid}"'
    keys = loader.mapping(node, RULE_KEYS, where=where)

    def fail(key: str, problem: str) -> RuleError:
        line = _line(keys[key]) if key in keys else start
        return RuleError(f"{source}:{line}: {where}: {problem}")

    action_node = _require(keys, "action", source, start, where)
    action_value = loader.value(action_node)
    try:
        action = Action(action_value)
    except ValueError:
        choices = ", ".join(a.value for a in Action)
        raise fail("action", f"invalid action {action_value!r}: expected one of {choices}") from None

    where_value = loader.value(keys["where"]) if "where" in keys else "anywhere"
    try:
        region = Where(where_value)
    except ValueError:
        choices = ", ".join(w.value for w in Where)
        raise fail("where", f"invalid where {where_value!r}: expected one of {choices}") from None

    flags_value = loader.value(keys["flags"]) if "flags" in keys else []
    if isinstance(flags_value, str):
        flags_value = [flags_value]
    if not isinstance(flags_value, list) or not all(isinstance(f, str) for f in flags_value):
        raise fail("flags", "flags must be a list of names")
    for flag in flags_value:
        if flag not in FLAG_NAMES:
            raise fail("flags", f"unknown flag {flag!r}: expected some of {', '.join(FLAG_NAMES)}")
    regex_flags = flag_value(flags_value)

    patterns: dict[str, str | None] = {}
    for key in ("pattern", "unless", "confirm"):
        if key == "pattern":
            _require(keys, key, source, start, where)
        if key not in keys:
            patterns[key] = None
            continue
        text = loader.value(keys[key])
        if not isinstance(text, str) or not text:
            raise fail(key, f'"{key}" must be a non-empty string')
        try:
            regex.compile(text, regex_flags)
        except regex.error as exc:
            raise fail(key, f"invalid {key}: {exc}") from None
        patterns[key] = text

    numbers: dict[str, int | None] = {}
    for key in ("within", "max-words", "min-words"):
        value = loader.value(keys[key]) if key in keys else None
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise fail(key, f'"{key}" must be a whole number of at least 1, not {value!r}')
        numbers[key] = value
    if numbers["within"] is not None and region is Where.ANYWHERE:
        raise fail("within", '"within" needs "where: head" or "where: tail"')
    if numbers["max-words"] and numbers["min-words"] and numbers["min-words"] > numbers["max-words"]:
        raise fail("min-words", '"min-words" is larger than "max-words"')

    replace = None
    if action is Action.REPLACE:
        replace_node = _require(keys, "replace", source, start, where)
        replace = loader.value(replace_node)
        if not isinstance(replace, str):
            raise fail("replace", '"replace" must be a string')
    elif "replace" in keys:
        raise fail("replace", '"replace" is only allowed with "action: replace"')

    remove, keep = _parse_examples(loader, keys.get("examples"), fail, where)
    return Rule(
        pack=pack,
        name=name,
        action=action,
        pattern=patterns["pattern"] or "",
        description=_optional_str(loader, keys, "description", source, where),
        where=region,
        within=numbers["within"],
        flags=tuple(flags_value),
        max_words=numbers["max-words"],
        min_words=numbers["min-words"],
        unless=patterns["unless"],
        confirm=patterns["confirm"],
        replace=replace,
        remove_examples=remove,
        keep_examples=keep,
        source=source,
        line=start,
    )


def _parse_examples(loader, node, fail, where) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    if node is None:
        return (), ()
    if not isinstance(node, yaml.MappingNode):
        raise fail("examples", '"examples" must be a mapping with "remove" and "keep" lists')
    keys = loader.mapping(node, EXAMPLE_KEYS, where=f"{where}: examples")
    out: dict[str, tuple[Example, ...]] = {}
    for kind in EXAMPLE_KEYS:
        items = loader.value(keys[kind]) if kind in keys else []
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            raise fail("examples", f'examples "{kind}" must be a list')
        examples = []
        for item in items:
            if isinstance(item, str):
                examples.append(Example(item))
            elif kind == "remove" and isinstance(item, dict) and set(item) == {"text", "result"} \
                    and all(isinstance(v, str) for v in item.values()):
                examples.append(Example(item["text"], item["result"]))
            else:
                hint = 'a string or a mapping {text: ..., result: ...}' if kind == "remove" else "a string"
                raise fail("examples", f'each "{kind}" example must be {hint}')
        out[kind] = tuple(examples)
    return out["remove"], out["keep"]


class _Reader:
    """Turns YAML nodes into Python values while keeping their line numbers."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._constructor = yaml.SafeLoader("")

    def value(self, node: yaml.Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:  # an unknown tag such as !!python/name:...
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else _line(node)
            raise RuleError(f"{self.source}:{line}: invalid YAML: {exc.problem or exc.context}") from None

    def mapping(self, node: yaml.MappingNode, allowed: tuple[str, ...], *, where: str) -> dict[str, yaml.Node]:
        """Key -> value node, rejecting unknown and duplicate keys."""
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else f" (allowed: {', '.join(allowed)})"
                raise RuleError(f'{self.source}:{_line(key_node)}: {where}: unknown key "{key}"{hint}')
            if key in out:
                raise RuleError(f'{self.source}:{_line(key_node)}: {where}: duplicate key "{key}"')
            out[key] = value_node
        return out


def _compose(text: str, source: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise RuleError(f"{source}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{source}:1: invalid YAML: {exc}") from None
    if node is None:
        raise RuleError(f"{source}:1: the rule file is empty")
    return node


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _require(keys: dict[str, yaml.Node], key: str, source: str, line: int, where: str) -> yaml.Node:
    if key not in keys:
        raise RuleError(f'{source}:{line}: {where}: missing key "{key}"')
    return keys[key]


def _optional_str(loader: _Reader, keys: dict[str, yaml.Node], key: str, source: str, where: str) -> str:
    if key not in keys:
        return ""
    value = loader.value(keys[key])
    if not isinstance(value, str):
        raise RuleError(f'{source}:{_line(keys[key])}: {where}: "{key}" must be a string')
    return value.strip()
