"""Makes resources/cnn_model.h5 as the classic "MNIST CNN in Keras" scripts made theirs: Keras 2
(tf.keras, here the tf_keras package), the classic CNN, ``model.save("cnn_model.h5")``.

The app must open such files (users bring them); Keras 3 reads Keras 2's HDF5 layout through a
legacy path of its own, which a test and ``--self-test`` exercise on this file. Run once, by hand:

    pip install --no-deps --target /tmp/tfk "tf-keras==2.21.*"
    PYTHONPATH=/tmp/tfk .venv/bin/python resources/make_cnn_model_h5.py

One epoch, not the scripts' five: the file only has to be a real, trained Keras 2 model (~98.5%).
"""

import os
from pathlib import Path

os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.keras is Keras 2 (tf_keras), as before TensorFlow 2.16

import numpy as np
import tf_keras as keras

HERE = Path(__file__).resolve().parent

with np.load(HERE / "mnist.npz") as data:
    x_train, y_train = data["x_train"][..., None] / 255.0, data["y_train"]
    x_test, y_test = data["x_test"][..., None] / 255.0, data["y_test"]

keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
    keras.layers.MaxPooling2D((2, 2)),
    keras.layers.Conv2D(64, (3, 3), activation="relu"),
    keras.layers.MaxPooling2D((2, 2)),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=1, batch_size=64, validation_split=0.1, verbose=2)
print("test accuracy:", model.evaluate(x_test, y_test, verbose=0)[1])
model.save(HERE / "cnn_model.h5")
print("keras", keras.__version__)
