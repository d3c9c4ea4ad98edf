"""What tests share that is not a fixture: paths, small file writers, the CLI runner,
the one-sentence check, and the corpus of bad and unusual image files.

Fixtures live in the ``conftest.py`` files and use these; tests import them from here,
never from another test file or a conftest.

The corpus: ``write_corpus(folder, digit)`` writes one file (or folder) per kind and
returns the cases. ``expect`` is ``"digit"`` (a legal image of ``digit``: it must be
classified, and what the model receives must match the plain PNG's input), ``"error"``
(it must be refused with one sentence) or ``"either"`` (legal but without a recognisable
digit, e.g. 1×1 or a blank page: a prediction or one clear sentence, never a crash).
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def digit_png(array: np.ndarray, path: Path) -> Path:
    """Save a 28×28 uint8 MNIST image as a PNG file."""
    Image.fromarray(np.asarray(array).reshape(28, 28).astype(np.uint8), "L").save(path)
    return path


def run_cli(*args, timeout=300) -> subprocess.CompletedProcess:
    """``python -m digitapp ARGS`` in a subprocess, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "digitapp", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


def one_sentence(text: str) -> bool:
    """True for an error message fit to show a user: one line, no traceback, a full stop."""
    return "\n" not in text and "Traceback" not in text and text.endswith(".") and 10 < len(text) < 240


# ---------------------------------------------------------------- dataset files

# x_train/y_train/x_test/y_test → the file names of MNIST's original distribution.
IDX_STEMS = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def write_idx_set(ds, folder: Path, suffix: str = "", count: int | None = None,
                  stems: dict[str, str] = IDX_STEMS) -> Path:
    """The first ``count`` images of each part of ``ds`` as the four IDX files in ``folder``."""
    from digitapp.core.datasets import write_idx

    folder.mkdir(parents=True, exist_ok=True)
    for key, stem in stems.items():
        part = getattr(ds, key)[:count]
        write_idx(part[..., 0] if part.ndim == 4 else part, folder / (stem + suffix))
    return folder


