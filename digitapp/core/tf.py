"""Single place that imports TensorFlow/Keras, after quietening their start-up chatter."""

import os

# Keras 3 picks its backend from this variable; we are built and tested on TensorFlow.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# Hide C++ log lines (oneDNN notices, CPU hints, "no CUDA driver") users cannot act on.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

__all__ = ["keras", "tf"]
