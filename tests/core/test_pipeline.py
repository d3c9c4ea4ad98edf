"""The input pipeline: batches scaled to [0, 1], reshuffled every epoch; augmentation that keeps
each kind of image's class."""

import numpy as np
import pytest

from digitapp.core import pipeline
from digitapp.core.datasets import from_arrays


def test_batches_are_scaled_and_every_image_comes_once_an_epoch_in_a_new_order():
    x = np.arange(10, dtype=np.uint8).reshape(10, 1, 1, 1) * 25
    y = np.arange(10)
    ds = pipeline.make_dataset(x, y, 4, shuffle_seed=0)
    epochs = []
    for _ in range(2):
        batches = [(xb.numpy(), yb.numpy()) for xb, yb in ds]
        assert [len(yb) for _, yb in batches] == [4, 4, 2]
        images, labels = np.concatenate([xb for xb, _ in batches]), np.concatenate([yb for _, yb in batches])
        assert images.dtype == np.float32 and images.max() <= 1.0
        np.testing.assert_allclose(images[:, 0, 0, 0], labels * 25 / 255.0, rtol=1e-6)  # labels stay with images
        assert sorted(labels) == list(range(10))
        epochs.append(list(labels))
    assert epochs[0] != epochs[1] and epochs[0] != list(range(10))


@pytest.mark.parametrize("shape,names,recipe,expected", [
    ((28, 28, 1), [str(d) for d in range(10)], None, ["RandomTranslation", "RandomRotation", "RandomZoom"]),
    ((28, 28, 1), ["A", "B", "C"], "gray", ["RandomTranslation", "RandomRotation", "RandomZoom"]),
    ((28, 28, 1), ["T-shirt", "Trouser", "Bag"], None, ["RandomFlip"]),
    ((8, 8, 3), ["cat", "dog", "ship"], None, ["RandomFlip", "RandomTranslation", "RandomRotation", "RandomZoom"]),
])
def test_augmentation_never_mirrors_digits_or_letters_and_never_moves_fitted_objects(shape, names, recipe, expected):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (len(names), *shape), dtype=np.uint8)
    y = np.arange(len(names))
    data = from_arrays("t", x, y, x, y, names, recipe)
    assert [type(layer).__name__ for layer in pipeline.augmentation(data).layers] == expected
