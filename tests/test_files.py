"""File mode: ``cleaner clean PATH...`` in place, --check, --diff, -o, folders, JSONL files,
the cache, [tool.cleaner], and runs killed half-way (real processes).

Every test uses a small user pack (``--no-default-rules --rules PACK``), so the shipped
rules can change without touching these tests.
"""

from __future__ import annotations

import difflib
import gzip
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.pipeline import Run
from cleaner.report import Report

from conftest import HTML, invoke

PACK = r"""
pack: mine
description: Test boilerplate.
rules:
  - id: share
    description: A share prompt on a line of its own.
    action: drop-line
    pattern: '^Share this article$'
  - id: appeal
    description: An appeal block that opens with "A Message from The X:"; drops it and all after it.
    action: cut-tail
    pattern: '^A Message from The [\w .&-]{2,60}:\s*$'
"""

INTRO = "The council voted on Monday to keep the old bridge open for cyclists and walkers alike.\n"
MIDDLE = "Residents had asked for the bridge to stay open all year, and the vote was close.\n"
OUTRO = "The works will start in spring and should be finished before the summer holidays.\n"
APPEAL = "A Message from The Daily Planet:\nDear readers,\nPlease support our work.\n"
DIRTY = INTRO + "Share this article\n" + MIDDLE + OUTRO + APPEAL
CLEAN = INTRO + MIDDLE + OUTRO
OLD = 1_000_000_000 * 10**9  # an mtime (ns) no write made by a test can produce
BOM = b"\xef\xbb\xbf"
SHARE_KEPT = INTRO + "Share this article\n" + MIDDLE + OUTRO  # cleaned with mine/share ignored


@pytest.fixture
def pack(tmp_path: Path) -> str:
    path = tmp_path / "packs" / "mine.yaml"
    path.parent.mkdir()
    path.write_text(PACK, encoding="utf-8")
    return str(path)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root (it has a .git folder), so .gitignore and -o mirror relative to it."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    return root


