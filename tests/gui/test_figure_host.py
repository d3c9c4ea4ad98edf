"""A figure made after its widget's first paint (or on first use), with a compact toolbar."""

from digitapp.gui.figure_host import TOOLS, FigureHost


def test_the_figure_is_made_after_the_first_paint(qtbot):
    host = FigureHost("Nothing yet", toolbar=True)
    qtbot.addWidget(host)
    assert not host.is_made()
    host.show()
    qtbot.waitUntil(host.is_made, timeout=5_000)
    actions = [a.text() for a in host.toolbar.actions() if a.text()]
    assert actions == list(TOOLS)


def test_using_the_figure_makes_it_at_once(qtbot):
    host = FigureHost()
    qtbot.addWidget(host)
    assert host.figure is not None and host.is_made() and host.toolbar is None
    assert host.canvas.figure is host.figure


def test_a_draw_in_steps_gives_matplotlibs_pixels(qtbot):
    import numpy as np

    host = FigureHost()
    qtbot.addWidget(host)
    host.resize(600, 300)
    host.show()
    left, right = host.figure.subplots(1, 2)
    left.plot([0, 1, 2], [3, 1, 2], "o-")
    left.set_title("left", y=1.0)
    right.set_yscale("log")
    right.plot([1, 2, 3], [0.1, 1, 10])
    qtbot.waitUntil(lambda: hasattr(host.canvas, "renderer"), timeout=5_000)  # drawn once, whole
    host.draw_in_steps()
    assert host.drawing()
    qtbot.waitUntil(lambda: not host.drawing(), timeout=5_000)
    stepped = np.asarray(host.canvas.buffer_rgba()).copy()
    host.canvas.draw()
    assert np.array_equal(stepped, np.asarray(host.canvas.buffer_rgba()))


def test_margins_in_points_keep_labels_inside_a_short_canvas(qtbot):
    from digitapp.gui.plots import MARGINS

    host = FigureHost(margins=MARGINS)
    qtbot.addWidget(host)
    host.resize(700, 140)
    host.show()
    left, right = host.figure.subplots(1, 2)
    for ax in (left, right):
        ax.set_xlabel("epoch", labelpad=1)  # as the training curves have them
        ax.set_title("title", y=1.0, pad=4)
    host._fit_margins()  # as after the resize that made it
    qtbot.waitUntil(lambda: hasattr(host.canvas, "renderer"), timeout=5_000)
    renderer = host.canvas.get_renderer()
    figure_box = host.figure.bbox
    for ax in (left, right):
        for text in (ax.xaxis.label, ax.title, *ax.get_yticklabels()):
            box = text.get_window_extent(renderer)
            assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1
            assert figure_box.y0 <= box.y0 and box.y1 <= figure_box.y1
