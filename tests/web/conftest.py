"""Fixtures of the web service's tests: the CLI-trained model opened as the service opens
it, an application for it, and a test client addressed as a browser on this computer is."""

import io

import pytest
from PIL import Image

SERVICE_URL = "http://127.0.0.1"


@pytest.fixture(scope="session")
def served(cli_model):
    """The CLI-trained model, opened through the one door (``workflow.open_model``)."""
    from digitapp.core import workflow

    return workflow.open_model(cli_model[0])


@pytest.fixture
def client(served):
    from fastapi.testclient import TestClient

    from digitapp.web.app import create_app

    with TestClient(create_app(served), base_url=SERVICE_URL) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def seven_png(mnist) -> bytes:
    """The first MNIST test image (a 7) as PNG bytes."""
    buf = io.BytesIO()
    Image.fromarray(mnist.x_test[0].reshape(28, 28), "L").save(buf, "PNG")
    return buf.getvalue()
