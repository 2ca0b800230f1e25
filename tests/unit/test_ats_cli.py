"""`jams ats score` and `make eval-ats`'s script, end to end on files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.ats_engine.tools.evaluate import DEFAULT_SET, auroc, load_pairs, main
from services.cli import app
from tests.fixtures.resumes import RESUME, pdf

runner = CliRunner()
JOB = {"title": "Senior Backend Engineer", "company": "Acme", "location": "Remote",
       "description": "Requirements:\n- Python\n- PostgreSQL\n- Kafka\n- Terraform"}


def test_score_prints_one_pair_as_json(tmp_path: Path) -> None:
    (tmp_path / "cv.pdf").write_bytes(pdf())
    (tmp_path / "job.json").write_text(json.dumps(JOB))
    result = runner.invoke(app, ["ats", "score", "--resume", str(tmp_path / "cv.pdf"),
                                 "--job", str(tmp_path / "job.json"), "--no-embeddings"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["decision"] == "review" and 50 <= report["score"] < 90
    assert {"breakdown", "explanation", "strengths", "gaps", "hints", "versions"} <= set(report)
    assert any("missing Terraform" in line for line in report["explanation"])


def test_score_reports_a_bad_file_clearly(tmp_path: Path) -> None:
    (tmp_path / "cv.pdf").write_bytes(RESUME.encode())
    (tmp_path / "job.txt").write_text("Backend Engineer\nPython")
    result = runner.invoke(app, ["ats", "score", "--resume", str(tmp_path / "cv.pdf"),
                                 "--job", str(tmp_path / "job.txt"), "--no-embeddings"])
    assert result.exit_code == 2
    assert "claims to be pdf" in result.output


def test_the_labelled_set_has_the_promised_shape() -> None:
    pairs = load_pairs(DEFAULT_SET)
    assert len(pairs) >= 60
    per_candidate: dict[str, int] = {}
    for pair in pairs:
        per_candidate[pair.resume_text] = per_candidate.get(pair.resume_text, 0) + 1
    assert sum(1 for n in per_candidate.values() if n >= 3) >= 10
    assert {p.label for p in pairs} == {"apply", "review", "reject"}


def test_eval_prints_the_metrics_last(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                      ) -> None:
    lines = DEFAULT_SET.read_text().splitlines()[:10]
    (tmp_path / "few.jsonl").write_text("\n".join(lines))
    assert main([str(tmp_path / "few.jsonl"), "--no-embeddings"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])
    assert figures["pairs"] == 10
    assert set(figures) >= {"approve_precision", "approve_recall", "reject_precision",
                            "reject_recall", "auroc", "within_candidate_auroc"}


def test_eval_rejects_a_malformed_file(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n')
    assert main([str(tmp_path / "bad.jsonl"), "--no-embeddings"]) == 2


@pytest.mark.slow
def test_eval_with_the_model_keeps_its_vectors_for_the_next_run(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    lines = DEFAULT_SET.read_text().splitlines()[:4]
    (tmp_path / "few.jsonl").write_text("\n".join(lines))
    cache = tmp_path / "vectors.npz"
    assert main([str(tmp_path / "few.jsonl"), "--cache", str(cache)]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    kept = cache.stat().st_mtime_ns
    assert main([str(tmp_path / "few.jsonl"), "--cache", str(cache)]) == 0
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert first == second
    assert cache.stat().st_mtime_ns == kept, "the second run embedded nothing new"


def test_auroc() -> None:
    assert auroc([3, 2], [1, 0]) == 1.0
    assert auroc([1], [1]) == 0.5
    assert auroc([], [1]) is None
