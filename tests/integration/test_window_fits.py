"""The window on small screens: its default size fits the screen, its minimum size fits a
1366×768 laptop with a taskbar, and at 1024×640 Train and Stop stay in sight; after a run the
results do not make the window grow, and the confusion matrix stays big enough to click."""

from PySide6.QtCore import QPoint, QRect, Qt

from digitapp.gui.confusion import COUNTS

LAPTOP = (1366, 728)  # 1366×768 less a 40-pixel taskbar
SMALL = (1024, 640)


def _fits(size, screen) -> bool:
    return size.width() <= screen[0] and size.height() <= screen[1]


def _wholly_in_view(widget, window) -> bool:
    """Shown, not cut off by a scroll area or the window's edge."""
    in_window = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return (widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()
            and window.rect().contains(in_window))


def _settle(qtbot, window, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size, timeout=5_000)
    qtbot.wait(50)  # layouts and splitters follow


def test_the_window_fits_small_screens_and_keeps_train_and_stop_in_sight(qtbot, window):
    available = window.screen().availableGeometry()  # the test screen is 800×800
    assert window.height() <= available.height()  # the default size is within the screen…
    assert window.width() <= max(available.width(), window.minimumSizeHint().width())  # …as far as it can be
    tab = window.training_tab
    assert _fits(window.minimumSizeHint(), SMALL)
    _settle(qtbot, window, SMALL)
    assert _wholly_in_view(tab.train_button, window) and _wholly_in_view(tab.stop_button, window)

    tab.form.epochs.setValue(1)
    with qtbot.waitSignal(tab.model_ready, timeout=120_000):
        qtbot.mouseClick(tab.train_button, Qt.LeftButton)
        assert _wholly_in_view(tab.stop_button, window) and tab.stop_button.isEnabled()
    qtbot.waitUntil(lambda: tab.results.tabs.isEnabled(), timeout=30_000)
    assert _fits(window.minimumSizeHint(), SMALL)  # the results did not make the window grow
    tab.results.tabs.setCurrentIndex(1)
    for size in (SMALL, LAPTOP):
        _settle(qtbot, window, size)
        assert window.size().toTuple() == size
        assert _wholly_in_view(tab.train_button, window)
        assert tab.results.confusion.cell_rect(0, 0).width() >= 18  # big enough to click
    _settle(qtbot, window, (1600, 1000))
    assert tab.results.confusion.numbers_shown() == COUNTS  # room for the counts themselves
