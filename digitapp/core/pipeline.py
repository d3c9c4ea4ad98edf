"""The input pipeline: batches of images for ``fit``, and the augmentation that varies them.

Kept apart from :mod:`training` so that the data side (what the model sees) and the fitting
side (how it learns, where it runs) can each be read on their own.
"""

from __future__ import annotations

import os

import numpy as np

from digitapp.core.datasets import Dataset
from digitapp.core.tf import keras, tf


def augmentation(dataset: Dataset) -> keras.Sequential:
    """Random variations of the training images that keep their class.

    Digits are shifted, turned and zoomed a little, never mirrored (a mirrored 2 is not a 2).
    Photos are mirrored as well. Other grey objects (Fashion-MNIST's clothes: the app's recipe
    centres and fits them, so shifts only teach what never happens) are mirrored only, unless
    their classes are single characters (letters, like digits, change when mirrored).
    """
    layers = keras.layers
    mirror = [layers.RandomFlip("horizontal")]
    moves = [
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
        layers.RandomRotation(0.04, fill_mode="constant"),
        layers.RandomZoom(0.1, fill_mode="constant"),
    ]
    if dataset.preprocessing == "digit" or all(len(name) == 1 for name in dataset.class_names):
        steps = moves
    elif dataset.input_shape[-1] == 3 or dataset.preprocessing == "rgb":
        steps = mirror + moves
    else:
        steps = mirror
    return keras.Sequential(steps, name="augmentation")


def make_dataset(
    x: np.ndarray, y: np.ndarray, batch_size: int, shuffle_seed: int | None = None,
    augment: keras.Sequential | None = None,
) -> tf.data.Dataset:
    """Batches of float32 images on [0, 1].

    Only batch indices flow through the pipeline: shuffling 60,000 indices is instant,
    whereas shuffling 60,000 image tensors one by one costs seconds every epoch. Images
    stay uint8 in memory and are scaled per batch.
    """
    images, labels = tf.constant(x), tf.constant(y)
    ds = tf.data.Dataset.range(len(x))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(x), seed=shuffle_seed, reshuffle_each_iteration=True)
    workers = os.cpu_count() or 1
    ds = ds.batch(batch_size).map(
        lambda idx: (tf.cast(tf.gather(images, idx), tf.float32) / 255.0, tf.gather(labels, idx)),
        num_parallel_calls=workers,
    )
    if augment is not None:
        ds = ds.map(lambda xb, yb: (augment(xb, training=True), yb), num_parallel_calls=workers)
    # No tf.data autotuning: with it, destroying each epoch's iterator waited 10-17 s for
    # the autotuner's thread (seen with py-spy; 2 epochs of `fast` took 70-85 s instead of
    # 57 s). Fixed parallelism and two prefetched batches keep the model fed here.
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.prefetch(2).with_options(options)
