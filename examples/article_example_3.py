"""Article example 3, "Insufficient Sequence Length", as written, with the doctor.

The article's code is below unchanged except where a line says ``# lab:``. As written it
crashes: ``tf.data.Dataset.from_tensor_slices(X_train)`` slices the *series* axis, so
``window(20)`` over 10 series yields no window at all, ``X_train_seq`` is empty and
``fit`` fails. The smallest change that runs windows one series, ``X_train[0]`` (the ten
series share their seasonality and differ only in noise).

    python examples/article_example_3.py                # 20-step windows of series 0
    python examples/article_example_3.py --as-written   # crashes: no windows
    python examples/article_example_3.py --seq 200      # the article's fix: longer windows

``--quick`` (or LSTM_LAB_EXAMPLES_QUICK=1) trains fewer epochs for the tests; the default
runs the article's 50.
"""

import argparse
import os

from lstm_lab.keras import Doctor  # lab: the doctor (first: it hides TF's start-up banner)
import tensorflow as tf
import numpy as np

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--seq", type=int, default=20, help="window length (the article: 20)")
parser.add_argument("--as-written", action="store_true",
                    help="window X_train itself, as the article does: no windows, fit crashes")
parser.add_argument("--quick", action="store_true",
                    default=os.environ.get("LSTM_LAB_EXAMPLES_QUICK") == "1",
                    help="fewer epochs (the tests use this)")
args = parser.parse_args()
EPOCHS = 10 if args.quick else 50  # lab: the article's 50
tf.keras.utils.set_random_seed(0)  # lab: the same weights on every run
one = slice(None) if args.as_written else 0  # lab: X_train[0]: window one series' steps


# Generate some data with a seasonal pattern
def generate_seasonal_data(length=1000, num_series=10):
    np.random.seed(42)
    x = np.linspace(0, 10 * np.pi, length)
    seasonality = np.sin(x) * 2 + np.cos(x/2) * 0.5 + 0.2
    series = [seasonality + np.random.normal(0, 0.1, length) for _ in range(num_series)]
    return np.array(series).reshape(num_series, length, 1)

X = generate_seasonal_data()
Y = np.roll(X, -1, axis=1)[:,:-1,:]

# Split data
split_idx = int(0.8 * X.shape[1])
X_train = X[:, :split_idx, :]
Y_train = Y[:, :split_idx, :]
X_test = X[:, split_idx:, :]
Y_test = Y[:, split_idx:, :]

# Use a very short sequence length
sequence_length = args.seq  # lab: the article's 20 unless --seq
X_train_seq = tf.data.Dataset.from_tensor_slices(X_train[one]).window(sequence_length, shift=1, drop_remainder=True).flat_map(lambda window: window.batch(sequence_length)).as_numpy_iterator()
Y_train_seq = tf.data.Dataset.from_tensor_slices(Y_train[one]).window(sequence_length, shift=1, drop_remainder=True).flat_map(lambda window: window.batch(sequence_length)).as_numpy_iterator()

X_train_seq = np.array(list(X_train_seq))
Y_train_seq = np.array(list(Y_train_seq))
X_test_seq = tf.data.Dataset.from_tensor_slices(X_test[one]).window(sequence_length, shift=1, drop_remainder=True).flat_map(lambda window: window.batch(sequence_length)).as_numpy_iterator()
X_test_seq = np.array(list(X_test_seq))


model = tf.keras.models.Sequential([
    tf.keras.layers.LSTM(128, input_shape=(sequence_length, 1)),
    tf.keras.layers.Dense(1)
])

optimizer = tf.keras.optimizers.Adam(learning_rate=0.001)
model.compile(optimizer=optimizer, loss='mse')
# lab: the doctor watches the fit. The article windows no test targets; make them the
# same way (each window's next value), from Y_test, which is one step shorter than X_test:
# one window fewer than X_test_seq. The doctor is given them as they are; where it cannot
# pair them it says so and holds out the last 20 % of the training windows.
Y_test_seq = tf.data.Dataset.from_tensor_slices(Y_test[one]).window(sequence_length, shift=1, drop_remainder=True).flat_map(lambda window: window.batch(sequence_length)).as_numpy_iterator()
Y_test_seq = np.array(list(Y_test_seq))
validation = (X_test_seq, Y_test_seq[:, -1, :]) if len(Y_test_seq) else None
doctor = Doctor(X_train_seq, Y_train_seq[:, -1, :], validation_data=validation, verbose=0)
model.fit(X_train_seq, Y_train_seq[:, -1, :], epochs=EPOCHS, verbose=0,
          callbacks=[doctor])  # lab: callbacks=[doctor]


#Check for constant output on test set
test_predictions = model.predict(X_test_seq, verbose=0)  # lab: verbose=0 (no progress bar)
if np.all(np.isclose(test_predictions, test_predictions[0], rtol=1e-4)):
    print("Constant predictions found with short sequence length.")
else:
    print("Not constant predictions.")

print(doctor.report())  # lab: what the doctor says
