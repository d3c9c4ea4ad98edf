"""DigitApp: train an image classifier with one button, then use it."""

__version__ = "0.1.0"
