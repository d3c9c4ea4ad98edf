"""Issue 15: how often a model states an answer for a drawing that is not a digit.

Usage: .venv/bin/python bench/not_a_digit.py [--model PATH|default] [--per-kind N]

Draws things that are not digits the way the Predict tab receives a drawing (white strokes on
a black 280×280 canvas, random size, position, slant and pen width): letters (Pillow's bundled
font, only letters that do not look like a digit), asterisks, horizontal bars, "V"s, crosses,
boxes, triangles, arrows and random scribbles. Each goes through the drawing path
(``predictor.predict`` on the canvas array: the app's preparation), and per kind the share the
model states as fact (a digit, not "Not a digit" or "Unsure"), answers "Not a digit", and
answers with a digit at ≥ 90%. These images are for evaluation only: the "not a digit" class is
trained on another generator (``core/rejection.py``: random strokes, arcs, dots, stroke letters).
Writes bench/results/not_a_digit.json.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "not_a_digit.json"
SIDE = 280
LETTERS = "ACEFHKMNPRUVWXYahkmnrvwxy"  # no O, I, l, S, Z, B, G, q, g, b: those can pass for digits


def _canvas():
    image = Image.new("L", (SIDE, SIDE), 0)
    return image, ImageDraw.Draw(image)


def _polylines(rng, lines, width):
    """Draw polylines given on a unit square, placed at a random size and position."""
    image, draw = _canvas()
    scale = rng.uniform(0.45, 0.8) * SIDE
    ox, oy = rng.uniform(0.1, 0.9 - scale / SIDE) * SIDE, rng.uniform(0.1, 0.9 - scale / SIDE) * SIDE
    slant = rng.uniform(-0.2, 0.2)
    for line in lines:
        points = [(ox + (x + slant * (1 - y)) * scale, oy + y * scale) for x, y in line]
        draw.line(points, fill=255, width=width, joint="curve")
    return image


def shape(kind: str, rng) -> Image.Image:
    width = int(rng.integers(10, 26))
    if kind == "letter":
        image, draw = _canvas()
        font = ImageFont.load_default(size=int(rng.uniform(140, 220)))
        letter = LETTERS[int(rng.integers(len(LETTERS)))]
        draw.text((rng.uniform(20, 90), rng.uniform(-20, 40)), letter, fill=255, font=font,
                  stroke_width=int(rng.integers(2, 8)), stroke_fill=255)
        return image
    if kind == "asterisk":
        return _polylines(rng, [[(0.5 - 0.5 * math.cos(a), 0.5 - 0.5 * math.sin(a)),
                                 (0.5 + 0.5 * math.cos(a), 0.5 + 0.5 * math.sin(a))]
                                for a in np.linspace(0, math.pi, 4, endpoint=False) + rng.uniform(0, 0.5)], width)
    if kind == "bar":
        y = rng.uniform(0.3, 0.7)
        return _polylines(rng, [[(0.0, y), (1.0, y + rng.uniform(-0.08, 0.08))]], width)
    if kind == "v":
        return _polylines(rng, [[(0.0, 0.0), (0.5, 1.0), (1.0, 0.0)]], width)
    if kind == "cross":
        return _polylines(rng, [[(0, 0), (1, 1)], [(1, 0), (0, 1)]], width)
    if kind == "box":
        return _polylines(rng, [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]], width)
    if kind == "triangle":
        return _polylines(rng, [[(0.5, 0), (1, 1), (0, 1), (0.5, 0)]], width)
    if kind == "arrow":
        return _polylines(rng, [[(0, 0.5), (1, 0.5)], [(0.7, 0.25), (1, 0.5), (0.7, 0.75)]], width)
    steps = rng.normal(0, 0.12, size=(int(rng.integers(8, 20)), 2))  # a scribble: a random walk
    walk = np.clip(0.5 + np.cumsum(steps, axis=0), 0, 1)
    return _polylines(rng, [[tuple(p) for p in walk]], width)


KINDS = ("letter", "asterisk", "bar", "v", "cross", "box", "triangle", "arrow", "scribble")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default", help="a saved model, or default (the bundled one)")
    parser.add_argument("--per-kind", type=int, default=100)
    args = parser.parse_args()
    from digitapp.core import default_model, workflow

    predictor = workflow.open_model(default_model.resolve(args.model)).predictor
    rng = np.random.default_rng(15)
    rows, everything = {}, []
    for kind in KINDS:
        answers = [predictor.predict(np.asarray(shape(kind, rng))) for _ in range(args.per_kind)]
        rows[kind] = {"stated_as_fact": float(np.mean([not a.unsure for a in answers])),
                      "not_a_digit": float(np.mean([a.not_a_digit for a in answers])),
                      "at_least_90": float(np.mean([not a.not_a_digit and a.confidence >= 0.9 for a in answers])),
                      "answers": {n: sum(a.answer == n for a in answers) for n in sorted({a.answer for a in answers})}}
        everything += answers
        row = rows[kind]
        print(f"{kind:9s} stated as fact {row['stated_as_fact']:6.1%}  not a digit {row['not_a_digit']:6.1%}"
              f"  ≥90% {row['at_least_90']:6.1%}  answers {row['answers']}", flush=True)
    overall = {"stated_as_fact": float(np.mean([not a.unsure for a in everything])),
               "not_a_digit": float(np.mean([a.not_a_digit for a in everything])),
               "at_least_90": float(np.mean([not a.not_a_digit and a.confidence >= 0.9 for a in everything])),
               "images": len(everything)}
    print(f"all {overall['images']} non-digits: stated as fact {overall['stated_as_fact']:.1%}, "
          f"not a digit {overall['not_a_digit']:.1%}, ≥90% {overall['at_least_90']:.1%} "
          "(issue 15's target: ≤10% stated as fact)")
    RESULTS.write_text(json.dumps({"model": str(args.model), "kinds": rows, "overall": overall}, indent=2),
                       encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
