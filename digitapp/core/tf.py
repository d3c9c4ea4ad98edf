"""Single place that imports TensorFlow/Keras, after quietening their start-up chatter."""

import contextlib
import os
import sys
import threading

# Keras 3 picks its backend from this variable; we are built and tested on TensorFlow.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# Hide C++ log lines (oneDNN notices, CPU hints, "no CUDA driver") users cannot act on.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextlib.contextmanager
def _native_stderr_silenced():
    """TensorFlow's CUDA probe writes to file descriptor 2 before its log level applies;
    point fd 2 at the null device for the import. Python exceptions are unaffected."""
    if os.environ.get("DIGITAPP_DEBUG"):
        yield
        return
    if sys.stderr:
        sys.stderr.flush()
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no fd 2 (windowed app): nothing to silence
        yield
        return
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


with _native_stderr_silenced():
    import keras
    import tensorflow as tf

    # A GPU is shared with the desktop and with the window's own predictions: take its memory as
    # training needs it, not all of it at once (TensorFlow's default). Listing the physical devices
    # does not set them up, so this is in time; it must be, or TensorFlow refuses (RuntimeError).
    for _gpu in tf.config.list_physical_devices("GPU"):
        with contextlib.suppress(RuntimeError, ValueError):
            tf.config.experimental.set_memory_growth(_gpu, True)

# Building or tracing Keras models from two threads at once is not safe (native crashes
# were seen when a model summary was built while training traced its step). Code that
# builds, loads or traces a model holds this lock for that step only, never for a whole
# training run; nothing that holds it calls other code that takes it.
TF_LOCK = threading.Lock()

__all__ = ["TF_LOCK", "keras", "tf"]
