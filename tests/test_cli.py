"""The command line, in-process through CliRunner (stderr kept apart), and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from cleaner import __version__
from cleaner.cli import cli

from conftest import invoke

USER_PACK = """
pack: mine
description: Test prompts.
rules:
  - id: ad
    description: The word Advertisement on a line of its own.
    action: drop-line
    pattern: '^Advertisement$'
    examples:
      remove: ["Body.\\nAdvertisement"]
      keep: ["Advertisement revenue fell."]
  - id: share
    description: A share prompt.
    action: drop-line
    pattern: '^Share this article$'
    examples:
      remove: ["Body.\\nShare this article"]
      keep: ["Share this article's findings with care."]
"""

BODY = "The council voted on Monday to keep the old bridge open for cyclists.\n"
DOC = BODY + "Advertisement\nResidents had asked for the bridge to stay open.\nShare this article\n"


@pytest.fixture
def user_pack(write_pack):
    return str(write_pack(USER_PACK))


def jsonl(*records) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# --- one document, stdin to stdout ---------------------------------------------------------


def test_stdin_to_stdout(user_pack):
    result = invoke(["clean", "--no-default-rules", "--rules", user_pack], input=DOC)
    assert result.stdout == BODY + "Residents had asked for the bridge to stay open.\n"
    assert result.stderr == ""


def test_unchanged_document_is_written_back_byte_for_byte(user_pack):
    text = "Nothing to remove.\r\n\r\n\r\nStill nothing  \nno final newline"
    result = invoke(["clean", "--no-default-rules", "--rules", user_pack], input=text.encode())
    assert result.stdout_bytes == text.encode()


def test_empty_stdin_gives_empty_stdout():
    result = invoke(["clean"], input=b"")
    assert result.stdout_bytes == b""
    assert result.stderr == ""


def test_crlf_kept_through_the_cli(user_pack):
    text = DOC.replace("\n", "\r\n")
    result = invoke(["clean", "--no-default-rules", "--rules", user_pack], input=text.encode())
    assert result.stdout_bytes == (BODY + "Residents had asked for the bridge to stay open.\n").replace("\n", "\r\n").encode()


def test_shipped_rules_are_used_by_default():
    text = "date 2025-10-30 Russia has resumed military flights to Syria.\nThe base is in Latakia.\n"
    assert invoke(["clean"], input=text).stdout == "Russia has resumed military flights to Syria.\nThe base is in Latakia.\n"
    assert invoke(["clean", "--no-default-rules"], input=text).stdout == text


# --- choosing rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ([], []),
        (["--select", "mine/ad"], ["Share this article"]),
        (["--select", "mine/ad,mine/share"], []),
        (["--select", "mine/ad", "--select", "mine/share"], []),
        (["--ignore", "mine/share"], ["Share this article"]),
        (["--ignore", "mine"], ["Advertisement", "Share this article"]),
        (["--select", "mine", "--ignore", "mine/ad"], ["Advertisement"]),
    ],
)
def test_select_and_ignore(user_pack, options, kept):
    result = invoke(["clean", "--no-default-rules", "--rules", user_pack, *options], input=DOC)
    for line in ("Advertisement", "Share this article"):
        assert (line in result.stdout.splitlines()) == (line in kept), result.stdout


def test_select_leaves_out_the_shipped_rules(user_pack):
    text = "date 2025-10-30 Russia has resumed flights to Syria.\nAdvertisement\nThe base is in Latakia.\n"
    result = invoke(["clean", "--rules", user_pack, "--select", "mine"], input=text)
    assert result.stdout == "date 2025-10-30 Russia has resumed flights to Syria.\nThe base is in Latakia.\n"


def test_rules_folder(tmp_path, write_pack):
    write_pack(USER_PACK, name="mine.yaml")
    (tmp_path / "notes.txt").write_text("not a pack")
    result = invoke(["clean", "--no-default-rules", "--rules", str(tmp_path)], input=DOC)
    assert "Advertisement" not in result.stdout


def test_unknown_selector_is_a_usage_error():
    result = invoke(["clean", "--select", "nope"], input=DOC, exit_code=2)
    assert result.stderr == 'error: no rule or pack named "nope" (see: cleaner rules list)\n'
    assert result.stdout == ""


@pytest.mark.parametrize(
    "command",
    [["clean"], ["rules", "list", "--rules"], ["rules", "check"], ["rules", "test"]],
    ids=["clean", "rules-list", "rules-check", "rules-test"],
)
def test_rule_file_error_is_one_line_and_exit_2(write_pack, command):
    path = write_pack("pack: mine\nrules:\n  - id: r1\n    action: drop-line\n    patern: x\n", name="bad.yaml")
    args = [*command, str(path)] if command[-1] != "clean" else [*command, "--rules", str(path)]
    result = invoke(args, input=DOC, exit_code=2)
    assert result.stderr == f'error: {path}:5: rule "mine/r1": unknown key "patern" (did you mean "pattern"?)\n'
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_rule_file_with_a_python_tag_is_a_rule_error(write_pack):
    path = write_pack("pack: mine\nrules:\n  - id: r1\n    action: drop-line\n    pattern: !!python/name:os.system x\n")
    result = invoke(["rules", "check", str(path)], exit_code=2)
    assert result.stderr == (
        f"error: {path}:5: invalid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/name:os.system'\n"
    )


def test_to_field_needs_jsonl():
    result = invoke(["clean", "--to-field", "text"], input=DOC, exit_code=2)
    assert "--to-field needs --jsonl" in result.stderr


# --- JSON Lines ----------------------------------------------------------------------------


def test_jsonl_cleans_the_field_and_keeps_everything_else(user_pack):
    changed = '{"id": 7, "text": ' + json.dumps(DOC) + ', "meta": {"b": 2, "a": [1, 2.50, null]}, "title": "Café"}\n'
    unchanged = '{"title":"Ünïcode \\u00e9",   "text": "Nothing to remove here.",  "n": 1.0}\n'
    blank = "\n"
    result = invoke(["clean", "--jsonl", "--no-default-rules", "--rules", user_pack], input=changed + unchanged + blank + unchanged)
    out = result.stdout.splitlines(keepends=True)
    assert len(out) == 4
    record = json.loads(out[0])
    assert list(record) == ["id", "text", "meta", "title"]
    assert record == {**json.loads(changed), "text": BODY + "Residents had asked for the bridge to stay open.\n"}
    assert out[1:] == [unchanged, blank, unchanged]  # byte-identical when nothing changed
    assert result.stderr == ""


def test_jsonl_record_with_a_lone_surrogate_is_cleaned_and_kept_escaped(tmp_path):
    """JSON may spell a lone surrogate ("\\ud800"); UTF-8 cannot: the record is cleaned and written
    with the surrogate still escaped, in the output and in the report, and the run goes on."""
    text = "A lone \ud800 here, long enough to be a line of the article.\n\n\ud800 Advertisement\nThe end.\n"
    lines = [json.dumps({"id": n, "text": text}) + "\n" for n in range(100)]  # enough for the literal automaton
    report = tmp_path / "report.jsonl"
    result = invoke(["clean", "--jsonl", "--report", str(report)], input="".join(lines).encode())
    out = result.stdout_bytes.decode("utf-8").splitlines()
    assert len(out) == 100
    for line in out:
        assert json.loads(line)["text"] == text.replace("\n\ud800 Advertisement", "")
        assert "\\ud800" in line
    removed = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [entry["text"] for entry in removed] == ["\ud800 Advertisement"] * 100


def test_jsonl_keeps_crlf_record_endings(user_pack):
    text = json.dumps({"text": DOC}) + "\r\n" + json.dumps({"text": "Fine."}) + "\r\n"
    result = invoke(["clean", "--jsonl", "--no-default-rules", "--rules", user_pack], input=text.encode())
    lines = result.stdout_bytes.split(b"\r\n")
    assert lines[2] == b"" and len(lines) == 3
    assert "Advertisement" not in json.loads(lines[0])["text"]


def test_jsonl_field(user_pack):
    text = jsonl({"text": DOC, "body": DOC})
    result = invoke(["clean", "--jsonl", "--field", "body", "--no-default-rules", "--rules", user_pack], input=text)
    record = json.loads(result.stdout)
    assert record["text"] == DOC
    assert "Advertisement" not in record["body"]


def test_jsonl_to_field(user_pack):
    text = jsonl({"raw": DOC, "id": "a"}, {"raw": "Already clean.\n", "id": "b"})
    result = invoke(
        ["clean", "--jsonl", "--field", "raw", "--to-field", "clean", "--no-default-rules", "--rules", user_pack],
        input=text,
    )
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert list(first) == ["raw", "id", "clean"]
    assert first["raw"] == DOC
    assert first["clean"] == BODY + "Residents had asked for the bridge to stay open.\n"
    assert second == {"raw": "Already clean.\n", "id": "b", "clean": "Already clean.\n"}


def test_jsonl_invalid_line_is_reported_and_passed_through(user_pack):
    bad = '{"text": "unterminated\n'
    text = jsonl({"text": DOC}) + bad + jsonl({"text": DOC}) + "[1, 2]\n"
    result = invoke(["clean", "--jsonl", "--no-default-rules", "--rules", user_pack], input=text, exit_code=3)
    out = result.stdout.splitlines(keepends=True)
    assert len(out) == 4
    assert out[1] == bad and out[3] == "[1, 2]\n"
    assert "Advertisement" not in json.loads(out[0])["text"]
    assert "Advertisement" not in json.loads(out[2])["text"]
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("error: <stdin>:2: invalid JSON")
    assert errors[1].startswith("error: <stdin>:4: expected a JSON object")


def test_jsonl_record_without_the_field(user_pack):
    text = jsonl({"text": DOC}, {"id": 5, "body": DOC}, {"text": 12})
    result = invoke(["clean", "--jsonl", "--no-default-rules", "--rules", user_pack], input=text, exit_code=3)
    out = result.stdout.splitlines(keepends=True)
    assert out[1:] == text.splitlines(keepends=True)[1:]
    assert result.stderr.splitlines() == [
        'error: <stdin>:2 (id 5): no field "text"; passed through unchanged',
        'error: <stdin>:3: field "text" is not a string; passed through unchanged',
    ]


def test_jsonl_undecodable_line(user_pack):
    text = jsonl({"text": DOC}).encode() + b'{"text": "caf\xe9"}\n'
    result = invoke(["clean", "--jsonl", "--no-default-rules", "--rules", user_pack], input=text, exit_code=3)
    assert result.stdout_bytes.endswith(b'{"text": "caf\xe9"}\n')
    assert "<stdin>:2" in result.stderr


# --- what the run says on stderr -----------------------------------------------------------


def test_explain_names_rule_and_line(user_pack):
    result = invoke(["clean", "--explain", "--no-default-rules", "--rules", user_pack], input=DOC)
    assert result.stdout == BODY + "Residents had asked for the bridge to stay open.\n"
    assert result.stderr.splitlines() == [
        "<stdin>: line 2: mine/ad: removed 'Advertisement'",
        "<stdin>: line 4: mine/share: removed 'Share this article'",
    ]


def test_explain_in_jsonl_names_the_record(user_pack):
    text = jsonl({"text": "Fine."}, {"text": DOC})
    result = invoke(["clean", "--jsonl", "--explain", "--no-default-rules", "--rules", user_pack], input=text)
    assert "<stdin>:2: line 2: mine/ad: removed 'Advertisement'" in result.stderr.splitlines()


def test_stats_prints_totals(user_pack):
    text = jsonl({"text": DOC}, {"text": "Fine."}, {"text": DOC})
    result = invoke(["clean", "--jsonl", "--stats", "--no-default-rules", "--rules", user_pack], input=text)
    lines = result.stderr.splitlines()
    removed = 2 * (len(DOC) - len(BODY + "Residents had asked for the bridge to stay open.\n"))
    assert lines[-1] == f"3 documents: 2 changed, 0 left by the guard, 0 failed; {removed} characters removed"
    assert any(line.split() == ["mine/ad", "2", "2"] for line in lines)
    assert any(line.split() == ["mine/share", "2", "2"] for line in lines)


def test_guard_warns_and_leaves_the_document(user_pack):
    text = "Advertisement\nShare this article\nOne line.\n"
    result = invoke(["clean", "--no-default-rules", "--rules", user_pack, "--max-removed-share", "0.5"], input=text)
    assert result.stdout == text
    assert result.stderr.startswith("warning: <stdin>: left as it was")


# --- time limit ----------------------------------------------------------------------------

SLOW_PACK = """
pack: slow
description: A pattern that backtracks without end.
rules:
  - id: backtrack
    description: Lines of a's (and catastrophic backtracking on anything else).
    action: drop-line
    pattern: '^(a|aa)+$'
