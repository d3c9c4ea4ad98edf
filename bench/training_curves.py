"""Test accuracy against training seconds: the classic Keras script vs the app's recipes.

Usage: .venv/bin/python bench/training_curves.py [RUN ...]   (default: classic default)
Runs: classic (the classic Keras MNIST script: CNN, batch 32, 5 epochs, plain ``model.fit``),
      default (what the app's Train button does on MNIST), best (P3: the app's most
      accurate recipe, 180 s budget), fashion (Q1: the default on Debian's Fashion-MNIST
      IDX files), cifar (Q2: the CIFAR-10 code path on generated data in the Keras layout).

Every run records the 10,000-image test accuracy several times per epoch; the clock is
paused while it does, so "seconds" are training seconds only. Runs are sequential so they
do not compete for the CPU. Writes bench/results/training_curves.json and
docs/training-curves.png, and prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digitapp.core import datasets, models, training
from digitapp.core.config import DEFAULT_MODEL, SYSTEM_FASHION_DIR, TrainConfig
from digitapp.core.tf import keras, tf

RESULTS = ROOT / "bench" / "results" / "training_curves.json"
PLOT = ROOT / "docs" / "training-curves.png"
FASHION = str(SYSTEM_FASHION_DIR)
CHECKS_PER_EPOCH = 4
TARGET = 0.99


class TestCurve(keras.callbacks.Callback):
    """Measures test accuracy every ``every`` batches and at each epoch's end, excluding
    its own time from the training clock. Uses the model's forward pass directly, so the
    training metrics Keras is accumulating are untouched."""

    def __init__(self, x_test: np.ndarray, y_test: np.ndarray, every: int, budget: float = math.inf):
        super().__init__()
        self.x = tf.constant(x_test.astype("float32") / 255.0)
        self.y = y_test.reshape(-1)
        self.every = every
        self.budget = budget
        self.points: list[dict] = []
        self._paused = 0.0
        self._start = 0.0
        self._steps = 0
        self._forward = None

    def seconds(self) -> float:
        return time.perf_counter() - self._start - self._paused

    def on_train_begin(self, logs=None):
        self._forward = tf.function(lambda xb: self.model(xb, training=False))
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._steps += 1
        if self._steps % self.every == 0:
            self._measure()

    def on_epoch_end(self, epoch, logs=None):
        if self._steps % self.every:
            self._measure()

    def _measure(self):
        seconds = self.seconds()
        paused = time.perf_counter()
        correct = 0
        for i in range(0, len(self.y), 2000):
            probs = self._forward(self.x[i:i + 2000]).numpy()
            correct += int((probs.argmax(axis=1) == self.y[i:i + 2000]).sum())
        self.points.append({"seconds": seconds, "steps": self._steps, "test_accuracy": correct / len(self.y)})
        self._paused += time.perf_counter() - paused
        if seconds > self.budget:
            self.model.stop_training = True


def classic(dataset: datasets.Dataset) -> dict:
    """The classic Keras MNIST script, as plainly as people write it."""
    keras.utils.set_random_seed(0)
    model = models.build_cnn((28, 28, 1), 10)  # exactly the classic script's layers
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = dataset.x_train.astype("float32") / 255.0
    steps = math.ceil(len(x) * 0.9 / 32)
    curve = TestCurve(dataset.x_test, dataset.y_test, steps // CHECKS_PER_EPOCH)
    model.fit(x, dataset.y_train, batch_size=32, epochs=5, validation_split=0.1, callbacks=[curve], verbose=0)
    return {"recipe": "CNN 32-64-128, Adam 1e-3, batch 32, 5 epochs, validation_split 0.1", "points": curve.points}


def app_recipe(dataset: datasets.Dataset, architecture: str, budget: float = math.inf, **overrides) -> dict:
    """The app's training path (``core.training.train``) with a registered recipe."""
    config = TrainConfig.for_model(architecture, **overrides)
    model = models.build_model(architecture, dataset.input_shape, dataset.num_classes)
    steps = math.ceil(len(dataset.x_train) * (1 - config.validation_fraction) / config.batch_size)
    curve = TestCurve(dataset.x_test, dataset.y_test, max(1, steps // CHECKS_PER_EPOCH), budget)
    training.train(model, dataset, config, extra_callbacks=[curve])
    return {"recipe": f"{architecture}: {_describe(config)}", "points": curve.points}


def _describe(config: TrainConfig) -> str:
    return (f"{config.optimizer}, {config.schedule} lr {config.learning_rate:g}, batch {config.batch_size}, "
            f"{config.epochs} epochs" + (", augmentation" if config.augment else ""))


def fake_cifar(folder: Path, per_batch: int = 500, seed: int = 0) -> None:
    """Write data_batch_1…5 and test_batch like ``cifar-10-batches-py``: 10 colour
    classes a small CNN can separate (a class-dependent colour and stripe, plus noise)."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(40, 215, size=(10, 3))
    yy, xx = np.mgrid[0:32, 0:32]
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = rng.integers(0, 10, size=per_batch)
        images = np.empty((per_batch, 32, 32, 3), dtype=np.float32)
        for i, label in enumerate(labels):
            stripes = np.sin((xx * math.cos(label) + yy * math.sin(label)) * 0.6)[..., None] * 30
            images[i] = palette[label] + stripes + rng.normal(0, 25, size=(32, 32, 3))
        data = np.clip(images, 0, 255).astype(np.uint8).transpose(0, 3, 1, 2).reshape(per_batch, -1)
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": data, b"labels": labels.tolist()}, f)


# The longest runs of the default model that fit P3's 180 s and Q1's 300 s here
# (`digitapp train --epochs 6 --batch-size 128 --lr 4e-3`, `--epochs 9` for Fashion); the
# budget stops a run if the machine is slower. Augmentation made both worse at these
# lengths (MNIST 99.05%, Fashion 88.1% with 5 epochs): a model this small underfits.
LONG = dict(epochs=6, batch_size=128, learning_rate=4e-3)
LONG_FASHION = dict(epochs=9, batch_size=128, learning_rate=4e-3)

RUNS = {
    "classic": lambda: classic(datasets.load_builtin("mnist")),
    "default": lambda: app_recipe(datasets.load_builtin("mnist"), DEFAULT_MODEL),
    "best": lambda: app_recipe(datasets.load_builtin("mnist"), DEFAULT_MODEL, budget=180, **LONG),
    "fashion": lambda: app_recipe(datasets.load_dataset(FASHION), DEFAULT_MODEL, budget=300),
    "fashion-long": lambda: app_recipe(datasets.load_dataset(FASHION), DEFAULT_MODEL, budget=300,
                                       **LONG_FASHION),
}


def cifar() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        fake_cifar(Path(tmp))
        dataset = datasets.load_dataset(tmp)
        result = app_recipe(dataset, DEFAULT_MODEL)
    result["note"] = ("generated data in the cifar-10-batches-py layout (2,500 train / 500 test); "
                      "real CIFAR-10 is not available here")
    return result


RUNS["cifar"] = cifar


def summarise(run: dict) -> dict:
    points = run["points"]
    reached = next((p["seconds"] for p in points if p["test_accuracy"] >= TARGET), None)
    within = [p["test_accuracy"] for p in points if p["seconds"] <= 180]
    return {
        "final_accuracy": points[-1]["test_accuracy"],
        "train_seconds": points[-1]["seconds"],
        "seconds_to_99": reached,
        "best_within_180s": max(within) if within else None,
        "best_within_300s": max(p["test_accuracy"] for p in points if p["seconds"] <= 300),
    }


def plot(results: dict) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mnist = [n for n in ("classic", "default", "best") if n in results]
    if not mnist:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    for name in mnist:
        pts = results[name]["points"]
        ax.plot([p["seconds"] for p in pts], [100 * p["test_accuracy"] for p in pts], marker="o", ms=3,
                label=f"{name}: {results[name]['recipe']}")
    ax.axhline(100 * TARGET, color="grey", lw=0.8, ls="--")
    ax.set_ylim(97, 100)
    ax.set_xlabel("training seconds (test evaluations excluded)")
    ax.set_ylabel("MNIST test accuracy (%)")
    ax.set_title(f"Accuracy against training time, {os.cpu_count()} CPU cores, no GPU")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(PLOT)


def main() -> None:
    names = sys.argv[1:] or ["classic", "default"]
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": {}}
    previous["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                           "tensorflow": tf.__version__, "keras": keras.__version__}
    for name in names:
        start = time.perf_counter()
        run = RUNS[name]()
        run.update(summarise(run), wall_seconds=time.perf_counter() - start,
                   date=time.strftime("%Y-%m-%d %H:%M"))
        previous["runs"][name] = run
        print(json.dumps({k: v for k, v in run.items() if k != "points"}), flush=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(previous, indent=2))
    plot(previous["runs"])
    print("\n| run | recipe | train s | test accuracy | s to ≥99.0% | best ≤180 s |\n|---|---|---|---|---|---|")
    for name, r in previous["runs"].items():
        to99 = f"{r['seconds_to_99']:.1f}" if r["seconds_to_99"] is not None else "—"
        best = f"{r['best_within_180s']:.2%}" if r["best_within_180s"] is not None else "—"
        print(f"| {name} | {r['recipe']} | {r['train_seconds']:.1f} | {r['final_accuracy']:.2%} | {to99} | {best} |")


if __name__ == "__main__":
    main()