def write(path: Path, data: str | bytes, *, mtime_ns: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def clean(pack: str, *args: str | Path, exit_code: int = 0):
    """``cleaner clean --no-default-rules --rules PACK ARGS`` in-process."""
    return invoke(["clean", "--no-default-rules", "--rules", pack, *map(str, args)], exit_code=exit_code)


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.cleaner-tmp"))


# --- in place --------------------------------------------------------------------------------


def test_in_place_rewrites_only_the_changed_file(project, pack):
    dirty = write(project / "corpus" / "dirty.txt", DIRTY, mtime_ns=OLD)
    tidy = write(project / "corpus" / "tidy.txt", CLEAN, mtime_ns=OLD)
    result = clean(pack, project / "corpus")
    assert dirty.read_bytes() == CLEAN.encode()
    assert dirty.stat().st_mtime_ns != OLD
    assert tidy.read_bytes() == CLEAN.encode()
    assert tidy.stat().st_mtime_ns == OLD  # not rewritten
    assert result.stderr == f"cleaned {dirty}\n1 file cleaned, 1 left unchanged\n"
    assert result.stdout == ""
    assert temp_files(project) == []


def test_in_place_summary_counts(project, pack):
    for i in range(3):
        write(project / f"dirty{i}.txt", DIRTY)
    for i in range(1204):
        write(project / "clean" / f"{i}.txt", CLEAN)
    result = clean(pack, project, "-q")
    assert result.stderr == ""
    for i in range(3):
        write(project / f"dirty{i}.txt", DIRTY)
    result = clean(pack, project, "--no-cache")
    assert result.stderr.splitlines()[-1] == "3 files cleaned, 1,204 left unchanged"


def test_second_run_changes_nothing(project, pack):
    write(project / "a.txt", DIRTY)
    clean(pack, project)
    assert clean(pack, project).stderr == "1 file left unchanged\n"
    assert clean(pack, project, "--no-cache").stderr == "1 file left unchanged\n"


def test_under_pre_commit_changed_files_are_named_as_fixers_do(project, pack, monkeypatch):
    monkeypatch.setenv("PRE_COMMIT", "1")
    dirty = write(project / "dirty.txt", DIRTY)
    write(project / "tidy.txt", CLEAN)
    result = clean(pack, dirty, project / "tidy.txt")
    assert result.stderr == f"Fixing {dirty}\n1 file cleaned, 1 left unchanged\n"


def test_symlinks_stay_links(project, pack):
    target = write(project / "corpus" / "b.txt", DIRTY)
    link = project / "corpus" / "a-link.txt"  # walked before its target
    link.symlink_to("b.txt")
    result = clean(pack, project / "corpus")
    assert result.stderr.splitlines()[-1] == "1 file cleaned"
    assert link.is_symlink() and os.readlink(link) == "b.txt"
    assert target.read_bytes() == CLEAN.encode()
    assert temp_files(project) == []


def test_quiet_prints_nothing(project, pack):
    dirty = write(project / "dirty.txt", DIRTY)
    write(project / "tidy.txt", CLEAN)
    result = clean(pack, "-q", project)
    assert (result.stdout, result.stderr) == ("", "")
    assert dirty.read_bytes() == CLEAN.encode()


# --- byte fidelity: one table, run through the document pipeline and through the CLI ---------

TESTS = [
    # (id, before, after)
    ("lf", DIRTY.encode(), CLEAN.encode()),
    ("crlf", crlf(DIRTY), crlf(CLEAN)),
    (
        "crlf-bom-no-final-newline",
        BOM + crlf(INTRO + "Share this article\n" + MIDDLE + OUTRO).removesuffix(b"\r\n"),
        BOM + crlf(INTRO + MIDDLE + OUTRO).removesuffix(b"\r\n"),
    ),
    (
        "bom-lf-appeal-no-final-newline",
        BOM + (CLEAN + APPEAL).rstrip("\n").encode(),
        BOM + CLEAN.rstrip("\n").encode(),
    ),
    (
        "mixed-endings",
        (INTRO.rstrip("\n") + "\r\nShare this article\n" + MIDDLE + OUTRO.rstrip("\n") + "\r\n").encode(),
        (INTRO.rstrip("\n") + "\r\n" + MIDDLE + OUTRO.rstrip("\n") + "\r\n").encode(),
    ),
    (
        "mixed-endings-crlf-boilerplate",
        (INTRO + "Share this article\r\n" + MIDDLE.rstrip("\n") + "\r\n" + OUTRO).encode(),
        (INTRO + MIDDLE.rstrip("\n") + "\r\n" + OUTRO).encode(),
    ),
    (
        "non-ascii",
        ("Café Ünïcode — “quotes”.\n" + "Share this article\n" + MIDDLE).encode(),
        ("Café Ünïcode — “quotes”.\n" + MIDDLE).encode(),
    ),
    ("unchanged-odd-whitespace", b"Nothing to remove.\r\n\r\n\r\nStill nothing  \nno final newline", None),
    ("unchanged-bom-crlf", BOM + crlf(CLEAN), None),
    ("empty", b"", None),
]
IDS = [t[0] for t in TESTS]


@pytest.mark.parametrize(("name", "before", "after"), TESTS, ids=IDS)
def test_document_bytes(pack, name, before, after):
    run = Run(Cleaner(default_rules=False, rules=[pack]), Report(), say=pytest.fail)
    assert run.clean_document(before, name) == (before if after is None else after)


@pytest.mark.parametrize(("name", "before", "after"), TESTS, ids=IDS)
def test_file_bytes(project, pack, name, before, after):
    path = write(project / f"{name}.txt", before, mtime_ns=OLD)
    clean(pack, "--check", path, exit_code=0 if after is None else 1)
    assert path.read_bytes() == before
    clean(pack, path)
    assert path.read_bytes() == (before if after is None else after)
    assert (path.stat().st_mtime_ns == OLD) == (after is None)


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o755, 0o604])
def test_permission_bits_are_kept(project, pack, mode):
    path = write(project / "a.txt", DIRTY)
    path.chmod(mode)
    clean(pack, path)
    assert path.read_bytes() == CLEAN.encode()
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_read_only_file_is_named_and_left_untouched(project, pack):
    locked = write(project / "locked.txt", DIRTY, mtime_ns=OLD)
    locked.chmod(0o444)
    other = write(project / "other.txt", DIRTY)
    result = clean(pack, project, exit_code=3)
    assert locked.read_bytes() == DIRTY.encode()
    assert locked.stat().st_mtime_ns == OLD
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert other.read_bytes() == CLEAN.encode()
    assert result.stderr.splitlines() == [
        f"error: {locked}: read-only file, left untouched",
        f"cleaned {other}",
        "1 file cleaned, 1 failed",
    ]
    assert temp_files(project) == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"Some text\x00\x01\x02 and then binary\n", "binary data (NUL bytes), not text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary data (NUL bytes), not text"),
        ("First line.\nCafé in Latin-1.\n".encode("latin-1"), ":2: not valid UTF-8 (byte 0xe9 at offset 15)"),
    ],
    ids=["nul", "png", "latin-1"],
)
def test_unreadable_file_is_named_and_the_rest_goes_on(project, pack, data, problem):
    bad = write(project / "corpus" / "b-bad.txt", data, mtime_ns=OLD)
    first = write(project / "corpus" / "a.txt", DIRTY)
    last = write(project / "corpus" / "c.txt", DIRTY)
    result = clean(pack, project / "corpus", exit_code=3)
    assert bad.read_bytes() == data
    assert bad.stat().st_mtime_ns == OLD
    assert first.read_bytes() == last.read_bytes() == CLEAN.encode()
    sep = "" if problem.startswith(":") else ": "
    assert result.stderr.splitlines() == [
        f"cleaned {first}",
        f"error: {bad}{sep}{problem}",
        f"cleaned {last}",
        "2 files cleaned, 1 failed",
    ]
    # failures win over "would change" in --check too
    write(first, DIRTY)
    clean(pack, "--check", project / "corpus", exit_code=3)


