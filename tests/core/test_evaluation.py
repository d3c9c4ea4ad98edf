"""Metrics from probabilities, checked by hand and against Keras' own evaluate."""

import json

import numpy as np
import pytest

from digitapp.core import evaluation, pipeline
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


def test_a_digit_models_accuracy_is_about_real_images_and_non_digits_are_counted_apart():
    # Classes: "0", "1", "not a digit". Three real images, then two held-out non-digits.
    probs = np.array([
        [0.9, 0.05, 0.05],  # 0 → 0
        [0.1, 0.2, 0.7],    # 1 → not a digit: a real digit rejected, a mistake
        [0.1, 0.8, 0.1],    # 1 → 1
        [0.1, 0.1, 0.8],    # non-digit caught
        [0.6, 0.1, 0.3],    # non-digit answered 0
    ])
    ev = evaluation.evaluate_probabilities(probs, np.array([0, 1, 1, 2, 2]), real=3, rejects=True)
    assert ev.accuracy == pytest.approx(2 / 3) and (ev.caught, ev.rejected) == (0.5, pytest.approx(1 / 3))
    assert ev.loss == pytest.approx(-np.mean(np.log([0.9, 0.2, 0.8])))
    assert (ev.real, ev.non_digits) == (3, 2) and ev.confusion[2].tolist() == [1, 0, 1]
    summary = ev.to_dict(["0", "1", "not a digit"])
    assert summary["test_samples"] == 3 and summary["non_digits_caught"] == 0.5
    plain = evaluation.evaluate_probabilities(probs[:3, :2], np.array([0, 1, 1]))
    assert plain.caught is None and plain.rejected is None and "non_digits_caught" not in plain.to_dict(["0", "1"])


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
        pipeline.make_dataset(mnist_small.x_test, mnist_small.y_test, 100), verbose=0)
    assert ev.accuracy == pytest.approx(keras_acc, abs=1e-6)
    assert ev.loss == pytest.approx(keras_loss, rel=1e-3)
    assert ev.confusion.sum() == len(mnist_small.y_test)
