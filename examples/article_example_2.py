"""Article example 2, "Unscaled Input Features", as written, with the doctor.

The article's code is below unchanged except where a line says ``# lab:``. Three input
columns on very different scales (sin·100, cos·0.1, uniform noise) feed LSTM(128) ->
Dense(3) -- three numbers per sequence -- trained against ``Y_train`` of shape
(10, 800, 3), three numbers per *step*. As written it crashes in ``fit``
("Incompatible shapes: [10,800,3] vs. [10,3]"; example 1's (10, 800, 1) target is
silently broadcast instead); the doctor warns before the first epoch. The smallest change
that runs is ``return_sequences=True`` (one prediction per step, like the target).

    python examples/article_example_2.py --as-written   # crashes; the doctor warns first
    python examples/article_example_2.py                # return_sequences=True, unscaled
    python examples/article_example_2.py --fix scale    # the article's fix: scaled inputs
    python examples/article_example_2.py --fix target   # scaled inputs and targets

``--quick`` (or LSTM_LAB_EXAMPLES_QUICK=1) shortens the series and the training for the
tests; the default runs the article's sizes.
"""

import argparse
import os

from lstm_lab.keras import Doctor  # lab: the doctor (first: it hides TF's start-up banner)
import tensorflow as tf
import numpy as np
from sklearn.preprocessing import StandardScaler

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--fix", choices=["none", "scale", "target"], default="none",
                    help="scale: the article's fix (StandardScaler on the inputs); target: "
                         "that and the targets scaled too (the doctor's advice)")
parser.add_argument("--as-written", action="store_true",
                    help="the article's model without return_sequences=True: fit crashes")
parser.add_argument("--quick", action="store_true",
                    default=os.environ.get("LSTM_LAB_EXAMPLES_QUICK") == "1",
                    help="shorter series and fewer epochs (the tests use this)")
args = parser.parse_args()
LENGTH, EPOCHS = (150, 50) if args.quick else (1000, 50)  # lab: the article's 1000 and 50
tf.keras.utils.set_random_seed(0)  # lab: the same weights on every run


# Generate some synthetic data with widely different scales
def generate_unscaled_data(length=1000, num_series=10):
    np.random.seed(42)
    x = np.linspace(0, 10 * np.pi, length)
    feature1 = np.sin(x) * 100
    feature2 = np.cos(x) * 0.1
    feature3 = np.random.rand(length)
    series = np.stack([feature1, feature2, feature3], axis=1) # stack as last dimension
    return np.repeat(series[np.newaxis,:,:], num_series, axis=0)

X = generate_unscaled_data(LENGTH)  # lab: LENGTH is the article's 1000 unless --quick
Y = np.roll(X, -1, axis=1)[:,:-1,:] # shifted one time-step for prediction

# Split data
split_idx = int(0.8 * X.shape[1])
X_train = X[:, :split_idx, :]
Y_train = Y[:, :split_idx, :]
X_test = X[:, split_idx:, :]
Y_test = Y[:, split_idx:, :]

if args.fix != "none":  # lab: the article's fix, "adding the following before passing
    scaler = StandardScaler()  # the data to the model"

    original_shape = X_train.shape
    X_train_flat = X_train.reshape(-1, original_shape[-1])
    X_train_scaled = scaler.fit_transform(X_train_flat).reshape(original_shape)

    X_test_flat = X_test.reshape(-1, original_shape[-1])
    X_test_scaled = scaler.transform(X_test_flat).reshape(X_test.shape)

    X_train = X_train_scaled
    X_test = X_test_scaled

if args.fix == "target":  # lab: the doctor's advice, scale the targets on the training split
    y_scaler = StandardScaler().fit(Y_train.reshape(-1, Y_train.shape[-1]))
    Y_train = y_scaler.transform(Y_train.reshape(-1, Y_train.shape[-1])).reshape(Y_train.shape)
    Y_test = y_scaler.transform(Y_test.reshape(-1, Y_test.shape[-1])).reshape(Y_test.shape)


model = tf.keras.models.Sequential([
    # lab: return_sequences=True (one prediction per step, like Y_train): as written
    # (--as-written) the (10, 3) output cannot broadcast against Y_train and fit crashes
    tf.keras.layers.LSTM(128, input_shape=(X_train.shape[1], X_train.shape[2]),
                         return_sequences=not args.as_written),
    tf.keras.layers.Dense(X_train.shape[2])
])

optimizer = tf.keras.optimizers.Adam(learning_rate=0.001)
model.compile(optimizer=optimizer, loss='mse')
# lab: the doctor watches the fit and scores on the article's own test split, as it is:
# Y_test is one step shorter than X_test (np.roll, then [:-1]); the doctor copes.
doctor = Doctor(X_train, Y_train, validation_data=(X_test, Y_test), verbose=0)
model.fit(X_train, Y_train, epochs=EPOCHS, batch_size=32, verbose=0,
          callbacks=[doctor])  # lab: callbacks=[doctor]

# Check for constant outputs on test
test_predictions = model.predict(X_test, verbose=0)  # lab: verbose=0 (no progress bar)
if np.all(np.isclose(test_predictions, test_predictions[0], rtol=1e-4)):
    print("Constant predictions found with unscaled features.")
else:
    print("Not constant predictions.")

print(doctor.report())  # lab: what the doctor says