# --- which files -----------------------------------------------------------------------------


@pytest.fixture
def tree(project: Path) -> Path:
    """A project whose every file carries boilerplate; which of them a run picks is the question."""
    records = json.dumps({"text": DIRTY}) + "\n"
    for name in [
        ".git/inside-git.txt",
        "corpus/a.txt",
        "corpus/sub/deep/b.txt",
        "corpus/notes.md",
        "corpus/page.html",
        "corpus/README",
        "corpus/.venv/v.txt",
        "corpus/venv/v.txt",
        "corpus/node_modules/n.txt",
        "corpus/sub/.git/g.txt",
        "corpus/__pycache__/p.txt",
        "corpus/drafts/d.txt",
        "corpus/sub/old.bak.txt",
        "corpus/skip/s.txt",
    ]:
        write(project / name, DIRTY)
    write(project / "corpus" / "sub" / "data.jsonl", records)
    write(project / "corpus" / "data.jsonl.gz", gzip.compress(records.encode()))
    write(project / ".gitignore", "drafts/\n*.bak.txt\n")
    return project


def would_clean(result, root: Path) -> set[str]:
    prefix = "would clean "
    return {
        Path(line[len(prefix) :]).relative_to(root).as_posix()
        for line in result.stderr.splitlines()
        if line.startswith(prefix)
    }


DEFAULT_PICK = {"corpus/a.txt", "corpus/sub/deep/b.txt", "corpus/sub/data.jsonl", "corpus/data.jsonl.gz", "corpus/skip/s.txt"}


@pytest.mark.parametrize(
    ("options", "picked"),
    [
        ([], DEFAULT_PICK),
        (["--include", "*.md"], {"corpus/notes.md"}),
        (["--include", "*.md,*.txt"], {"corpus/notes.md", "corpus/a.txt", "corpus/sub/deep/b.txt", "corpus/skip/s.txt"}),
        (["--include", "README", "--include", "*.md"], {"corpus/notes.md", "corpus/README"}),
        (["--exclude", "/skip/"], DEFAULT_PICK - {"corpus/skip/s.txt"}),
        (["--exclude", r"^/corpus/sub/|\.gz$"], {"corpus/a.txt", "corpus/skip/s.txt"}),
        (["--exclude", r"b\.txt$"], DEFAULT_PICK - {"corpus/sub/deep/b.txt"}),
    ],
    ids=["default", "include-md", "include-two", "include-repeated", "exclude-folder", "exclude-alternatives", "exclude-file"],
)
def test_folders_are_walked_with_includes_and_excludes(tree, pack, options, picked):
    before = snapshot(tree)
    result = clean(pack, "--check", *options, tree / "corpus", exit_code=1)
    assert would_clean(result, tree) == picked
    assert snapshot(tree) == before


def test_tool_folders_and_gitignored_paths_are_skipped_from_the_project_root(tree, pack):
    result = clean(pack, "--check", tree, exit_code=1)
    assert would_clean(result, tree) == DEFAULT_PICK  # nothing from .git, .venv, venv, node_modules, drafts, *.bak.txt


def test_gitignore_needs_a_project_root(tmp_path, tree, pack):
    # without a root marker (.git, .hg, pyproject.toml) the folder's .gitignore is not the root's
    shutil.rmtree(tree / ".git")
    result = clean(pack, "--check", tree / "corpus", exit_code=1)
    assert {"corpus/drafts/d.txt", "corpus/sub/old.bak.txt"} <= would_clean(result, tree)
    (tree / "pyproject.toml").write_text("[project]\nname = 'corpus'\n")
    result = clean(pack, "--check", tree / "corpus", exit_code=1)
    assert would_clean(result, tree) == DEFAULT_PICK


def test_a_named_file_is_taken_even_if_not_included(tree, pack):
    result = clean(pack, "--check", tree / "corpus" / "notes.md", tree / "corpus" / "README", exit_code=1)
    assert would_clean(result, tree) == {"corpus/notes.md", "corpus/README"}


