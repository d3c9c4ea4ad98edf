"""Test-set evaluation: accuracy, loss, confusion matrix, per-class precision/recall,
and the misclassified images ordered by how confident the model was.

A digit model's test set also holds held-out non-digits after the dataset's own images (see
:mod:`rejection`): accuracy and loss are about the dataset's own images (answering "not a
digit" for one of them is a mistake), ``caught`` is the share of the non-digits it rejected;
the confusion matrix, precision and recall cover both."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Clip probabilities like Keras' cross-entropy does, so a confident mistake costs a
# finite loss and our number matches ``model.evaluate``.
EPSILON = 1e-7


@dataclass
class Evaluation:
    """Results on a labelled set. ``confusion[i, j]`` counts true class i predicted as j."""

    accuracy: float
    loss: float
    confusion: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray
    misclassified: np.ndarray
    # The share of held-out non-digits answered "not a digit", and of the dataset's own test
    # images answered so (None: the model has no such class).
    caught: float | None = None
    rejected: float | None = None
    real: int = 0  # how many of the images are the dataset's own (the rest: held-out non-digits)

    @property
    def non_digits(self) -> int:
        return len(self.predicted) - self.real

    def to_dict(self, class_names: list[str], max_misclassified: int = 100) -> dict:
        """JSON-friendly summary (the misclassified list is truncated)."""
        extra = {key: value for key, value in (("non_digits_caught", self.caught), ("digits_rejected", self.rejected))
                 if value is not None}
        return {
            "test_accuracy": self.accuracy,
            "test_loss": self.loss,
            "test_samples": self.real,
            **extra,
            "confusion_matrix": self.confusion.tolist(),
            "per_class": {
                name: {"precision": float(p), "recall": float(r)}
                for name, p, r in zip(class_names, self.precision, self.recall)
            },
            "misclassified": [int(i) for i in self.misclassified[:max_misclassified]],
        }


def evaluate_probabilities(probabilities: np.ndarray, labels: np.ndarray, real: int | None = None,
                           rejects: bool = False) -> Evaluation:
    """Compute every metric from predicted probabilities ``(N, K)`` and true labels ``(N,)``.

    ``real``: how many leading images are the dataset's own (the rest are held-out non-digits);
    ``rejects``: the last class is "not a digit"."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    num_classes = probabilities.shape[1]
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities[np.arange(len(labels)), predicted]
    true_prob = np.clip(probabilities[np.arange(len(labels)), labels], EPSILON, 1.0)
    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    hits = np.diag(confusion).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        # A class never predicted (or absent) has undefined precision (recall): report 0.
        precision = np.nan_to_num(hits / confusion.sum(axis=0))
        recall = np.nan_to_num(hits / confusion.sum(axis=1))
    wrong = np.flatnonzero(predicted != labels)
    misclassified = wrong[np.argsort(-confidence[wrong], kind="stable")]
    real = len(labels) if real is None else real
    return Evaluation(
        accuracy=float((predicted[:real] == labels[:real]).mean()),
        loss=float(-np.log(true_prob[:real]).mean()),
        confusion=confusion,
        precision=precision,
        recall=recall,
        predicted=predicted,
        confidence=confidence,
        misclassified=misclassified,
        caught=float((predicted[real:] == num_classes - 1).mean()) if rejects and real < len(labels) else None,
        rejected=float((predicted[:real] == num_classes - 1).mean()) if rejects else None,
        real=real,
    )


def evaluate(predictor, x: np.ndarray, y: np.ndarray, real: int | None = None, rejects: bool = False) -> Evaluation:
    """Run ``predictor`` (a :class:`~digitapp.core.prediction.Predictor`) over a labelled set
    (``real`` and ``rejects`` as for :func:`evaluate_probabilities`)."""
    return evaluate_probabilities(predictor.probabilities(x), y, real, rejects)
