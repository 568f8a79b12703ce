"""The project's own programs (source "synthetic") for the cause families issue 25 lists
and for healthy kinds the reports lack (El Niño-like, tf.data windows, multi-input and
multi-output functional models, rows sorted by an input). Each is written the way a user
writes it; its label is measured like every other program's."""

from __future__ import annotations

import numpy as np

from . import CorpusProgram
from ._common import (Fit, StandardScaler, auto_mpg_like, chrono, layers, seasonal,
                      seed_all, train_test_split, windows)
from lstm_lab.model import keras


def _std_target(y_tr, y_va):
    mu, sd = float(y_tr.mean()), float(y_tr.std())
    return ((y_tr - mu) / sd).astype("float32"), ((y_va - mu) / sd).astype("float32"), \
        (lambda p: np.asarray(p) * sd + mu)


# --- learning rate far too small, target in natural units ------------------------------
def mpg_dnn_adam_1e5(fix=None, seed=0):
    """The fuel-efficiency DNN (Normalization -> Dense(32, relu) x2 -> Dense(1)) with MPG
    in its units (10..46) and Adam(1e-5), 100x below the tutorial's: the outputs never
    reach the tens. The tutorial's 1e-3 learns with that very target."""
    rng = seed_all(seed)
    x, y = auto_mpg_like(rng, 392)
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, random_state=seed)
    truth, unscale = (y_tr, y_va), None
    if fix == "unscaled_target":
        y_tr, y_va, unscale = _std_target(y_tr, y_va)
    norm = layers.Normalization(axis=-1)
    norm.adapt(x_tr)
    model = keras.Sequential([keras.Input((x.shape[1],)), norm,
                              layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    lr = 1e-3 if fix == "lr_too_small" else 1e-5
    model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(lr))
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=8), truth,
               unscale)


def gru_celsius_adam_1e5(fix=None, seed=0):
    """Scaled hourly weather windows in, tomorrow-noon-like temperature out in degC
    (5..30); GRU(16) -> Dense(1) under Adam(1e-5)."""
    rng = seed_all(seed)
    n = 900
    t = np.arange(n)
    temp = 17 + 7 * np.sin(2 * np.pi * t / 24) + 2 * rng.normal(size=n)
    z = ((temp - temp[:700].mean()) / temp[:700].std()).astype("float32")
    x, _ = windows(z, 24, 6)
    _, y = windows(z, 24, 6, target=temp)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((24, 1)), layers.GRU(16), layers.Dense(1)])
    lr = 1e-2 if fix == "lr_too_small" else 1e-5
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32))


# --- target 1000x its natural scale ------------------------------------------------------
def energy_wh_dense(fix=None, seed=0):
    """Household energy from scaled weather and occupancy columns, the target in Wh
    (about 20 000) where its natural unit is kWh (about 20); Dense(32, relu) x2, Adam."""
    rng = seed_all(seed)
    n = 600
    x = rng.normal(0, 1, (n, 5)).astype("float32")
    kwh = 20 + 6 * x[:, 0] - 3 * x[:, 1] + 2 * np.tanh(x[:, 2] * x[:, 3]) + rng.normal(0, 1, n)
    wh = (kwh * 1000).astype("float32")
    x_tr, x_va, y_tr, y_va = train_test_split(x, wh, test_size=0.2, random_state=seed)
    truth, unscale = (y_tr, y_va), None
    if fix == "unscaled_target":
        y_tr, y_va, unscale = _std_target(y_tr, y_va)
    model = keras.Sequential([keras.Input((5,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=32), truth,
               unscale)


def lstm_level_mm(fix=None, seed=0):
    """A river level series scaled for the inputs, the target in mm (about 2 500) where
    the gauge reads metres; LSTM(16) -> Dense(1), Adam."""
    rng = seed_all(seed)
    n = 900
    level_m = 2.5 + 0.6 * seasonal(rng, n, 50, 0.15)
    z = ((level_m - level_m[:700].mean()) / level_m[:700].std()).astype("float32")
    x, _ = windows(z, 30, 3)
    _, y = windows(z, 30, 3, target=level_m * 1000)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    truth, unscale = (y_tr, y_va), None
    if fix == "unscaled_target":
        y_tr, y_va, unscale = _std_target(y_tr, y_va)
    model = keras.Sequential([keras.Input((30, 1)), layers.LSTM(16), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32), truth,
               unscale)


def table_both_far(fix=None, seed=0):
    """Inputs in the tens (temperatures, ages: about 20 +- 8) and a target in the tens of
    thousands; Dense(32, relu) x2, Adam. Scaling the target alone heals it; scaling the
    inputs alone is tried too (the issue: it leaves the run flat or half-healed). (First
    written with inputs about 3 000: as written it learned, R² 0.34-0.64, and neither
    single fix healed it.)"""
    rng = seed_all(seed)
    n = 600
    z = rng.normal(0, 1, (n, 4))
    x = (20 + 8 * z).astype("float32")
    y = (40_000 + 9_000 * (z[:, 0] - 0.6 * z[:, 1] + 0.4 * z[:, 2] * z[:, 3])
         + 2_000 * rng.normal(size=n)).astype("float32")
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, random_state=seed)
    truth, unscale = (y_tr, y_va), None
    if fix == "unscaled_target":
        y_tr, y_va, unscale = _std_target(y_tr, y_va)
    if fix == "unscaled_inputs":
        sc = StandardScaler().fit(x_tr)
        x_tr, x_va = sc.transform(x_tr), sc.transform(x_va)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=32), truth,
               unscale)