def test_a_file_named_twice_is_cleaned_once(project, pack):
    path = write(project / "corpus" / "a.txt", DIRTY)
    result = clean(pack, path, project / "corpus", project / "corpus" / ".." / "corpus" / "a.txt")
    assert result.stderr == f"cleaned {path}\n1 file cleaned\n"


def test_bad_exclude_regex_is_a_usage_error(project, pack):
    write(project / "a.txt", DIRTY)
    result = clean(pack, "--exclude", "(unclosed", project, exit_code=2)
    assert "--exclude" in result.stderr
    assert (project / "a.txt").read_text() == DIRTY


# --- --check, --diff, -o ---------------------------------------------------------------------


def test_check_writes_nothing_and_exits_1(project, pack):
    dirty = write(project / "corpus" / "dirty.txt", DIRTY, mtime_ns=OLD)
    tidy = write(project / "corpus" / "tidy.txt", CLEAN, mtime_ns=OLD)
    before = snapshot(project)
    result = clean(pack, "--check", project / "corpus", exit_code=1)
    assert result.stderr == f"would clean {dirty}\n1 file would be cleaned, 1 left unchanged\n"
    assert result.stdout == ""
    assert snapshot(project) == before
    assert dirty.stat().st_mtime_ns == tidy.stat().st_mtime_ns == OLD
    assert clean(pack, "--check", "-q", project / "corpus", exit_code=1).stderr == ""
    clean(pack, project / "corpus")
    result = clean(pack, "--check", project / "corpus", exit_code=0)
    assert result.stderr == "2 files left unchanged\n"