def write_cifar(folder: Path, n_train: int = 20, n_test: int = 10) -> dict[str, dict]:
    """Random CIFAR-10 batches in the real layout (rows of 3072 bytes: all red, then green,
    then blue) as ``data_batch_1``, ``data_batch_2`` and ``test_batch``; returns them."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    batches = {}
    for name, n in (("data_batch_1", n_train // 2), ("data_batch_2", n_train // 2), ("test_batch", n_test)):
        batches[name] = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                         b"labels": rng.integers(0, 10, n).tolist()}
        with open(folder / name, "wb") as f:
            pickle.dump(batches[name], f)
    return batches


# ---------------------------------------------------------------- bad and unusual image files

DIGIT = "digit"
ERROR = "error"
EITHER = "either"


@dataclass
class Case:
    kind: str
    path: Path
    expect: str


def _png_bytes(img: Image.Image, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", **params)
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming a size, then a tiny IDAT and IEND."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0")) + _chunk(b"IEND", b"")


def write_corpus(folder: Path, digit: np.ndarray) -> list[Case]:
    """Write every kind into ``folder``; ``digit`` is a 28×28 uint8 MNIST image (white on black)."""
    folder.mkdir(parents=True, exist_ok=True)
    mnist = Image.fromarray(np.asarray(digit, np.uint8).reshape(28, 28), "L")
    big = mnist.resize((112, 112), Image.Resampling.BILINEAR)
    paper = Image.eval(big, lambda v: 255 - v)  # dark ink on white paper
    rng = np.random.default_rng(0)
    cases: list[Case] = []

    def add(kind: str, name: str, expect: str, data: bytes | None = None, image: Image.Image | None = None,
            **save) -> None:
        path = folder / name
        if data is not None:
            path.write_bytes(data)
        elif image is not None:
            image.save(path, **save)
        cases.append(Case(kind, path, expect))

    png = _png_bytes(paper)
    jpeg = io.BytesIO()
    paper.convert("RGB").save(jpeg, "JPEG", quality=90)
    jpeg = jpeg.getvalue()

    # --- legal images of the digit -------------------------------------------------
    add("plain PNG, dark on white", "plain.png", DIGIT, data=png)
    add("MNIST-style white on black 28×28", "mnist_style.png", DIGIT, image=mnist)
    add("1-bit PNG", "one_bit.png", DIGIT, image=paper.point(lambda v: 255 if v > 127 else 0).convert("1"))
    add("RGB PNG", "rgb.png", DIGIT, image=paper.convert("RGB"))
    add("blue ink RGB PNG", "blue_ink.png", DIGIT,
        image=Image.merge("RGB", (paper, paper, Image.new("L", paper.size, 255))))
    rgba = Image.new("RGBA", paper.size, (0, 0, 0, 0))
    rgba.putalpha(big)  # black ink drawn only through alpha, transparent paper
    add("RGBA, dark ink on transparency", "rgba_dark.png", DIGIT, image=rgba)
    white = Image.new("RGBA", paper.size, (255, 255, 255, 0))
    white.putalpha(big)
    add("RGBA, white ink on transparency", "rgba_white.png", DIGIT, image=white)
    la = Image.merge("LA", (paper, Image.new("L", paper.size, 255)))
    add("LA (grey + alpha)", "la.png", DIGIT, image=la)
    palette = paper.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    add("palette PNG", "palette.png", DIGIT, image=palette)
    pal_t = paper.point(lambda v: 255 if v > 127 else 0).convert("P")
    add("palette PNG with a transparent colour", "palette_transparent.png", DIGIT,
        image=pal_t, transparency=255)
    wide = (np.asarray(paper, np.uint32) * 257).astype(np.uint16)
    add("16-bit greyscale PNG (full range)", "gray16.png", DIGIT, image=Image.fromarray(wide))
    twelve = (np.asarray(paper, np.uint32) * 4095 // 255).astype(np.uint16)
    add("32-bit integer TIFF", "int32.tif", DIGIT,
        image=Image.fromarray(np.asarray(paper, np.int32) * 1000))
    add("32-bit float TIFF", "float.tif", DIGIT,
        image=Image.fromarray(np.asarray(paper, np.float32) / 255.0))
    add("JPEG", "photo.jpg", DIGIT, data=jpeg)
    add("JPEG, quality 5", "low_quality.jpg", DIGIT, image=paper, quality=5)
    add("progressive JPEG", "progressive.jpg", DIGIT, image=paper.convert("RGB"), progressive=True, quality=85)
    add("CMYK JPEG", "cmyk.jpg", DIGIT, image=paper.convert("RGB").convert("CMYK"), quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewers turn it 90° clockwise
    add("EXIF-rotated JPEG (orientation 6)", "exif_rotated.jpg", DIGIT,
        image=paper.convert("RGB").transpose(Image.Transpose.ROTATE_90), exif=exif, quality=90)
    exif3 = Image.Exif()
    exif3[0x0112] = 3
    add("EXIF upside-down PNG (orientation 3)", "exif_180.png", DIGIT,
        image=paper.transpose(Image.Transpose.ROTATE_180), exif=exif3)
    frames = [paper.convert("P"), Image.new("L", paper.size, 255).convert("P")]
    add("animated GIF (first frame is the digit)", "animated.gif", DIGIT, image=frames[0],
        save_all=True, append_images=frames[1:], duration=200, loop=0)
    add("BMP", "digit.bmp", DIGIT, image=paper)
    add("TIFF", "digit.tiff", DIGIT, image=paper)
    add("WebP", "digit.webp", DIGIT, image=paper.convert("RGB"))
    add("PPM", "digit.ppm", DIGIT, image=paper)
    add("TGA", "digit.tga", DIGIT, image=paper)
    add("ICO", "digit.ico", DIGIT, image=paper.resize((64, 64)))
    add("PNG content named .jpg", "really_png.jpg", DIGIT, data=png)
    add("upper-case extension", "SHOUTING.PNG", DIGIT, data=png)
    add("no extension", "no_extension", DIGIT, data=png)
    add("unicode and spaces in the name", "Zahl ✓ sieben — Bild 7 (Kopie).png", DIGIT, data=png)
    (folder / "ordner mit lücken ü").mkdir(exist_ok=True)
    add("inside a folder with spaces and umlauts", "ordner mit lücken ü/ziffer.png", DIGIT, data=png)
    big_photo = Image.new("L", (6000, 6000), 230)
    big_photo.paste(paper.resize((2400, 2400), Image.Resampling.BILINEAR), (1800, 1800))
    add("huge but legal JPEG (6000×6000)", "huge.jpg", DIGIT, image=big_photo, quality=80)
    low = Image.eval(paper, lambda v: 110 + v * 30 // 255)
    add("low contrast (grey ink on grey paper)", "low_contrast.png", DIGIT, image=low)
    noisy = np.clip(np.asarray(paper, np.int16) + rng.normal(0, 20, paper.size[::-1]), 0, 255)
    add("noisy scan", "noisy.png", DIGIT, image=Image.fromarray(noisy.astype(np.uint8), "L"))
    if hasattr(os, "symlink"):
        (folder / "plain.png").write_bytes(png)
        link = folder / "link_to_plain.png"
        try:
            link.symlink_to(folder / "plain.png")
            cases.append(Case("symbolic link to an image", link, DIGIT))
        except OSError:  # Windows without the privilege
            pass

    # --- legal, but nothing to recognise -------------------------------------------
    add("16-bit PNG holding 12-bit data (nearly black, as any viewer shows it)", "gray12.png", EITHER,
        image=Image.fromarray(twelve))
    add("1×1 pixel", "one_pixel.png", EITHER, image=Image.new("L", (1, 1), 0))
    add("10000×10 strip", "strip.png", EITHER, image=Image.new("L", (10000, 10), 255))
    add("10×10000 strip with a line", "tall_strip.png", EITHER,
        image=Image.eval(Image.linear_gradient("L").resize((10, 10000)), lambda v: 255 - v))
    add("all white", "white.png", EITHER, image=Image.new("L", (200, 200), 255))
    add("all black", "black.png", EITHER, image=Image.new("L", (200, 200), 0))
    add("fully transparent", "transparent.png", EITHER, image=Image.new("RGBA", (64, 64), (0, 0, 0, 0)))
    add("random noise image", "noise.png", EITHER,
        image=Image.fromarray(rng.integers(0, 256, (64, 64), dtype=np.uint8), "L"))

    # --- not images, or broken -----------------------------------------------------
    add("empty file", "empty.png", ERROR, data=b"")
    add("truncated PNG", "truncated.png", ERROR, data=png[: len(png) // 2])
    add("truncated JPEG", "truncated.jpg", ERROR, data=jpeg[: len(jpeg) // 2])
    add("PNG signature only", "signature_only.png", ERROR, data=png[:8])
    corrupt = bytearray(png)
    idat = corrupt.find(b"IDAT") + 8
    corrupt[idat:idat + 16] = bytes(16)
    add("PNG with corrupted pixel data", "corrupt_idat.png", ERROR, data=bytes(corrupt))
    add("random bytes named .png", "random.png", ERROR, data=rng.bytes(4096))
    add("random bytes named .jpg", "random.jpg", ERROR, data=rng.bytes(4096))
    add("text file named .png", "text.png", ERROR, data=b"this is not an image\n")
    add("HTML page saved as .jpg", "page.jpg", ERROR, data=b"<!DOCTYPE html><html><body>404</body></html>")
    add("plain text file", "notes.txt", ERROR, data=b"remember the milk\n")
    add("SVG drawing", "vector.svg", ERROR,
        data=b'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><text y="20">7</text></svg>')
    add("PDF", "scan.pdf", ERROR, data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    add("GIF header only", "header.gif", ERROR, data=b"GIF89a")
    add("PNG claiming 0×0 pixels", "zero_size.png", ERROR, data=_png_header_only(0, 0))
    add("decompression bomb (PNG header claiming 100000×100000)", "bomb.png", ERROR,
        data=_png_header_only(100_000, 100_000))
    bomb = Image.new("1", (15_000, 13_000))
    add("decompression bomb (real 195-megapixel PNG)", "bomb_real.png", ERROR, image=bomb, optimize=False)
    (folder / "folder.png").mkdir(exist_ok=True)
    cases.append(Case("a folder named like an image", folder / "folder.png", ERROR))
    cases.append(Case("a file that does not exist", folder / "missing.png", ERROR))
    zip_bytes = b"PK\x03\x04" + rng.bytes(200)
    add("ZIP archive named .png", "archive.png", ERROR, data=zip_bytes)
    add("NUL bytes", "zeros.bmp", ERROR, data=bytes(1000))
    return cases
