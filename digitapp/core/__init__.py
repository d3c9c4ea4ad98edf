"""Qt-free engine: datasets, preprocessing, models, training, evaluation, persistence.

Modules that need TensorFlow import it through :mod:`digitapp.core.tf` so that the
environment (log level, backend) is set first; the others stay light to import.
"""
