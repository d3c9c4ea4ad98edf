"""Small text helpers shared by the CLI and the GUI (no TensorFlow import)."""


def format_duration(seconds: float) -> str:
    """``m:ss`` for progress displays (elapsed, ETA)."""
    seconds = int(round(max(seconds, 0)))
    return f"{seconds // 60}:{seconds % 60:02d}"