# --- dead ReLUs at initialisation, sigmoid LSTMs under SGD -------------------------------
def dense_relu_bias_minus10(fix=None, seed=0):
    """Dense(32, relu, bias_initializer=Constant(-10)) x2 on standardised columns: every
    unit starts dead and gets no gradient."""
    rng = seed_all(seed)
    n = 600
    x = rng.normal(0, 1, (n, 6)).astype("float32")
    y = (x[:, 0] - 0.7 * x[:, 1] + 0.5 * np.sin(2 * x[:, 2]) + 0.2 * rng.normal(size=n))
    x_tr, x_va, y_tr, y_va = train_test_split(x, y.astype("float32"), test_size=0.2,
                                              random_state=seed)
    init = "zeros" if fix == "saturated_units" else keras.initializers.Constant(-10.0)
    model = keras.Sequential([
        keras.Input((6,)), layers.Dense(32, activation="relu", bias_initializer=init),
        layers.Dense(32, activation="relu", bias_initializer=init), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=32))


def lstm_relu_head_dead(fix=None, seed=0):
    """LSTM(16) -> Dense(16, relu, bias_initializer=Constant(-8)) -> Dense(1) on a scaled
    season: the head's ReLUs are dead from the first step."""
    rng = seed_all(seed)
    s = seasonal(rng, 800, 30, 0.15).astype("float32")
    x, y = windows(s, 20)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    init = "zeros" if fix == "saturated_units" else keras.initializers.Constant(-8.0)
    model = keras.Sequential([keras.Input((20, 1)), layers.LSTM(16),
                              layers.Dense(16, activation="relu", bias_initializer=init),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32))


def sigmoid_lstm_stack_sgd(fix=None, seed=0):
    """LSTM(16, activation='sigmoid', return_sequences=True) -> LSTM(8, sigmoid) ->
    Dense(1) under plain SGD(0.01): flat. Tanh cells (Keras's default) under the same SGD
    learn; a 10x higher rate is tried too. (First written with momentum 0.9: it learned,
    R² 0.85-0.89, so the label did not hold.)"""
    rng = seed_all(seed)
    s = seasonal(rng, 800, 25, 0.1).astype("float32")
    x, y = windows(s, 20)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    act = "tanh" if fix == "saturated_units" else "sigmoid"
    lr = 0.1 if fix == "lr_too_small" else 0.01
    model = keras.Sequential([keras.Input((20, 1)),
                              layers.LSTM(16, activation=act, return_sequences=True),
                              layers.LSTM(8, activation=act), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=16))


# --- window too short --------------------------------------------------------------------
def gru_window10_ahead50(fix=None, seed=0):
    """The lab's "which knob fixes it?" series: 2 000 steps of a season of period 200
    under noise 1.5, 50 steps ahead from a 10-step window -- ten noisy points cannot place
    the phase. A 200-step window heals it to near what the noise allows. GRU(16).
    (First written with period 100 and noise 0.6: the 10-step window already learned,
    R² 0.33-0.55.)"""
    rng = seed_all(seed)
    s = seasonal(rng, 2000, 200, 1.5, harmonic=0.0).astype("float32")
    window = 200 if fix == "window_too_short" else 10
    x, y = windows(s, window, 50)
    x, y = x[-1700:], y[-1700:]  # the same target rows either way
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((window, 1)), layers.GRU(16), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=10, batch_size=32))


