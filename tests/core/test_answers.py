"""Answers without TensorFlow: a prediction's confidence, top classes and "unsure", logits
normalised, and a batch of files where one cannot be read."""

import numpy as np
import pytest

from digitapp.core.answers import UNSURE_BELOW, Answering, Prediction, as_probabilities
from digitapp.core.config import NOT_A_DIGIT
from digitapp.core.errors import ImageError
from tests.helpers import digit_png


class _Fixed(Answering):
    """Answers with fixed probabilities: the part under test is everything around them."""

    def __init__(self, probabilities):
        self._p = np.asarray(probabilities, np.float32)
        digits = [str(i) for i in range(10)]
        self.input_shape, self.recipe = (28, 28, 1), "digit"
        self.class_names = digits if len(self._p) == 10 else [*digits, NOT_A_DIGIT]

    def probabilities(self, images):
        return np.repeat(self._p[None], len(images), axis=0)


def test_a_prediction_names_its_top_classes_and_says_when_it_is_unsure():
    p = np.array([0.05, 0.55, 0.4] + [0.0] * 7, np.float32)
    prediction = _Fixed(p).predict_prepared(np.zeros((28, 28, 1), np.float32))
    assert prediction.label == 1 and prediction.name == "1" and prediction.confidence == pytest.approx(0.55)
    assert prediction.top(2) == [("1", pytest.approx(0.55)), ("2", pytest.approx(0.4))]
    assert prediction.unsure and UNSURE_BELOW == 0.6
    assert prediction.answer == prediction.verdict == "Unsure — maybe 1 or 2"
    sure = Prediction(3, "3", 0.9, p, np.zeros((28, 28, 1)), [str(i) for i in range(10)])
    assert not sure.unsure and (sure.answer, sure.verdict) == ("3", "3 (90%)")


@pytest.mark.parametrize("probabilities,label,not_a_digit,answer", [
    ([0.02] * 4 + [0.9] + [0.01] * 5 + [0.06], 4, False, "4"),               # a 4, stated as fact
    ([0.0] * 4 + [0.2] + [0.0] * 4 + [0.1, 0.7], 4, True, "Not a digit"),    # best guess 4, but not a digit
    ([0.0] * 4 + [0.45] + [0.0] * 4 + [0.25, 0.3], 4, False, "Unsure — maybe 4 or 9"),
])
def test_a_digit_model_says_not_a_digit_and_keeps_its_best_guess(probabilities, label, not_a_digit, answer):
    prediction = _Fixed(probabilities).predict_prepared(np.zeros((28, 28, 1), np.float32))
    assert (prediction.label, prediction.name, prediction.not_a_digit, prediction.answer) == (
        label, str(label), not_a_digit, answer)
    assert prediction.confidence == pytest.approx(probabilities[label])  # the best guess's own probability
    assert prediction.unsure == (answer != "4")
    assert prediction.answered == (10 if not_a_digit else label)  # what the Why map explains


def test_files_are_prepared_and_a_bad_one_gives_its_error(mnist_small, tmp_path):
    good = digit_png(mnist_small.x_test[0], tmp_path / "seven.png")
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG not really")
    answers = _Fixed(np.eye(10)[7]).predict_files([good, bad])
    assert answers[0].name == "7" and answers[0].source_image is not None
    assert answers[0].model_input.shape == (28, 28, 1) and answers[0].model_input.max() <= 1.0
    assert isinstance(answers[1], ImageError)


def test_logits_become_probabilities_and_probabilities_stay_as_they_are():
    logits = np.array([[2.0, -1.0, 0.5]])
    probs = as_probabilities(logits)
    assert np.allclose(probs.sum(axis=1), 1) and probs.argmax() == 0
    already = np.array([[0.2, 0.7, 0.1]], np.float32)
    assert as_probabilities(already) is already


def test_images_reach_models_as_floats_on_zero_to_one():
    from digitapp.core.answers import as_float_images

    pixels = np.array([[0, 128, 255]], np.uint8)
    assert as_float_images(pixels).dtype == np.float32 and as_float_images(pixels).max() == 1.0
    floats = np.array([[0.0, 0.5]], np.float64)
    assert as_float_images(floats).dtype == np.float32 and as_float_images(floats)[0, 1] == 0.5
