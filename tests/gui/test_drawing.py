"""The drawing canvas: strokes become ink in the array the model reads; undo and clear."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from digitapp.gui.drawing import CANVAS_PIXELS, DrawingCanvas


@pytest.fixture
def canvas(qtbot):
    widget = DrawingCanvas()
    qtbot.addWidget(widget)
    widget.resize(400, 300)  # not square: the drawing area is centred
    widget.show()
    return widget


def test_a_new_canvas_is_empty(canvas):
    pixels = canvas.to_array()
    assert canvas.is_empty()
    assert pixels.shape == (CANVAS_PIXELS, CANVAS_PIXELS) and pixels.dtype == np.uint8
    assert not pixels.any()


def test_a_stroke_is_white_ink_where_it_was_drawn(qtbot, canvas):
    with qtbot.waitSignal(canvas.changed):
        canvas.add_stroke([(40, 100), (240, 100)])
    pixels = canvas.to_array()
    assert not canvas.is_empty()
    assert pixels[100, 140] == 255  # on the line
    assert pixels[100 + canvas.brush, 140] == 0  # beyond the brush's reach
    assert not pixels[:50].any()


def test_undo_removes_the_last_stroke_and_clear_all(qtbot, canvas):
    canvas.add_stroke([(40, 60), (240, 60)])
    canvas.add_stroke([(40, 200), (240, 200)])
    with qtbot.waitSignal(canvas.changed):
        canvas.undo()
    pixels = canvas.to_array()
    assert pixels[60, 140] == 255 and pixels[200, 140] == 0
    with qtbot.waitSignal(canvas.changed):
        canvas.clear()
    assert canvas.is_empty() and not canvas.to_array().any()


def test_the_mouse_draws_under_the_pointer(qtbot, canvas):
    def send(kind, x, y, buttons):
        pos = canvas.to_widget(x, y).toPoint()
        QApplication.sendEvent(canvas, QMouseEvent(kind, pos, canvas.mapToGlobal(pos), Qt.LeftButton, buttons,
                                                   Qt.NoModifier))

    for kind, x in ((QMouseEvent.MouseButtonPress, 50), (QMouseEvent.MouseMove, 150), (QMouseEvent.MouseMove, 230)):
        with qtbot.waitSignal(canvas.changed):
            send(kind, x, 150, Qt.LeftButton)
    send(QMouseEvent.MouseButtonRelease, 230, 150, Qt.NoButton)
    pixels = canvas.to_array()
    ink_rows = np.flatnonzero(pixels.any(axis=1))
    ink_cols = np.flatnonzero(pixels.any(axis=0))
    # Canvas coordinates, whatever the widget's size: the line from (50, 150) to (230, 150).
    assert abs(ink_rows.mean() - 150) < 2
    assert abs(ink_cols.min() - 50) <= canvas.brush and abs(ink_cols.max() - 230) <= canvas.brush