def conv1d_window8_ahead20(fix=None, seed=0):
    """Conv1D(16, 3) x2 -> Flatten -> Dense(1): 8 steps of a season of period 60 under
    noise 1.2 predict 20 ahead; 120 steps heal it. (First written with noise 0.5 and
    GlobalAveragePooling: the 8-step window learned, R² 0.36-0.52, and the pooled 120-step
    model went flat.)

    DROPPED from the corpus (keras_corpus.DROPPED): with noise 1.2 the 8-step window
    still scored "learning" (R² 0.05-0.15) and the 120-step one overfitted."""
    rng = seed_all(seed)
    s = seasonal(rng, 1200, 60, 1.2, harmonic=0.0).astype("float32")
    window = 120 if fix == "window_too_short" else 8
    x, y = windows(s, window, 20)
    x, y = x[-1000:], y[-1000:]
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((window, 1)),
                              layers.Conv1D(16, 3, activation="relu"),
                              layers.Conv1D(16, 3, activation="relu"),
                              layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32))


# --- inputs spanning 5 .. 5000 -------------------------------------------------------------
def table_inputs_5_to_5000(fix=None, seed=0):
    """Eight columns whose scales run from 5 to 5 000 (counts, areas, incomes), the target
    standardised; Dense(32, relu) x2, Adam, 20 epochs."""
    rng = seed_all(seed)
    n = 600
    z = rng.normal(0, 1, (n, 8))
    scales = np.array([5, 20, 50, 150, 400, 1000, 2500, 5000], float)
    x = (scales * (3 + z)).astype("float32")
    y = (z[:, 0] - 0.8 * z[:, 1] + 0.6 * z[:, 2] * z[:, 3] + 0.4 * np.sin(2 * z[:, 4])
         + 0.3 * rng.normal(size=n)).astype("float32")
    y = (y - y.mean()) / y.std()
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, random_state=seed)
    if fix == "unscaled_inputs":
        sc = StandardScaler().fit(x_tr)
        x_tr, x_va = sc.transform(x_tr), sc.transform(x_va)
    model = keras.Sequential([keras.Input((8,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32))


# --- an output that cannot reach the target ---------------------------------------------
def lstm_sigmoid_standardised(fix=None, seed=0):
    """A standardised series (half of it negative) into LSTM(16) -> Dense(1,
    activation='sigmoid'): the output lives in (0, 1)."""
    rng = seed_all(seed)
    s = seasonal(rng, 800, 30, 0.15)
    s = ((s - s[:640].mean()) / s[:640].std()).astype("float32")
    x, y = windows(s, 20)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    act = None if fix == "output_range" else "sigmoid"
    model = keras.Sequential([keras.Input((20, 1)), layers.LSTM(16),
                              layers.Dense(1, activation=act)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32))


def dense_sigmoid_score_0_100(fix=None, seed=0):
    """An exam score 0..100 from standardised study columns, Dense(16, relu) ->
    Dense(1, sigmoid). A linear output heals it; so does scaling the score to [0, 1]."""
    rng = seed_all(seed)
    n = 600
    x = rng.normal(0, 1, (n, 5)).astype("float32")
    y = np.clip(60 + 12 * x[:, 0] + 8 * x[:, 1] - 5 * x[:, 2] + 5 * rng.normal(size=n), 0, 100)
    x_tr, x_va, y_tr, y_va = train_test_split(x, y.astype("float32"), test_size=0.2,
                                              random_state=seed)
    truth, unscale = (y_tr, y_va), None
    if fix == "unscaled_target":
        y_tr, y_va = y_tr / 100, y_va / 100
        unscale = lambda p: np.asarray(p) * 100  # noqa: E731
    act = None if fix == "output_range" else "sigmoid"
    model = keras.Sequential([keras.Input((5,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation=act)])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=32), truth,
               unscale)


def softmax2_mse_1_to_10(fix=None, seed=0):
    """A rating 1..10 as y (n, 1) against Dense(2, activation='softmax') with MSE: the
    loss broadcasts y over both units, each in (0, 1). Dense(1) (linear) heals it."""
    rng = seed_all(seed)
    n = 600
    x = rng.normal(0, 1, (n, 6)).astype("float32")
    y = np.clip(np.round(5.5 + 1.6 * x[:, 0] + 1.1 * x[:, 1] - 0.8 * x[:, 2]
                         + 0.7 * rng.normal(size=n)), 1, 10)[:, None].astype("float32")
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, random_state=seed)
    head = layers.Dense(1) if fix == "output_range" else layers.Dense(2, activation="softmax")
    model = keras.Sequential([keras.Input((6,)), layers.Dense(32, activation="relu"), head])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=32))