def test_diff_prints_a_unified_diff_and_writes_nothing(project, pack):
    dirty = write(project / "corpus" / "dirty.txt", DIRTY, mtime_ns=OLD)
    write(project / "corpus" / "tidy.txt", CLEAN)
    before = snapshot(project)
    result = clean(pack, "--diff", project / "corpus", exit_code=0)
    name = dirty.as_posix()  # an absolute path is named as it is, without git's a/ and b/
    expected = "".join(
        difflib.unified_diff(DIRTY.splitlines(keepends=True), CLEAN.splitlines(keepends=True), name, name)
    )
    assert result.stdout == expected
    removed = [line[1:] for line in expected.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == ["Share this article", *APPEAL.splitlines()]
    assert result.stderr == "1 file would be cleaned, 1 left unchanged\n"
    assert snapshot(project) == before
    assert dirty.stat().st_mtime_ns == OLD


def test_diff_on_a_clean_tree_prints_nothing(project, pack):
    write(project / "tidy.txt", CLEAN)
    result = clean(pack, "--diff", project)
    assert result.stdout == ""


def test_output_dir_mirrors_the_tree_and_leaves_originals(tmp_path, project, pack):
    dirty = write(project / "corpus" / "dirty.txt", DIRTY, mtime_ns=OLD)
    tidy = write(project / "corpus" / "sub" / "tidy.txt", crlf(CLEAN), mtime_ns=OLD)
    before = snapshot(project)
    out = tmp_path / "out"
    result = clean(pack, "-o", out, project / "corpus")
    assert snapshot(project) == before
    assert dirty.stat().st_mtime_ns == tidy.stat().st_mtime_ns == OLD
    assert snapshot(out) == {"corpus/dirty.txt": CLEAN.encode(), "corpus/sub/tidy.txt": crlf(CLEAN)}
    assert result.stderr == f"cleaned {dirty}\n1 file cleaned, 1 left unchanged\n"
    assert temp_files(out) == []


def test_html_is_read_only_with_output_dir(tmp_path, project, pack):
    pytest.importorskip("trafilatura")
    page = project / "corpus" / "page.html"
    page.parent.mkdir(parents=True)
    shutil.copy(HTML / "article.html", page)
    write(project / "corpus" / "a.txt", DIRTY)
    # in place and --check: folders skip .html, and a named .html file is an error
    result = clean(pack, "--check", project / "corpus", exit_code=1)
    assert would_clean(result, project) == {"corpus/a.txt"}
    result = clean(pack, page, exit_code=3)
    assert result.stderr.startswith(f"error: {page}: HTML files are only read with -o DIR")
    assert page.read_bytes() == (HTML / "article.html").read_bytes()
    # with -o the page's cleaned text is written as .txt
    out = tmp_path / "out"
    clean(pack, "-o", out, project / "corpus")
    assert sorted(snapshot(out)) == ["corpus/a.txt", "corpus/page.txt"]
    text = (out / "corpus" / "page.txt").read_text(encoding="utf-8")
    assert "Russia has resumed military flights to its Hmeimim air base" in text
    assert "<p>" not in text and "Privacy policy" not in text
    assert text.endswith("\n")
    assert page.read_bytes() == (HTML / "article.html").read_bytes()


@pytest.mark.parametrize("mode", ["--check", "--diff"])
def test_output_dir_with_check_or_diff_is_a_usage_error(tmp_path, project, pack, mode):
    write(project / "a.txt", DIRTY)
    result = clean(pack, "-o", tmp_path / "out", mode, project, exit_code=2)
    assert "-o/--output-dir cannot be combined with --check or --diff" in result.stderr
    assert not (tmp_path / "out").exists()
    assert (project / "a.txt").read_text() == DIRTY


# --- JSONL files -----------------------------------------------------------------------------

CHANGED_RECORD = (
    json.dumps({"id": 1, "text": DIRTY, "meta": {"b": 2, "a": [1, 2.5, None]}, "title": "Café"}, ensure_ascii=False)
    + "\n"
)
ODD_RECORD = '{"title":"Ünïcode \\u00e9",   "text": "Nothing to remove here.",  "n": 1.0}\n'
CRLF_RECORD = json.dumps({"text": DIRTY, "id": "x"}) + "\r\n"
JSONL = CHANGED_RECORD + ODD_RECORD + "\n" + CRLF_RECORD + ODD_RECORD


def read_jsonl_file(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


@pytest.mark.parametrize("name", ["data.jsonl", "data.jsonl.gz"])
def test_jsonl_files_are_cleaned_record_by_record(project, pack, name):
    raw = JSONL.encode("utf-8")
    path = write(project / "corpus" / name, gzip.compress(raw) if name.endswith(".gz") else raw)
    result = clean(pack, project / "corpus")
    assert result.stderr == f"cleaned {path}\n1 file cleaned\n"
    lines = read_jsonl_file(path).split(b"\n")  # gzip.decompress would raise on a broken file
    original = raw.split(b"\n")
    assert len(lines) == len(original) == 6
    first = json.loads(lines[0])
    assert list(first) == ["id", "text", "meta", "title"]
    assert first == {**json.loads(CHANGED_RECORD), "text": CLEAN}
    assert lines[1:3] == original[1:3]  # unchanged lines byte for byte, blank line included
    assert lines[3].endswith(b"\r") and json.loads(lines[3]) == {"text": CLEAN, "id": "x"}
    assert lines[4:] == original[4:]


@pytest.mark.parametrize("name", ["data.jsonl", "data.jsonl.gz"])
def test_unchanged_jsonl_file_is_not_rewritten(project, pack, name):
    raw = (ODD_RECORD * 3).encode()
    path = write(project / name, gzip.compress(raw) if name.endswith(".gz") else raw, mtime_ns=OLD)
    before = path.read_bytes()
    assert clean(pack, project).stderr == "1 file left unchanged\n"
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == OLD
    assert temp_files(project) == []


def test_jsonl_file_check_and_diff(project, pack):
    path = write(project / "data.jsonl", JSONL)
    clean(pack, "--check", project, exit_code=1)
    result = clean(pack, "--diff", project)
    assert result.stdout.startswith(f"--- {path.as_posix()}\n")
    assert path.read_bytes() == JSONL.encode("utf-8")


def test_jsonl_file_field(project, pack):
    path = write(project / "data.jsonl", json.dumps({"text": DIRTY, "body": DIRTY}) + "\n")
    clean(pack, "--field", "body", path)
    assert json.loads(path.read_text()) == {"text": DIRTY, "body": CLEAN}


def test_jsonl_file_with_a_bad_line_is_cleaned_and_reported(project, pack):
    bad = '{"text": "unterminated\n'
    path = write(project / "data.jsonl", CHANGED_RECORD + bad + ODD_RECORD)
    result = clean(pack, path, exit_code=3)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert json.loads(lines[0])["text"] == CLEAN
    assert lines[1:] == [bad, ODD_RECORD]
    assert f"error: {path}:2: invalid JSON" in result.stderr


# --- parallel --------------------------------------------------------------------------------


def make_tree(root: Path, count: int = 30) -> None:
    for i in range(count):
        folder = root / f"part{i % 3}"
        text = f"Paragraph {i}: " + INTRO + MIDDLE + OUTRO
        if i % 3 == 0:
            text += "Share this article\n" + (APPEAL if i % 2 else "")
        if i % 5 == 4:
            text = text.replace("\n", "\r\n")
        write(folder / f"{i:02d}.txt", text)
    write(root / "part1" / "zz-binary.txt", b"\x00\x01binary")


def test_a_folder_cleaned_by_workers_leaves_one_scanner_in_the_cache(tmp_path, pack, monkeypatch, cache_dir):
    """The parent compiles the Hyperscan database once the files are enough text (here: any), the
    workers take it from the cache; the run waits for it, so that the next run has it."""
    pytest.importorskip("hyperscan")
    from cleaner import prefilter

    monkeypatch.setattr(prefilter, "SCAN_AFTER", 10)
    monkeypatch.setattr(prefilter, "COMPILE_AFTER", 100)
    root = tmp_path / "corpus"
    (root / ".git").mkdir(parents=True)
    make_tree(root)
    clean(pack, "-j", "2", root, exit_code=3)
    assert len(list((cache_dir / "scanners").iterdir())) == 1


def test_jobs_2_gives_the_same_results_as_jobs_1(tmp_path, pack):
    results = {}
    for jobs in ("1", "2"):
        root = tmp_path / f"j{jobs}"
        (root / ".git").mkdir(parents=True)
        make_tree(root)
        result = clean(pack, "-j", jobs, root, exit_code=3)
        results[jobs] = (snapshot(root), result.stderr.replace(str(root), "ROOT"))
    assert results["1"] == results["2"]
    files, stderr = results["1"]
    assert not any(b"Share this article" in data for data in files.values())
    assert stderr.splitlines()[-1] == "10 files cleaned, 20 left unchanged, 1 failed"


# --- cache -----------------------------------------------------------------------------------

# Not boilerplate (the pattern is case-sensitive), and exactly as long as the line that is.
LOOKALIKE = INTRO + "Share this ARTICLE\n" + MIDDLE
SAME_SIZE = INTRO + "Share this article\n" + MIDDLE


def swap_keeping_size_and_mtime(path: Path, text: str) -> None:
    """Change the content behind the cache's back: same size, same mtime."""
    info = path.stat()
    data = text.encode()
    assert len(data) == info.st_size
    path.write_bytes(data)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_cache_skips_files_known_to_be_clean(project, pack, cache_dir):
    path = write(project / "a.txt", LOOKALIKE)
    assert clean(pack, project).stderr == "1 file left unchanged\n"
    assert list(cache_dir.iterdir())  # the cache was written where CLEANER_CACHE_DIR says
    swap_keeping_size_and_mtime(path, SAME_SIZE)
    # the cache says clean: skipped, so the boilerplate survives (proof that the file was not read)
    assert clean(pack, project).stderr == "1 file left unchanged\n"
    assert clean(pack, "--check", project, exit_code=0).stderr == "1 file left unchanged\n"
    assert path.read_text() == SAME_SIZE
    # --no-cache reads it
    assert clean(pack, "--check", "--no-cache", project, exit_code=1).stderr.startswith(f"would clean {path}\n")
    clean(pack, "--no-cache", project)
    assert path.read_text() == INTRO + MIDDLE


def test_cache_sees_a_changed_mtime(project, pack):
    path = write(project / "a.txt", LOOKALIKE)
    clean(pack, project)
    path.write_text(SAME_SIZE)
    os.utime(path, ns=(OLD, OLD))
    assert clean(pack, project).stderr == f"cleaned {path}\n1 file cleaned\n"


def test_cache_is_keyed_on_the_rule_set(tmp_path, project, pack):
    path = write(project / "a.txt", LOOKALIKE)
    clean(pack, project)
    swap_keeping_size_and_mtime(path, SAME_SIZE)
    other = tmp_path / "packs" / "other.yaml"
    other.write_text(PACK.replace("pack: mine", "pack: other"), encoding="utf-8")
    assert clean(str(other), project).stderr == f"cleaned {path}\n1 file cleaned\n"


@pytest.mark.parametrize("options", [["--ignore", "mine/appeal"], ["--max-removed-share", "0.9"], ["--field", "body"]])
def test_cache_is_keyed_on_the_options(project, pack, options):
    path = write(project / "a.txt", LOOKALIKE)
    clean(pack, project)
    swap_keeping_size_and_mtime(path, SAME_SIZE)
    assert clean(pack, *options, project).stderr == f"cleaned {path}\n1 file cleaned\n"


def test_cache_holds_across_processes(tmp_path, project, pack):
    # a new process (with another hash seed) must compute the same cache key
    path = write(project / "a.txt", LOOKALIKE)
    command = cli_command(pack, project, "-j", "1")
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "1"})
    assert (first.returncode, first.stderr) == (0, "1 file left unchanged\n")
    swap_keeping_size_and_mtime(path, SAME_SIZE)
    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "2"})
    assert (second.returncode, second.stderr) == (0, "1 file left unchanged\n")
    assert path.read_text() == SAME_SIZE


