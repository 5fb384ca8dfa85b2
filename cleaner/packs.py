"""Find rule packs (shipped or the user's) and choose rules with select/ignore."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import RuleError
from .rules import Rule, RulePack, load_pack

PACK_SUFFIXES = (".yaml", ".yml")


def default_rules_dir() -> Path:
    """The folder of shipped packs: inside the installed package, or ``rules/`` of a checkout."""
    installed = Path(__file__).resolve().parent / "rules"  # where the wheel puts the top-level rules/
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent / "rules"
    if checkout.is_dir():
        return checkout
    raise RuleError(f"the shipped rule packs are missing (looked in {installed} and {checkout})")


def pack_files(path: str | Path) -> list[Path]:
    """The pack files at ``path``: the file itself, or the YAML files of a folder, sorted."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file())
    if not path.exists():
        raise RuleError(f"{path}: no such rule file or folder")
    return [path]


def load_packs(
    paths: Iterable[str | Path] = (), *, default_rules: bool = True, cache: bool = True
) -> list[RulePack]:
    """Load the shipped packs (unless ``default_rules`` is false), then those at ``paths``.

    ``cache=False`` validates every file afresh and writes nothing to the cache folder.
    """
    files: list[Path] = []
    if default_rules:
        files.extend(pack_files(default_rules_dir()))
    for path in paths:
        files.extend(pack_files(path))
    packs = [load_pack(f, cache=cache) for f in files]
    seen: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in seen:
                raise RuleError(
                    f'{rule.source}:{rule.line}: rule "{rule.id}": duplicate id (also defined in {seen[rule.id]})'
                )
            seen[rule.id] = f"{rule.source}:{rule.line}"
    return packs


def choose_rules(
    packs: Sequence[RulePack], *, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> tuple[Rule, ...]:
    """The rules of ``packs`` filtered like ruff: ``select`` keeps, ``ignore`` then drops.

    Each selector is a pack name (``appeals``) or a full rule id (``appeals/donate-now``).
    A selector that names nothing is an error, so a typo never silently disables a filter.
    """
    rules = [rule for pack in packs for rule in pack.rules]
    names = {pack.name for pack in packs} | {rule.id for rule in rules}
    select, ignore = list(select), list(ignore)
    for selector in select + ignore:
        if selector not in names:
            raise RuleError(f'no rule or pack named "{selector}" (see: cleaner rules list)')
    if select:
        rules = [r for r in rules if r.pack in select or r.id in select]
    return tuple(r for r in rules if r.pack not in ignore and r.id not in ignore)
