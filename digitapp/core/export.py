"""Models leave the app: ONNX, LiteRT, SavedModel and HDF5, each proven equal to the Keras
model in its own runtime.

Written with Keras' own exporters (``model.export``; HDF5 with ``model.save``), never a
hand-made converter. An export takes exactly what the Keras model takes (float32 on [0, 1],
``(N, height, width, channels)``, any N) and returns class probabilities: a model that ends
in logits is exported with a softmax after it. Preparing raw images stays outside; the
manifest written beside every export says how (``preprocessing.RECIPE_STEPS``).

The proof loads the written file in its runtime (onnxruntime, the LiteRT interpreter,
``tf.saved_model.load``, Keras for HDF5), runs the proof images through it and through the
Keras model, and reports the largest probability difference, how often the two agree on the
answer, the file size and the per-image latency in that runtime.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from digitapp import __version__
from digitapp.core import persistence
from digitapp.core.answers import as_float_images, as_probabilities
from digitapp.core.config import (
    EXPORT_FORMATS,
    EXPORT_MIN_AGREEMENT,
    QUANTIZED_MAX_DROP_POINTS,
    manifest_path,
)
from digitapp.core.errors import ConfigError, WriteError
from digitapp.core.persistence import ModelInfo
from digitapp.core.preprocessing import RECIPE_STEPS
from digitapp.core.tf import TF_LOCK, keras, tf

StepHook = Callable[[str], None]
LATENCY_CALLS = 100  # single-image calls timed per runtime (after a few to warm it up)
CALIBRATION_IMAGES = 200  # representative images for int8 LiteRT


@dataclass
class ExportProof:
    """How an export compares with its Keras model on the proof images."""

    format: str
    path: str
    size_bytes: int
    images: int
    max_abs_diff: float  # largest |p_export - p_keras| over all images and classes
    agreement: float  # share of images with the same answer
    latency_ms: float  # median per single image in the export's runtime
    keras_accuracy: float
    export_accuracy: float
    quantized: bool

    @property
    def accuracy_drop_points(self) -> float:
        return 100.0 * (self.keras_accuracy - self.export_accuracy)

    @property
    def passed(self) -> bool:
        """Float exports must agree on the answer (≥ 99.9%); int8 ones may lose ≤ 0.3 points."""
        if self.quantized:
            return self.accuracy_drop_points <= QUANTIZED_MAX_DROP_POINTS
        return self.agreement >= EXPORT_MIN_AGREEMENT

    def failure(self) -> str:
        """Why the export is not trusted, in one sentence ("" when it passed)."""
        if self.passed:
            return ""
        if self.quantized:
            return (f"the int8 {self.format} export loses {self.accuracy_drop_points:.2f} accuracy points "
                    f"(at most {QUANTIZED_MAX_DROP_POINTS} allowed); export without --quantize.")
        return (f"the {self.format} export gives the Keras model's answer on only {self.agreement:.2%} of "
                f"{self.images:,} images (at least {EXPORT_MIN_AGREEMENT:.1%} needed).")

    def summary(self) -> str:
        """Agreement, accuracy, size and latency on one line."""
        size = f"{self.size_bytes / 1e6:.2f} MB" if self.size_bytes >= 1e5 else f"{self.size_bytes / 1e3:.0f} kB"
        accuracy = f"accuracy {self.export_accuracy:.2%} (Keras {self.keras_accuracy:.2%})"
        name = f"{self.format} int8" if self.quantized else self.format
        return (f"{name}: agreement {self.agreement:.2%} on {self.images:,} images, max |Δp| "
                f"{self.max_abs_diff:.2g}, {accuracy}, {size}, {self.latency_ms:.2f} ms per image")

    def to_dict(self) -> dict:
        return {**asdict(self), "accuracy_drop_points": self.accuracy_drop_points, "passed": self.passed}


def export_model(model: keras.Model, info: ModelInfo, fmt: str, out: str | Path, x_proof: np.ndarray,
                 y_proof: np.ndarray, quantize: bool = False, on_step: StepHook | None = None) -> ExportProof:
    """Write ``model`` as ``fmt`` to ``out``, prove it on ``x_proof``/``y_proof`` (images as
    the dataset holds them), and write its manifest beside it. Returns the proof, also when it
    failed (the caller decides; the files stay for inspection).

    Raises:
        ConfigError: unknown format, or ``quantize`` for a format that cannot be quantized.
        WriteError: the export could not be written there.
    """
    spec = EXPORT_FORMATS.get(fmt)
    if spec is None:
        raise ConfigError(f"Unknown export format {fmt!r}: choose {', '.join(EXPORT_FORMATS)}.")
    if quantize and not spec.quantizable:
        quantizable = " or ".join(f.name for f in EXPORT_FORMATS.values() if f.quantizable)
        raise ConfigError(f"Only {quantizable} exports can be quantized, not {fmt}.")
    step = on_step or (lambda _text: None)
    out = Path(out)
    if not out.parent.is_dir():
        raise WriteError(f"Cannot export to {out}: the folder {out.parent} does not exist.")
    x = model_inputs(model, x_proof)
    step(f"Writing the {fmt}{' int8' if quantize else ''} export…")
    inference = _inference_model(model, x[:8])
    try:
        _write(fmt, model, inference, info, out, quantize, x)
    except OSError as exc:
        raise WriteError(f"Could not write {out.name}: {exc.strerror or exc}.") from None
    step(f"Loading it in {spec.runtime} and comparing on {len(x):,} images…")
    run = _runner(fmt, out)
    with TF_LOCK:
        expected = as_probabilities(np.concatenate([inference(x[i:i + 256], training=False).numpy()
                                                     for i in range(0, len(x), 256)]))
    got = np.concatenate([run(x[i:i + 256]) for i in range(0, len(x), 256)])
    if fmt == "h5":  # the model itself, which may end in logits; the others end in probabilities
        got = as_probabilities(got)  # (int8 ones in steps of 1/256: never "normalised" again)
    step(f"Timing single images in {spec.runtime}…")
    proof = ExportProof(
        format=fmt, path=str(out), size_bytes=_size(out), images=len(x),
        max_abs_diff=float(np.abs(got - expected).max()) if len(x) else 0.0,
        agreement=float((got.argmax(1) == expected.argmax(1)).mean()) if len(x) else 1.0,
        latency_ms=_latency_ms(run, x), keras_accuracy=_accuracy(expected, y_proof),
        export_accuracy=_accuracy(got, y_proof), quantized=quantize,
    )
    write_manifest(proof, info, model)
    return proof


def model_inputs(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """Dataset images (uint8 0–255 or float on [0, 1]) as the model takes them: float32 on
    [0, 1] in its own input shape (classic models take (28, 28) without a channel axis)."""
    x = as_float_images(images)
    return x.reshape((len(x), *model.input_shape[1:]))


def write_manifest(proof: ExportProof, info: ModelInfo, model: keras.Model) -> Path:
    """The small JSON file beside an export that says how to use it."""
    manifest = {
        "format": proof.format,
        "file": Path(proof.path).name,
        "class_names": info.class_names,
        "input": {"shape": [None, *model.input_shape[1:]], "dtype": "float32", "range": [0.0, 1.0],
                  "layout": "batch, height, width, channels"},
        "output": {"shape": [None, len(info.class_names)], "meaning": "class probabilities (sum to 1)"},
        "preprocessing": {"recipe": info.preprocessing, "steps": RECIPE_STEPS.get(info.preprocessing, [])},
        "quantized": "int8" if proof.quantized else None,
        "test_accuracy": info.metrics.get("test_accuracy"),
        "trained_on": info.dataset,
        "architecture": info.architecture,
        "proof": proof.to_dict(),
        "app_version": __version__,
    }
    path = manifest_path(proof.path)
    try:
        path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"Could not write {path.name}: {exc.strerror or exc}.") from None
    return path


def _inference_model(model: keras.Model, sample: np.ndarray) -> keras.Model:
    """The model as exported: float32 in, probabilities out (a softmax added after logits)."""
    with TF_LOCK:
        outputs = model(sample, training=False).numpy()
        if as_probabilities(outputs) is outputs:  # already probabilities
            return model
        inputs = keras.Input(shape=model.input_shape[1:], dtype="float32")
        wrapped = keras.Model(inputs, keras.layers.Softmax()(model(inputs, training=False)), name=f"{model.name}_probs")
        wrapped(sample, training=False)  # Keras exports only models that have been called
        return wrapped


def _write(fmt: str, model: keras.Model, inference: keras.Model, info: ModelInfo, out: Path, quantize: bool,
           x: np.ndarray) -> None:
    _remove(out)  # a previous export of the same name is replaced, never mixed with this one
    if fmt == "h5":  # the model itself, with the app's sidecar: the app and old scripts open it
        persistence.save_model(model, out, info)
        return
    with TF_LOCK, warnings.catch_warnings():
        # tf2onnx's numpy-2 shim (inside Keras) warns about np.object: nothing a user can act on.
        warnings.simplefilter("ignore", FutureWarning)
        if fmt == "onnx":
            if not quantize:
                inference.export(str(out), format="onnx", verbose=False)
                return
            handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}-", suffix=".float32.onnx")
            os.close(handle)
            float_path = Path(name)  # a new name: never a file of the user's
            inference.export(str(float_path), format="onnx", verbose=False)
            try:
                from onnxruntime.quantization import QuantType, quantize_dynamic

                quantize_dynamic(str(float_path), str(out), weight_type=QuantType.QUInt8)
            finally:
                float_path.unlink(missing_ok=True)
        elif fmt == "litert":
            options = {}
            if quantize:
                calibration = x[:CALIBRATION_IMAGES]
                options = {"optimizations": [tf.lite.Optimize.DEFAULT],
                           "representative_dataset": lambda: ([calibration[i:i + 1]] for i in range(len(calibration)))}
            inference.export(str(out), format="litert", verbose=False, **options)
        else:
            inference.export(str(out), format="tf_saved_model", verbose=False)


def _runner(fmt: str, path: Path) -> Callable[[np.ndarray], np.ndarray]:
    """A function from a float32 batch to the export's outputs, in the export's own runtime."""
    if fmt == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        return lambda x: session.run(None, {name: x})[0]
    if fmt == "litert":
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_path=str(path))
        source, target = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
        shape = [None]

        def run(x: np.ndarray) -> np.ndarray:
            if shape[0] != x.shape:
                interpreter.resize_tensor_input(source["index"], x.shape)
                interpreter.allocate_tensors()
                shape[0] = x.shape
            interpreter.set_tensor(source["index"], x)
            interpreter.invoke()
            return interpreter.get_tensor(target["index"]).copy()

        return run
    if fmt == "savedmodel":
        with TF_LOCK:  # loading rebuilds the saved functions
            loaded = tf.saved_model.load(str(path))
        return lambda x: loaded.serve(tf.constant(x)).numpy()
    loaded_model, _ = persistence.load_model(path)
    return lambda x: loaded_model(x, training=False).numpy()


def _latency_ms(run: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> float:
    if not len(x):
        return 0.0
    one = x[:1]
    for _ in range(5):
        run(one)
    times = []
    for _ in range(LATENCY_CALLS):
        start = time.perf_counter()
        run(one)
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def _accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    labels = np.asarray(labels).reshape(-1)
    return float((probabilities.argmax(1) == labels).mean()) if len(labels) else 0.0


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size


def _remove(path: Path) -> None:
    if path.is_dir():
        if not (path / "saved_model.pb").exists():  # never delete a folder that is not an export
            raise WriteError(f"{path} is a folder (and not a SavedModel); give the export another name.")
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