# --- a loss that does not fit a continuous target ---------------------------------------
def dense_cce_regression(fix=None, seed=0):
    """A share in (0, 1) (a conversion rate) with loss='categorical_crossentropy' on a
    Dense(1) output -- "the target is between 0 and 1": over one unit the loss is
    constant, nothing is learned. (First written with a standardised target: at seed 2
    the random initial output already scored R² 0.23, "learning", so the label did not
    hold.)"""
    rng = seed_all(seed)
    n = 600
    x = rng.normal(0, 1, (n, 6)).astype("float32")
    z = x[:, 0] + 0.5 * x[:, 1] - 0.5 * x[:, 2] + 0.3 * rng.normal(size=n)
    y = (1 / (1 + np.exp(-z))).astype("float32")
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, random_state=seed)
    model = keras.Sequential([keras.Input((6,)), layers.Dense(32, activation="relu"),
                              layers.Dense(1)])
    loss = "mse" if fix == "loss_mismatch" else "categorical_crossentropy"
    model.compile(optimizer="adam", loss=loss)
    return Fit(model, x_tr, y_tr[:, None], (x_va, y_va[:, None]),
               dict(epochs=30, batch_size=32))


def lstm_bce_regression(fix=None, seed=0):
    """A standardised series and loss='binary_crossentropy' on LSTM(16) -> Dense(1): the
    loss clips the output into (0, 1) and cannot follow negative values."""
    rng = seed_all(seed)
    s = seasonal(rng, 800, 30, 0.15)
    s = ((s - s[:640].mean()) / s[:640].std()).astype("float32")
    x, y = windows(s, 20)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((20, 1)), layers.LSTM(16), layers.Dense(1)])
    loss = "mse" if fix == "loss_mismatch" else "binary_crossentropy"
    model.compile(optimizer="adam", loss=loss)
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32))


# --- rows sorted by an input (healthy: the user's own split is random) -------------------
def table_sorted_by_area(fix=None, seed=0):
    """A rent table read sorted by floor area; the validation rows are a random 20 %
    (df.sample), so the training rows stay sorted. Inputs and rent standardised;
    Dense(32, relu) x2. Healthy: a probe that scores the last 20 % of the sorted rows
    extrapolates, the user's split does not."""
    rng = seed_all(seed)
    n = 600
    area = np.sort(rng.gamma(6.0, 12.0, n))
    rooms = np.clip(np.round(area / 25 + rng.normal(0, 0.7, n)), 1, 8)
    age = rng.uniform(0, 80, n)
    dist = rng.exponential(5, n)
    rent = 8 * area + 40 * rooms - 3 * age - 60 * np.log1p(dist) + rng.normal(0, 60, n)
    x = np.column_stack([area, rooms, age, dist]).astype("float32")
    val = np.zeros(n, bool)
    val[rng.choice(n, n // 5, replace=False)] = True
    x_tr, x_va, y_tr, y_va = x[~val], x[val], rent[~val], rent[val]
    sc = StandardScaler().fit(x_tr)
    x_tr, x_va = sc.transform(x_tr).astype("float32"), sc.transform(x_va).astype("float32")
    y_tr, y_va, unscale = _std_target(y_tr, y_va)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=32),
               (rent[~val], rent[val]), unscale)


def table_sorted_by_year(fix=None, seed=0):
    """Car prices sorted by model year (the file's order); a random 20 % validates;
    Dense(16, relu) -> Dense(1), Adam(3e-3)."""
    rng = seed_all(seed)
    n = 500
    year = np.sort(rng.integers(2000, 2024, n)).astype(float)
    km = np.clip((2024 - year) * 14_000 + rng.normal(0, 20_000, n), 0, None)
    power = rng.uniform(60, 250, n)
    price = 30_000 * np.exp(-0.09 * (2024 - year)) + 40 * power - 0.03 * km \
        + rng.normal(0, 1_500, n)
    x = np.column_stack([year, km, power]).astype("float32")
    x_tr, x_va, y_tr, y_va = train_test_split(x, price, test_size=0.2, random_state=seed)
    order = np.argsort(x_tr[:, 0], kind="stable")  # the training rows keep the file's order
    x_tr, y_tr = x_tr[order], y_tr[order]
    sc = StandardScaler().fit(x_tr)
    truth = (y_tr, y_va)
    x_tr, x_va = sc.transform(x_tr).astype("float32"), sc.transform(x_va).astype("float32")
    y_tr, y_va, unscale = _std_target(y_tr, y_va)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=32), truth,
               unscale)