def test_no_cache_writes_no_cache(project, pack, cache_dir):
    write(project / "a.txt", CLEAN)
    clean(pack, "--no-cache", project)
    assert list(cache_dir.iterdir()) == []


# --- [tool.cleaner] --------------------------------------------------------------------------


@pytest.fixture
def configured(project: Path) -> Path:
    """A project whose pyproject.toml chooses its rules (by a relative path), an ignore and an exclude."""
    write(project / "rules" / "mine.yaml", PACK)
    write(
        project / "pyproject.toml",
        '[project]\nname = "corpus"\n\n'
        "[tool.cleaner]\n"
        "default-rules = false\n"
        'rules = ["rules/mine.yaml"]\n'
        'ignore = ["mine/share"]\n'
        'exclude = "/skip/"\n',
    )
    write(project / "corpus" / "a.txt", DIRTY)
    write(project / "corpus" / "skip" / "s.txt", DIRTY)
    return project


def test_config_chooses_rules_ignore_and_exclude(configured):
    result = invoke(["clean", str(configured / "corpus")])
    a = configured / "corpus" / "a.txt"
    assert result.stderr == f"cleaned {a}\n1 file cleaned\n"
    assert a.read_text() == SHARE_KEPT  # share ignored, appeal cut
    assert (configured / "corpus" / "skip" / "s.txt").read_text() == DIRTY  # excluded


