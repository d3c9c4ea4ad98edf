"""Exports leave the app proven: every format is written with Keras' own exporters, loaded in
its own runtime and compared with the Keras model; the manifest says how to use it."""

import json

import numpy as np
import pytest

from digitapp.core import export, persistence
from digitapp.core.config import EXPORT_FORMATS, export_path, manifest_path
from digitapp.core.errors import ConfigError, WriteError
from digitapp.core.tf import keras

PROOF = 200  # test images: enough to compare, quick to run


@pytest.fixture(scope="module")
def model_and_info(trained, mnist_small):
    model, _ = trained
    info = persistence.ModelInfo(mnist_small.input_shape, mnist_small.class_names, mnist_small.preprocessing,
                                 dataset=mnist_small.name, architecture="fast", metrics={"test_accuracy": 0.9})
    return model, info


def _export(model_and_info, mnist_small, fmt, out, **kwargs):
    model, info = model_and_info
    steps = []
    proof = export.export_model(model, info, fmt, out, mnist_small.x_test[:PROOF], mnist_small.y_test[:PROOF],
                                on_step=steps.append, **kwargs)
    return proof, steps


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_every_format_is_proven_equal_in_its_own_runtime(model_and_info, mnist_small, tmp_path, fmt):
    out = export_path(tmp_path / "digits.keras", fmt)
    proof, steps = _export(model_and_info, mnist_small, fmt, out)
    assert out.exists() and proof.size_bytes > 10_000
    assert proof.images == PROOF and proof.passed and proof.failure() == ""
    assert proof.agreement >= 0.999 and proof.max_abs_diff < 1e-3
    assert proof.export_accuracy == pytest.approx(proof.keras_accuracy, abs=0.005) and proof.keras_accuracy > 0.5
    assert 0 < proof.latency_ms < 1000
    assert len(steps) == 3 and EXPORT_FORMATS[fmt].runtime in steps[1]

    manifest = json.loads(manifest_path(out).read_text(encoding="utf-8"))
    assert manifest["class_names"] == mnist_small.class_names
    assert manifest["input"]["shape"] == [None, 28, 28, 1] and manifest["input"]["range"] == [0.0, 1.0]
    assert manifest["preprocessing"]["recipe"] == "digit" and "20x20" in " ".join(manifest["preprocessing"]["steps"])
    assert manifest["proof"]["agreement"] == proof.agreement and manifest["test_accuracy"] == 0.9


def test_the_onnx_export_runs_alone_on_any_batch_size(model_and_info, mnist_small, tmp_path):
    """What a user's own program does: onnxruntime only, the manifest's recipe, any N."""
    import onnxruntime

    out = tmp_path / "digits.onnx"
    _export(model_and_info, mnist_small, "onnx", out)
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    model, _ = model_and_info
    for n in (1, 7):
        x = mnist_small.x_test[:n].astype(np.float32) / 255.0
        probs = session.run(None, {session.get_inputs()[0].name: x})[0]
        assert probs.shape == (n, 10) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
        assert (probs.argmax(1) == model(x, training=False).numpy().argmax(1)).all()


@pytest.mark.parametrize("fmt", ["onnx", "litert"])
def test_int8_exports_are_smaller_and_report_the_accuracy_drop(model_and_info, mnist_small, tmp_path, fmt):
    plain, _ = _export(model_and_info, mnist_small, fmt, tmp_path / f"plain{EXPORT_FORMATS[fmt].suffix}")
    mine = tmp_path / "int8.float32.onnx"  # a file of the user's, named like a step of the int8 export
    mine.write_bytes(b"keep me")
    small, _ = _export(model_and_info, mnist_small, fmt, tmp_path / f"int8{EXPORT_FORMATS[fmt].suffix}",
                       quantize=True)
    assert small.quantized and small.size_bytes < plain.size_bytes / 2
    assert small.max_abs_diff < 0.1  # int8 probabilities come in 1/256 steps: compared as they are
    assert mine.read_bytes() == b"keep me" and not list(tmp_path.glob(".int8-*"))
    assert small.accuracy_drop_points == pytest.approx(100 * (small.keras_accuracy - small.export_accuracy))
    assert small.passed == (small.accuracy_drop_points <= 0.3)
    assert json.loads(manifest_path(small.path).read_text(encoding="utf-8"))["quantized"] == "int8"


def test_a_model_ending_in_logits_is_exported_with_probabilities(mnist_small, tmp_path):
    inputs = keras.Input((28, 28, 1))
    logits = keras.layers.Dense(10)(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, logits)
    info = persistence.ModelInfo((28, 28, 1), mnist_small.class_names, "digit")
    proof = export.export_model(model, info, "onnx", tmp_path / "logits.onnx", mnist_small.x_test[:50],
                                mnist_small.y_test[:50])
    import onnxruntime

    session = onnxruntime.InferenceSession(proof.path, providers=["CPUExecutionProvider"])
    probs = session.run(None, {session.get_inputs()[0].name: mnist_small.x_test[:5].astype(np.float32) / 255})[0]
    assert proof.passed and np.allclose(probs.sum(axis=1), 1, atol=1e-5) and probs.min() >= 0


def test_a_failed_proof_says_why_in_one_sentence():
    proof = export.ExportProof("onnx", "m.onnx", 1, 1000, 0.4, 0.95, 0.1, 0.99, 0.94, False)
    assert not proof.passed and "95.00%" in proof.failure() and proof.failure().count(". ") == 0
    quantized = export.ExportProof("litert", "m.tflite", 1, 1000, 0.4, 0.99, 0.1, 0.99, 0.985, True)
    assert not quantized.passed and "0.50 accuracy points" in quantized.failure()


def test_wrong_requests_are_refused_before_anything_is_written(model_and_info, mnist_small, tmp_path):
    with pytest.raises(ConfigError, match="Only onnx or litert"):
        _export(model_and_info, mnist_small, "savedmodel", tmp_path / "sm", quantize=True)
    with pytest.raises(ConfigError, match="Unknown export format"):
        _export(model_and_info, mnist_small, "coreml", tmp_path / "m.mlmodel")
    with pytest.raises(WriteError, match="does not exist"):
        _export(model_and_info, mnist_small, "onnx", tmp_path / "missing" / "m.onnx")
    precious = tmp_path / "my documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work", encoding="utf-8")
    with pytest.raises(WriteError, match="not a SavedModel"):
        _export(model_and_info, mnist_small, "savedmodel", precious)
    assert (precious / "thesis.txt").exists()
    assert not list(tmp_path.glob("*.manifest.json"))
