"""Programs reproduced from GitHub issue threads (keras-team/keras). Units and sequence
lengths are cut to the corpus's size (<= 32 units, <= 30 epochs); the data is a stand-in
with the scales the thread reports, since the reporters' files are not public."""

from __future__ import annotations

import numpy as np

from . import CorpusProgram
from ._common import (Fit, StandardScaler, boston_like, chrono, layers, seed_all,
                      train_test_split)
from lstm_lab.model import keras


def keras9889_stacked_lstm_target48(fix=None, seed=0):
    """keras#9889 "LSTM consistently gives same prediction for every input": a stacked
    LSTM over windows of FFT features (test_ffts (1637, 5118)), targets in their units
    (the prediction is 47.96 for every input), TimeseriesGenerator batches, fit_generator,
    50 epochs. Here: 32 FFT bins of a noisy tone whose frequency sets the target (30..65),
    windows of 8 through ``timeseries_dataset_from_array`` (TimeseriesGenerator is gone in
    Keras 3), LSTM(32, return_sequences) -> LSTM(16) -> Dense(1), Adam, 20 epochs."""
    rng = seed_all(seed)
    n, bins, steps = 900, 32, 8
    target = 47.5 + 9 * np.sin(np.arange(n) / 25.0) + 2.0 * rng.normal(size=n)
    freq = (target - 25) / 45 * (bins - 4) + 2
    grid = np.arange(bins)
    ffts = np.exp(-0.5 * ((grid[None, :] - freq[:, None]) / 1.5) ** 2) * 50
    ffts = (ffts + rng.gamma(2.0, 2.0, (n, bins))).astype("float32")
    ffts = np.log1p(ffts)  # the thread's FFT magnitudes, log-scaled
    y = target.astype("float32")
    truth_y = y.copy()
    unscale = None
    cut = 700
    if fix == "unscaled_target":
        mu, sd = y[:cut].mean(), y[:cut].std()
        y = ((y - mu) / sd).astype("float32")
        unscale = lambda p: np.asarray(p) * sd + mu  # noqa: E731
    make = keras.utils.timeseries_dataset_from_array
    train = make(ffts[:-(steps - 1)], y[steps - 1:], sequence_length=steps, batch_size=32,
                 end_index=cut)
    val = make(ffts[:-(steps - 1)], y[steps - 1:], sequence_length=steps, batch_size=32,
               start_index=cut)
    def targets(ds_maker):  # the targets in the user's units, window for window
        return np.concatenate([b[1].numpy() for b in ds_maker(truth_y)])

    truth = (targets(lambda t: make(ffts[:-(steps - 1)], t[steps - 1:], sequence_length=steps,
                                    batch_size=32, end_index=cut)),
             targets(lambda t: make(ffts[:-(steps - 1)], t[steps - 1:], sequence_length=steps,
                                    batch_size=32, start_index=cut)))
    model = keras.Sequential([keras.Input((steps, bins)),
                              layers.LSTM(32, return_sequences=True), layers.LSTM(16),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, train, None, val, dict(epochs=20), truth, unscale)


def keras14627_boston_raw(fix=None, seed=0):
    """keras#14627 "Why the loss function (mse) calculated by keras not the same as mine":
    Boston housing as loaded (no normalisation), Dense(64, relu) -> Dense(64, relu) ->
    Dense(1), rmsprop, MSE, 40 epochs of batch 10; y_train (404,) against outputs
    (404, 1) -- the reporter's own numpy MSE broadcast, Keras 3's loss does not. A
    Boston-like table (the file needs a download). Labelled by
    measurement. The thread's own sizes (64 units, 40 epochs: a Dense net on 404 rows
    costs about a second); first written with Dense(32) and 30 epochs, where the raw
    columns scored "learning" (R² 0.12) at seed 0 and failed at seeds 1 and 2.

    DROPPED from the corpus (keras_corpus.DROPPED): the raw columns scored "learning" at seed 0 (R² 0.11) and failed at seeds 1, 2.
    """
    rng = seed_all(seed)
    x, y = boston_like(rng, 506)
    x_train, x_test, y_train, y_test = x[:404], x[404:], y[:404], y[404:]
    if fix == "unscaled_inputs":
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    model = keras.Sequential([keras.Input((13,)), layers.Dense(64, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return Fit(model, x_train, y_train, (x_test, y_test), dict(epochs=40, batch_size=10))


def keras3687_relu_lstm_sgd(fix=None, seed=0):
    """keras#3687 "Predictions are all zero": a many-to-many regression, LSTM(768, relu,
    return_sequences) -> LSTM(256, relu, return_sequences) -> TimeDistributed(Dense(1,
    relu)), SGD(lr=0.01, decay=1e-6, momentum=0.99, nesterov=True), MSE. Units 32/16,
    50 steps instead of 100; a non-negative target that follows the first feature.

    DROPPED from the corpus (keras_corpus.DROPPED): as written it learned at seed 2
    (R² 0.38), flat at seeds 0 and 1; SGD at 1e-3 stayed flat."""
    rng = seed_all(seed)
    n, steps, feats = 600, 50, 4
    x = rng.normal(0, 1, (n, steps, feats)).astype("float32")
    drive = np.cumsum(x[:, :, 0], axis=1) / np.sqrt(np.arange(1, steps + 1))
    y = (np.abs(drive) + 0.1 * rng.normal(size=(n, steps)))[:, :, None].astype("float32")
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    act = "tanh" if fix == "saturated_units" else "relu"
    lr = 1e-3 if fix == "lr_too_large" else 0.01
    model = keras.Sequential([
        keras.Input((steps, feats)),
        layers.LSTM(32, activation=act, return_sequences=True),
        layers.LSTM(16, activation=act, return_sequences=True),
        layers.TimeDistributed(layers.Dense(1, activation="relu"))])
    sgd = keras.optimizers.SGD(learning_rate=lr, momentum=0.99, nesterov=True)
    model.compile(loss="mean_squared_error", optimizer=sgd, metrics=["mean_squared_error"])
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32))


def keras1874_sigmoid_stack_relu_out(fix=None, seed=0):
    """keras#1874 "Nonlinear regression using Keras": inputs in (-1, 1), three sigmoid
    Dense layers and a ReLU output for a target in (0, +inf); "I will get all 0 output and
    the loss will not decrease". SGD (the thread's optimizer question); 32 units a layer
    instead of millions of weights; 30 epochs."""
    rng = seed_all(seed)
    x = rng.uniform(-1, 1, (800, 6)).astype("float32")
    y = np.exp(x[:, 0] + 0.5 * x[:, 1] * x[:, 2]) + 0.05 * rng.normal(size=800)
    x_tr, x_va, y_tr, y_va = chrono(x, y.astype("float32"))
    opt = keras.optimizers.Adam(1e-3) if fix == "lr_too_small" else keras.optimizers.SGD(0.01)
    hidden = "tanh" if fix == "saturated_units" else "sigmoid"
    model = keras.Sequential([keras.Input((6,)), layers.Dense(32, activation=hidden),
                              layers.Dense(32, activation=hidden),
                              layers.Dense(32, activation=hidden),
                              layers.Dense(1, activation="relu")])
    model.compile(optimizer=opt, loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=32))


def keras18247_bank_zero_predictions(fix=None, seed=0):
    """keras#18247 "Neural Network generates zeros as predictions": daily debit amounts
    of a bank branch (holidays and weekends filled with 0), BatchNormalization() ->
    Dense(32, relu) -> Dense(64, relu) -> Dense(128, relu) -> Flatten -> Dense(1, relu),
    Adam(), MSE, batch 31; for some branches every prediction is 0. Inputs: the last 7
    days; amounts around 250 000. Dense(32) for the wider layers; 30 epochs.

    DROPPED from the corpus (keras_corpus.DROPPED): the stand-in never gave all-zero
    predictions -- as written it learned at all 3 seeds (R² 0.37-0.50)."""
    rng = seed_all(seed)
    n = 700
    t = np.arange(n)
    amount = 250_000 + 60_000 * np.sin(2 * np.pi * t / 30) + 25_000 * rng.normal(size=n)
    amount[(t % 7 == 5) | (t % 7 == 6)] = 0.0
    X = np.stack([amount[i:i + 7] for i in range(n - 7)]).astype("float32")
    y = amount[7:].astype("float32")
    x_tr, x_va, y_tr, y_va = chrono(X, y)
    truth, unscale = (y_tr, y_va), None
    if fix == "unscaled_target":
        sd = y_tr.std()
        y_tr, y_va = y_tr / sd, y_va / sd
        unscale = lambda p: np.asarray(p) * sd  # noqa: E731
    model = keras.Sequential([keras.Input((7,)), layers.BatchNormalization(),
                              layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Flatten(),
                              layers.Dense(1, activation="relu")])
    model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam())
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=31), truth,
               unscale)


