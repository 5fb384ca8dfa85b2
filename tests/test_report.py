"""--report FILE.jsonl: one JSON object per removal, for reviews and audits."""

import json

import pytest

PACK = """\
pack: mine
rules:
  - id: share
    action: drop-line
    pattern: '^Share this article$'
  - id: date
    action: strip
    where: head
    pattern: '^date \\d{4}-\\d{2}-\\d{2} '
"""
TEXT = "date 2025-10-30 Flights resumed on Friday after a long pause, officials said.\nShare this article\n"


@pytest.fixture
def pack(write_pack):
    return str(write_pack(PACK))


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_stdin_document(invoke, pack, tmp_path):
    report = tmp_path / "removals.jsonl"
    invoke(["clean", "--no-default-rules", "--rules", pack, "--report", str(report)], input=TEXT)
    assert read(report) == [
        {"document": "<stdin>", "rule": "mine/date", "line": 1, "start": 0, "end": 16, "text": "date 2025-10-30 "},
        {"document": "<stdin>", "rule": "mine/share", "line": 2, "start": 78, "end": 96, "text": "Share this article"},
    ]
    entry = read(report)[1]
    assert TEXT[entry["start"] : entry["end"]] == entry["text"]


def test_jsonl_records_are_named_by_line_and_id(invoke, pack, tmp_path):
    report = tmp_path / "removals.jsonl"
    records = [{"id": "a", "text": "Nothing to see here, just an article."}, {"id": "b", "text": TEXT}]
    stdin = "".join(json.dumps(r) + "\n" for r in records)
    invoke(["clean", "--jsonl", "--no-default-rules", "--rules", pack, "--report", str(report)], input=stdin)
    assert [(e["document"], e["record"], e["id"], e["rule"]) for e in read(report)] == [
        ("<stdin>", 2, "b", "mine/date"),
        ("<stdin>", 2, "b", "mine/share"),
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_files_from_worker_processes(invoke, pack, tmp_path, jobs):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (corpus / name).write_text(TEXT if name != "b.txt" else "Clean text only.\n", encoding="utf-8")
    report = tmp_path / "removals.jsonl"
    invoke(["clean", "-q", "-j", jobs, "--no-default-rules", "--rules", pack, "--report", str(report), str(corpus)])
    assert sorted((e["document"].rsplit("/", 1)[-1], e["rule"]) for e in read(report)) == [
        ("a.txt", "mine/date"),
        ("a.txt", "mine/share"),
        ("c.txt", "mine/date"),
        ("c.txt", "mine/share"),
    ]


def test_a_document_left_by_the_guard_is_logged_as_not_applied(invoke, pack, tmp_path):
    report = tmp_path / "removals.jsonl"
    result = invoke(["clean", "--no-default-rules", "--rules", pack, "--report", str(report)], input="Share this article\n")
    assert result.stdout == "Share this article\n"
    assert read(report) == [
        {"document": "<stdin>", "rule": "mine/share", "line": 1, "start": 0, "end": 18,
         "text": "Share this article", "applied": False},
    ]


def test_no_removals_gives_an_empty_report(invoke, pack, tmp_path):
    report = tmp_path / "removals.jsonl"
    invoke(["clean", "--no-default-rules", "--rules", pack, "--report", str(report)], input="Just text.\n")
    assert report.read_text() == ""
