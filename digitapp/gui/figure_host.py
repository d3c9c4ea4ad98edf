"""A matplotlib figure that never holds up the window: made only after the widget's first
paint, and drawn in small steps.

Importing matplotlib and making a figure costs ~0.5 s, and the figure's first draw another
~0.1 s: done while the window is being built, the window stayed black for 1.3–2.3 s after it
appeared. A :class:`FigureHost` paints a plain placeholder in the first frame and makes its
figure on the next pass of the event loop, so the window shows its real layout at once.

A full draw of two small axes costs 50–70 ms here, far more while a training thread competes
for the interpreter: :meth:`FigureHost.draw_in_steps` draws it one piece (an axes' x-axis,
its y-axis, the rest) per pass of the event loop, 5–10 ms each, the same pixels as
matplotlib's own draw.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Slot
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

TOOLBAR_ICON = 20  # pixels: a compact toolbar leaves the figure more room
# The toolbar's tools: back to the whole view, pan, zoom, save (the rest left out, so the
# tools fit beside a short figure).
TOOLS = ("Home", "Pan", "Zoom", "Save")


class FigureHost(QWidget):
    """Holds a ``Figure`` on a ``FigureCanvasQTAgg`` (with a navigation toolbar down its left
    side if asked: height is what small screens lack), made after the first paint or on
    first use of :attr:`figure`, :attr:`canvas` or :attr:`toolbar`. Subclasses add their
    axes in :meth:`_build_figure`.

    ``margins`` (points: left, right, top, bottom, between axes side by side) are kept
    whatever the canvas' size, so a short canvas still has room for tick labels and axis
    labels — without a layout engine, which would double the cost of every full draw.
    """

    def __init__(self, placeholder: str = "", toolbar: bool = False,
                 margins: tuple[float, float, float, float, float] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._with_toolbar = toolbar
        self._margins = margins
        self._figure = self._canvas = self._toolbar = None
        self._placeholder = _Placeholder(placeholder, self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._placeholder, 1)
        # Child timers, not QTimer.singleShot: they die with the widget.
        self._make_timer = QTimer(self, singleShot=True, interval=0)
        self._make_timer.timeout.connect(self.make_figure)
        self._step_timer = QTimer(self, singleShot=True, interval=0)
        self._step_timer.timeout.connect(self._draw_step)
        self._steps: list[list] = []
        self._step = 0

    @property
    def figure(self):
        self.make_figure()
        return self._figure

    @property
    def canvas(self):
        self.make_figure()
        return self._canvas

    @property
    def toolbar(self):
        """The navigation toolbar (zoom, pan, save as PNG), or None if there is none."""
        self.make_figure()
        return self._toolbar

    def is_made(self) -> bool:
        return self._figure is not None

    @Slot()
    def make_figure(self) -> None:
        """Import matplotlib and make the figure now, if that has not happened yet."""
        if self._figure is not None:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
        from matplotlib.figure import Figure

        self._figure = Figure(figsize=(7, 3))
        self._canvas = FigureCanvasQTAgg(self._figure)
        self._canvas.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self._canvas.setMinimumSize(self._placeholder.minimumSize())
        layout = self.layout()
        layout.removeWidget(self._placeholder)
        self._placeholder.deleteLater()
        if self._with_toolbar:
            class Toolbar(NavigationToolbar2QT):
                toolitems = [item for item in NavigationToolbar2QT.toolitems if item[0] in TOOLS]

            # Without the coordinates read-out: it needs a horizontal bar's width.
            self._toolbar = Toolbar(self._canvas, self, coordinates=False)
            self._toolbar.setOrientation(Qt.Vertical)
            self._toolbar.setIconSize(QSize(TOOLBAR_ICON, TOOLBAR_ICON))
            layout.addWidget(self._toolbar)
        layout.addWidget(self._canvas, 1)
        self._build_figure()
        if self._margins is not None:
            self._fit_margins()
            self._canvas.mpl_connect("resize_event", self._on_resize)

    def _build_figure(self) -> None:
        """Add axes and artists to :attr:`figure` (called once, right after it is made)."""

    def _on_resize(self, _event) -> None:
        self._fit_margins()  # before the full draw that follows every resize

    def _fit_margins(self) -> None:
        """The margins in points, as shares of the figure's current size."""
        width, height = self._figure.get_size_inches() * 72
        left, right, top, bottom, between = self._margins
        columns = max(len({ax.get_position().x0 for ax in self._figure.axes}), 1)
        plot_width = max((width - left - right - between * (columns - 1)) / columns, 1.0)
        self._figure.subplots_adjust(left=min(left / width, 0.3), right=max(1 - right / width, 0.7),
                                     bottom=min(bottom / height, 0.4), top=max(1 - top / height, 0.6),
                                     wspace=min(between / plot_width, 1.0))

    def drawing(self) -> bool:
        """A draw in steps is under way."""
        return self._step > 0 or self._step_timer.isActive()

    def draw_in_steps(self, now: bool = False) -> None:
        """Draw the whole figure a piece per pass of the event loop (the first piece ``now``, or
        on the next pass), then :meth:`_steps_drawn`, then show it. A draw under way restarts.

        Titles must be placed by hand (``set_title(…, y=…)``): placing them is the one thing
        ``Axes.draw`` does that the steps leave out, and it measures every tick label.
        """
        self._step = 0
        self._step_timer.stop()
        if not hasattr(self.canvas, "renderer"):  # never drawn: the canvas shows only whole draws
            self.canvas.draw_idle()
        elif now:
            self._draw_step()
        else:
            self._step_timer.start()

    def _steps_drawn(self) -> None:
        """Called after the last step, before the canvas shows the result (e.g. to cache it)."""

    @Slot()
    def _draw_step(self) -> None:
        renderer = self.canvas.get_renderer()
        if self._step == 0:
            renderer.clear()
            self._steps = self._draw_steps()
        for artist in self._steps[self._step]:
            artist.draw(renderer)
        self._step += 1
        if self._step < len(self._steps):
            self._step_timer.start()
            return
        self._step = 0
        self._steps_drawn()
        self.canvas.update()

    def _draw_steps(self) -> list[list]:
        """What ``Axes.draw`` draws, in its order (by z-order, animated artists left out), three
        steps per axes: its background and x-axis, its y-axis, everything above them."""
        steps = []
        for ax in self.figure.axes:
            ax.apply_aspect()
            artists = sorted((a for a in ax.get_children() if a is not ax.patch and not a.get_animated()),
                             key=_z_order)
            x_at, y_at = artists.index(ax.xaxis), artists.index(ax.yaxis)
            first, last = min(x_at, y_at), max(x_at, y_at)  # they share a z-order: either may come first
            steps += [[ax.patch, *artists[: first + 1]], artists[first + 1 : last + 1], artists[last + 1 :]]
        steps[0].insert(0, self.figure.patch)
        return steps

    def _placeholder_painted(self) -> None:
        if self._figure is None and not self._make_timer.isActive():
            self._make_timer.start()  # the next pass: this frame is on screen by then


def _z_order(artist) -> float:
    return artist.get_zorder()


class _Placeholder(QWidget):
    """An empty figure with a line of text: what the user sees before matplotlib is loaded."""

    def __init__(self, text: str, host: FigureHost):
        super().__init__(host)
        self._text = text
        self._host = host
        self.setBackgroundRole(QPalette.Base)
        self.setAutoFillBackground(True)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.PlaceholderText))
        painter.drawText(self.rect(), Qt.AlignCenter, self._text)
        painter.end()
        self._host._placeholder_painted()