# --- broadcast bugs ------------------------------------------------------------------------
def tfdata_gru_five_horizons(fix=None, seed=0):
    """tf.data windows of 24 steps with the next 5 values as y (batch, 5), GRU(16) ->
    Dense(1): the loss broadcasts one output over five horizons. Dense(5) heals it."""
    rng = seed_all(seed)
    s = seasonal(rng, 900, 36, 0.1).astype("float32")
    n = len(s) - 24 - 5 + 1
    x = np.stack([s[i:i + 24] for i in range(n)])[:, :, None]
    y = np.stack([s[i + 24:i + 29] for i in range(n)])
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    train = tf_ds(x_tr, y_tr, shuffle=True, seed=seed)
    val = tf_ds(x_va, y_va)
    model = keras.Sequential([keras.Input((24, 1)), layers.GRU(16),
                              layers.Dense(5 if fix == "shape_broadcast" else 1)])
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="mse")
    return Fit(model, train, None, val, dict(epochs=15))


def tf_ds(x, y, shuffle=False, seed=0):
    import tensorflow as tf
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed)
    return ds.batch(32)


def bilstm_three_outputs_broadcast(fix=None, seed=0):
    """Bidirectional(LSTM(12)) -> Dense(1) against y (n, 3): three sensors' next values
    wanted, one number given for all three. Dense(3) heals it."""
    rng = seed_all(seed)
    n = 800
    base = [seasonal(rng, n, p, 0.1) for p in (20, 30, 45)]
    data = np.stack(base, 1).astype("float32")
    x, _ = windows(data, 20)
    y = data[20:20 + len(x)]
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((20, 3)), layers.Bidirectional(layers.LSTM(12)),
                              layers.Dense(3 if fix == "shape_broadcast" else 1)])
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=15, batch_size=32))


# --- several inputs / several outputs (functional) ---------------------------------------
def _shop(rng, n=900):
    t = np.arange(n)
    sales = seasonal(rng, n, 7, 0.2) + 0.5 * np.sin(2 * np.pi * t / 60)
    price = rng.uniform(8, 12, n)
    income = rng.lognormal(10.8, 0.3, n)  # the district's income, dollars
    sales = sales - 0.4 * (price - 10) + 0.5 * (np.log(income) - 10.8)
    return sales.astype("float32"), price, income


def two_input_sales(fix=None, seed=0, raw_income=False):
    """Sales windows through LSTM(16) and today's price and district income through
    Dense(8), concatenated, Dense(1): a two-input functional model."""
    rng = seed_all(seed)
    sales, price, income = _shop(rng)
    w = 14
    x_seq, y = windows(sales, w)
    static = np.column_stack([price, income])[w:w + len(y)].astype("float32")
    s_tr, s_va, st_tr, st_va, y_tr, y_va = chrono(x_seq, static, y)
    if not raw_income or fix == "unscaled_inputs":
        sc = StandardScaler().fit(st_tr)
        st_tr, st_va = sc.transform(st_tr).astype("float32"), sc.transform(st_va).astype("float32")
    seq_in = keras.Input((w, 1), name="sales")
    static_in = keras.Input((2,), name="price_income")
    h = layers.concatenate([layers.LSTM(16)(seq_in),
                            layers.Dense(8, activation="relu")(static_in)])
    out = layers.Dense(1)(h)
    model = keras.Model([seq_in, static_in], out)
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="mse")
    return Fit(model, {"sales": s_tr, "price_income": st_tr}, y_tr,
               ({"sales": s_va, "price_income": st_va}, y_va),
               dict(epochs=15, batch_size=32))


def two_input_raw_income(fix=None, seed=0):
    """The two-input sales model with the district income left in dollars (about 50 000)
    beside a price of about 10."""
    return two_input_sales(fix=fix, seed=seed, raw_income=True)


def _weather_two(rng, n=900):
    t = np.arange(n)
    temp = 15 + 6 * np.sin(2 * np.pi * t / 48) + 0.6 * rng.normal(size=n)
    pres = 101_325 + 400 * np.sin(2 * np.pi * (t - 6) / 48) + 40 * rng.normal(size=n)
    return temp, pres


def two_output_weather(fix=None, seed=0, raw_pa=False):
    """Scaled temperature and pressure windows into LSTM(16), two heads: next
    temperature and next pressure (each standardised on the training rows)."""
    rng = seed_all(seed)
    temp, pres = _weather_two(rng)
    cut = 700
    zt = (temp - temp[:cut].mean()) / temp[:cut].std()
    zp = (pres - pres[:cut].mean()) / pres[:cut].std()
    data = np.stack([zt, zp], 1).astype("float32")
    x, yt = windows(data, 24, 1, target=zt)
    _, yp_raw = windows(data, 24, 1, target=pres)
    _, yt_raw = windows(data, 24, 1, target=temp)
    x_tr, x_va, a_tr, a_va, p_tr, p_va = chrono(x, yt, yp_raw)
    ta_tr, ta_va = chrono(yt_raw)
    truth = ([ta_tr, p_tr], [ta_va, p_va])
    mt, st = temp[:cut].mean(), temp[:cut].std()
    mp, sp = (0.0, 1.0) if raw_pa and fix != "unscaled_target" else (p_tr.mean(), p_tr.std())
    b_tr, b_va = ((p_tr - mp) / sp).astype("float32"), ((p_va - mp) / sp).astype("float32")
    unscale = lambda ps: [np.asarray(ps[0]) * st + mt, np.asarray(ps[1]) * sp + mp]  # noqa: E731
    inp = keras.Input((24, 2))
    h = layers.LSTM(16)(inp)
    out_t = layers.Dense(1, name="temp")(h)
    out_p = layers.Dense(1, name="pressure")(h)
    model = keras.Model(inp, [out_t, out_p])
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss=["mse", "mse"])
    return Fit(model, x_tr, [a_tr, b_tr], (x_va, [a_va, b_va]),
               dict(epochs=15, batch_size=32), truth, unscale)


def two_output_pressure_pa(fix=None, seed=0):
    """The two-head weather model with the pressure head's target left in Pa
    (about 101 325)."""
    return two_output_weather(fix=fix, seed=seed, raw_pa=True)


# --- more healthy kinds ------------------------------------------------------------------
def elnino_like_lstm(fix=None, seed=0):
    """A monthly ENSO-like index (irregular 2-7 year oscillations, an AR(2) with a
    quasi-period near 4 years), 24 months in, the next month out; LSTM(16), Adam."""
    rng = seed_all(seed)
    n = 1000
    e = np.zeros(n)
    r, period = 0.97, 48.0
    a1, a2 = 2 * r * np.cos(2 * np.pi / period), -r * r
    for t in range(2, n):
        e[t] = a1 * e[t - 1] + a2 * e[t - 2] + rng.normal(0, 0.15)
    e = ((e - e[:800].mean()) / e[:800].std()).astype("float32")
    x, y = windows(e, 24)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((24, 1)), layers.LSTM(16), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=15, batch_size=32))


def windowed_dataset_gru(fix=None, seed=0):
    """The windowed_dataset idiom: Dataset.from_tensor_slices(series).window(w + 1,
    shift=1, drop_remainder=True).flat_map(...).map(lambda w: (w[:-1], w[-1])), shuffled
    and batched; GRU(16) -> Dense(1), Adam."""
    import tensorflow as tf

    rng = seed_all(seed)
    s = seasonal(rng, 900, 40, 0.1).astype("float32")
    w = 30

    def windowed_dataset(series, shuffle):
        ds = tf.data.Dataset.from_tensor_slices(series[:, None])
        ds = ds.window(w + 1, shift=1, drop_remainder=True)
        ds = ds.flat_map(lambda win: win.batch(w + 1))
        ds = ds.map(lambda win: (win[:-1], win[-1, 0]))
        if shuffle:
            ds = ds.shuffle(1000, seed=seed)
        return ds.batch(32).prefetch(1)

    model = keras.Sequential([keras.Input((w, 1)), layers.GRU(16), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="mse")
    return Fit(model, windowed_dataset(s[:720], True), None, windowed_dataset(s[720 - w:], False),
               dict(epochs=15))


def bigru_seasonal(fix=None, seed=0):
    """Bidirectional(GRU(12)) -> Dense(1) on a season of period 24, 3 steps ahead."""
    rng = seed_all(seed)
    s = seasonal(rng, 800, 24, 0.15, harmonic=0.8).astype("float32")
    x, y = windows(s, 24, 3)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((24, 1)), layers.Bidirectional(layers.GRU(12)),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=12, batch_size=32))


def conv1d_lstm_causal(fix=None, seed=0):
    """Conv1D(16, 5, padding='causal', relu) -> LSTM(16) -> Dense(1) on a season of
    period 50 with a trend removed by the user, 5 ahead."""
    rng = seed_all(seed)
    s = seasonal(rng, 900, 50, 0.15).astype("float32")
    x, y = windows(s, 40, 5)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((40, 1)),
                              layers.Conv1D(16, 5, padding="causal", activation="relu"),
                              layers.LSTM(16), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=15, batch_size=32))


# --- the suite's older families, new programs ---------------------------------------------
def rmsprop_gru_lr_1(fix=None, seed=0):
    """GRU(16) -> Dense(1) under RMSprop(learning_rate=1.0) on a scaled season."""
    rng = seed_all(seed)
    s = seasonal(rng, 800, 30, 0.1).astype("float32")
    x, y = windows(s, 20)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    lr = 1e-3 if fix == "lr_too_large" else 1.0
    model = keras.Sequential([keras.Input((20, 1)), layers.GRU(16), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(lr), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=15, batch_size=32))


