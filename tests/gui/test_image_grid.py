"""The paged image grid: pages of captioned images, painted by Qt, cells of a stable size."""

import numpy as np
from PySide6.QtCore import Qt

from digitapp.gui.image_grid import ImageGrid


def _items(count):
    return [(np.full((8, 8, 1), i, np.uint8), f"#{i}", i % 2 == 0) for i in range(count)]


def test_a_grid_pages_through_its_items(qtbot):
    grid = ImageGrid(columns=6, page_size=24)
    qtbot.addWidget(grid)
    grid.set_items(_items(30), "Examples")
    assert grid.pages == 2
    assert grid.caption.text() == "Examples — page 1 of 2 (30 images)"
    assert grid.captions() == [f"#{i}" for i in range(24)]
    assert not grid.prev_button.isEnabled() and grid.next_button.isEnabled()
    qtbot.mouseClick(grid.next_button, Qt.LeftButton)
    assert grid.caption.text() == "Examples — page 2 of 2 (30 images)"
    assert grid.captions() == [f"#{i}" for i in range(24, 30)]
    assert grid.prev_button.isEnabled() and not grid.next_button.isEnabled()
    grid.set_items([], "Nothing here")
    assert grid.caption.text() == "Nothing here" and grid.pages == 1 and grid.captions() == []


def test_cells_keep_their_size_from_page_to_page_and_images_are_painted(qtbot):
    grid = ImageGrid(columns=4, page_size=8)
    qtbot.addWidget(grid)
    grid.resize(400, 300)
    grid.show()
    grid.set_items(_items(9), "Nine")
    full_page = grid.mosaic.cell_rect(0)
    qtbot.mouseClick(grid.next_button, Qt.LeftButton)  # a page with a single image
    assert grid.mosaic.cell_rect(0) == full_page
    grid.set_items([(np.full((8, 8, 1), 200, np.uint8), "bright", True)])
    shot = grid.mosaic.grab().toImage()
    cell = grid.mosaic.cell_rect(0)
    pixel = shot.pixelColor(int(cell.center().x() * shot.devicePixelRatio()),
                            int((cell.center().y() + 10) * shot.devicePixelRatio()))
    assert pixel.red() == pixel.green() == pixel.blue() == 200  # the image, as it is


def test_captions_shrink_to_fit_narrow_cells(qtbot):
    from PySide6.QtGui import QFontMetricsF

    from digitapp.gui.image_grid import MIN_CAPTION_PX

    grid = ImageGrid(columns=6, page_size=24)
    qtbot.addWidget(grid)
    grid.set_items([(np.zeros((8, 8, 1), np.uint8), "Pred 9 (94%)\nTrue 4", False)] * 24)
    for width in (600, 300):
        font = grid.mosaic._caption_font(width / 6)
        fits = QFontMetricsF(font).horizontalAdvance("Pred 9 (94%)") <= width / 6
        assert fits or font.pixelSize() == MIN_CAPTION_PX  # else cut short, never over the next cell
