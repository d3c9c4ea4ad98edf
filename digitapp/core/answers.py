"""What a model answers, without TensorFlow: a :class:`Prediction` per image, and
:class:`Answering`, the part of every predictor that prepares user images and turns class
probabilities into predictions. The Keras predictor (:mod:`prediction`) and the bundled
default model's ONNX predictor (:mod:`default_model`) differ only in ``probabilities``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from digitapp.core import preprocessing
from digitapp.core.config import NOT_A_DIGIT, rejects
from digitapp.core.errors import ImageError

# Below this top probability the app says the model is unsure instead of answering.
UNSURE_BELOW = 0.6
# "Unsure — maybe 4 or 9" names the second class when it has at least this probability.
SECOND_GUESS_ABOVE = 0.15


@dataclass
class Prediction:
    """One image's answer: the best guess (``label``, ``name``, ``confidence``: never "not a
    digit"), all probabilities, the exact input the model received (to show the user what it
    saw) and, for a file, the file as decoded (to show beside it without decoding it again).
    ``not_a_digit``: the model's answer is its "not a digit" class (see :mod:`rejection`)."""

    label: int
    name: str
    confidence: float
    probabilities: np.ndarray
    model_input: np.ndarray
    class_names: list[str]
    source_image: Image.Image | None = None
    not_a_digit: bool = False

    @property
    def unsure(self) -> bool:
        """True whenever the answer is not stated as fact: not a digit, or a low confidence."""
        return self.not_a_digit or self.confidence < UNSURE_BELOW

    @property
    def answered(self) -> int:
        """The class the answer is about: "not a digit" when that is the answer, else the best guess."""
        return len(self.class_names) - 1 if self.not_a_digit else self.label

    @property
    def answer(self) -> str:
        """The answer as the app says it: ``4``, ``Not a digit`` or ``Unsure — maybe 4 or 9``."""
        if self.not_a_digit:
            return "Not a digit"
        if not self.unsure:
            return self.name
        guesses = [name for name, p in self.top(3) if name != NOT_A_DIGIT and p >= SECOND_GUESS_ABOVE][:2]
        return "Unsure — maybe " + " or ".join(guesses or [self.name])

    @property
    def verdict(self) -> str:
        """:attr:`answer` with the confidence of an answer stated as fact: ``4 (97%)``."""
        return self.answer if self.unsure else f"{self.name} ({self.confidence:.0%})"

    def top(self, k: int) -> list[tuple[str, float]]:
        """The k most likely (class name, probability) pairs, most likely first."""
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(self.class_names[i], float(self.probabilities[i])) for i in order]


class Answering:
    """Prepares user images and answers for them; subclasses set ``input_shape``,
    ``class_names`` and ``recipe`` and implement :meth:`probabilities`."""

    input_shape: tuple[int, int, int]
    class_names: list[str]
    recipe: str
    can_explain = False  # whether ``explain`` (why this answer) is available

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Probabilities ``(N, classes)`` for float images ``(N, H, W, C)`` on [0, 1]."""
        raise NotImplementedError

    def prepare(self, image) -> np.ndarray:
        """The exact model input for a user image (path, Pillow image or array)."""
        return preprocessing.prepare(image, self.input_shape, self.recipe)

    def predict(self, image) -> Prediction:
        """Prepare one user image and classify it."""
        return self.predict_prepared(self.prepare(image))

    def predict_prepared(self, model_input: np.ndarray) -> Prediction:
        probs = self.probabilities(model_input[None])[0]
        return self._prediction(probs, model_input)

    def predict_files(self, paths: list[str | Path]) -> list[Prediction | ImageError]:
        """Classify many files in one batch; a file that fails gives its error instead.
        Each prediction carries the decoded file as ``source_image``."""
        prepared: list[tuple[Image.Image, np.ndarray] | ImageError] = []
        for path in paths:
            try:
                prepared.append(preprocessing.prepare_file(path, self.input_shape, self.recipe))
            except ImageError as exc:
                prepared.append(exc)
        good = [p for p in prepared if not isinstance(p, ImageError)]
        probs = iter(self.probabilities(np.stack([x for _, x in good])) if good else [])
        return [p if isinstance(p, ImageError) else self._prediction(next(probs), p[1], p[0]) for p in prepared]

    def _prediction(self, probs: np.ndarray, model_input: np.ndarray, source: Image.Image | None = None) -> Prediction:
        extra = rejects(self.class_names)
        label = int(np.argmax(probs[:-1] if extra else probs))
        not_a_digit = extra and int(np.argmax(probs)) == len(probs) - 1
        return Prediction(label, self.class_names[label], float(probs[label]), probs, model_input, self.class_names,
                          source, not_a_digit)


def as_float_images(images) -> np.ndarray:
    """Images as models take them: float32 on [0, 1] (uint8 pixels, 0–255, are scaled)."""
    images = np.asarray(images)
    return images.astype(np.float32) / 255.0 if images.dtype == np.uint8 else images.astype(np.float32)


def as_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Models ending in logits (no softmax) are common in scripts; normalise them (the same
    array comes back when it already holds probabilities)."""
    if outputs.size and (outputs.min() < 0 or not np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3)):
        shifted = outputs - outputs.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        return exp / exp.sum(axis=1, keepdims=True)
    return outputs