"""


def test_timeout_reports_the_document_and_goes_on(write_pack):
    path = write_pack(SLOW_PACK, name="slow.yaml")
    records = [
        {"id": "x", "text": "First record.\naaaa\nMore of the first record here."},
        {"text": "a" * 50000 + "!"},
        {"text": "Third record.\naaaaaa\nMore of the third record here."},
    ]
    text = jsonl(*records)
    result = invoke(
        ["clean", "--jsonl", "--no-default-rules", "--rules", str(path), "--timeout", "0.5"], input=text, exit_code=3
    )
    out = result.stdout.splitlines(keepends=True)
    assert len(out) == 3
    assert json.loads(out[0])["text"] == "First record.\nMore of the first record here."
    assert out[1] == text.splitlines(keepends=True)[1]
    assert json.loads(out[2])["text"] == "Third record.\nMore of the third record here."
    (error,) = result.stderr.splitlines()
    assert error.startswith('error: <stdin>:2: rule "slow/backtrack" ran past the time limit')


# --- unreadable input ----------------------------------------------------------------------


def test_undecodable_stdin():
    data = b"First line.\nSecond \xff\xfe line.\n"
    result = invoke(["clean"], input=data, exit_code=3)
    assert result.stderr.startswith("error: <stdin>:2: not valid UTF-8")
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout_bytes == data  # never lost


def test_binary_stdin():
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
    result = invoke(["clean"], input=data, exit_code=3)
    assert result.stderr.startswith("error: <stdin>")
    assert "binary" in result.stderr
    assert result.stdout_bytes == data


# --- rules list / test / check -------------------------------------------------------------


def test_rules_list_shows_id_action_and_description(user_pack):
    result = invoke(["rules", "list", "--no-default-rules", "--rules", user_pack])
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:2] == ["mine/ad", "drop-line"]
    assert lines[0].endswith("The word Advertisement on a line of its own.")
    assert lines[1].split()[:2] == ["mine/share", "drop-line"]
    assert lines[1].endswith("A share prompt.")


def test_rules_list_shows_shipped_rules():
    from cleaner import load_packs

    shipped = [rule for pack in load_packs() for rule in pack.rules]
    lines = invoke(["rules", "list"]).stdout.splitlines()
    assert [line.split()[0] for line in lines] == [rule.id for rule in shipped]
    assert [line.split()[1] for line in lines] == [rule.action.value for rule in shipped]


def test_rules_list_select(user_pack):
    result = invoke(["rules", "list", "--rules", user_pack, "--select", "mine/share"])
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["mine/share"]


def test_rules_test_passes_for_shipped_rules():
    result = invoke(["rules", "test"])
    assert "FAIL" not in result.stderr
    assert result.stderr.rstrip().endswith("; 0 failures")


def test_rules_test_passes_for_a_good_user_pack(user_pack):
    result = invoke(["rules", "test", "-v", user_pack])
    assert result.stderr.splitlines() == [
        "ok   mine/ad (1 remove, 1 keep)",
        "ok   mine/share (1 remove, 1 keep)",
        "2 of 2 rules passed (4 examples); 0 failures",
    ]


def test_rules_test_fails_for_a_failing_user_rule(write_pack):
    path = write_pack(
        """
        pack: mine
        description: A rule whose examples are wrong.
        rules:
          - id: greedy
            description: Drops far too much.
            action: drop-line
            pattern: 'Share'
            examples:
              remove: ["Body.\\nShare this article"]
              keep: ["Share prices rose."]
          - id: lazy
            description: Has no keep example.
            action: drop-line
            pattern: '^Advertisement$'
            examples:
              remove: ["Body.\\nAdvertisement"]
        """
    )
    result = invoke(["rules", "test", str(path)], exit_code=1)
    lines = result.stderr.splitlines()
    assert f"FAIL {path}:4: rule \"mine/greedy\": keep example changed: 'Share prices rose.' became ''" in lines
    assert f'FAIL {path}:11: rule "mine/lazy": no "keep" example' in lines
    assert lines[-1] == "0 of 2 rules passed (3 examples); 2 failures"


def test_rules_check(user_pack):
    assert invoke(["rules", "check", user_pack]).stderr == "2 rules in 1 packs: ok\n"
    assert invoke(["rules", "check"]).stderr.endswith(" packs: ok\n")


# --- version and help ----------------------------------------------------------------------


def test_version():
    assert invoke(["--version"]).stdout == f"cleaner, version {__version__}\n"


def walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


COMMANDS = list(walk(cli))


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "cleaner" for p, _ in COMMANDS])
def test_every_command_and_option_has_help(path, command):
    assert (command.help or "").strip(), f"{path} has no help"
    for param in command.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help"
    result = invoke([*path, "--help"])
    assert result.stdout.startswith("Usage: ")


def test_the_documented_commands_are_walked():
    assert {"", "clean", "rules", "rules list", "rules test", "rules check"} <= {" ".join(p) for p, _ in COMMANDS}


# --- a real process writing into a pipe that closes early ----------------------------------


@pytest.mark.parametrize("mode", ["jsonl", "text"])
def test_closed_pipe_gives_no_traceback(tmp_path, mode):
    source = tmp_path / "input"
    with source.open("w", encoding="utf-8") as f:
        for i in range(20000):
            text = f"Paragraph {i} about the flights.\nAdvertisement\nMore text for record {i}, and more."
            f.write(json.dumps({"id": i, "text": text}) + "\n" if mode == "jsonl" else text + "\n")
    args = [sys.executable, "-m", "cleaner", "clean"] + (["--jsonl"] if mode == "jsonl" else [])
    with source.open("rb") as stdin:
        process = subprocess.Popen(args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read().decode("utf-8", "replace")
        process.wait(timeout=60)
        process.stderr.close()
    assert first.startswith(b'{"id": 0' if mode == "jsonl" else b"Paragraph 0")
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr
