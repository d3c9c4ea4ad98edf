"""The training progress bar: everything about a run's progress is in its own text.

Updating a QLabel on every batch re-lays out the window and cost the event loop 20–35 ms
per update (measured); a progress bar's format does not.
"""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QWidget

from digitapp.core.formatting import format_duration

STEPS = 1000  # the bar's range: fine enough for per-batch movement


class RunProgress(QProgressBar):
    """A progress bar that says where a run is, or which model is shown when none runs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, STEPS)
        self.show_text("Ready")

    def show_text(self, text: str) -> None:
        """No run going on: an empty bar with ``text`` (the model shown, or Ready)."""
        self.setValue(0)
        self.setFormat(text)

    def batch(self, p: dict, epoch_offset: int = 0) -> None:
        """A batch report from core; a continued run counts its epochs on from ``epoch_offset``."""
        self.setValue(int(p["progress"] * STEPS))
        self.setFormat(
            f"Epoch {epoch_offset + p['epoch']}/{epoch_offset + p['epochs']} · batch {p['batch']}/{p['batches']} · "
            f"%p% · {p['samples_per_second']:,.0f} img/s · elapsed {format_duration(p['elapsed'])} · "
            f"ETA {format_duration(p['eta'])}"
        )

    def finished(self, result, accuracy: float) -> None:
        """A run ended (a stopped one keeps the bar where it stopped)."""
        stopped = " (stopped)" if result.stopped else ""
        if not result.stopped:
            self.setValue(STEPS)
        self.setFormat(f"Done{stopped} in {format_duration(result.train_seconds)} on {result.placed['devices']} · "
                       f"test accuracy {accuracy:.2%}")
