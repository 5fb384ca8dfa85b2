"""Cleaning on a Dask cluster: the library functions and ``cleaner clean --scheduler``.

One LocalCluster (two single-threaded worker processes, on 127.0.0.1 only)
serves the whole module. Skipped when the dask extra is not installed.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

import dask.bag as db  # noqa: E402
from dask.distributed import Client, LocalCluster  # noqa: E402

import cleaner.cluster  # noqa: E402
import cleaner.dask as cdask  # noqa: E402
from cleaner import Cleaner, clean  # noqa: E402
from cleaner.pipeline import Run  # noqa: E402
from cleaner.report import Report  # noqa: E402

from conftest import invoke  # noqa: E402

APPEAL = "A Message from The Example Times:\nDear readers,\nWe need your support.\nRemind me later.\n"


def article(number: int) -> str:
    """An article-like text with the boilerplate the shipped rules remove (some records have none)."""
    body = f"Story {number} begins with a plain sentence about the harbour.\nIt goes on for a while.\n"
    if number % 3 == 0:
        body = body.replace("\nIt goes", "\nShare this article\nIt goes")
    if number % 4 == 0:
        body += "Advertisement\nThe end of the story.\n"
    if number % 5 == 0:
        body += APPEAL
    return body


def write_shard(path: Path, numbers: range, *, bad_line: int | None = None) -> Path:
    lines = [json.dumps({"id": n, "text": article(n), "lang": "en"}, ensure_ascii=False) + "\n" for n in numbers]
    if bad_line is not None:
        lines.insert(bad_line - 1, '{"id": "broken", "text": \n')
    data = "".join(lines).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


def plain(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


@pytest.fixture(scope="module")
def client():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster, Client(cluster) as client:
        yield client


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    write_shard(folder / "part-0.jsonl", range(0, 40))
    write_shard(folder / "part-1.jsonl.gz", range(40, 80))
    write_shard(folder / "part-2.jsonl", range(80, 120))
    write_shard(folder / "part-3.jsonl.gz", range(120, 130))
    return folder


def run_cluster(client: Client, *args: str, exit_code: int = 0):
    return invoke(["clean", "--jsonl", *args, "--scheduler", client.scheduler.address], exit_code=exit_code)


def test_shards_are_cleaned_as_the_single_process_cli_cleans_them(client, corpus, tmp_path):
    out = tmp_path / "out"
    before = client.run(cdask.rule_loads)
    result = run_cluster(client, str(corpus / "*"), "-o", str(out), "--stats", "--max-removed-share", "0.59")
    loads = [count - before[worker] for worker, count in client.run(cdask.rule_loads).items()]
    assert max(loads) <= 1 and sum(loads) >= 1, loads  # the rules: loaded once per worker, not per shard
    expected_report = Report()
    for shard in sorted(corpus.iterdir()):
        alone = invoke(["clean", "--jsonl", "--max-removed-share", "0.59"], input=plain(shard))
        assert plain(out / shard.name) == alone.stdout_bytes, shard.name
        run = Run(Cleaner(max_removed_share=0.59), expected_report, lambda message: None)
        list(run.clean_records(plain(shard).splitlines(keepends=True), shard.name))
    assert result.stderr.splitlines()[-1] == "4 shards cleaned"
    assert expected_report.table() in result.stderr
    assert len(expected_report.removals) >= 3  # the appeal, the share bar and the advertisement marker
    assert (out / "part-1.jsonl.gz").read_bytes()[:2] == b"\x1f\x8b"  # compressed like its input


def test_a_resumed_run_rewrites_only_the_missing_shard(client, corpus, tmp_path):
    out = tmp_path / "out"
    first = run_cluster(client, str(corpus / "*"), "-o", str(out), "--stats")
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir() if p.is_file()}
    (out / "part-2.jsonl").unlink()
    (out / ".part-0.jsonl.x1y2.cleaner-tmp").write_bytes(b"half a shard")  # left by a killed worker
    second = run_cluster(client, str(corpus / "*"), "-o", str(out), "--stats")
    assert second.stderr.splitlines()[-1] == "1 shard cleaned, 3 already done"
    assert "cleaned " + str(corpus / "part-2.jsonl") in second.stderr
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir() if p.is_file()}
    assert sorted(after) == sorted(before)  # the temporary file is gone
    for name, (mtime, data) in after.items():
        assert data == before[name][1]
        assert (mtime == before[name][0]) == (name != "part-2.jsonl"), name
    table = lambda stderr: stderr[: stderr.rindex("\n", 0, -1)]  # noqa: E731 - all but the summary line
    assert table(second.stderr).endswith(table(first.stderr).split("\n", 4)[-1])  # stats still cover every shard


def test_the_rules_fingerprint_is_the_same_in_every_process():
    code = "from cleaner import Cleaner; from cleaner.shards import job_key; print(job_key(Cleaner(), field='text', to_field=None))"
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in range(2)}
    assert len(keys) == 1


def test_changed_rules_rewrite_every_shard(client, corpus, tmp_path):
    out = tmp_path / "out"
    run_cluster(client, str(corpus / "*"), "-o", str(out))
    result = run_cluster(client, str(corpus / "*"), "-o", str(out), "--ignore", "prompts")
    assert result.stderr.splitlines()[-1] == "4 shards cleaned"
    alone = invoke(["clean", "--jsonl", "--ignore", "prompts"], input=plain(corpus / "part-0.jsonl"))
    assert (out / "part-0.jsonl").read_bytes() == alone.stdout_bytes


def test_a_bad_line_is_named_with_its_shard_and_line_and_the_others_complete(client, corpus, tmp_path):
    write_shard(corpus / "part-1.jsonl.gz", range(40, 80), bad_line=7)
    out = tmp_path / "out"
    result = run_cluster(client, str(corpus / "*"), "-o", str(out), exit_code=3)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {corpus / 'part-1.jsonl.gz'}:7: invalid JSON")
    assert errors[0].endswith("passed through unchanged")
    assert result.stderr.splitlines()[-1] == "4 shards cleaned, 1 record not processed"
    for shard in corpus.iterdir():
        assert plain(out / shard.name) == invoke(["clean", "--jsonl"], input=plain(shard), exit_code=3 if "1" in shard.name else 0).stdout_bytes
    # the error is named again when a later run skips the shard
    again = run_cluster(client, str(corpus / "*"), "-o", str(out), exit_code=3)
    assert errors[0] in again.stderr


def test_an_unreadable_shard_fails_alone_and_leaves_no_output(client, corpus, tmp_path):
    (corpus / "part-3.jsonl.gz").write_bytes(gzip.compress(b'{"text": "x"}\n' * 50)[:40])  # truncated
    out = tmp_path / "out"
    result = run_cluster(client, str(corpus / "*"), "-o", f"file://{out}", exit_code=3)
    assert f"error: {corpus / 'part-3.jsonl.gz'}: cannot read or write" in result.stderr
    assert result.stderr.splitlines()[-1] == "3 shards cleaned, 1 failed"
    assert sorted(p.name for p in out.iterdir()) == [".cleaner-state", "part-0.jsonl", "part-1.jsonl.gz", "part-2.jsonl"]


def test_parquet_shards(client, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = [article(n) for n in range(30)] + [None]
    (tmp_path / "in").mkdir()
    pq.write_table(pa.table({"id": list(range(31)), "text": texts}), tmp_path / "in" / "docs.parquet")
    result = run_cluster(client, str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--to-field", "clean")
    assert result.stderr.splitlines()[-1] == "1 shard cleaned"
    table = pq.read_table(tmp_path / "out" / "docs.parquet")
    assert table.column_names == ["id", "text", "clean"]
    assert table.column("text").to_pylist() == texts
    assert table.column("clean").to_pylist() == [clean(t) if t is not None else None for t in texts]


def test_scheduler_local_starts_its_own_cluster(corpus, tmp_path):
    out = tmp_path / "out"
    result = invoke(["clean", "--jsonl", str(corpus / "part-0.jsonl"), "-o", str(out), "--scheduler", "local", "-j", "1"])
    assert result.stderr.splitlines()[-1] == "1 shard cleaned"
    assert (out / "part-0.jsonl").read_bytes() == invoke(["clean", "--jsonl"], input=plain(corpus / "part-0.jsonl")).stdout_bytes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "out"], "no JSONL or Parquet shards found"),
        ([], "--scheduler needs -o/--output-dir"),
        (["-o", "out", "--check"], "--check and --diff are not available"),
    ],
)
def test_usage_errors(args, message):
    result = invoke(["clean", "nothing/*.jsonl", *args, "--scheduler", "local"], exit_code=2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_scheduler_is_one_line(monkeypatch, corpus, tmp_path):
    monkeypatch.setattr(cleaner.cluster, "CONNECT_TIMEOUT", "0.5s")
    result = invoke(["clean", str(corpus), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"], exit_code=2)
    assert result.stderr.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(result.stderr.splitlines()) == 1


def test_without_dask_the_error_says_what_to_install(monkeypatch, corpus, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    result = invoke(["clean", str(corpus), "-o", str(tmp_path / "out"), "--scheduler", "local"], exit_code=2)
    assert result.stderr == 'error: --scheduler needs Dask, which is not installed: pip install "boilerplate-cleaner[dask]"\n'


def test_globs_are_still_checked_without_scheduler():
    result = invoke(["clean", "nothing/*.jsonl"], exit_code=2)
    assert "does not exist" in result.stderr


def test_rules_load_once_per_worker_not_per_partition(client):
    before = client.run(cdask.rule_loads)
    texts = [article(n) for n in range(400)]
    bag = db.from_sequence(texts, npartitions=40)
    cleaned = cdask.clean_texts(bag, max_removed_share=0.55).compute()  # a rule set no other test uses
    assert cleaned == [clean(t, max_removed_share=0.55) for t in texts]
    after = client.run(cdask.rule_loads)
    loads = {worker: after[worker] - before.get(worker, 0) for worker in after}
    assert sum(loads.values()) >= 1
    assert max(loads.values()) <= 1, loads


def test_clean_records_copies_records_and_counts_removals(client):
    records = [{"id": n, "text": article(n)} for n in range(20)] + [{"id": "no text"}]
    bag = db.from_sequence(records, npartitions=3)
    out = cdask.clean_records(bag, to_field="clean", counts_field="removed", select=["prompts"]).compute()
    only_prompts = Cleaner(select=["prompts"])
    assert out[-1] == {"id": "no text"}
    for record, result in zip(records[:-1], out[:-1]):
        expected = only_prompts.run(record["text"])
        assert result == {**record, "clean": expected.text, "removed": len(expected.removals)}
    assert "clean" not in records[0]


def test_clean_column_with_counts(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    texts = [article(n) for n in range(50)] + [None]
    frame = dd.from_pandas(pd.DataFrame({"id": range(51), "text": texts}), npartitions=4)
    result = cdask.clean_column(frame, "text", counts_column="removed").compute()
    assert result["text"].tolist()[:-1] == [clean(t) for t in texts[:-1]]
    assert result["text"].isna().tolist()[-1]
    default = Cleaner()
    assert result["removed"].tolist() == [len(default.run(t).removals) for t in texts[:-1]] + [0]
    assert str(result["removed"].dtype) == "Int64"


def test_clean_column_rejects_an_unknown_column(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_pandas(pd.DataFrame({"body": ["x"]}), npartitions=1)
    with pytest.raises(KeyError, match='no column "text"'):
        cdask.clean_column(frame)
