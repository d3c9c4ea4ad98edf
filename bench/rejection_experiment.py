"""Issue 15 experiment (not in the app yet): does an extra "not a digit" class, trained on
synthetic negatives, make the default recipe say "not a digit" for things that are not digits
without rejecting real ones?

Usage: .venv/bin/python bench/rejection_experiment.py [--negatives N] [--per-kind N]

Training negatives are drawn by a *different* generator from the evaluation set of
``bench/not_a_digit.py`` (random polylines, open arcs, dots and DejaVu letters here; Pillow's
bundled font, asterisks, bars, V, crosses, boxes, triangles, arrows and random walks there), all
through the app's drawing preparation. The default recipe is trained on MNIST + negatives as an
11th class; reported: MNIST test accuracy (an answer of "not a digit" counts as wrong), the share
of real test digits rejected, and per evaluation kind the share of non-digits that are rejected
or unsure. Writes bench/results/rejection_experiment.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "rejection_experiment.json"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TRAIN_LETTERS = "ACDEFHJKLMNPRTUVWXYacdefhkmnprtuvwxy"


def training_negative(rng) -> Image.Image:
    image = Image.new("L", (280, 280), 0)
    draw = ImageDraw.Draw(image)
    width = int(rng.integers(8, 28))
    kind = rng.integers(4)
    if kind == 0:  # a random polyline
        points = [tuple(p) for p in rng.uniform(40, 240, size=(int(rng.integers(2, 7)), 2))]
        draw.line(points, fill=255, width=width, joint="curve")
    elif kind == 1:  # an open arc (never a closed loop: that would be a 0)
        box = sorted(rng.uniform(30, 250, 2)), sorted(rng.uniform(30, 250, 2))
        start = rng.uniform(0, 360)
        draw.arc([box[0][0], box[1][0], box[0][1] + 10, box[1][1] + 10], start, start + rng.uniform(60, 250),
                 fill=255, width=width)
    elif kind == 2:  # dots
        for x, y in rng.uniform(40, 240, size=(int(rng.integers(1, 6)), 2)):
            r = rng.uniform(6, 20)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    else:  # a letter in another font than the evaluation's
        font = ImageFont.truetype(FONT, int(rng.uniform(120, 220)))
        draw.text((rng.uniform(20, 90), rng.uniform(-10, 40)), TRAIN_LETTERS[int(rng.integers(len(TRAIN_LETTERS)))],
                  fill=255, font=font)
    return image.rotate(rng.uniform(-20, 20))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--negatives", type=int, default=6000)
    parser.add_argument("--per-kind", type=int, default=100)
    args = parser.parse_args()
    from bench.not_a_digit import KINDS, shape
    from digitapp.core import datasets, preprocessing, workflow
    from digitapp.core.config import TrainConfig

    mnist = datasets.load_dataset("mnist")
    rng = np.random.default_rng(1)
    negatives = np.stack([
        (preprocessing.prepare(np.asarray(training_negative(rng)), (28, 28, 1), "digit") * 255).astype(np.uint8)
        for _ in range(args.negatives)])
    x = np.concatenate([mnist.x_train, negatives])
    y = np.concatenate([mnist.y_train, np.full(len(negatives), 10, mnist.y_train.dtype)])
    data = datasets.Dataset("MNIST + not a digit", x, y, mnist.x_test, mnist.y_test,
                            [*mnist.class_names, "not a digit"], "digit")
    start = time.perf_counter()
    trained = workflow.train_and_evaluate(data, "fast", TrainConfig())
    seconds = time.perf_counter() - start
    predicted = trained.evaluation.predicted
    result = {"negatives": len(negatives), "train_and_test_seconds": seconds,
              "mnist_accuracy": float((predicted == mnist.y_test).mean()),
              "digits_rejected": float((predicted == 10).mean()), "kinds": {}}
    eval_rng = np.random.default_rng(15)  # the same drawings as bench/not_a_digit.py
    caught = []
    for kind in KINDS:
        answers = [trained.predictor.predict(np.asarray(shape(kind, eval_rng))) for _ in range(args.per_kind)]
        flagged = [a.name == "not a digit" or a.unsure for a in answers]
        result["kinds"][kind] = float(np.mean(flagged))
        caught += flagged
    result["non_digits_stated_as_a_digit"] = 1 - float(np.mean(caught))
    print(json.dumps(result, indent=2))
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