def test_config_is_found_from_the_working_folder_too(configured, monkeypatch):
    monkeypatch.chdir(configured / "corpus")
    invoke(["clean", "a.txt"])
    assert (configured / "corpus" / "a.txt").read_text() == SHARE_KEPT


@pytest.mark.parametrize(
    ("options", "a_after", "s_after"),
    [
        (["--ignore", "mine/appeal"], INTRO + MIDDLE + OUTRO + APPEAL, DIRTY),
        (["--exclude", "/nothing/"], SHARE_KEPT, SHARE_KEPT),
    ],
    ids=["ignore", "exclude"],
)
def test_flags_override_the_config(configured, options, a_after, s_after):
    invoke(["clean", *options, str(configured / "corpus")])
    assert (configured / "corpus" / "a.txt").read_text() == a_after
    assert (configured / "corpus" / "skip" / "s.txt").read_text() == s_after


def test_rules_flag_overrides_the_config_rules(tmp_path, configured):
    other = write(tmp_path / "packs" / "other.yaml", PACK.replace("pack: mine", "pack: other"))
    # the config's ignore names a rule of the pack the flag replaced
    result = invoke(["clean", "--rules", str(other), str(configured / "corpus")], exit_code=2)
    assert '"mine/share"' in result.stderr
    invoke(["clean", "--rules", str(other), "--ignore", "other/appeal", str(configured / "corpus")])
    assert (configured / "corpus" / "a.txt").read_text() == INTRO + MIDDLE + OUTRO + APPEAL


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('colour = "red"', 'unknown key "colour"'),
        ('include = "*.txt"', '"include" should be a list'),
        ("field = 3", '"field" should be a str'),
    ],
)
def test_bad_config_is_a_usage_error_naming_the_key(configured, line, message):
    path = configured / "pyproject.toml"
    path.write_text(path.read_text() + line + "\n")
    result = invoke(["clean", str(configured / "corpus")], exit_code=2)
    assert result.stderr.startswith(f"error: {path}: [tool.cleaner]: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert (configured / "corpus" / "a.txt").read_text() == DIRTY


def test_invalid_toml_is_a_usage_error(configured):
    (configured / "pyproject.toml").write_text("[tool.cleaner\n")
    result = invoke(["clean", str(configured / "corpus")], exit_code=2)
    assert "invalid TOML" in result.stderr


def test_config_file_option(tmp_path, configured):
    config = write(
        tmp_path / "elsewhere" / "cleaner.toml",
        '[tool.cleaner]\ndefault-rules = false\nrules = ["../packs/mine.yaml"]\nignore = ["mine/appeal"]\n',
    )
    write(tmp_path / "packs" / "mine.yaml", PACK)
    invoke(["clean", "--config", str(config), str(configured / "corpus")])
    # the given file replaces the project's pyproject.toml: no exclude, appeal ignored
    assert (configured / "corpus" / "a.txt").read_text() == INTRO + MIDDLE + OUTRO + APPEAL
    assert (configured / "corpus" / "skip" / "s.txt").read_text() == INTRO + MIDDLE + OUTRO + APPEAL


def test_config_file_option_after_the_paths(tmp_path, configured):
    config = write(tmp_path / "c.toml", '[tool.cleaner]\ndefault-rules = false\nrules = ["packs/mine.yaml"]\n')
    write(tmp_path / "packs" / "mine.yaml", PACK)
    invoke(["clean", str(configured / "corpus" / "a.txt"), "--config", str(config)])
    assert (configured / "corpus" / "a.txt").read_text() == CLEAN


def test_missing_config_file_is_a_usage_error(tmp_path, configured):
    result = invoke(["clean", "--config", str(tmp_path / "nope.toml"), str(configured)], exit_code=2)
    assert "nope.toml" in result.stderr


# --- stray temp files, and runs killed half-way ----------------------------------------------


def test_stray_temp_files_are_removed_by_the_next_run(project, pack):
    write(project / "corpus" / "a.txt", DIRTY)
    strays = [
        write(project / "corpus" / ".a.txt.k2j4_x.cleaner-tmp", DIRTY[:40]),
        write(project / "corpus" / "sub" / ".b.txt.0abc.cleaner-tmp", b""),
    ]
    kept = [write(project / "corpus" / "notes.cleaner-tmp", "not ours: no leading dot")]
    clean(pack, project / "corpus")
    assert [p for p in strays if p.exists()] == []
    assert all(p.exists() for p in kept)
    assert (project / "corpus" / "a.txt").read_text() == CLEAN


def make_corpus(folder: Path, pack: str, count: int) -> dict[Path, tuple[bytes, bytes]]:
    """``count`` small articles, every other one with boilerplate: path -> (original, cleaned)."""
    cleaner = Cleaner(default_rules=False, rules=[pack])
    files = {}
    for i in range(count):
        text = f"Article {i}. " + INTRO + MIDDLE
        if i % 2 == 0:
            text += "Share this article\n" + (OUTRO + APPEAL if i % 4 == 0 else OUTRO)
        path = write(folder / f"{i // 500}" / f"{i:05d}.txt", text)
        files[path] = (text.encode(), cleaner.run(text).text.encode())
    return files


def cli_command(pack: str, folder: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "cleaner", "clean", "--no-default-rules", "--rules", pack, *options, str(folder)]


def states(files: dict[Path, tuple[bytes, bytes]]) -> dict[str, int]:
    """How many files are old, new, or (never allowed) neither."""
    counts = {"old": 0, "new": 0, "broken": 0}
    for path, (old, new) in files.items():
        data = path.read_bytes()
        counts["new" if data == new else "old" if data == old else "broken"] += 1
    return counts


@pytest.mark.parametrize(
    ("sig", "jobs", "group"),
    [(signal.SIGKILL, "1", False), (signal.SIGINT, "1", False), (signal.SIGINT, "2", True)],
    ids=["SIGKILL", "SIGINT", "SIGINT-to-the-group-j2"],  # Ctrl-C in a terminal signals the workers too
)
def test_killed_run_leaves_every_file_old_or_new(tmp_path, pack, sig, jobs, group):
    folder = tmp_path / "corpus"
    files = make_corpus(folder, pack, 3000)
    dirty = sum(old != new for old, new in files.values())
    process = subprocess.Popen(
        cli_command(pack, folder, "-j", jobs, "--no-cache"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        start_new_session=group,
    )
    # a hung run (or its workers, which hold the stderr pipe) must fail the test, not block it
    watchdog = threading.Timer(60, lambda: os.killpg(process.pid, signal.SIGKILL) if group else process.kill())
    watchdog.start()
    try:
        cleaned = 0
        for line in process.stderr:
            cleaned += line.startswith(b"cleaned ")
            if cleaned >= 5:
                break
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
        rest = process.stderr.read().decode("utf-8", "replace")
        code = process.wait(timeout=30)
    finally:
        watchdog.cancel()
        process.stderr.close()
    assert cleaned >= 5
    counts = states(files)
    assert counts["broken"] == 0
    assert counts["new"] - (len(files) - dirty) >= 5
    assert counts["new"] < len(files), "the run ended before the signal: nothing was interrupted"
    strays = temp_files(folder)
    if sig == signal.SIGINT:
        assert code == 130
        assert rest.splitlines()[-1] == "interrupted"
        assert "Traceback" not in rest
        assert strays == []
    else:
        assert code == -signal.SIGKILL
        assert len(strays) <= 1  # one file at a time with -j 1
    # the next run finishes the job and leaves no temp file behind
    subprocess.run(cli_command(pack, folder, "-j", "1", "--no-cache", "-q"), check=True, cwd=tmp_path, timeout=60)
    assert temp_files(folder) == []
    assert states(files) == {"old": 0, "new": len(files), "broken": 0}


def test_cache_key_of_the_shipped_packs_holds_across_processes(tmp_path, project):
    # the shipped rules carry sets of literals, whose pickled order depends on the hash seed
    command = [sys.executable, "-c", "from cleaner import Cleaner; from cleaner.batch import FileJob, WriteBack; "
               "from cleaner.runner import cache_key; from pathlib import Path; "
               "print(cache_key(FileJob(Cleaner(), WriteBack.IN_PLACE, Path('.'))))"]
    keys = {
        subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1
