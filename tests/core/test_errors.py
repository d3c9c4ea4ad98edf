"""Typed errors and the one sentence shown for any error."""

import pytest

from digitapp.core import errors


@pytest.mark.parametrize("kind", [errors.ConfigError, errors.DatasetError, errors.ImageError, errors.ModelFileError,
                                  errors.WriteError, errors.ModelMismatchError])
def test_errors_the_user_causes_are_shown_as_they_are(kind):
    error = kind("The model expects 28×28×1 images but CIFAR-10 has 32×32×3.")
    assert isinstance(error, errors.DigitAppError)
    assert errors.user_message(error) == "The model expects 28×28×1 images but CIFAR-10 has 32×32×3."


def test_an_unsafe_model_is_a_model_file_error_that_knows_its_file():
    error = errors.UnsafeModelError("mine.keras contains custom code.", "/tmp/mine.keras")
    assert isinstance(error, errors.ModelFileError) and error.path == "/tmp/mine.keras"
    assert errors.user_message(error) == "mine.keras contains custom code."


def test_running_out_of_memory_is_said_plainly():
    assert errors.user_message(MemoryError()) == "Not enough memory for this model and dataset."


def test_anything_else_gives_its_type_and_first_line():
    assert errors.user_message(RuntimeError("  boom\nat line 3\n")) == "Unexpected RuntimeError: boom"
    assert errors.user_message(KeyError()) == "Unexpected KeyError."
    assert errors.user_message(ValueError("   ")) == "Unexpected ValueError."
