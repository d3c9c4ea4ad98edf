"""The drawing page in a real headless browser (Debian's chromium and chromedriver): a digit
drawn with a finger's pointer events is read, and the page shows the model's answer.

Skipped only where no chromium/chromedriver is installed (``apt-get install chromium
chromium-driver``)."""

import shutil

import numpy as np
import pytest

from digitapp.web.server import BackgroundServer

BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (BROWSER and DRIVER), reason="needs chromium and chromedriver "
                                "(apt-get install chromium chromium-driver)")
INK = 128  # MNIST pixels at least this bright are traced
WAIT_SECONDS = 30


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = BROWSER
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=420,900"):
        options.add_argument(argument)  # a phone's width: the page must work there
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    yield driver
    driver.quit()


def _ink_runs(digit: np.ndarray):
    """(row, first column, last column) of each horizontal run of ink in a 28×28 image."""
    for y, row in enumerate(digit.reshape(28, 28) >= INK):
        edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(np.int8), [0]])))
        yield from ((y, start, end - 1) for start, end in zip(edges[::2], edges[1::2]))


def _draw_with_a_finger(driver, canvas, digit: np.ndarray) -> None:
    """Trace the digit's ink row by row, one touch stroke per run, as a finger would."""
    from selenium.webdriver.common.actions import interaction
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.pointer_input import PointerInput

    width, height = canvas.size["width"], canvas.size["height"]

    def offset(x, y):  # from the canvas' centre, as WebDriver counts
        return int((x + 0.5) / 28 * width - width / 2), int((y + 0.5) / 28 * height - height / 2)

    actions = ActionBuilder(driver, mouse=PointerInput(interaction.POINTER_TOUCH, "finger"))
    for y, start, end in _ink_runs(digit):
        actions.pointer_action.move_to(canvas, *offset(start, y)).pointer_down()
        actions.pointer_action.move_to(canvas, *offset(end, y)).pointer_up()
    actions.perform()


def test_a_drawn_digit_is_read_on_the_page(served, mnist, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    digit, label = mnist.x_test[0], str(mnist.y_test[0])
    with BackgroundServer(served) as server:
        browser.get(server.url)
        WebDriverWait(browser, WAIT_SECONDS).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#bars li")) == len(served.info.class_names))
        canvas = browser.find_element(By.ID, "canvas")
        assert canvas.size["width"] <= 420  # fits a phone's width
        _draw_with_a_finger(browser, canvas, digit)
        WebDriverWait(browser, WAIT_SECONDS).until(lambda d: d.find_element(By.ID, "answer").text == label)
        top = browser.find_element(By.CSS_SELECTOR, "#bars li.top")
        assert top.get_attribute("data-name") == label
        assert browser.find_element(By.ID, "status").text == ""

        browser.find_element(By.ID, "clear").click()
        assert browser.find_element(By.ID, "answer").text == "–"
