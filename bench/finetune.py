"""Learning one writer's hand: fine-tune the default model on 5 and on 20 samples per digit.

Usage: .venv/bin/python bench/finetune.py [--model PATH] [--writers N] [--held-out N]

Each synthetic "writer" (no MNIST pixels) has a hand of their own, the same in every digit they
write: a slant, a width-to-height ratio, a tilt, a pen width, and for every digit a smooth
distortion of its shape (the way one person's 4 is open and another's 7 leans) — plus a little
jitter from one sample to the next. Digits are drawn white on black on a 280×280 canvas, as the
Predict tab's drawing canvas makes them, so a sample is what a correction would keep.

Per writer and per sample count: the samples are written as the personal-samples folder (class
sub-folders of PNGs) and given to ``workflow.finetune_model`` — the same call as the GUI's
"Learn my handwriting" and ``digitapp finetune`` — then the writer's *held-out* digits (drawn
separately, never trained on) are read before and after, with MNIST's test set before and after
and the seconds the fine-tune took (loading the samples, tests before and after included).
Writes bench/results/finetune.json.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "finetune.json"

from handwriting import TEMPLATES, template_strokes  # hand-made digit strokes, not MNIST

CANVAS = 280
COUNTS = (5, 20)


class Writer:
    """One person's hand: the same style in every sample, a little jitter between samples."""

    def __init__(self, seed: int, strength: float):
        rng = np.random.default_rng(seed)
        self.seed = seed
        self.slant = rng.uniform(-0.45, 0.3)
        self.aspect = rng.uniform(0.6, 1.15)
        self.tilt = rng.uniform(-0.25, 0.25)
        self.pen = rng.uniform(0.05, 0.13)
        # Per digit: a smooth field of three waves that moves every point of its strokes.
        self.fields = {d: [(rng.normal(0, strength, 2), rng.uniform(0.3, 1.0, 2) * rng.choice([-1, 1], 2),
                            rng.uniform(0, 2 * math.pi)) for _ in range(3)] for d in TEMPLATES}
        self.rng = np.random.default_rng(seed + 10_000)

    def strokes(self, digit: int) -> tuple[list[list[tuple[float, float]]], int]:
        """One sample of ``digit`` as pen strokes on the 280×280 canvas, and the pen's width."""
        rng = self.rng
        slant = self.slant + rng.normal(0, 0.04)
        angle = self.tilt + rng.normal(0, 0.04)
        aspect = self.aspect * rng.uniform(0.95, 1.05)
        c, s = math.cos(angle), math.sin(angle)
        matrix = np.array([[aspect * c, slant - s], [aspect * s, c]])
        scale = rng.uniform(0.55, 0.75) * CANVAS
        centre = rng.uniform(0.42, 0.58, 2) * CANVAS
        width = max(3, int(self.pen * scale * rng.uniform(0.9, 1.1)))
        lines = []
        for points in template_strokes(digit):
            for amplitude, frequency, phase in self.fields[digit]:
                points = points + amplitude * np.sin(2 * math.pi * (points @ frequency) + phase)[:, None]
            points = points + np.cumsum(rng.normal(0, 0.004, points.shape), axis=0)
            xy = ((points - 0.5) @ matrix.T) * scale + centre
            lines.append([(float(x), float(y)) for x, y in xy])
        return lines, width

    def draw(self, digit: int) -> np.ndarray:
        """One sample of ``digit``: uint8 (280, 280), white ink on black (round caps and joins,
        as the canvas draws)."""
        lines, width = self.strokes(digit)
        img = Image.new("L", (CANVAS, CANVAS), 0)
        pen = ImageDraw.Draw(img)
        for line in lines:
            pen.line(line, fill=255, width=width, joint="curve")
            for x, y in (line[0], line[-1]):
                pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
        return np.asarray(img)


def write_samples(writer: Writer, per_class: int, folder: Path) -> None:
    for digit in TEMPLATES:
        (folder / str(digit)).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            Image.fromarray(writer.draw(digit)).save(folder / str(digit) / f"{i:03d}.png")


def read(predictor, drawings: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(right, right and stated as fact) over drawings, through the drawing path."""
    answers = [predictor.predict(d) for d in drawings]
    right = np.array([a.label == y for a, y in zip(answers, labels)])
    sure = np.array([not a.unsure for a in answers])
    return float(right.mean()), float((right & sure).mean())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(ROOT / "resources" / "default-model.keras"))
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--held-out", type=int, default=30, help="held-out drawings per digit and writer")
    parser.add_argument("--strength", type=float, default=0.04, help="how far a writer's shapes stray")
    args = parser.parse_args()
    from digitapp.core import workflow
    from digitapp.core.datasets import load_dataset

    trained = workflow.open_model(args.model)
    mnist = load_dataset("mnist")
    rows = []
    for w in range(args.writers):
        writer = Writer(seed=w, strength=args.strength)
        labels = np.repeat(np.arange(10), args.held_out)
        held = np.stack([writer.draw(int(d)) for d in labels])
        before = read(trained.predictor, held, labels)
        for count in COUNTS:
            with tempfile.TemporaryDirectory() as tmp:
                write_samples(writer, count, Path(tmp))
                started = time.perf_counter()
                tuned = workflow.finetune_model(trained, tmp, replay=mnist)
                seconds = time.perf_counter() - started
            after = read(tuned.predictor, held, labels)
            report = tuned.info.metrics["finetune"]
            row = {"writer": w, "per_class": count, "before": before[0], "before_sure": before[1],
                   "after": after[0], "after_sure": after[1], "test_before": report["test_before"],
                   "test_after": report["test_after"], "blend": report["blend"], "seconds": seconds,
                   "train_seconds": tuned.result.train_seconds}
            rows.append(row)
            print(f"writer {w} {count:2d}/class: writer {before[0]:6.1%} -> {after[0]:6.1%} "
                  f"(sure+right {before[1]:6.1%} -> {after[1]:6.1%}); MNIST test {row['test_before']:.2%} -> "
                  f"{row['test_after']:.2%}; blend {row['blend']}; {seconds:.1f} s (fit {row['train_seconds']:.1f} s)",
                  flush=True)
    summary = {}
    for count in COUNTS:
        mine = [r for r in rows if r["per_class"] == count]
        summary[str(count)] = {key: float(np.median([r[key] for r in mine])) for key in mine[0] if key != "writer"}
        summary[str(count)]["mean_before"] = float(np.mean([r["before"] for r in mine]))
        summary[str(count)]["mean_after"] = float(np.mean([r["after"] for r in mine]))
        summary[str(count)]["worst_test_drop"] = float(max(r["test_before"] - r["test_after"] for r in mine))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"args": vars(args), "rows": rows, "medians": summary}, indent=2))
    for count, s in summary.items():
        print(f"median over writers, {count}/class: writer {s['before']:.1%} -> {s['after']:.1%} "
              f"(mean {s['mean_before']:.1%} -> {s['mean_after']:.1%}); MNIST test {s['test_before']:.2%} -> "
              f"{s['test_after']:.2%} (worst drop {s['worst_test_drop'] * 100:.2f} pt); {s['seconds']:.1f} s")


if __name__ == "__main__":
    main()
