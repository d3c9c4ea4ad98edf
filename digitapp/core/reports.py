"""What a user exports or a program reads: a model's training history and a batch of file
predictions as CSV, and one prediction as a JSON-ready row (``predict --json``, the web service).

No TensorFlow: results arrive as plain dicts and :class:`~digitapp.core.prediction.Prediction`
objects (anything with ``name``, ``confidence`` and ``top(k)``).
"""

from __future__ import annotations

import csv
from pathlib import Path

from digitapp.core.errors import WriteError

HISTORY_COLUMNS = ("loss", "accuracy", "val_loss", "val_accuracy", "seconds")


def write_history_csv(history: dict, path: str | Path) -> None:
    """One row per epoch: epoch, loss, accuracy, val_loss, val_accuracy, seconds.

    Raises:
        WriteError: the file cannot be written.
    """
    columns = {k: list(history.get(k) or []) for k in HISTORY_COLUMNS}
    epochs = max(len(values) for values in columns.values())
    rows = [(i + 1, *(values[i] if i < len(values) else "" for values in columns.values())) for i in range(epochs)]
    _write_rows(path, ("epoch", *HISTORY_COLUMNS), rows)


def write_predictions_csv(paths, results, path: str | Path) -> None:
    """One row per file: file, prediction, confidence, top-3, and the reason a file failed.

    Raises:
        WriteError: the file cannot be written.
    """
    rows = []
    for file, result in zip(paths, results):
        if isinstance(result, Exception):
            rows.append((str(file), "", "", "", "", str(result)))
        else:
            top = "; ".join(f"{name} {p:.3f}" for name, p in result.top(3))
            rows.append((str(file), result.answer, result.name, f"{result.confidence:.4f}", top, ""))
    _write_rows(path, ("file", "answer", "best guess", "confidence", "top3", "error"), rows)


def prediction_row(source: str, result, class_names: list[str]) -> dict:
    """One answer as ``digitapp predict --json`` prints it (and the web service returns it):
    ``file``, ``label`` (the best guess, never "not a digit"), ``confidence``, ``unsure`` (true
    whenever the app would not state the answer as fact), ``not_a_digit`` (the model's answer is
    that it is not a digit), ``answer`` (as the app says it) and every class's probability, or ``file`` and
    ``error`` (one sentence) for a file that could not be classified."""
    if isinstance(result, Exception):
        return {"file": source, "error": str(result)}
    return {
        "file": source,
        "label": result.name,
        "confidence": round(float(result.confidence), 6),
        "unsure": bool(result.unsure),
        "not_a_digit": bool(result.not_a_digit),
        "answer": result.answer,
        "probabilities": {n: round(float(p), 6) for n, p in zip(class_names, result.probabilities)},
    }


def _write_rows(path: str | Path, header: tuple, rows: list) -> None:
    try:
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
    except OSError as exc:
        raise WriteError(f"Could not write {Path(path).name}: {exc.strerror or exc}.") from None
