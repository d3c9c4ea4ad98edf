"""Training with plain-callable hooks on a few hundred real MNIST images."""

import math

import numpy as np
import pytest

from digitapp.core import models, training
from digitapp.core.config import OPTIMIZERS, TrainConfig
from digitapp.core.datasets import from_arrays
from digitapp.core.errors import ConfigError, ModelMismatchError
from digitapp.core.prediction import Predictor


def test_training_learns_and_reports(trained, mnist_small):
    model, result = trained
    assert result.epochs_completed == 4 and not result.stopped
    assert set(result.history) >= {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
    assert all(len(v) == 4 for v in result.history.values())
    assert result.history["loss"][-1] < result.history["loss"][0]
    predictor = Predictor(model, mnist_small.input_shape, mnist_small.class_names, "digit")
    accuracy = (predictor.probabilities(mnist_small.x_test).argmax(1) == mnist_small.y_test).mean()
    assert accuracy > 0.75  # 600 images, 4 quick epochs: far above the 10% of guessing


def test_hooks_stream_progress(mnist_small):
    batches, epochs = [], []
    model = models.build_model("mlp", mnist_small.input_shape, 10)
    config = TrainConfig(epochs=2, batch_size=50, seed=0)
    training.train(model, mnist_small, config, on_batch=batches.append,
                   on_epoch=lambda e, m: epochs.append((e, m)))
    assert [e for e, _ in epochs] == [1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "seconds", "eta"} <= set(epochs[0][1])
    assert epochs[-1][1]["eta"] == 0
    assert batches and batches[-1]["progress"] == pytest.approx(1.0)
    assert all(math.isfinite(b["loss"]) and b["batches"] == 11 for b in batches)  # 540 / 50 → 11


def test_stop_is_honoured_within_one_batch(mnist_small):
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 3  # asked before batch 4 (index 3)

    model = models.build_model("mlp", mnist_small.input_shape, 10)
    result = training.train(model, mnist_small, TrainConfig(epochs=3, batch_size=20),
                            should_stop=should_stop)
    assert result.stopped and result.epochs_completed == 1
    # Batches 0–2 ran, the stop came before batch 3, which was the last one to run.
    assert int(model.optimizer.iterations.numpy()) == 4


def test_augmentation_and_early_stopping_run(mnist_small):
    model = models.build_model("mlp", mnist_small.input_shape, 10)
    config = TrainConfig(epochs=2, batch_size=64, augment=True, early_stopping=True,
                                  optimizer="sgd", schedule="constant", learning_rate=0.05)
    result = training.train(model, mnist_small, config)
    assert result.epochs_completed >= 1 and np.isfinite(result.history["loss"]).all()


def test_model_and_data_must_match(mnist_small):
    model = models.build_model("mlp", (32, 32, 3), 10)
    with pytest.raises(ModelMismatchError, match="expects 32×32×3 images but MNIST-small has 28×28×1"):
        training.train(model, mnist_small, TrainConfig(epochs=1))
    model = models.build_model("mlp", (28, 28, 1), 5)
    with pytest.raises(ModelMismatchError, match="predicts 5 classes but MNIST-small has 10"):
        training.train(model, mnist_small, TrainConfig(epochs=1))


@pytest.mark.parametrize("field,value", [("epochs", 0), ("batch_size", 0), ("learning_rate", -1.0),
                                         ("optimizer", "magic"), ("validation_fraction", 0.95)])
def test_invalid_config(field, value):
    model = models.build_model("mlp", (28, 28, 1), 10)
    with pytest.raises(ConfigError):
        training.train(model, None, TrainConfig(**{field: value}))  # refused before the data is looked at


def test_without_a_validation_share_there_are_no_validation_curves(mnist_small):
    model = models.build_model("mlp", mnist_small.input_shape, 10)
    result = training.train(model, mnist_small, TrainConfig(epochs=1, batch_size=100, validation_fraction=0.0))
    assert set(result.history) == {"loss", "accuracy", "seconds", "epoch_position"}
    assert result.history["epoch_position"] == [1.0]


def test_a_stopped_epoch_ends_where_it_was_stopped(mnist_small):
    """The validation after Stop describes the model part-way through its epoch: its
    position says so (the plot draws the point there, not at a whole epoch)."""
    model = models.build_model("mlp", mnist_small.input_shape, 10)
    polls = []

    def stop_after_three():  # polled before every batch: the fourth poll says stop
        polls.append(True)
        return len(polls) > 3

    config = TrainConfig(epochs=2, batch_size=20, schedule="constant", learning_rate=1e-3)
    result = training.train(model, mnist_small, config, should_stop=stop_after_three)
    per_epoch = -(-round(len(mnist_small.x_train) * (1 - config.validation_fraction)) // config.batch_size)
    assert result.stopped and len(result.history["val_loss"]) == 1
    (position,) = result.history["epoch_position"]
    assert 0 < position < 1 and position == pytest.approx(int(model.optimizer.iterations.numpy()) / per_epoch)


def test_check_compatible():
    rgb = from_arrays("photos", np.zeros((2, 32, 32, 3), np.uint8), [0, 1], np.zeros((2, 32, 32, 3), np.uint8), [0, 1])
    training.check_compatible((32, 32, 3), 2, rgb)
    with pytest.raises(ModelMismatchError, match="The model expects 28×28×1 images but photos has 32×32×3."):
        training.check_compatible((28, 28, 1), 2, rgb)
    with pytest.raises(ModelMismatchError, match="The model predicts 10 classes but photos has 2."):
        training.check_compatible((32, 32, 3), 10, rgb)


def _progress(report_seconds):
    reports = []
    callback = training.ProgressCallback(epochs=2, batches_per_epoch=10, batch_size=32, on_batch=reports.append,
                                         report_seconds=report_seconds)
    callback.on_train_begin()
    callback.on_epoch_begin(0)
    return callback, reports


def test_batch_reports_are_throttled_but_each_epochs_last_batch_is_reported():
    callback, reports = _progress(report_seconds=1e9)
    for batch in range(10):
        callback.on_train_batch_end(batch, {"loss": 1.0, "accuracy": 0.5})
    assert [(r["epoch"], r["batch"]) for r in reports] == [(1, 10)]
    assert reports[0]["progress"] == 0.5 and reports[0]["eta"] >= 0


def test_batch_reports_come_in_order_once_each():
    callback, reports = _progress(report_seconds=0.0)
    for batch in (0, 1, 2, 1, 3):  # asynchronous dispatch can deliver a late, older batch
        callback.on_train_batch_end(batch, {"loss": 2.0, "accuracy": 0.25})
    assert [r["batch"] for r in reports] == [1, 2, 3, 4]
    assert reports[-1]["loss"] == 2.0 and reports[-1]["batches"] == 10 and reports[-1]["epochs"] == 2


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_with_either_schedule(optimizer):
    constant = training.make_optimizer(TrainConfig(optimizer=optimizer, schedule="constant", learning_rate=0.01), 100)
    cosine = training.make_optimizer(TrainConfig(optimizer=optimizer, schedule="cosine", learning_rate=0.01), 100)
    assert type(constant).__name__.lower() == optimizer
    assert float(constant.learning_rate) == pytest.approx(0.01)
    # Warm-up from a tenth of the rate over the first 10% of steps, then decay to zero.
    rates = []
    for step in (0, 10, 55, 100):
        cosine.iterations.assign(step)
        rates.append(round(float(cosine.learning_rate), 6))
    assert rates == [0.001, 0.01, 0.005, 0.0]
