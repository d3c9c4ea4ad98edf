"""The CSV files users export: training history and file predictions."""

import csv

import numpy as np
import pytest

from digitapp.core import reports
from digitapp.core.errors import ImageError, WriteError
from digitapp.core.prediction import Prediction
from tests.helpers import one_sentence


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_history_has_a_row_per_epoch(tmp_path):
    history = {"loss": [0.5, 0.25], "accuracy": [0.8, 0.9], "val_loss": [0.4, 0.3],
               "val_accuracy": [0.85, 0.88], "seconds": [1.5, 1.25], "learning_rate": [0.1, 0.1]}
    reports.write_history_csv(history, tmp_path / "h.csv")
    rows = _rows(tmp_path / "h.csv")
    assert rows[0] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"]
    assert rows[1:] == [["1", "0.5", "0.8", "0.4", "0.85", "1.5"], ["2", "0.25", "0.9", "0.3", "0.88", "1.25"]]


def test_history_with_missing_and_shorter_columns(tmp_path):
    reports.write_history_csv({"loss": [1.0, 0.5, 0.25], "accuracy": [0.1], "val_loss": None}, tmp_path / "h.csv")
    rows = _rows(tmp_path / "h.csv")
    assert [row[:3] for row in rows[1:]] == [["1", "1.0", "0.1"], ["2", "0.5", ""], ["3", "0.25", ""]]
    assert all(row[3:] == ["", "", ""] for row in rows[1:])


def _prediction(probabilities):
    probabilities = np.asarray(probabilities, np.float32)
    label = int(probabilities.argmax())
    names = ["cat", "dog", "eel"]
    return Prediction(label, names[label], float(probabilities[label]), probabilities, np.zeros((8, 8, 1)), names)


def test_predictions_with_a_failed_file(tmp_path):
    results = [_prediction([0.1, 0.7, 0.2]), ImageError("b.png is damaged (broken data stream).")]
    reports.write_predictions_csv(["a.png", "b.png"], results, tmp_path / "p.csv")
    rows = _rows(tmp_path / "p.csv")
    assert rows == [
        ["file", "answer", "best guess", "confidence", "top3", "error"],
        ["a.png", "dog", "dog", "0.7000", "dog 0.700; eel 0.200; cat 0.100", ""],
        ["b.png", "", "", "", "", "b.png is damaged (broken data stream)."],
    ]


@pytest.mark.parametrize("write", [
    lambda path: reports.write_history_csv({"loss": [1.0]}, path),
    lambda path: reports.write_predictions_csv([], [], path),
])
def test_an_unwritable_file_is_one_sentence(write, tmp_path):
    with pytest.raises(WriteError, match="Could not write out.csv: ") as info:
        write(tmp_path / "missing folder" / "out.csv")
    assert one_sentence(str(info.value))
    with pytest.raises(WriteError, match=f"Could not write {tmp_path.name}: "):
        write(tmp_path)  # a folder
