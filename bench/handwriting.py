"""Handwriting that is not MNIST: the open-image path versus a naive resize to 28×28.

Usage: .venv/bin/python bench/handwriting.py [--model PATH] [--per-kind N]

Builds image files the way users make them — dark ink on paper, off-centre, small or
large, thick marker or thin pen, phone photos (tinted paper, uneven light, blue ink, a
slight tilt, JPEG, EXIF-rotated) — from two sources of writing:

* MNIST *test* digits (writers the model never saw) turned into scans and photos;
* synthetic pen strokes from hand-made digit templates with random slant, shape and
  thickness (no MNIST pixels at all).

Eight ways to write and capture: a scan, a thick marker, a thin pen, small and off-centre on a
page, large and tight, a phone photo, soft pencil, and a ballpoint on ruled paper. Reported per
set: right (the best guess is the digit), right *and* stated as fact (not "Unsure" or "Not a
digit": what the user sees as a confident right answer), and the naive baselines.

Each file is classified through the app's open-image path (``Predictor.predict_files``:
EXIF, polarity, crop, 20×20 fit, centre of mass) and through a naive
``Image.open(f).convert("L").resize((28, 28))``, with the same model. Without ``--model``
the default recipe is trained on bundled MNIST first. Writes bench/results/handwriting.json.
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
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "handwriting.json"

from digitapp.core.rejection import stroke_points  # the templates' notation (no TensorFlow)

# Strokes of each digit on a unit square (x right, y down), as polylines. Arcs are
# (cx, cy, rx, ry, start°, end°) expanded below; written by hand, not taken from MNIST.
TEMPLATES = {
    0: [("arc", 0.5, 0.5, 0.3, 0.42, -90, 270)],
    1: [[(0.35, 0.25), (0.55, 0.08), (0.55, 0.92)]],
    2: [("arc", 0.5, 0.32, 0.28, 0.24, 200, 380), [(0.78, 0.32), (0.22, 0.9), (0.82, 0.9)]],
    3: [("arc", 0.48, 0.3, 0.26, 0.21, 200, 450), ("arc", 0.48, 0.7, 0.3, 0.22, -90, 150)],
    4: [[(0.62, 0.92), (0.62, 0.08), (0.15, 0.66), (0.85, 0.66)]],
    5: [[(0.78, 0.1), (0.3, 0.1), (0.26, 0.45)], ("arc", 0.5, 0.66, 0.3, 0.25, 215, 495)],
    6: [[(0.68, 0.08), (0.42, 0.3), (0.26, 0.6)], ("arc", 0.5, 0.68, 0.25, 0.22, 180, 540)],
    7: [[(0.18, 0.1), (0.82, 0.1), (0.42, 0.92)]],
    8: [("arc", 0.5, 0.28, 0.22, 0.19, 90, 450), ("arc", 0.5, 0.7, 0.28, 0.22, -90, 270)],
    9: [("arc", 0.48, 0.3, 0.25, 0.21, 0, 360), [(0.73, 0.3), (0.68, 0.6), (0.58, 0.92)]],
}


def template_strokes(digit: int) -> list[np.ndarray]:
    """A digit's template as dense polylines: straight segments are cut into short steps, so a
    wobble or a distortion bends them."""
    lines = []
    for part in TEMPLATES[digit]:
        points = stroke_points(part, 40)
        if not isinstance(part, tuple):
            points = np.concatenate([np.linspace(a, b, 12, endpoint=False) for a, b in zip(points, points[1:])]
                                    + [points[-1:]])
        lines.append(points)
    return lines


def _polylines(digit: int, rng: np.random.Generator) -> list[np.ndarray]:
    lines = template_strokes(digit)
    # One writer's hand: slant, aspect, rotation, and a smooth wobble along the strokes.
    slant, aspect, angle = rng.uniform(-0.3, 0.15), rng.uniform(0.7, 1.1), rng.uniform(-0.15, 0.15)
    c, s = math.cos(angle), math.sin(angle)
    matrix = np.array([[aspect * c, slant - s], [aspect * s, c]])
    out = []
    for points in lines:
        points = (points - 0.5) @ matrix.T + 0.5
        wobble = np.cumsum(rng.normal(0, 0.006, points.shape), axis=0)
        out.append(points + wobble - wobble.mean(axis=0))
    return out


def synthetic_digit(digit: int, rng: np.random.Generator, size: int = 200) -> np.ndarray:
    """White-on-black float image (size, size) of a pen-drawn digit."""
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    width = int(rng.uniform(0.04, 0.12) * size)
    for points in _polylines(digit, rng):
        xy = [(float(x * size * 0.8 + size * 0.1), float(y * size * 0.8 + size * 0.1)) for x, y in points]
        draw.line(xy, fill=255, width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
    return np.asarray(img, dtype=np.float32) / 255.0


def mnist_as_pen(digit: np.ndarray, size: int = 200) -> np.ndarray:
    """An MNIST digit enlarged with pen-like edges (not 28×28 blur), white on black."""
    up = np.asarray(Image.fromarray(digit).resize((size, size), Image.Resampling.LANCZOS), np.float32) / 255
    return np.clip((up - 0.35) * 3.0, 0, 1)


def _thickness(ink: np.ndarray, pixels: int) -> np.ndarray:
    img = Image.fromarray((ink * 255).astype(np.uint8))
    if pixels > 0:
        img = img.filter(ImageFilter.MaxFilter(2 * pixels + 1))
    elif pixels < 0:
        img = img.filter(ImageFilter.MinFilter(-2 * pixels + 1))
    return np.asarray(img, np.float32) / 255


def _on_paper(ink: np.ndarray, rng, canvas=(400, 400), scale=0.6, centre=(0.5, 0.5),
              paper=(245, 243, 238), pen=(25, 25, 30), light=0.0, noise=4.0, tilt=0.0) -> Image.Image:
    """Place white-on-black ink on paper of ``canvas`` size as dark pen colour."""
    w, h = canvas
    side = max(8, int(min(w, h) * scale))
    mask = Image.fromarray((ink * 255).astype(np.uint8)).resize((side, side), Image.Resampling.LANCZOS)
    if tilt:
        mask = mask.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True)
    full = Image.new("L", canvas, 0)
    x = int(centre[0] * w - mask.width / 2)
    y = int(centre[1] * h - mask.height / 2)
    full.paste(mask, (max(0, min(x, w - mask.width)), max(0, min(y, h - mask.height))))
    alpha = np.asarray(full, np.float32)[..., None] / 255
    yy, xx = np.mgrid[0:h, 0:w]
    shade = 1.0 - light * (xx / w * 0.6 + yy / h * 0.4)  # uneven light across the page
    paper_rgb = np.array(paper, np.float32) * shade[..., None]
    rgb = paper_rgb * (1 - alpha) + np.array(pen, np.float32) * alpha
    rgb += rng.normal(0, noise, rgb.shape)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")


KINDS = ("scan", "thick-marker", "thin-pen", "small-off-centre", "large-tight", "phone-photo", "pencil",
         "lined-paper")


def render(kind: str, ink: np.ndarray, rng: np.random.Generator, path: Path) -> Path:
    """Write one user-like image file of ``ink`` (white-on-black float) as ``kind``."""
    if kind == "scan":
        img = _on_paper(ink, rng, scale=rng.uniform(0.45, 0.7), centre=rng.uniform(0.4, 0.6, 2))
        img.filter(ImageFilter.GaussianBlur(0.8)).convert("L").save(path.with_suffix(".png"))
        return path.with_suffix(".png")
    if kind == "thick-marker":
        img = _on_paper(_thickness(ink, 8), rng, scale=0.6, pen=(10, 10, 10))
        img.save(path.with_suffix(".jpg"), quality=85)
        return path.with_suffix(".jpg")
    if kind == "thin-pen":
        img = _on_paper(_thickness(ink, -3), rng, scale=0.7, pen=(40, 40, 90))
        img.save(path.with_suffix(".png"))
        return path.with_suffix(".png")
    if kind == "small-off-centre":
        img = _on_paper(ink, rng, canvas=(640, 420), scale=0.22,
                        centre=(rng.uniform(0.15, 0.85), rng.uniform(0.2, 0.8)))
        img.save(path.with_suffix(".png"))
        return path.with_suffix(".png")
    if kind == "large-tight":
        img = _on_paper(ink, rng, canvas=(300, 300), scale=1.0)
        img.resize((1200, 1200), Image.Resampling.BICUBIC).save(path.with_suffix(".jpg"), quality=90)
        return path.with_suffix(".jpg")
    if kind == "phone-photo":
        img = _on_paper(ink, rng, canvas=(800, 600), scale=0.5, centre=rng.uniform(0.4, 0.6, 2),
                        paper=(236, 226, 200), pen=(30, 45, 140), light=0.35, noise=7.0,
                        tilt=rng.uniform(-10, 10))
        img = img.filter(ImageFilter.GaussianBlur(1.2))
        # Stored sideways with an EXIF orientation tag, as phones do.
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90° clockwise to display
        img.rotate(90, expand=True).save(path.with_suffix(".jpg"), quality=70, exif=exif)
        return path.with_suffix(".jpg")
    if kind == "pencil":  # soft grey graphite, faint and grainy, on white paper
        grain = np.clip(_thickness(ink, -1) * rng.uniform(0.55, 1.0, ink.shape), 0, 1)
        img = _on_paper(grain, rng, scale=rng.uniform(0.5, 0.7), pen=(120, 120, 125), noise=6.0)
        img.convert("L").save(path.with_suffix(".png"))
        return path.with_suffix(".png")
    if kind == "lined-paper":  # a ballpoint digit on ruled school paper (blue lines, a red margin)
        img = np.asarray(_on_paper(ink, rng, canvas=(500, 500), scale=0.45, pen=(20, 30, 110),
                                   centre=rng.uniform(0.45, 0.55, 2)), np.float32).copy()
        for y in range(int(rng.uniform(10, 40)), 500, 42):
            img[y:y + 2] = img[y:y + 2] * 0.5 + np.array([150, 180, 220]) * 0.5
        img[:, 60:62] = img[:, 60:62] * 0.5 + np.array([220, 120, 120]) * 0.5
        Image.fromarray(img.astype(np.uint8), "RGB").save(path.with_suffix(".jpg"), quality=85)
        return path.with_suffix(".jpg")
    raise ValueError(kind)


def make_set(folder: Path, per_kind: int, seed: int = 0) -> list[tuple[Path, int, str, str]]:
    """Write the image files; returns (path, true digit, source, kind) per file."""
    from digitapp.core.datasets import load_dataset

    rng = np.random.default_rng(seed)
    mnist = load_dataset("mnist")
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    picks = rng.choice(len(mnist.x_test), size=per_kind * len(KINDS), replace=False)
    for k, kind in enumerate(KINDS):
        for i in range(per_kind):
            index = int(picks[k * per_kind + i])
            digit = int(mnist.y_test[index])
            ink = mnist_as_pen(mnist.x_test[index, ..., 0])
            image = render(kind, ink, rng, folder / f"mnist-{kind}-{i:03d}-{digit}")
            rows.append((image, digit, "mnist-writers", kind))
            label = i % 10
            ink = synthetic_digit(label, rng)
            rows.append((render(kind, ink, rng, folder / f"pen-{kind}-{i:03d}-{label}"), label, "synthetic-pen", kind))
    return rows


def naive(path: Path) -> np.ndarray:
    """What a script would do: grayscale, squash to 28×28, scale to [0, 1]."""
    with Image.open(path) as img:
        return np.asarray(img.convert("L").resize((28, 28)), np.float32)[..., None] / 255


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", help="a saved .keras model (default: train the default recipe)")
    parser.add_argument("--per-kind", type=int, default=40)
    args = parser.parse_args()
    from digitapp.core import workflow
    from digitapp.core.config import TrainConfig
    from digitapp.core.datasets import load_dataset

    if args.model:
        trained = workflow.open_model(args.model)
    else:
        started = time.perf_counter()
        trained = workflow.train_and_evaluate(load_dataset("mnist"), "fast", TrainConfig.for_model("fast"))
        print(f"trained the default recipe in {time.perf_counter() - started:.0f} s: "
              f"{trained.evaluation.accuracy:.2%} on MNIST test")
    predictor = trained.predictor
    with tempfile.TemporaryDirectory() as tmp:
        rows = make_set(Path(tmp), args.per_kind)
        ours = predictor.predict_files([r[0] for r in rows])
        plain = predictor.probabilities(np.stack([naive(r[0]) for r in rows])).argmax(1)
        inverted = predictor.probabilities(np.stack([1 - naive(r[0]) for r in rows])).argmax(1)
    table: dict[str, dict[str, list[int]]] = {}
    for (_, label, source, kind), answer, p, q in zip(rows, ours, plain, inverted):
        for key in (f"{source}/{kind}", f"{source}/all", "all/all"):
            cell = table.setdefault(key, {"ours": [], "sure_and_right": [], "naive": [], "naive_inverted": []})
            right = not isinstance(answer, Exception) and answer.label == label
            cell["ours"].append(int(right))
            cell["sure_and_right"].append(int(right and not answer.unsure))
            cell["naive"].append(int(p == label))
            cell["naive_inverted"].append(int(q == label))
    result = {key: {name: round(float(np.mean(v)), 4) for name, v in cell.items()} | {"n": len(cell["ours"])}
              for key, cell in table.items()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"{'set':36} {'n':>4} {'ours':>7} {'sure+right':>10} {'naive':>7} {'naive+invert':>13}")
    for key, cell in result.items():
        print(f"{key:36} {cell['n']:4d} {cell['ours']:7.1%} {cell['sure_and_right']:10.1%} {cell['naive']:7.1%} "
              f"{cell['naive_inverted']:13.1%}")


if __name__ == "__main__":
    main()
