"""A label whose text changes without re-laying out the window; long text is wrapped to its
lines, or elided with the whole text in its tooltip."""

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from digitapp.gui.stable_label import StableLabel

LONG = "Train or open a model, then draw a digit, or open image files, or paste one from the clipboard."


class _LayoutRequests(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event):  # noqa: N802 - Qt override
        if event.type() == QEvent.LayoutRequest:
            self.count += 1
        return False


def _window(qtbot, label, width=300):
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    layout.addWidget(label)
    layout.addWidget(QLabel("a neighbour"))
    window.resize(width, 200)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)  # the first layout is done
    return window


def test_changing_the_text_never_asks_for_a_relayout(qtbot):
    label = StableLabel("Draw a digit.", lines=2)
    window = _window(qtbot, label)
    height = label.height()
    requests = _LayoutRequests()
    window.installEventFilter(requests)
    for text in ("7  (99%)", "Unsure — maybe 4 (52%)", LONG, "Draw a digit."):
        label.setText(text)
        qtbot.wait(1)
    assert requests.count == 0
    assert label.height() == height


def test_long_text_is_wrapped_then_elided_with_a_tooltip(qtbot):
    label = StableLabel("", lines=2)
    window = _window(qtbot, label, width=300)  # noqa: F841 - keeps the label alive
    label.setText("Train or open a model, then draw a digit.")
    assert not label.is_elided() and label.toolTip() == ""  # two lines suffice
    label.setText(LONG * 2)
    assert label.is_elided() and label.shown_text().endswith("…")
    assert label.text() == LONG * 2 and label._label.toolTip() == LONG * 2


def test_one_line_of_rich_text_keeps_its_markup(qtbot):
    label = StableLabel("", lines=1)
    window = _window(qtbot, label, width=600)  # noqa: F841 - keeps the label alive
    label.setText("Test accuracy <b>99.10%</b> · test loss 0.0281")
    assert label.text() == label.shown_text() == "Test accuracy <b>99.10%</b> · test loss 0.0281"


def test_rich_text_too_long_is_elided_as_plain_text(qtbot):
    label = StableLabel("", lines=1)
    window = _window(qtbot, label, width=200)  # noqa: F841 - keeps the label alive
    label.setText("Test accuracy <b>99.10%</b> · test loss 0.0281 · 10,000 test images + 1,000 non-digits")
    assert label.is_elided() and label.shown_text().startswith("Test accuracy 99") and label.shown_text().endswith("…")
    assert label._label.toolTip() == "Test accuracy 99.10% · test loss 0.0281 · 10,000 test images + 1,000 non-digits"
