"""Class probabilities for single images and batches, without ``model.predict``.

``model.predict`` builds a ``tf.data`` pipeline on every call (~35 ms); a traced
``tf.function`` around the model costs well under a millisecond per image after its
first call, which is what live drawing needs.
"""

from __future__ import annotations

import numpy as np

from digitapp.core.answers import UNSURE_BELOW, Answering, Prediction, as_float_images, as_probabilities
from digitapp.core.tf import TF_LOCK, keras, tf

__all__ = ["EVAL_BATCH", "UNSURE_BELOW", "Prediction", "Predictor", "as_probabilities"]

# Batches for evaluation: big enough to keep both cores busy, small enough for memory.
EVAL_BATCH = 1024
# Integrated gradients: points on the path from a black image to the input (one batch).
EXPLAIN_STEPS = 16


class Predictor(Answering):
    """Wraps a Keras model for fast inference on [0, 1] float images.

    Args:
        model: a Keras model whose input is ``(H, W, C)`` or ``(H, W)``.
        input_shape: ``(H, W, C)`` the images are prepared to.
        class_names: one name per output.
        recipe: preprocessing recipe for user images (see :mod:`preprocessing`).
    """

    can_explain = True

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
        out = []
        for start in range(0, len(images), EVAL_BATCH):
            chunk = as_float_images(images[start : start + EVAL_BATCH])
            if self._reshape is not None:
                chunk = chunk.reshape((len(chunk), *self._reshape))
            out.append(self._call(tf.constant(chunk)).numpy())
        probs = np.concatenate(out) if out else np.zeros((0, len(self.class_names)), np.float32)
        return as_probabilities(probs)

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
