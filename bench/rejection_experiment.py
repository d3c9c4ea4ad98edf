"""Issue 15: what the "not a digit" class costs and gives, against the same recipe without it.

Usage: .venv/bin/python bench/rejection_experiment.py [--repeats N] [--per-kind N]

Trains the default recipe (``fast``, its own settings) on bundled MNIST through
``workflow.train_and_evaluate`` — the app's path, which adds the class for digit data (see
``core/rejection.py``) — and, alternating with it in the same run, the same recipe with the class
switched off (the app before issue 15). The class is trained twice per repeat: "cold" (a new
app-data folder: the synthetic images are drawn first, as on a first run) and "warm" (they come
from the app-data cache, as on every later run). For each: wall seconds of the whole
train-and-test step, MNIST test accuracy, real test digits rejected, the
share of ``bench/not_a_digit.py``'s non-digits stated as fact, and on ``bench/handwriting.py``'s
files (other writers and pens, through the open-image path) the share right and the share right
*and* stated as fact. Medians over the repeats. Writes bench/results/rejection_experiment.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "rejection_experiment.json"


def measure(trained, seconds: float, handwriting: list, per_kind: int) -> dict:
    from bench.not_a_digit import KINDS, shape

    rng = np.random.default_rng(15)  # the same drawings as bench/not_a_digit.py
    shapes = [trained.predictor.predict(np.asarray(shape(kind, rng))) for kind in KINDS for _ in range(per_kind)]
    answers = trained.predictor.predict_files([row[0] for row in handwriting])
    right = [not isinstance(a, Exception) and a.label == row[1] for a, row in zip(answers, handwriting)]
    ev = trained.evaluation
    return {"seconds": seconds, "mnist_accuracy": ev.accuracy,
            "digits_rejected": ev.rejected or 0.0,
            "non_digits_stated_as_fact": float(np.mean([not a.unsure for a in shapes])),
            "handwriting_right": float(np.mean(right)),
            "handwriting_right_and_sure": float(np.mean([r and not a.unsure for r, a in zip(right, answers)]))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--per-kind", type=int, default=100, help="non-digits per kind")
    parser.add_argument("--handwriting-per-kind", type=int, default=20)
    args = parser.parse_args()
    from bench.handwriting import make_set
    from digitapp.core import datasets, rejection, workflow
    from digitapp.core.config import TrainConfig

    mnist = datasets.load_dataset("mnist")
    runs: dict[str, list[dict]] = {"without the class": [], "with the class, cold": [], "with the class, warm": []}
    with tempfile.TemporaryDirectory() as tmp:
        handwriting = make_set(Path(tmp), args.handwriting_per_kind)
        for repeat in range(args.repeats):
            home = Path(tmp) / f"home-{repeat}"  # a new app-data folder: the first run draws the images
            for name in runs:
                rejection.clear_memory()  # each run is a new app
                switch = mock.patch.object(rejection, "applies", return_value=False) if name.startswith("without") \
                    else mock.patch.object(rejection, "applies", wraps=rejection.applies)
                with switch, mock.patch.dict(os.environ, {"DIGITAPP_HOME": str(home)}):
                    start = time.perf_counter()
                    trained = workflow.train_and_evaluate(mnist, "fast", TrainConfig.for_model("fast"))
                    seconds = time.perf_counter() - start
                    row = measure(trained, seconds, handwriting, args.per_kind)
                runs[name].append(row)
                print(f"repeat {repeat + 1} {name}: " + ", ".join(f"{k} {v:.4f}" for k, v in row.items()), flush=True)
    medians = {name: {key: float(np.median([r[key] for r in rows])) for key in rows[0]} for name, rows in runs.items()}
    baseline = medians["without the class"]["seconds"]
    ratios = {name: medians[name]["seconds"] / baseline for name in runs}
    result = {"runs": runs, "medians": medians, "time_ratios": ratios}
    print(json.dumps(result["medians"], indent=2))
    print("time ratios to the run without the class (medians): " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
