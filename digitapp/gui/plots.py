"""Live loss and accuracy curves (matplotlib's embedding-in-Qt pattern).

Lines are created once and updated with ``set_data``; redraws go through
``draw_idle`` on a timer, so however fast batches arrive the canvas repaints at most
``MAX_REDRAWS_PER_SECOND`` times. Only the GUI thread touches the figure.
"""

from __future__ import annotations

import math

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
from matplotlib.figure import Figure
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

# A redraw of both axes costs tens of milliseconds of CPU that training would otherwise
# use (two cores); a few frames a second is plenty for curves that change slowly.
MAX_REDRAWS_PER_SECOND = 3
# Exponential smoothing of the per-batch training curve (Keras' running mean is already
# smooth within an epoch; this removes the jump at each epoch start).
SMOOTHING = 0.6


class TrainingPlots(QWidget):
    """Two axes — loss and accuracy — each with a training curve (per batch group, x in
    fractional epochs) and validation points (per epoch)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.figure = Figure(figsize=(7, 3), layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.toolbar = NavigationToolbar2QT(self.canvas, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.canvas)
        self.loss_ax, self.acc_ax = self.figure.subplots(1, 2)
        self.lines = {}
        for ax, metric, title in ((self.loss_ax, "loss", "Loss"), (self.acc_ax, "accuracy", "Accuracy")):
            ax.set_title(title)
            ax.set_xlabel("epoch")
            ax.grid(True, alpha=0.3)
            (self.lines[metric],) = ax.plot([], [], color="tab:blue", label="training")
            (self.lines["val_" + metric],) = ax.plot([], [], "o-", color="tab:orange", label="validation")
            ax.legend(loc="upper right" if metric == "loss" else "lower right", fontsize="small")
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // MAX_REDRAWS_PER_SECOND)
        self._timer.timeout.connect(self._redraw)
        self._dirty = False
        self.clear()

    def clear(self) -> None:
        self._data = {key: ([], []) for key in self.lines}
        self._smoothed = {"loss": None, "accuracy": None}
        self._epoch_offset = 0
        self._mark_dirty()

    def set_epoch_offset(self, epochs: int) -> None:
        """Continue the x-axis after ``epochs`` already plotted (continued training)."""
        self._epoch_offset = epochs

    @Slot(dict)
    def add_batch(self, progress: dict) -> None:
        x = self._epoch_offset + progress["epoch"] - 1 + progress["batch"] / progress["batches"]
        for metric in ("loss", "accuracy"):
            value = progress[metric]
            if not math.isfinite(value):
                continue
            previous = self._smoothed[metric]
            smoothed = value if previous is None else SMOOTHING * previous + (1 - SMOOTHING) * value
            self._smoothed[metric] = smoothed
            xs, ys = self._data[metric]
            xs.append(x)
            ys.append(smoothed)
        self._mark_dirty()

    @Slot(int, dict)
    def add_epoch(self, epoch: int, metrics: dict) -> None:
        for key in ("val_loss", "val_accuracy"):
            if key in metrics:
                xs, ys = self._data[key]
                xs.append(self._epoch_offset + epoch)
                ys.append(metrics[key])
        self._mark_dirty()

    def set_history(self, history: dict) -> None:
        """Show a finished run (e.g. from a model's sidecar): one point per epoch."""
        self.clear()
        for key in self.lines:
            values = history.get(key) or []
            self._data[key] = (list(range(1, len(values) + 1)), list(values))
        self._epoch_offset = len(history.get("loss") or [])
        self._mark_dirty()

    def has_data(self) -> bool:
        return any(xs for xs, _ in self._data.values())

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _redraw(self) -> None:
        if not self._dirty:
            self._timer.stop()
            return
        self._dirty = False
        for key, line in self.lines.items():
            line.set_data(*self._data[key])
        for ax in (self.loss_ax, self.acc_ax):
            ax.relim()
            ax.autoscale_view()
        self.canvas.draw_idle()
