"""Errors a user can cause. Each carries one sentence meant to be shown as it is."""


class DigitAppError(Exception):
    """Base for errors caused by user input; ``str(error)`` is the sentence to show."""


class DatasetError(DigitAppError):
    """A dataset cannot be found, downloaded or understood."""


class ImageError(DigitAppError):
    """An image file cannot be read or used."""


class ModelFileError(DigitAppError):
    """A model file cannot be read, written or used with the given data."""


class UnsafeModelError(ModelFileError):
    """A model file contains Python code (a ``Lambda`` layer) and was not loaded.

    ``path`` is the file, so a caller can offer to load it with the code trusted.
    """

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.path = path
