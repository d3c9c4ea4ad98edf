"""Errors a user can cause. Each carries one sentence meant to be shown as it is."""

from __future__ import annotations


class DigitAppError(Exception):
    """Base for errors caused by user input; ``str(error)`` is the sentence to show."""


class ConfigError(DigitAppError):
    """A training setting or model name is out of range or unknown."""


class DatasetError(DigitAppError):
    """A dataset cannot be found, downloaded or understood."""


class ImageError(DigitAppError):
    """An image file cannot be read or used."""


class ModelFileError(DigitAppError):
    """A model file cannot be read, written or used with the given data."""


class WriteError(DigitAppError):
    """A file the user asked for (a CSV, a JSON report) cannot be written."""


class ModelMismatchError(DigitAppError):
    """A model and a dataset do not fit together (image shape or number of classes)."""


class UnsafeModelError(ModelFileError):
    """A model file contains Python code (a ``Lambda`` layer) and was not loaded.

    ``path`` is the file, so a caller can offer to load it with the code trusted.
    """

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.path = path


def user_message(error: BaseException) -> str:
    """The one sentence to show for any error: its own for errors the user caused, a
    plain description for running out of memory, the type and text for anything else."""
    if isinstance(error, DigitAppError):
        return str(error)
    if isinstance(error, MemoryError):
        return "Not enough memory for this model and dataset."
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"Unexpected {type(error).__name__}" + (f": {text}" if text else ".")
