"""Shared fixtures: small slices of real MNIST, and a trained tiny model."""

import os

# Before anything imports Qt or TensorFlow.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digitapp.core import datasets

ROOT = Path(__file__).resolve().parents[1]
TRAIN_SIZE = 600
TEST_SIZE = 200


@pytest.fixture(scope="session")
def mnist() -> datasets.Dataset:
    """The bundled, real MNIST (60k/10k)."""
    return datasets.load_dataset("mnist")


@pytest.fixture(scope="session")
def mnist_small(mnist) -> datasets.Dataset:
    """A few hundred real MNIST images: enough to learn something in one quick epoch."""
    return datasets.Dataset(
        "MNIST-small", mnist.x_train[:TRAIN_SIZE], mnist.y_train[:TRAIN_SIZE],
        mnist.x_test[:TEST_SIZE], mnist.y_test[:TEST_SIZE], mnist.class_names, "digit",
    )


@pytest.fixture(scope="session")
def mnist_small_npz(mnist_small, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "mnist_small.npz"
    datasets.save_npz(mnist_small, path)
    return path


@pytest.fixture(scope="session")
def trained(mnist_small):
    """(model, result) — the ``fast`` model after a few epochs on the small set."""
    from digitapp.core import models, training

    model = models.build_model("fast", mnist_small.input_shape, mnist_small.num_classes)
    config = training.TrainConfig(epochs=4, batch_size=32, learning_rate=3e-3, seed=1)
    result = training.train(model, mnist_small, config)
    return model, result


def digit_png(array: np.ndarray, path: Path) -> Path:
    """Save a 28×28 uint8 MNIST image as a PNG file."""
    from PIL import Image

    Image.fromarray(np.asarray(array).reshape(28, 28).astype(np.uint8), "L").save(path)
    return path


def run_cli(*args, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "digitapp", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


@pytest.fixture(scope="session")
def cli_model(mnist_small_npz, tmp_path_factory):
    """Train through the real CLI once; the other tests reuse the saved model."""
    out = tmp_path_factory.mktemp("cli")
    model = out / "digits.keras"
    metrics = out / "metrics.json"
    proc = run_cli("train", "--data", mnist_small_npz, "--model", "fast", "--epochs", "3",
                   "--batch-size", "32", "--out", model, "--metrics-json", metrics)
    assert proc.returncode == 0, proc.stderr
    return model, metrics, proc


@pytest.fixture(scope="session")
def corpus(mnist, tmp_path_factory):
    """The bad and unusual image files of tests/badfiles.py (a 7 from the test set)."""
    from tests.badfiles import write_corpus

    return write_corpus(tmp_path_factory.mktemp("bad files"), mnist.x_test[0])
