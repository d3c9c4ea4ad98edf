"""The probability bars: one row per class, bar lengths from the values, the top one
highlighted."""

import numpy as np
import pytest
from PySide6.QtGui import QColor, QPalette

from digitapp.gui.probabilities import NAME_WIDTH, ROW_HEIGHT, TEXT_WIDTH, ProbabilityBars

NAMES = ["cat", "dog", "bird"]


@pytest.fixture
def bars(qtbot):
    widget = ProbabilityBars()
    qtbot.addWidget(widget)
    widget.set_classes(NAMES)
    widget.resize(400, widget.sizeHint().height())
    widget.show()
    return widget


def test_one_row_per_class_and_empty_until_told(bars):
    assert bars.sizeHint().height() == ROW_HEIGHT * len(NAMES) + 4
    assert bars.values() == [0.0, 0.0, 0.0]
    bars.set_probabilities(np.array([0.1, 0.7, 0.2]))
    assert bars.values() == pytest.approx([0.1, 0.7, 0.2])
    bars.set_probabilities(None)
    assert bars.values() == [0.0, 0.0, 0.0]
    bars.set_classes(["a", "b"])  # a new model forgets the old answer
    assert bars.values() == [0.0, 0.0]


def test_bars_are_as_long_as_their_probability_and_the_top_one_stands_out(bars):
    bars.set_probabilities(np.array([0.25, 0.75, 0.0]))
    image = bars.grab().toImage()
    ratio = image.width() / bars.width()
    bar_width = bars.width() - NAME_WIDTH - TEXT_WIDTH - 4

    def colour(row, fraction):
        x = NAME_WIDTH + fraction * bar_width
        y = 2 + row * ROW_HEIGHT + ROW_HEIGHT // 2
        return image.pixelColor(int(x * ratio), int(y * ratio))

    highlight = bars.palette().color(QPalette.Highlight)
    grey = QColor(150, 150, 150)
    assert colour(1, 0.7) == highlight  # the top class, inside its bar
    assert colour(1, 0.8) not in (highlight, grey)  # past its end: the empty track
    assert colour(0, 0.2) == grey  # another class, inside its bar
    assert colour(0, 0.3) != grey
    assert colour(2, 0.05) not in (highlight, grey)  # zero probability: no bar
