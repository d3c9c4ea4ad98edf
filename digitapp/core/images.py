"""Reading image files the way every part of the app needs them: any format Pillow knows,
EXIF orientation applied, 16-bit and float pixels scaled, transparency flattened onto a
background that keeps the ink visible, big photos reduced while decoding. No TensorFlow.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from digitapp.core.config import IMAGE_EXTENSIONS
from digitapp.core.errors import ImageError

# Big photos are reduced to this before any per-pixel work: plenty for a 28×28 result.
WORKING_SIZE = 512


def open_image(path: str | Path) -> Image.Image:
    """Open an image file as ``L`` or ``RGB``, EXIF orientation applied, alpha flattened.

    Raises:
        ImageError: the path is missing, a folder, or not an image Pillow can decode.
    """
    path = Path(path)
    if not path.exists():
        raise ImageError(f"{path} does not exist.")
    if path.is_dir():
        raise ImageError(f"{path} is a folder, not an image.")
    try:
        if path.stat().st_size == 0:
            raise ImageError(f"{path.name} is empty (0 bytes).")
    except OSError as exc:
        raise ImageError(f"{path.name} cannot be read ({exc.strerror or type(exc).__name__}).") from None
    try:
        with warnings.catch_warnings():
            # Large-but-legal photos trigger this warning; real bombs still raise an error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                img.draft("RGB", (WORKING_SIZE, WORKING_SIZE))  # JPEG: decode at reduced size
                img.load()
                return normalize_mode(img)
    except Image.DecompressionBombError:
        raise ImageError(f"{path.name} is too large to open safely (over Pillow's pixel limit).") from None
    except Image.UnidentifiedImageError:
        raise ImageError(
            f"{path.name} is not an image DigitApp can read (PNG, JPEG, BMP, GIF, TIFF, WebP and other "
            "formats Pillow knows)."
        ) from None
    except OSError as exc:
        if exc.strerror:  # from the file system: permission denied, I/O error, …
            raise ImageError(f"{path.name} cannot be read ({exc.strerror}).") from None
        raise ImageError(f"{path.name} is damaged ({_reason(exc)}).") from None
    except Exception as exc:  # Pillow raises many types for broken files
        raise ImageError(f"{path.name} is damaged ({_reason(exc)}).") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:120] if text else type(exc).__name__


def normalize_mode(img: Image.Image) -> Image.Image:
    """Return ``img`` as ``L`` or ``RGB``: EXIF-rotated, 16-bit scaled, alpha flattened."""
    img = ImageOps.exif_transpose(img)
    if max(img.size) > WORKING_SIZE:
        img = img.copy()
        img.thumbnail((WORKING_SIZE, WORKING_SIZE), Image.Resampling.LANCZOS)
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        return Image.fromarray(wide_to_uint8(np.asarray(img)), "L")
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        return _flatten_alpha(img.convert("RGBA"))
    if img.mode in ("L", "1"):
        return img.convert("L")
    rgb = img.convert("RGB")  # CMYK, YCbCr, LAB, HSV
    return rgb.convert("L") if _is_gray(rgb) else rgb


def wide_to_uint8(arr: np.ndarray) -> np.ndarray:
    """Scale 16/32-bit or float pixels to 0–255 by their range, instead of clamping.

    16-bit data is scaled by 65535 as the file format defines it (a viewer shows 12-bit
    data stored in 16 bits as nearly black, and so does this); larger or float values are
    scaled by the brightest pixel; NaN, infinities and values below zero count as black.
    """
    # Clipped below first: a huge negative value would overflow the scaling.
    arr = np.clip(np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0), 0.0, None)
    top = arr.max(initial=0.0)
    if top <= 1.0:
        scale = 255.0  # float image on [0, 1]
    elif top <= 255.0:
        scale = 1.0
    elif top <= 65535.0:
        scale = 255.0 / 65535.0
    else:
        scale = 255.0 / top
    return np.clip(arr * scale, 0, 255).round().astype(np.uint8)


def _flatten_alpha(rgba: Image.Image) -> Image.Image:
    """Composite onto a background that contrasts with the opaque pixels.

    Light ink on transparency (a white digit exported from a drawing app) would vanish on
    white paper, dark ink on black; so the background is chosen from the ink's brightness.
    """
    arr = np.asarray(rgba, dtype=np.float32)
    alpha = arr[..., 3:] / 255.0
    gray = arr[..., :3].mean(axis=2)
    weight = alpha[..., 0]
    ink_level = (gray * weight).sum() / weight.sum() if weight.sum() > 0 else 0.0
    background = 0.0 if ink_level > 127.5 else 255.0
    flat = arr[..., :3] * alpha + background * (1.0 - alpha)
    out = Image.fromarray(flat.round().astype(np.uint8), "RGB")
    return out.convert("L") if _is_gray(out) else out


def _is_gray(rgb: Image.Image) -> bool:
    arr = np.asarray(rgb, dtype=np.int16)
    return bool(np.abs(arr - arr[..., :1]).max(initial=0) <= 2)


def expand_image_paths(paths) -> tuple[list[Path], list[Path]]:
    """Files as given, folders replaced by their image files (sorted, not recursive).

    Returns:
        (files, folders that held no image files).
    """
    files: list[Path] = []
    empty: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
            if not found:
                empty.append(path)
            files.extend(found)
        else:
            files.append(path)
    return files, empty
