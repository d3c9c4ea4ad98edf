"""Training with plain-callable hooks on a few hundred real MNIST images."""

import math

import numpy as np
import pytest

from digitapp.core import models, training
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


def test_hooks_stream_progress(mnist_small, monkeypatch):
    monkeypatch.setattr(training, "BATCH_REPORT_SECONDS", 0.0)
    batches, epochs = [], []
    model = models.build_model("mlp", mnist_small.input_shape, 10)
    config = training.TrainConfig(epochs=2, batch_size=50, seed=0)
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
    result = training.train(model, mnist_small, training.TrainConfig(epochs=3, batch_size=20),
                            should_stop=should_stop)
    assert result.stopped and result.epochs_completed == 1
    # Batches 0–2 ran, the stop came before batch 3, which was the last one to run.
    assert int(model.optimizer.iterations.numpy()) == 4


def test_augmentation_and_early_stopping_run(mnist_small):
    model = models.build_model("mlp", mnist_small.input_shape, 10)
    config = training.TrainConfig(epochs=2, batch_size=64, augment=True, early_stopping=True,
                                  optimizer="sgd", schedule="constant", learning_rate=0.05)
    result = training.train(model, mnist_small, config)
    assert result.epochs_completed >= 1 and np.isfinite(result.history["loss"]).all()


def test_model_and_data_must_match(mnist_small):
    model = models.build_model("mlp", (32, 32, 3), 10)
    with pytest.raises(ValueError, match="expects 32×32×3 images"):
        training.train(model, mnist_small, training.TrainConfig(epochs=1))
    model = models.build_model("mlp", (28, 28, 1), 5)
    with pytest.raises(ValueError, match="predicts 5 classes"):
        training.train(model, mnist_small, training.TrainConfig(epochs=1))


@pytest.mark.parametrize("field,value", [("epochs", 0), ("batch_size", 0), ("learning_rate", -1.0),
                                         ("optimizer", "magic"), ("validation_fraction", 0.95)])
def test_invalid_config(field, value):
    config = training.TrainConfig(**{field: value})
    with pytest.raises(ValueError):
        config.check()