def so46620813_lstm_softmax_binary(fix=None, seed=0):
    """"Keras LSTM model not learning binary sequence": the 3 previous terms of a 0/1
    sequence predict the next; LSTM(1, input_shape=(3, 1)) -> Dense(1, softmax),
    adagrad, binary_crossentropy, batch 256: constant accuracy 0.4992. A softmax over one
    unit is always 1. The sequence here repeats a random 0/1 pattern of period 3 (the
    thread's is not shown); 30 epochs of batch 32 (256 leaves too few steps to learn)."""
    rng = seed_all(seed)
    pattern = np.array([0, 1, 1])
    seq = np.tile(pattern, 700)
    flip = rng.random(len(seq)) < 0.05
    seq = np.where(flip, 1 - seq, seq)
    vecX = np.stack([seq[i:i + 3] for i in range(len(seq) - 3)])[:, :, None]
    vecY = seq[3:][:, None]
    x_tr, x_va, y_tr, y_va = chrono(vecX.astype("float32"), vecY.astype("float32"))
    act = "sigmoid" if fix == "output_range" else "softmax"
    LSTM_net = keras.Sequential([keras.Input((3, 1)), layers.LSTM(1),
                                 layers.Dense(1, activation=act)])
    LSTM_net.compile(optimizer=keras.optimizers.Adagrad(0.1), loss="binary_crossentropy",
                     metrics=["accuracy"])
    return Fit(LSTM_net, x_tr, y_tr, (x_va, y_va), dict(batch_size=32, epochs=30))


