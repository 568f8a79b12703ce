"""Article example 1, "Inadequate Learning Rate and Batch Size", as written, with the doctor.

The article's code is below unchanged except where a line says ``# lab:``. It trains
LSTM(128) -> Dense(1) -- one number per sequence -- against ``Y_train`` of shape
(10, 800, 1), one number per *step*. Keras does not refuse: the loss broadcasts the
(batch, 1) output against the (batch, 800, 1) target, so the best the model can do is
predict each sequence's mean. The article blames the learning rate (1e-5) and says
1e-3 fixes it; it does not. Only giving one target per output heals it.

    python examples/article_example_1.py               # as written: learning rate 1e-5
    python examples/article_example_1.py --fix lr      # the article's fix: 1e-3
    python examples/article_example_1.py --fix shapes  # 1e-3 and one prediction per step

``--quick`` (or LSTM_LAB_EXAMPLES_QUICK=1) shortens the series and the training for the
tests; the default runs the article's sizes (under a minute on two CPU cores).
"""

import argparse
import os

from lstm_lab.keras import Doctor  # lab: the doctor (first: it hides TF's start-up banner)
import tensorflow as tf
import numpy as np

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--fix", choices=["none", "lr", "shapes"], default="none",
                    help="lr: the article's fix (learning rate 1e-3); shapes: 1e-3 and a "
                         "model that outputs one value per step, like its target")
parser.add_argument("--quick", action="store_true",
                    default=os.environ.get("LSTM_LAB_EXAMPLES_QUICK") == "1",
                    help="shorter series and fewer epochs (the tests use this)")
args = parser.parse_args()
LENGTH, EPOCHS = (200, 20) if args.quick else (1000, 50)  # lab: the article's 1000 and 50
tf.keras.utils.set_random_seed(0)  # lab: the same weights on every run


# Generate some dummy time series data
def generate_time_series(length=1000, num_series=10):
    np.random.seed(42) # for reproducibility
    x = np.linspace(0, 10 * np.pi, length)
    series = [np.sin(x + np.random.rand()) + np.random.normal(0, 0.2, length) for _ in range(num_series)]
    return np.array(series).reshape(num_series, length, 1)

X = generate_time_series(LENGTH)  # lab: LENGTH is the article's 1000 unless --quick
Y = np.roll(X, -1, axis=1)[:,:-1,:] # shifted one time-step for prediction

# Split data into training and test sets (80/20 split)
split_idx = int(0.8 * X.shape[1])
X_train = X[:, :split_idx, :]
Y_train = Y[:, :split_idx, :]
X_test = X[:, split_idx:, :]
Y_test = Y[:, split_idx:, :]

model = tf.keras.models.Sequential([
    # lab: --fix shapes adds return_sequences=True: one prediction per step, like Y_train
    tf.keras.layers.LSTM(128, input_shape=(X_train.shape[1], X_train.shape[2]),
                         return_sequences=args.fix == "shapes"),
    tf.keras.layers.Dense(1)
])

# Original configuration (problematic): overly small learning rate
# lab: --fix lr and --fix shapes use the article's fix, 0.001
optimizer = tf.keras.optimizers.Adam(learning_rate=0.00001 if args.fix == "none" else 0.001)
model.compile(optimizer=optimizer, loss='mse')
# lab: the doctor watches the fit and scores on the article's own test split, as it is:
# Y_test is one step shorter than X_test (np.roll, then [:-1]); the doctor copes.
doctor = Doctor(X_train, Y_train, validation_data=(X_test, Y_test), verbose=0)
model.fit(X_train, Y_train, epochs=EPOCHS, batch_size=1, verbose=0,
          callbacks=[doctor])  # lab: callbacks=[doctor]

# Check if constant output on test data
test_predictions = model.predict(X_test, verbose=0)  # lab: verbose=0 (no progress bar)
if np.all(np.isclose(test_predictions, test_predictions[0], rtol=1e-4)):
    print("Constant predictions found with small learning rate.")
else:
    print("Not constant predictions.")

print(doctor.report())  # lab: what the doctor says
