"""TensorFlow's one import, and TF_LOCK: held while a model is built, loaded or traced (two
threads doing that at once crashed natively), never for a whole training run (the GUI
builds and opens models while training runs)."""

import os

import numpy as np
import pytest

from digitapp.core import models, persistence, tf, training
from digitapp.core.config import TrainConfig
from digitapp.core.prediction import Predictor
from digitapp.core.tf import TF_LOCK, keras

# Long enough for any step that legitimately holds the lock; short enough to fail fast.
ACQUIRE_TIMEOUT_S = 5


def test_keras_runs_on_tensorflow():
    assert keras.backend.backend() == "tensorflow"
    assert os.environ["KERAS_BACKEND"] == "tensorflow"
    assert tf.tf.__version__.startswith("2.")


def test_native_stderr_is_silenced_only_inside(capfd, monkeypatch):
    monkeypatch.delenv("DIGITAPP_DEBUG", raising=False)
    with tf._native_stderr_silenced():
        os.write(2, b"oneDNN custom operations are on\n")
    os.write(2, b"a real error\n")
    assert capfd.readouterr().err == "a real error\n"


def spy_model(seen: list) -> keras.Model:
    """A small model whose Lambda layer records, each time Keras traces it, whether
    TF_LOCK is held (the Python body of a traced function runs only while tracing)."""

    def spy(x):
        seen.append(TF_LOCK.locked())
        return x

    inputs = keras.Input((28, 28, 1))
    hidden = keras.layers.Flatten()(keras.layers.Lambda(spy)(inputs))
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))


def test_building_a_model_holds_the_lock(monkeypatch):
    held = []
    original = models.BUILDERS["mlp"]

    def recording(*args):
        held.append(TF_LOCK.locked())
        return original(*args)

    monkeypatch.setitem(models.BUILDERS, "mlp", recording)
    models.build_model("mlp", (28, 28, 1), 10)
    assert held == [True]
    assert not TF_LOCK.locked()


def test_loading_a_model_holds_the_lock(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    models.build_model("mlp", (28, 28, 1), 10).save(path)
    held = []
    original = keras.saving.load_model

    def recording(*args, **kwargs):
        held.append(TF_LOCK.locked())
        return original(*args, **kwargs)

    monkeypatch.setattr(keras.saving, "load_model", recording)
    persistence.load_model(path)
    assert held == [True]
    assert not TF_LOCK.locked()


def test_a_predictor_traces_under_the_lock():
    seen = []
    predictor = Predictor(spy_model(seen), (28, 28, 1), [str(d) for d in range(10)], "digit")
    assert seen[1:] == [True]  # seen[0]: Keras building the model symbolically, ours to lock
    predictor.warm_up()
    assert len(seen) > 2 and all(seen[1:])
    traced = len(seen)
    predictor.probabilities(np.zeros((3, 28, 28, 1), np.float32))
    assert len(seen) == traced  # no tracing on use, so no lock needed there
    assert not TF_LOCK.locked()


def test_training_holds_the_lock_while_keras_traces_and_not_in_between(mnist_small):
    seen = []
    model = spy_model(seen)
    seen.clear()
    acquired = []

    def on_batch(progress):
        got = TF_LOCK.acquire(timeout=ACQUIRE_TIMEOUT_S)
        if got:
            TF_LOCK.release()
        acquired.append((progress["epoch"], progress["batch"], got))

    config = TrainConfig(epochs=2, batch_size=50, learning_rate=1e-3, schedule="constant")
    result = training.train(model, mnist_small, config, on_batch=on_batch)
    assert result.epochs_completed == 2
    assert len(seen) >= 2 and all(seen)  # the training and the validation step, each traced under the lock
    assert acquired and all(got for _, _, got in acquired), acquired
    assert acquired[0][:2] == (1, 1)  # no hook runs while the lock is held, not even the first
    assert any(epoch == 1 for epoch, _, _ in acquired)  # mid-run, not only after the last batch
    assert not TF_LOCK.locked()


def test_training_that_fails_lets_go_of_the_lock(mnist_small):
    def on_epoch(epoch, metrics):
        raise RuntimeError("the window went away")

    model = models.build_model("mlp", mnist_small.input_shape, 10)
    with pytest.raises(RuntimeError, match="the window went away"):
        training.train(model, mnist_small, TrainConfig(epochs=1, batch_size=100), on_epoch=on_epoch)
    assert not TF_LOCK.locked()
