"""Metrics from probabilities, checked by hand and against Keras' own evaluate."""

import json

import numpy as np
import pytest

from digitapp.core import evaluation, training
from digitapp.core.prediction import Predictor


def test_metrics_by_hand():
    probs = np.array([
        [0.9, 0.1, 0.0],   # true 0 → 0
        [0.2, 0.7, 0.1],   # true 0 → 1, confident mistake
        [0.1, 0.8, 0.1],   # true 1 → 1
        [0.4, 0.5, 0.1],   # true 2 → 1, unsure mistake
    ])
    labels = np.array([0, 0, 1, 2])
    ev = evaluation.evaluate_probabilities(probs, labels)
    assert ev.accuracy == 0.5
    assert ev.confusion.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]
    np.testing.assert_allclose(ev.precision, [1.0, 1 / 3, 0.0])
    np.testing.assert_allclose(ev.recall, [0.5, 1.0, 0.0])
    assert ev.misclassified.tolist() == [1, 3]  # most confident mistake first
    expected_loss = -np.mean(np.log([0.9, 0.2, 0.8, 0.1]))
    assert ev.loss == pytest.approx(expected_loss)
    summary = ev.to_dict(["a", "b", "c"])
    assert summary["per_class"]["b"]["precision"] == pytest.approx(1 / 3)


def test_summary_for_json():
    probs = np.eye(3)[[0, 1, 1, 1, 2]] * 0.9 + 0.1 / 3
    ev = evaluation.evaluate_probabilities(probs, np.array([0, 0, 2, 1, 2]))
    summary = ev.to_dict(["a", "b", "c"], max_misclassified=1)
    assert summary["test_samples"] == 5 and summary["test_accuracy"] == pytest.approx(0.6)
    assert summary["confusion_matrix"] == [[1, 1, 0], [0, 1, 0], [0, 1, 1]]
    assert summary["misclassified"] == [1]  # the first of two, truncated
    assert summary["per_class"]["c"] == {"precision": 1.0, "recall": 0.5}
    json.dumps(summary)  # plain types only


def test_matches_keras_evaluate(trained, mnist_small):
    model, _ = trained
    predictor = Predictor(model, mnist_small.input_shape, mnist_small.class_names, "digit")
    ev = evaluation.evaluate(predictor, mnist_small.x_test, mnist_small.y_test)
    keras_loss, keras_acc = model.evaluate(
        training.make_dataset(mnist_small.x_test, mnist_small.y_test, 100), verbose=0)
    assert ev.accuracy == pytest.approx(keras_acc, abs=1e-6)
    assert ev.loss == pytest.approx(keras_loss, rel=1e-3)
    assert ev.confusion.sum() == len(mnist_small.y_test)
