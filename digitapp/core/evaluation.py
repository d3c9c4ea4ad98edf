"""Test-set evaluation: accuracy, loss, confusion matrix, per-class precision/recall,
and the misclassified images ordered by how confident the model was."""

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

    def to_dict(self, class_names: list[str], max_misclassified: int = 100) -> dict:
        """JSON-friendly summary (the misclassified list is truncated)."""
        return {
            "test_accuracy": self.accuracy,
            "test_loss": self.loss,
            "test_samples": int(len(self.predicted)),
            "confusion_matrix": self.confusion.tolist(),
            "per_class": {
                name: {"precision": float(p), "recall": float(r)}
                for name, p, r in zip(class_names, self.precision, self.recall)
            },
            "misclassified": [int(i) for i in self.misclassified[:max_misclassified]],
        }


def evaluate_probabilities(probabilities: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Compute every metric from predicted probabilities ``(N, K)`` and true labels ``(N,)``."""
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
    return Evaluation(
        accuracy=float((predicted == labels).mean()),
        loss=float(-np.log(true_prob).mean()),
        confusion=confusion,
        precision=precision,
        recall=recall,
        predicted=predicted,
        confidence=confidence,
        misclassified=misclassified,
    )


def evaluate(predictor, x: np.ndarray, y: np.ndarray) -> Evaluation:
    """Run ``predictor`` (a :class:`~digitapp.core.prediction.Predictor`) over a labelled set."""
    return evaluate_probabilities(predictor.probabilities(x), y)
