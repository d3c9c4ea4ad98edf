"""Class probabilities for single images and batches, without ``model.predict``.

``model.predict`` builds a ``tf.data`` pipeline on every call (~35 ms); a traced
``tf.function`` around the model costs well under a millisecond per image after its
first call, which is what live drawing needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from digitapp.core import preprocessing
from digitapp.core.errors import ImageError
from digitapp.core.tf import TF_LOCK, keras, tf

# Batches for evaluation: big enough to keep both cores busy, small enough for memory.
EVAL_BATCH = 1024
# Below this top probability the app says the model is unsure instead of answering.
UNSURE_BELOW = 0.6
# Integrated gradients: points on the path from a black image to the input (one batch).
EXPLAIN_STEPS = 16


@dataclass
class Prediction:
    """One image's answer: the top class, its confidence, all probabilities, the exact
    input the model received (to show the user what it saw) and, for a file, the file as
    decoded (to show beside it without decoding it again)."""

    label: int
    name: str
    confidence: float
    probabilities: np.ndarray
    model_input: np.ndarray
    class_names: list[str]
    source_image: Image.Image | None = None

    @property
    def unsure(self) -> bool:
        return self.confidence < UNSURE_BELOW

    def top(self, k: int) -> list[tuple[str, float]]:
        """The k most likely (class name, probability) pairs, most likely first."""
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(self.class_names[i], float(self.probabilities[i])) for i in order]


class Predictor:
    """Wraps a Keras model for fast inference on [0, 1] float images.

    Args:
        model: a Keras model whose input is ``(H, W, C)`` or ``(H, W)``.
        input_shape: ``(H, W, C)`` the images are prepared to.
        class_names: one name per output.
        recipe: preprocessing recipe for user images (see :mod:`preprocessing`).
    """

    def __init__(self, model: keras.Model, input_shape, class_names: list[str], recipe: str):
        self.model = model
        self.input_shape = tuple(int(d) for d in input_shape)
        self.class_names = list(class_names)
        self.recipe = recipe
        model_shape = tuple(model.input_shape[1:])
        self._model_shape = model_shape
        # Models from classic scripts sometimes take (28, 28) without a channel axis.
        self._reshape = model_shape if model_shape != self.input_shape else None
        # The concrete function skips tf.function's argument matching on every call:
        # 1.1 ms instead of 1.7 ms per drawing update, measured.
        with TF_LOCK:
            self._call = tf.function(
                lambda x: model(x, training=False),
                input_signature=[tf.TensorSpec((None, *model_shape), tf.float32)],
            ).get_concrete_function()
        self._explain = None  # traced on first use: the CLI never needs it

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Probabilities ``(N, classes)`` for float images ``(N, H, W, C)`` on [0, 1]
        (uint8 images are scaled)."""
        images = np.asarray(images)
        if images.dtype == np.uint8:
            images = images.astype(np.float32) / 255.0
        out = []
        for start in range(0, len(images), EVAL_BATCH):
            chunk = np.asarray(images[start : start + EVAL_BATCH], dtype=np.float32)
            if self._reshape is not None:
                chunk = chunk.reshape((len(chunk), *self._reshape))
            out.append(self._call(tf.constant(chunk)).numpy())
        probs = np.concatenate(out) if out else np.zeros((0, len(self.class_names)), np.float32)
        return as_probabilities(probs)

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

    @property
    def explainer_ready(self) -> bool:
        """True once :meth:`explain` is traced (a fraction of a second, done once)."""
        return self._explain is not None

    def warm_up(self) -> None:
        """Trace the explanation now (from a worker thread), not on the first request."""
        if self._explain is None:
            with TF_LOCK:
                self._explain = self._trace_explain()

    def explain(self, model_input: np.ndarray, label: int) -> np.ndarray:
        """Why the model gives ``label`` for this input: integrated gradients.

        Each pixel's share of the class probability, accumulated along the straight path
        from a black image (no ink) to the input, so the map sums to about
        ``p(input) - p(black)`` and is zero where the input is zero. Positive pixels are
        evidence for the class, negative ones against it.

        Args:
            model_input: a prepared input ``(H, W, C)`` on [0, 1] (see :meth:`prepare`).
            label: the class to explain (usually the prediction's).

        Returns:
            float32 ``(H, W)`` attributions (channels summed).
        """
        self.warm_up()
        x = np.asarray(model_input, dtype=np.float32).reshape((1, *self._model_shape))
        attributions = self._explain(tf.constant(x), tf.constant(int(label), tf.int32)).numpy()
        attributions = attributions.reshape(self.input_shape)
        return attributions.sum(axis=-1).astype(np.float32)

    def _trace_explain(self):
        model, steps = self.model, EXPLAIN_STEPS
        # Models that end in logits are explained through a softmax, like their answers.
        probe = self._call(tf.zeros((1, *self._model_shape))).numpy()
        logits = as_probabilities(probe) is not probe
        # Midpoints of the path's segments: an exact integral for piecewise-linear models
        # needs fewer points than the end-point rule.
        alphas = tf.reshape(tf.linspace(0.5 / steps, 1 - 0.5 / steps, steps),
                            (steps,) + (1,) * len(self._model_shape))

        def integrated_gradients(x, label):
            path = alphas * x
            with tf.GradientTape() as tape:
                tape.watch(path)
                probabilities = model(path, training=False)
                if logits:
                    probabilities = tf.nn.softmax(probabilities)
                score = probabilities[:, label]
            gradients = tape.gradient(score, path)
            return tf.reduce_mean(gradients, axis=0, keepdims=True) * x

        return tf.function(
            integrated_gradients,
            input_signature=[tf.TensorSpec((1, *self._model_shape), tf.float32), tf.TensorSpec((), tf.int32)],
        ).get_concrete_function()

    def _prediction(self, probs: np.ndarray, model_input: np.ndarray, source: Image.Image | None = None) -> Prediction:
        label = int(np.argmax(probs))
        return Prediction(label, self.class_names[label], float(probs[label]), probs, model_input, self.class_names,
                          source)


def as_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Models ending in logits (no softmax) are common in scripts; normalise them."""
    if outputs.size and (outputs.min() < 0 or not np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3)):
        shifted = outputs - outputs.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        return exp / exp.sum(axis=1, keepdims=True)
    return outputs
