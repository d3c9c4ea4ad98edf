"""The shapes of the service's answers, as its OpenAPI schema publishes them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every refused request: one sentence to show a user."""

    error: str = Field(description="What went wrong, in one sentence.")


class Health(BaseModel):
    status: str = Field(description='Always "ok" while the service answers.')


class ModelDescription(BaseModel):
    """What a caller needs to know about the model being served."""

    classes: list[str] = Field(description="Class names, in the order of the model's outputs.")
    input_shape: list[int] = Field(description="(height, width, channels) the model takes.")
    preprocessing: str = Field(description="How uploaded images are prepared: digit, gray or rgb.")
    dataset: str
    architecture: str
    test_accuracy: float | None = Field(description="Accuracy on the test set when the model was trained.")
    app_version: str


class PredictionRow(BaseModel):
    """One uploaded file's answer, exactly as a row of ``digitapp predict --json``: a label,
    its confidence, whether the app is unsure of it, and every class's probability, or the
    reason the file could not be used."""

    file: str = Field(description="The uploaded file's name.")
    label: str | None = Field(None, description="The best guess among the classes (never \"not a digit\").")
    confidence: float | None = None
    unsure: bool | None = Field(None, description="True when the app would not state the answer as fact "
                                "(not a digit, or its confidence is too low); label is still the best guess.")
    not_a_digit: bool | None = Field(None, description="True when the model's answer is that the image is "
                                     "not a digit at all.")
    answer: str | None = Field(None, description="The answer as the app says it: \"4\", \"Not a digit\" or "
                               "\"Unsure — maybe 4 or 9\".")
    probabilities: dict[str, float] | None = None
    error: str | None = Field(None, description="Why this file could not be classified (one sentence).")
