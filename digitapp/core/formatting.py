"""Small text helpers shared by the CLI and the GUI (no TensorFlow import)."""

from __future__ import annotations

import math


def format_duration(seconds: float) -> str:
    """``m:ss`` for progress displays (elapsed, ETA)."""
    seconds = int(round(max(seconds, 0)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def epoch_line(epoch: int, metrics: dict) -> str:
    """One human-readable line per epoch, shared by the CLI and the GUI log."""
    line = f"epoch {epoch}: loss {metrics.get('loss', math.nan):.4f}  acc {metrics.get('accuracy', math.nan):.4f}"
    if "val_loss" in metrics:
        line += f"  val_loss {metrics['val_loss']:.4f}  val_acc {metrics.get('val_accuracy', math.nan):.4f}"
    return line + f"  {metrics.get('seconds', math.nan):.1f} s"


def rejection_text(evaluation) -> str:
    """What a digit model's evaluation says about "not a digit" (empty for other models):
    ``not a digit: 98.9% of 1,000 non-digits caught, 0.10% of real digits rejected``."""
    if evaluation.rejected is None:
        return ""
    caught = (f"{evaluation.caught:.1%} of {evaluation.non_digits:,} non-digits caught, "
              if evaluation.caught is not None else "")
    return f"not a digit: {caught}{evaluation.rejected:.2%} of real digits rejected"


def placement_line(placed: dict) -> str:
    """Where a run trains, shared by the CLI and the GUI log: ``training on CPU``; on several
    devices with the batch and learning rate in all (the settings' batch is per device)."""
    line = f"training on {placed['devices']}"
    if placed["replicas"] > 1:
        line += f": batch {placed['batch_size']} in all, lr {placed['learning_rate']:.3g}"
    return line


def shape_text(shape: tuple) -> str:
    """``28×28×1`` for an image shape."""
    return "×".join(str(d) for d in shape)