def conv1d_two_epochs(fix=None, seed=0):
    """Conv1D(16, 5) -> Flatten -> Dense(1), 2 epochs of batch 256 (4 updates)."""
    rng = seed_all(seed)
    s = seasonal(rng, 800, 32, 0.15).astype("float32")
    x, y = windows(s, 32, 2)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((32, 1)), layers.Conv1D(16, 5, activation="relu"),
                              layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    epochs, batch = (30, 32) if fix == "too_few_epochs" else (2, 256)
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=epochs, batch_size=batch))


def table_nan_column(fix=None, seed=0):
    """A standardised table where one column has 3 % NaN (a failed join): the loss is
    NaN from the first batch. Filling the gaps with the column mean heals it."""
    rng = seed_all(seed)
    n = 600
    x = rng.normal(0, 1, (n, 5))
    y = (x[:, 0] - 0.5 * x[:, 1] + 0.5 * x[:, 3] + 0.3 * rng.normal(size=n)).astype("float32")
    x[rng.random(n) < 0.03, 3] = np.nan
    if fix == "missing_values":
        x[np.isnan(x[:, 3]), 3] = np.nanmean(x[:, 3])
    x = x.astype("float32")
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, random_state=seed)
    model = keras.Sequential([keras.Input((5,)), layers.Dense(32, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32))


def lstm_error_codes(fix=None, seed=0):
    """A humidity sensor that writes -9999 when it fails (0.5 % of readings),
    StandardScaler'd with the codes in: the real signal is squashed to a sliver.
    Treating the codes as gaps (interpolated) heals it."""
    rng = seed_all(seed)
    n = 900
    h = 60 + 15 * seasonal(rng, n, 24, 0.1)
    bad = rng.random(n) < 0.005
    raw = np.where(bad, -9999.0, h)
    if fix == "outliers":
        t = np.arange(n)
        raw = np.interp(t, t[~bad], h[~bad])
    cut = 700
    sc = StandardScaler().fit(raw[:cut, None])
    z = sc.transform(raw[:, None])[:, 0].astype("float32")
    x, y = windows(z, 24)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((24, 1)), layers.LSTM(16), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=15, batch_size=32))