def keras3040_linear_sgd_nan(fix=None, seed=0):
    """keras#3040 "Simple Linear Regression Nan's after a few iterations": x = range(200),
    y = 2x, Dense(1, input_dim=1), SGD(lr=0.001, decay=1e-6, momentum=0), batch 1, one
    epoch: the weights go to NaN ("realized my learning rate was too high"). Every fifth
    point validates; 3 epochs."""
    seed_all(seed)
    x = 1.0 * np.array(range(200))
    y = 2.0 * x
    held = np.arange(200) % 5 == 0
    x_tr, x_va, y_tr, y_va = x[~held], x[held], y[~held], y[held]
    if fix == "unscaled_inputs":
        mu, sd = x_tr.mean(), x_tr.std()
        x_tr, x_va = (x_tr - mu) / sd, (x_va - mu) / sd
    lr = 1e-6 if fix == "lr_too_large" else 0.001
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1)])
    sgd = keras.optimizers.SGD(learning_rate=lr, momentum=0.0, nesterov=False)
    model.compile(loss="mean_squared_error", optimizer=sgd)
    return Fit(model, x_tr[:, None], y_tr, (x_va[:, None], y_va),
               dict(epochs=3, batch_size=1))


def rstudio_ames_sgd_nan(fix=None, seed=0):
    """rstudio-conf-2020/dl-keras-tf#9 "train/valid loss = NAN when loss =
    mean_squared_error due to exploding values": the Ames housing mini-project, inputs
    prepared by a recipe (standardised), sale prices up to ~755 000, optimizer_sgd(lr =
    0.1), MSE, batch 16, validation_split = 0.2: the loss is NaN from the first epoch.
    The thread: the target's range (MSLE was recommended). Dense(32, relu) x2 on a
    California-like table; 10 epochs."""
    from ._common import california_like

    rng = seed_all(seed)
    x, y = california_like(rng, 600)
    y = y * 1.5
    sc = StandardScaler().fit(x[:480])
    x = sc.transform(x).astype("float32")
    x_tr, x_va, y_tr, y_va = x[:480], x[480:], y[:480], y[480:]
    truth, unscale = (y_tr, y_va), None
    if fix == "unscaled_target":
        mu, sd = y_tr.mean(), y_tr.std()
        y_tr, y_va = (y_tr - mu) / sd, (y_va - mu) / sd
        unscale = lambda p: np.asarray(p) * sd + mu  # noqa: E731
    model = keras.Sequential([keras.Input((8,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss="mean_squared_error", metrics=["mae"])
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(batch_size=16, epochs=10), truth,
               unscale)


K = "https://github.com/keras-team/keras/issues/"
PROGRAMS = [
    CorpusProgram("keras9889_stacked_lstm_target48", ("unscaled_target",),
                  "LSTM consistently gives same prediction for every input", K + "9889",
                  "Sequential · stacked LSTM · tf.data (timeseries_dataset_from_array)",
                  keras9889_stacked_lstm_target48, {"unscaled_target": "standardise y"},
                  "issue"),
    CorpusProgram("keras14627_boston_raw", ("unscaled_inputs",),
                  "Why the loss function (mse) calculated by keras not the same as mine",
                  K + "14627", "Sequential · Dense ReLU · numpy", keras14627_boston_raw,
                  {"unscaled_inputs": "standardise the columns (the book's code)"},
                  "issue"),
    CorpusProgram("keras3687_relu_lstm_sgd", ("lr_too_large", "saturated_units"),
                  "Predictions are all zero", K + "3687",
                  "Sequential · relu LSTM stack · TimeDistributed · SGD momentum .99",
                  keras3687_relu_lstm_sgd,
                  {"lr_too_large": "SGD lr 1e-3", "saturated_units": "tanh LSTMs"},
                  "issue"),
    CorpusProgram("keras1874_sigmoid_stack_relu_out", ("saturated_units",),
                  "Nonlinear regression using Keras", K + "1874",
                  "Sequential · sigmoid Dense stack, ReLU output · SGD",
                  keras1874_sigmoid_stack_relu_out,
                  {"saturated_units": "tanh hidden layers", "lr_too_small": "Adam(1e-3)"},
                  "issue"),
    CorpusProgram("keras18247_bank_zero_predictions", ("unscaled_target",),
                  "Neural Network generates zeros as predictions", K + "18247",
                  "Sequential · BatchNorm + Dense ReLU · numpy",
                  keras18247_bank_zero_predictions, {"unscaled_target": "y / std"},
                  "issue"),
    CorpusProgram("so46620813_lstm_softmax_binary", ("output_range",),
                  "Keras LSTM model not learning binary sequence",
                  "https://stackoverflow.com/questions/46620813",
                  "Sequential · LSTM(1) -> Dense(1, softmax) · numpy",
                  so46620813_lstm_softmax_binary, {"output_range": "Dense(1, sigmoid)"},
                  "qa", "mirror: https://stackguides.com/questions/46620813; Adagrad(0.1) "
                        "so that the sigmoid fix can learn in 30 epochs"),
    CorpusProgram("keras3040_linear_sgd_nan", ("lr_too_large", "unscaled_inputs"),
                  "Simple Linear Regression Nan's after a few iterations", K + "3040",
                  "Sequential · Dense(1) · SGD batch 1 · numpy", keras3040_linear_sgd_nan,
                  {"lr_too_large": "SGD(1e-6)", "unscaled_inputs": "standardise x"},
                  "issue"),
    CorpusProgram("rstudio_ames_sgd_nan", ("unscaled_target",),
                  "train/valid loss = NAN when loss = mean_squared_error due to exploding "
                  "values", "https://github.com/rstudio-conf-2020/dl-keras-tf/issues/9",
                  "Sequential · Dense ReLU · SGD(0.1) · numpy", rstudio_ames_sgd_nan,
                  {"unscaled_target": "standardise the price"}, "issue"),
]


def keras3040_lower_rate(fix=None, seed=0):
    """keras#3040 as its reporter closed it ("realized my learning rate was too high"):
    the same Dense(1) on y = 2x, SGD at 1e-6, batch 1. Healthy."""
    return keras3040_linear_sgd_nan(fix="lr_too_large", seed=seed)


PROGRAMS.append(CorpusProgram(
    "keras3040_lower_rate", ("healthy",),
    "Simple Linear Regression Nan's after a few iterations", K + "3040",
    "Sequential · Dense(1) · SGD(1e-6) batch 1 · numpy", keras3040_lower_rate, {}, "issue"))
