"""Which files a run cleans: folders walked recursively, excludes and .gitignore honoured.

Modelled on black's ``gen_python_files``: paths named on the command line are
always taken (unless excluded); inside folders only files that match the
include globs are, and version-control and tool folders are skipped.
"""

from __future__ import annotations

import fnmatch
import operator
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

DEFAULT_INCLUDE = ("*.txt", "*.jsonl", "*.jsonl.gz")
HTML_SUFFIXES = (".html", ".htm")
SKIPPED_FOLDERS = frozenset(
    {".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
     ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", ".pre-commit-cache", "_build", "buck-out"}
)
TEMP_SUFFIX = ".cleaner-tmp"


@dataclass(frozen=True)
class Selection:
    """The rules that pick files: include globs, an exclude regex, .gitignore."""

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: str | None = None
    gitignore: bool = True
    html: bool = False  # .html/.htm files too (only when writing to an output folder)
    remove_stray: bool = True  # delete temporary files a killed run left (not in read-only modes)

    def included(self, name: str) -> bool:
        if self.html and name.lower().endswith(HTML_SUFFIXES):
            return True
        return self._include_pattern.match(os.path.normcase(name)) is not None

    def name_filter(self):
        """:meth:`included` as the cheapest callable that answers it (it runs once per file walked)."""
        if self.html or os.path.normcase("A") != "A":
            return self.included
        return self._include_pattern.match  # a match object is true, None false

    @cached_property
    def _include_pattern(self):
        """The include globs as one compiled pattern (fnmatch's own translation, case as the OS has it)."""
        return re.compile("|".join(fnmatch.translate(os.path.normcase(glob)) for glob in self.include) or "(?!)")


def kind_of(path: Path) -> str:
    """``jsonl``, ``html`` or ``text``, from the file name."""
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        return "jsonl"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    return "text"


def find_root(paths: Iterable[Path]) -> Path:
    """The nearest folder above all ``paths`` holding .git, .hg or pyproject.toml (else the filesystem root)."""
    resolved = [Path(os.path.abspath(p)) for p in paths] or [Path.cwd()]
    common = Path(os.path.commonpath([str(p) for p in resolved]))
    if common.is_file():
        common = common.parent
    for folder in (common, *common.parents):
        if any((folder / marker).exists() for marker in (".git", ".hg", "pyproject.toml")):
            return folder
    return common


def iter_files(paths: Iterable[Path], selection: Selection, *, root: Path) -> Iterator[Path]:
    """Every file to clean under ``paths``, each once, in a stable order.

    Stray temporary files left by a killed run are removed on the way.
    """
    for name, _ in iter_file_names(paths, selection, root=root):
        yield Path(name)


def iter_file_names(paths: Iterable[Path], selection: Selection, *, root: Path) -> Iterator[tuple[str, str]]:
    """(path, absolute path) of every file :func:`iter_files` gives, as strings.

    Strings because a folder of many files is walked faster without a Path per
    file, and the absolute path is what the cache looks files up by.
    """
    if selection.exclude:
        import regex  # the exclude option's syntax; imported only when one is given

        exclude = regex.compile(selection.exclude)
    else:
        exclude = None
    ignored = _gitignore(root) if selection.gitignore else None
    excluded = _Excluder(str(root), exclude, ignored)
    seen: set[str] = set()
    for path in paths:
        given, absolute = str(path), os.path.abspath(path)
        if path.is_dir():
            candidates = _walk(given, selection, excluded)
        elif excluded(given, is_dir=False):
            continue
        else:
            candidates = iter([(given, path.is_symlink())])
        for name, is_link in candidates:
            # string work for plain files (the walk's paths all start with the folder given);
            # only a symlink is resolved, to take its target once
            full = absolute + name[len(given) :]
            key = os.path.realpath(name) if is_link else full
            if key not in seen:
                seen.add(key)
                yield name, full


def _walk(folder: str, selection: Selection, excluded: _Excluder) -> Iterator[tuple[str, bool]]:
    """(path, is a symlink) of the files to clean below ``folder``, files of a folder before its
    subfolders, by name; symlinked folders are not followed (as os.walk does)."""
    included = selection.name_filter()
    remove_stray = selection.remove_stray
    check = excluded.active
    by_name = operator.attrgetter("name")
    pending = [folder]
    while pending:
        try:
            with os.scandir(pending.pop()) as listing:
                entries = sorted(listing, key=by_name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in SKIPPED_FOLDERS and not (check and excluded(entry.path, is_dir=True)):
                        subfolders.append(entry.path)
                    continue
                if not entry.is_file():
                    continue
            except OSError:
                continue
            if name[0] == "." and name.endswith(TEMP_SUFFIX):
                if remove_stray:
                    _remove_stray(Path(entry.path))
                continue
            if included(name) and not (check and excluded(entry.path, is_dir=False)):
                yield entry.path, entry.is_symlink()
        pending.extend(reversed(subfolders))  # depth first, the first subfolder next


class _Excluder:
    """Whether a path is excluded by the --exclude pattern or .gitignore (both relative to the root)."""

    def __init__(self, root: str, exclude, ignored) -> None:
        self.root = root
        self.exclude = exclude
        self.ignored = ignored
        self.active = exclude is not None or ignored is not None

    def __call__(self, path: str, *, is_dir: bool) -> bool:
        if not self.active:
            return False
        relative = _relative(path, self.root)
        if self.exclude is not None and self.exclude.search("/" + relative + ("/" if is_dir else "")):
            return True
        return self.ignored is not None and self.ignored.match_file(relative + ("/" if is_dir else ""))


def _relative(path: str, root: str) -> str:
    """``path`` relative to ``root``, with forward slashes (as given when it is outside the root)."""
    relative = os.path.relpath(os.path.abspath(path), root)
    if relative.startswith(".."):
        return Path(path).as_posix()
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


def _gitignore(root: Path):
    """The root's .gitignore as a pathspec matcher, or None when there is none."""
    gitignore = root / ".gitignore"
    if not gitignore.is_file():
        return None
    import pathspec

    lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _remove_stray(path: Path) -> None:
    """A temporary file from a run that was killed before it could rename it."""
    try:
        path.unlink()
    except OSError:
        pass
