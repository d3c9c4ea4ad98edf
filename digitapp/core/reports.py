"""CSV files a user exports: a model's training history and a batch of file predictions.

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
            rows.append((str(file), "", "", "", str(result)))
        else:
            top = "; ".join(f"{name} {p:.3f}" for name, p in result.top(3))
            rows.append((str(file), result.name, f"{result.confidence:.4f}", top, ""))
    _write_rows(path, ("file", "prediction", "confidence", "top3", "error"), rows)


def _write_rows(path: str | Path, header: tuple, rows: list) -> None:
    try:
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
    except OSError as exc:
        raise WriteError(f"Could not write {Path(path).name}: {exc.strerror or exc}.") from None
