"""Shared fixtures: small slices of real MNIST, a trained tiny model, a model trained through
the CLI, and the corpus of bad image files. Helpers they use are in tests/helpers.py."""

import faulthandler
import os

# Before anything imports Qt or TensorFlow.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from pathlib import Path

import pytest

from digitapp.core import datasets
from digitapp.core.config import TrainConfig
from tests.helpers import run_cli, write_corpus

# The Qt fixtures (window, settings, guards against leaked threads and timers).
pytest_plugins = ["tests.gui_fixtures"]

TRAIN_SIZE = 600
TEST_SIZE = 200


# A test still running after this long is stuck: every thread's stack is written to the
# test's captured output (shown with its failure), so a hang seen once can be diagnosed.
STACKS_AFTER_SECONDS = 90


@pytest.fixture(autouse=True)
def stacks_of_a_stuck_test():
    faulthandler.dump_traceback_later(STACKS_AFTER_SECONDS, repeat=False)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def app_data(tmp_path, monkeypatch):
    """Each test's own app-data folder: logs and autosaved runs never reach the real one,
    nor one test's runs the next test's window."""
    folder = tmp_path / "app-data"
    monkeypatch.setenv("DIGITAPP_HOME", str(folder))
    return folder


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

    # Seeded: the model is the same whichever test first asks for it (the suite's order moved it).
    model = models.build_model("fast", mnist_small.input_shape, mnist_small.num_classes, seed=1)
    config = TrainConfig(epochs=4, batch_size=32, learning_rate=3e-3, seed=1)
    result = training.train(model, mnist_small, config)
    return model, result


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
    """The bad and unusual image files of :func:`tests.helpers.write_corpus` (a 7 from the test set)."""
    return write_corpus(tmp_path_factory.mktemp("bad files"), mnist.x_test[0])
