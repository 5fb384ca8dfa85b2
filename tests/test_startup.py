"""Start-up and cached re-runs: what a short run imports and compiles, and the caches it reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest
import regex
import yaml

from cleaner import Cleaner, load_pack
from cleaner import cache as cache_module
from cleaner.cache import Cache, cache_dir, installed_versions, remember
from cleaner.files import Selection, iter_file_names
from cleaner.rules import _from_plain, _to_plain

HEAVY = ("yaml", "regex", "pickle", "hashlib", "pathspec", "trafilatura", "concurrent.futures") + (
    ("platformdirs",) if sys.platform.startswith("linux") else ()  # Linux: its cache folder is worked out directly
) + ("cleaner.linewise",)  # the reference engine, for tests and benchmarks
REPORT_MODULES = (
    "import sys, atexit; atexit.register(lambda: print(*sorted(m for m in {heavy!r} if m in sys.modules), "
    "file=sys.stderr)); from cleaner.cli import main; sys.argv = ['cleaner', 'clean', *{args!r}]; main()"
)


def modules_imported(args: list[str], cwd: Path, stdin: bytes = b"") -> list[str]:
    """The HEAVY modules a ``cleaner clean ARGS`` process imported (told on the last line of stderr)."""
    code = REPORT_MODULES.format(heavy=HEAVY, args=args)
    done = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, cwd=cwd, check=True)
    return done.stderr.decode().splitlines()[-1].split()


def test_a_cached_folder_rerun_imports_nothing_heavy(tmp_path):
    folder = tmp_path / "corpus"
    for i in range(3):
        (folder / f"{i}.txt").parent.mkdir(exist_ok=True)
        (folder / f"{i}.txt").write_text(f"Article {i}: the council met on Monday.\n", encoding="utf-8")
    modules_imported([str(folder)], tmp_path)  # fills the pack and file caches
    assert modules_imported([str(folder)], tmp_path) == []


def test_one_document_on_stdin_needs_neither_yaml_nor_pickle(tmp_path):
    line = b"date 2025-10-30 Flights to the base resumed on Friday, officials said.\n"
    modules_imported([], tmp_path, line)  # fills the pack cache
    assert modules_imported([], tmp_path, line) == ["regex"]


def test_a_pattern_compiles_only_for_a_line_that_may_match():
    rule = next(r for r in Cleaner(select=["prompts/share-this"]).rules)
    assert rule.literals  # the stand-in needs them
    assert rule.compiled.search("The council met on Monday.") is None
    assert not isinstance(rule.__dict__["compiled"], regex.Pattern)  # still not compiled
    assert rule.compiled.search("Share this article") is not None
    assert isinstance(rule.__dict__["compiled"], regex.Pattern)  # compiled, and kept on the rule


def test_a_pack_comes_back_from_the_cache_as_it_was_validated(cache_dir):
    first = load_pack(Path(__file__).parent.parent / "rules" / "prompts.yaml")
    again = load_pack(Path(__file__).parent.parent / "rules" / "prompts.yaml")
    assert list((cache_dir / "packs").iterdir())
    assert again == first
    assert [r.literals for r in again.rules] == [r.literals for r in first.rules]
    assert _from_plain(_to_plain(first)) == first


def test_a_cache_kind_keeps_only_its_newest_files(cache_dir, monkeypatch):
    monkeypatch.setitem(cache_module.KEEP, "packs", 3)
    built = []
    for number in range(6):
        remember("packs", ("pack", number), lambda n=number: built.append(n) or n)
        for age, path in enumerate(sorted((cache_dir / "packs").iterdir(), key=os.path.getmtime)):
            os.utime(path, ns=(1_000_000_000 * age, 1_000_000_000 * age))  # in writing order, all in the past
    assert len(list((cache_dir / "packs").iterdir())) == 3
    assert [remember("packs", ("pack", n), lambda: "built again") for n in (5, 4, 3)] == [5, 4, 3]
    assert remember("packs", ("pack", 0), lambda: "built again") == "built again"  # the oldest went
    assert built == list(range(6))


def test_the_pack_cache_key_uses_the_installed_versions():
    assert installed_versions("regex", "yaml") == (f"regex=={regex.__version__}", f"yaml=={yaml.__version__}")


def test_a_file_cache_written_under_another_key_is_not_read(cache_dir, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("clean\n", encoding="utf-8")
    info = path.stat()
    cache = Cache.load(("files", "rules A"))
    cache.mark_clean(path, (info.st_size, info.st_mtime_ns))
    cache.save()
    assert Cache.load(("files", "rules A")).is_clean(path)
    assert not Cache.load(("files", "rules B")).is_clean(path)
    for stored in cache_dir.iterdir():  # a damaged file is an empty cache
        stored.write_bytes(b"\x00garbage")
    assert not Cache.load(("files", "rules A")).is_clean(path)


def test_the_walk_gives_absolute_paths_as_abspath_does(tmp_path, monkeypatch):
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    for name in ("corpus/a.txt", "corpus/sub/b.txt"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    found = list(iter_file_names([Path("corpus"), Path("./corpus/sub/../a.txt")], Selection(), root=tmp_path))
    assert found == [(name, os.path.abspath(name)) for name, _ in found]
    assert [name for name, _ in found] == ["corpus/a.txt", "corpus/sub/b.txt"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the folder is worked out directly on Linux only")
@pytest.mark.parametrize("xdg", [None, "/srv/cache", "relative/path", ""])
def test_the_cache_folder_is_the_one_platformdirs_gives(monkeypatch, xdg):
    monkeypatch.delenv("CLEANER_CACHE_DIR", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache_dir() == Path(platformdirs.user_cache_dir("cleaner", appauthor=False))
