""""Not a digit": the synthetic non-digits a digit model is trained and tested with, and when
a dataset gets them."""

import numpy as np

from digitapp.core import config, rejection
from digitapp.core.datasets import from_arrays


def test_negatives_are_drawings_prepared_as_digits_are_and_the_same_every_time():
    first = rejection.negatives(50, (28, 28, 1), 7)
    assert first.shape == (50, 28, 28, 1) and first.dtype == np.uint8 and not first.flags.writeable
    again = rejection._draw_negatives(50, (28, 28, 1), 7)  # drawn anew, not a cached copy
    assert np.array_equal(first, again)
    assert not np.array_equal(first, rejection.negatives(50, (28, 28, 1), 8))
    # Each is ink fitted into MNIST's 20×20 box and centred by mass: the top and bottom rows
    # stay black unless the centring pushed lopsided ink there (as it does in MNIST).
    edges = np.concatenate([first[:, :2], first[:, -2:]], axis=1).reshape(50, -1)
    assert (edges.max(axis=1) == 0).mean() >= 0.8
    assert (first.reshape(50, -1).max(axis=1) >= 190).all()  # fitted to full brightness, then shifted
    assert (first.reshape(50, -1) > 0).sum(axis=1).min() > 5  # never an empty image


def test_a_digit_dataset_gets_negatives_as_its_last_class_in_train_and_test(mnist_small):
    assert rejection.applies(mnist_small)
    data = rejection.with_negatives(mnist_small)
    assert data.class_names == [*mnist_small.class_names, config.NOT_A_DIGIT]
    added_train, added_test = len(data.x_train) - len(mnist_small.x_train), len(data.x_test) - len(mnist_small.x_test)
    # A small dataset still gets enough negatives to learn from, and as many digits redrawn as pen strokes.
    # (600 train and 200 test images: as many as an average class has, 60 and 20; and twice as
    # many training digits redrawn as pen strokes)
    assert (added_train, added_test) == ((1 + rejection.PEN_DIGITS_PER_NEGATIVE) * 60, 20)
    assert (data.y_train[-60:] == 10).all() and (data.y_test[-added_test:] == 10).all()
    assert (data.y_train[len(mnist_small.x_train):-60] < 10).all()
    added_train = 60
    assert np.array_equal(data.x_test[: len(mnist_small.x_test)], mnist_small.x_test)
    # Training and test negatives are different drawings (held out).
    train_set = {row.tobytes() for row in data.x_train[-added_train:]}
    assert not any(row.tobytes() in train_set for row in data.x_test[-added_test:])
    assert not rejection.applies(data)  # it has the class already


def test_which_data_and_models_get_the_class(mnist_small):
    clothes = from_arrays("clothes", mnist_small.x_train, mnist_small.y_train, mnist_small.x_test,
                          mnist_small.y_test, config.FASHION_NAMES)
    assert not rejection.applies(clothes) and rejection.for_model(clothes) is clothes
    digits = [*config.DIGIT_NAMES]
    assert rejection.for_model(mnist_small, has_class=False) is mnist_small  # an older 10-class model
    assert rejection.for_model(mnist_small).num_classes == 11
    assert rejection.fits([*digits, config.NOT_A_DIGIT], mnist_small) and rejection.fits(digits, mnist_small)
    assert not rejection.fits([*digits, config.NOT_A_DIGIT], clothes)
    assert config.rejects([*digits, config.NOT_A_DIGIT]) and not config.rejects(digits)


def test_the_stroke_letters_are_drawn_inside_the_canvas():
    rng = np.random.default_rng(0)
    for _ in range(40):
        ink = np.asarray(rejection.draw_negative(rng))
        assert ink.shape == (rejection.SIDE, rejection.SIDE) and ink.max() > 100  # soft edges: a bit less than 255


def test_some_training_digits_are_redrawn_as_pen_strokes_with_their_labels(mnist_small):
    images, labels = rejection.restyled(mnist_small.x_train, mnist_small.y_train, 30, 1)
    assert images.shape == (30, 28, 28, 1) and labels.shape == (30,)
    assert set(labels.tolist()) <= set(mnist_small.y_train.tolist())
    # Prepared as a drawing is: bright ink fitted and centred in the frame.
    assert (images.reshape(30, -1).max(axis=1) >= 190).all() and images[:, :, :2].max() == 0
    again, _ = rejection.restyled(mnist_small.x_train, mnist_small.y_train, 30, 1)
    assert again is images  # cached


def test_drawings_are_kept_on_disk_and_a_damaged_or_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITAPP_HOME", str(tmp_path / "home"))
    first = rejection.negatives.__wrapped__(20, (28, 28, 1), 3)
    [kept] = (tmp_path / "home" / rejection.CACHE_FOLDER).iterdir()
    assert f"v{rejection.CACHE_VERSION}-" in kept.name and np.array_equal(np.load(kept), first)
    kept.write_bytes(kept.read_bytes()[:100])  # cut short, as by a crash
    assert np.array_equal(rejection.negatives.__wrapped__(20, (28, 28, 1), 3), first)
    assert np.array_equal(np.load(kept), first)  # written again, whole
    monkeypatch.setenv("DIGITAPP_HOME", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("not a folder")
    assert np.array_equal(rejection.negatives.__wrapped__(20, (28, 28, 1), 3), first)


def test_the_app_ships_the_drawings_for_bundled_mnist_and_they_are_what_it_would_draw(mnist, tmp_path, monkeypatch):
    """The default run on bundled MNIST finds every drawing in resources/not-a-digit/ (made by
    make default-model with rejection.bundle): none is drawn, and each equals a fresh drawing."""
    monkeypatch.setenv("DIGITAPP_HOME", str(tmp_path / "home"))
    rejection.clear_memory()
    drawn = []
    monkeypatch.setattr(rejection, "_draw_negatives", lambda *a: drawn.append(a))
    monkeypatch.setattr(rejection, "_redraw", lambda *a: drawn.append(a))
    data = rejection.with_negatives(mnist)
    assert drawn == [] and not (tmp_path / "home").exists()  # from the bundle, nothing written
    assert len(data.x_train) == 60_000 + 6_000 + 12_000 and len(data.x_test) == 10_000 + 1_000
    monkeypatch.undo()
    assert np.array_equal(data.x_test[-20:], rejection._draw_negatives(1000, (28, 28, 1), rejection.TEST_SEED)[-20:])
    rejection.clear_memory()


def test_bundle_copies_a_cache_compressed_and_replaces_what_was_there(tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    cache.mkdir()
    out.mkdir()
    (out / "v0-stale.npz").write_bytes(b"old")
    current = f"v{rejection.CACHE_VERSION}"
    (out / f"{current}-negatives-2-28x28x1-9.npz").write_bytes(b"to be replaced")
    (out / f"{current}-pen-digits-kept.npz").write_bytes(b"read from here, so not in the cache")
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28, 1)
    np.save(cache / f"{current}-negatives-2-28x28x1-9.npy", images)
    np.save(cache / "v0-old-version.npy", images)
    [written] = rejection.bundle(cache, out)
    assert sorted(p.name for p in out.iterdir()) == sorted([written.name, f"{current}-pen-digits-kept.npz"])
    with np.load(written) as data:
        assert np.array_equal(data["images"], images)