def table_shuffled_target(fix=None, seed=0):
    """The target column joined on a key that does not match (its rows are shuffled
    against the inputs): nothing in the inputs predicts it. The right join heals it."""
    rng = seed_all(seed)
    n = 600
    x = rng.normal(0, 1, (n, 5)).astype("float32")
    y = (x[:, 0] + 0.6 * x[:, 1] - 0.4 * x[:, 2] + 0.3 * rng.normal(size=n)).astype("float32")
    if fix != "unpredictable_target":
        y = y[rng.permutation(n)]
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.2, random_state=seed)
    model = keras.Sequential([keras.Input((5,)), layers.Dense(32, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=20, batch_size=32))


def _p(name, codes, style, make, fixes=None, note=""):
    return CorpusProgram(name, codes, "synthetic", None, style, make, fixes or {},
                         "synthetic", note)


PROGRAMS = [
    _p("mpg_dnn_adam_1e5", ("lr_too_small",), "Sequential · Normalization + Dense · numpy",
       mpg_dnn_adam_1e5, {"lr_too_small": "Adam(1e-3)", "unscaled_target": "standardise y"},
       "based on https://www.tensorflow.org/tutorials/keras/regression with the rate cut"),
    _p("gru_celsius_adam_1e5", ("lr_too_small",), "Sequential · GRU · numpy",
       gru_celsius_adam_1e5, {"lr_too_small": "Adam(1e-2)"}),
    _p("energy_wh_dense", ("unscaled_target",), "Sequential · Dense ReLU · numpy",
       energy_wh_dense, {"unscaled_target": "standardise y"}),
    _p("lstm_level_mm", ("unscaled_target",), "Sequential · LSTM · numpy", lstm_level_mm,
       {"unscaled_target": "standardise y"}),
    _p("table_both_far", ("unscaled_target",), "Sequential · Dense ReLU · numpy",
       table_both_far, {"unscaled_target": "standardise y",
                        "unscaled_inputs": "StandardScaler on x"}),
    _p("dense_relu_bias_minus10", ("saturated_units",), "Sequential · Dense ReLU · numpy",
       dense_relu_bias_minus10, {"saturated_units": "bias_initializer zeros"}),
    _p("lstm_relu_head_dead", ("saturated_units",), "Sequential · LSTM + Dense ReLU head",
       lstm_relu_head_dead, {"saturated_units": "bias_initializer zeros"}),
    _p("sigmoid_lstm_stack_sgd", ("saturated_units",), "Sequential · sigmoid LSTM x2 · SGD",
       sigmoid_lstm_stack_sgd, {"saturated_units": "tanh cells",
                                "lr_too_small": "SGD(0.1)"}),
    _p("gru_window10_ahead50", ("window_too_short",), "Sequential · GRU · numpy",
       gru_window10_ahead50, {"window_too_short": "200-step windows"}),
    _p("conv1d_window8_ahead20", ("window_too_short",), "Sequential · Conv1D · numpy",
       conv1d_window8_ahead20, {"window_too_short": "120-step windows"}),
    _p("table_inputs_5_to_5000", ("unscaled_inputs",), "Sequential · Dense ReLU · numpy",
       table_inputs_5_to_5000, {"unscaled_inputs": "StandardScaler on x"}),
    _p("lstm_sigmoid_standardised", ("output_range",), "Sequential · LSTM -> Dense(sigmoid)",
       lstm_sigmoid_standardised, {"output_range": "linear output"}),
    _p("dense_sigmoid_score_0_100", ("output_range", "unscaled_target"),
       "Sequential · Dense -> Dense(sigmoid)", dense_sigmoid_score_0_100,
       {"output_range": "linear output", "unscaled_target": "score / 100"}),
    _p("softmax2_mse_1_to_10", ("output_range",), "Sequential · Dense(2, softmax) + MSE",
       softmax2_mse_1_to_10, {"output_range": "Dense(1) linear"}),
    _p("dense_cce_regression", ("loss_mismatch",), "Sequential · Dense · cce loss",
       dense_cce_regression, {"loss_mismatch": "loss='mse'"}),
    _p("lstm_bce_regression", ("loss_mismatch",), "Sequential · LSTM · bce loss",
       lstm_bce_regression, {"loss_mismatch": "loss='mse'"}),
    _p("table_sorted_by_area", ("healthy",), "Sequential · Dense ReLU · rows sorted",
       table_sorted_by_area),
    _p("table_sorted_by_year", ("healthy",), "Sequential · Dense ReLU · rows sorted",
       table_sorted_by_year),
    _p("tfdata_gru_five_horizons", ("shape_broadcast",), "Sequential · GRU · tf.data",
       tfdata_gru_five_horizons, {"shape_broadcast": "Dense(5)"}),
    _p("bilstm_three_outputs_broadcast", ("shape_broadcast",),
       "Sequential · Bidirectional LSTM · numpy", bilstm_three_outputs_broadcast,
       {"shape_broadcast": "Dense(3)"}),
    _p("two_input_sales", ("healthy",), "functional · 2 inputs (LSTM + Dense) · dict",
       two_input_sales),
    _p("two_input_raw_income", ("unscaled_inputs",), "functional · 2 inputs · dict",
       two_input_raw_income, {"unscaled_inputs": "StandardScaler on the static input"}),
    _p("two_output_weather", ("healthy",), "functional · 2 outputs · numpy",
       two_output_weather),
    _p("two_output_pressure_pa", ("unscaled_target",), "functional · 2 outputs · numpy",
       two_output_pressure_pa, {"unscaled_target": "standardise the pressure head"}),
    _p("elnino_like_lstm", ("healthy",), "Sequential · LSTM · numpy", elnino_like_lstm),
    _p("windowed_dataset_gru", ("healthy",), "Sequential · GRU · tf.data window/flat_map",
       windowed_dataset_gru),
    _p("bigru_seasonal", ("healthy",), "Sequential · Bidirectional GRU · numpy",
       bigru_seasonal),
    _p("conv1d_lstm_causal", ("healthy",), "Sequential · Conv1D + LSTM · numpy",
       conv1d_lstm_causal),
    _p("rmsprop_gru_lr_1", ("lr_too_large",), "Sequential · GRU · RMSprop(1.0)",
       rmsprop_gru_lr_1, {"lr_too_large": "RMSprop(1e-3)"}),
    _p("conv1d_two_epochs", ("too_few_epochs",), "Sequential · Conv1D · numpy",
       conv1d_two_epochs, {"too_few_epochs": "30 epochs of 32"}),
    _p("table_nan_column", ("missing_values",), "Sequential · Dense · numpy",
       table_nan_column, {"missing_values": "fill the gaps"}),
    _p("lstm_error_codes", ("outliers",), "Sequential · LSTM · numpy", lstm_error_codes,
       {"outliers": "error codes as gaps"}),
    _p("table_shuffled_target", ("unpredictable_target",), "Sequential · Dense · numpy",
       table_shuffled_target, {"unpredictable_target": "the right join"}),
]
