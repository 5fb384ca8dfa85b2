"""The pre-commit hooks end to end: the real pre-commit (from PyPI) installs this project's
hook from a temporary corpus repository and runs it on ``git commit`` and ``try-repo``.

pre-commit builds the hook from a *commit* of this checkout (its HEAD), so these tests
exercise the last commit, not uncommitted edits. Building a hook environment installs the
project and its dependencies from the package registry: once per session for the commit
tests (a shared PRE_COMMIT_HOME), and once more for ``try-repo``, which always uses a
store of its own. Deselect with ``-m "not hook"`` when offline.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS

ROOT = Path(__file__).resolve().parent.parent


def _git_toplevel(folder: Path) -> Path | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return Path(out.stdout.strip()).resolve()


if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)
if _git_toplevel(ROOT) != ROOT:
    pytest.skip(f"{ROOT} is not a git checkout: pre-commit needs a commit of it to install the hook", allow_module_level=True)
if importlib.util.find_spec("pre_commit") is None:
    pytest.skip("pre-commit is not installed (pip install -e '.[test]')", allow_module_level=True)

pytestmark = pytest.mark.hook

APPEAL_LINE = "A Message from The Moscow Times:"
SEED = (SEEDS / "000_moscow_times.input.txt").read_text(encoding="utf-8")
SEED_BODY = SEED[: SEED.index(APPEAL_LINE)]
TIDY = (
    "The council voted on Monday to keep the old bridge open for cyclists and walkers alike.\n"
    "Residents had asked for the bridge to stay open all year, and the vote was close.\n"
)


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the session, so the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def project_rev() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def env(tmp_path: Path, pre_commit_home: Path, cache_dir: Path) -> dict[str, str]:
    """The environment of every git and pre-commit call: no git settings from outside the test."""
    gitconfig = tmp_path / "gitconfig"
    # the checkout may belong to another user than the one running the tests (CI containers)
    gitconfig.write_text("[safe]\n\tdirectory = *\n[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    base = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    return {
        **base,
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "cleaner tests",
        "GIT_AUTHOR_EMAIL": "tests@example.invalid",
        "GIT_COMMITTER_NAME": "cleaner tests",
        "GIT_COMMITTER_EMAIL": "tests@example.invalid",
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PRE_COMMIT_COLOR": "never",
        "CLEANER_CACHE_DIR": str(cache_dir),
    }


@pytest.fixture
def corpus(tmp_path: Path, env: dict[str, str], project_rev: str) -> Path:
    """A git repository of corpus files whose .pre-commit-config.yaml names this checkout's hooks."""
    repo = tmp_path / "corpus"
    (repo / "articles").mkdir(parents=True)
    (repo / "articles" / "moscow-times.txt").write_text(SEED, encoding="utf-8")
    (repo / "articles" / "tidy.txt").write_text(TIDY, encoding="utf-8")
    (repo / "notes.md").write_text(SEED, encoding="utf-8")  # not a .txt file: the hook leaves it alone
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"-   repo: {ROOT}\n"
        f"    rev: {project_rev}\n"
        "    hooks:\n"
        "    -   id: cleaner\n",
        encoding="utf-8",
    )
    git(repo, env, "init", "-q")
    return repo


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)


def git(repo: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = run(["git", *args], repo, env)
    if check:
        assert result.returncode == 0, f"git {' '.join(args)} exited {result.returncode}:\n{result.stdout}"
    return result


def pre_commit(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "pre_commit", *args], repo, env)


def assert_cleaned(text: str) -> None:
    """The appeal and everything after it are gone; the article above it is kept whole."""
    assert APPEAL_LINE not in text
    assert "Dear readers" not in text
    assert "Remind me later." not in text
    assert text.rstrip() == SEED_BODY.rstrip()


def test_commit_fails_once_cleans_the_file_and_the_retry_passes(corpus, env):
    tidy = corpus / "articles" / "tidy.txt"
    tidy_mtime = tidy.stat().st_mtime_ns
    installed = pre_commit(corpus, env, "install")
    assert installed.returncode == 0, installed.stdout

    git(corpus, env, "add", "-A")
    first = git(corpus, env, "commit", "-m", "Add articles", check=False)
    assert first.returncode != 0, first.stdout
    assert "Fixing articles/moscow-times.txt" in first.stdout
    assert "files were modified by this hook" in first.stdout
    assert "tidy.txt" not in first.stdout
    assert git(corpus, env, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode != 0  # nothing committed

    assert_cleaned((corpus / "articles" / "moscow-times.txt").read_text(encoding="utf-8"))
    assert tidy.read_text(encoding="utf-8") == TIDY
    assert tidy.stat().st_mtime_ns == tidy_mtime
    assert (corpus / "notes.md").read_text(encoding="utf-8") == SEED
    # the cleaned file is unstaged; the staged version still has the appeal
    assert APPEAL_LINE in git(corpus, env, "show", ":articles/moscow-times.txt").stdout

    git(corpus, env, "add", "-A")
    second = git(corpus, env, "commit", "-m", "Add articles", check=False)
    assert second.returncode == 0, second.stdout
    assert "Passed" in second.stdout
    assert_cleaned(git(corpus, env, "show", "HEAD:articles/moscow-times.txt").stdout)
    assert git(corpus, env, "status", "--porcelain").stdout == ""


def test_run_all_files_fixes_then_passes(corpus, env):
    git(corpus, env, "add", "-A")
    first = pre_commit(corpus, env, "run", "cleaner", "--all-files")
    assert first.returncode == 1, first.stdout
    assert "Fixing articles/moscow-times.txt" in first.stdout
    assert_cleaned((corpus / "articles" / "moscow-times.txt").read_text(encoding="utf-8"))
    assert (corpus / "articles" / "tidy.txt").read_text(encoding="utf-8") == TIDY
    git(corpus, env, "add", "-A")
    second = pre_commit(corpus, env, "run", "cleaner", "--all-files")
    assert second.returncode == 0, second.stdout
    assert "Fixing" not in second.stdout


def test_try_repo_check_hook_fails_and_changes_nothing(corpus, env, project_rev):
    git(corpus, env, "add", "-A")
    before = {path: path.read_bytes() for path in corpus.rglob("*") if path.is_file() and ".git" not in path.parts}
    # --ref pins the commit the other tests use; without it try-repo would add uncommitted edits of the checkout
    result = pre_commit(corpus, env, "try-repo", str(ROOT), "cleaner-check", "--ref", project_rev, "--all-files")
    assert result.returncode == 1, result.stdout
    assert "would clean articles/moscow-times.txt" in result.stdout
    assert "tidy.txt" not in result.stdout
    assert "Fixing" not in result.stdout
    after = {path: path.read_bytes() for path in corpus.rglob("*") if path.is_file() and ".git" not in path.parts}
    assert after == before
    assert git(corpus, env, "diff", "--stat").stdout == ""
