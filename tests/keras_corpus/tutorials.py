"""Programs from tutorials and blog posts, as their authors wrote them (healthy ones, which
must get no alarm), and the lab's article's first example. Data that the tutorials
download is replaced by a stand-in with the same columns, units and cycles."""

from __future__ import annotations

import numpy as np

from . import CorpusProgram
from ._common import (Fit, MinMaxScaler, auto_mpg_like, boston_like, california_like,
                      chrono, layers, seed_all, train_test_split, windows)
from lstm_lab.model import keras


def _mpg_split(rng):
    x, y = auto_mpg_like(rng, 392)
    idx = rng.permutation(len(x))
    cut = int(0.8 * len(x))  # train_dataset = dataset.sample(frac=0.8, random_state=0)
    return x[idx[:cut]], y[idx[:cut]], x[idx[cut:]], y[idx[cut:]]


def tf_autompg_dnn(fix=None, seed=0):
    """TensorFlow tutorial "Basic regression: Predict fuel efficiency", the DNN model:
    a Normalization layer adapted to the training features, Dense(64, relu) x2, Dense(1),
    Adam(0.001), mean_absolute_error, MPG in its units. Dense(32) and 30 epochs of batch 8
    (the tutorial: 100 epochs of 32, about the same number of steps); the test split is the
    validation data."""
    rng = seed_all(seed)
    x_tr, y_tr, x_va, y_va = _mpg_split(rng)
    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(np.array(x_tr))
    model = keras.Sequential([keras.Input((x_tr.shape[1],)), normalizer,
                              layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.001))
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=8))


def tf_autompg_linear(fix=None, seed=0):
    """The same tutorial's multi-input linear model: Normalization -> Dense(units=1),
    Adam(learning_rate=0.1), mean_absolute_error, MPG in its units; 30 epochs of 32."""
    rng = seed_all(seed)
    x_tr, y_tr, x_va, y_va = _mpg_split(rng)
    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(np.array(x_tr))
    linear_model = keras.Sequential([keras.Input((x_tr.shape[1],)), normalizer,
                                     layers.Dense(units=1)])
    linear_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                         loss="mean_absolute_error")
    return Fit(linear_model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=32))


def _jena_like(rng, hours: int):
    """Hourly weather in its units: T (degC), p (mbar), rh (%), wind (m/s) with a daily
    cycle and weather systems of a few days."""
    t = np.arange(hours)
    front = np.convolve(rng.normal(0, 1, hours + 72), np.ones(72) / 8.5, "valid")[:hours]
    temp = 9 + 7 * np.sin(2 * np.pi * (t - 8) / 24) + 3 * front + 0.4 * rng.normal(size=hours)
    p = 989 - 6 * front + 0.3 * rng.normal(size=hours)
    rh = np.clip(76 - 12 * np.sin(2 * np.pi * (t - 8) / 24) + 4 * front
                 + 2 * rng.normal(size=hours), 20, 100)
    wind = np.abs(2 + front + 0.5 * rng.normal(size=hours))
    return np.stack([p, temp, rh, wind], axis=1)


def tf_timeseries_weather_lstm(fix=None, seed=0):
    """TensorFlow tutorial "Time series forecasting", the single-step LSTM:
    features normalised with the training mean and std, windows of 24 hours through
    ``timeseries_dataset_from_array`` (tf.data), LSTM(32, return_sequences=False) ->
    Dense(1) for the next hour's temperature, Adam, MSE; 10 epochs (the tutorial's
    MAX_EPOCHS = 20 with early stopping)."""
    rng = seed_all(seed)
    df = _jena_like(rng, 1400)
    n = len(df)
    train_df, val_df = df[:int(n * 0.7)], df[int(n * 0.7):]
    mean, std = train_df.mean(0), train_df.std(0)
    train_df, val_df = (train_df - mean) / std, (val_df - mean) / std

    def make_dataset(data):
        data = np.array(data, dtype=np.float32)
        return keras.utils.timeseries_dataset_from_array(
            data=data[:-1], targets=data[24:, 1], sequence_length=24, sequence_stride=1,
            shuffle=False, batch_size=32)

    lstm_model = keras.Sequential([keras.Input((24, 4)),
                                   layers.LSTM(32, return_sequences=False),
                                   layers.Dense(units=1)])
    lstm_model.compile(loss=keras.losses.MeanSquaredError(),
                       optimizer=keras.optimizers.Adam(),
                       metrics=[keras.metrics.MeanAbsoluteError()])
    return Fit(lstm_model, make_dataset(train_df), None, make_dataset(val_df),
               dict(epochs=10))


def tf_timeseries_weather_conv(fix=None, seed=0):
    """The same tutorial's convolution model: 3 hours in, the next hour's temperature out,
    Conv1D(filters=32, kernel_size=3, relu) -> Dense(32, relu) -> Dense(1), tf.data
    windows (shuffled, as the tutorial's WindowGenerator does), Adam, MSE; 10 epochs.
    6 000 hours (first written with 1 400 and unshuffled windows: 10 epochs left it
    "weak", R² 0.28-0.30, behind repeating the last hour).

    DROPPED from the corpus (keras_corpus.DROPPED): with 6 000 hours it went "flat"
    (R² 0.04-0.07) at all 3 seeds."""
    rng = seed_all(seed)
    df = _jena_like(rng, 6000)
    n = len(df)
    train_df, val_df = df[:int(n * 0.7)], df[int(n * 0.7):]
    mean, std = train_df.mean(0), train_df.std(0)
    train_df, val_df = (train_df - mean) / std, (val_df - mean) / std

    def make_dataset(data):
        data = np.array(data, dtype=np.float32)
        return keras.utils.timeseries_dataset_from_array(
            data=data[:-1], targets=data[3:, 1], sequence_length=3, shuffle=True, seed=seed,
            batch_size=32)

    conv_model = keras.Sequential([
        keras.Input((3, 4)),
        layers.Conv1D(filters=32, kernel_size=(3,), activation="relu"),
        layers.Dense(units=32, activation="relu"), layers.Dense(units=1),
        layers.Flatten()])
    conv_model.compile(loss="mse", optimizer=keras.optimizers.Adam())
    return Fit(conv_model, make_dataset(train_df), None, make_dataset(val_df),
               dict(epochs=10))


def kerasio_weather_lstm(fix=None, seed=0):
    """keras.io example "Timeseries forecasting for weather prediction": selected features
    normalised with the training split (71.5 %), one reading an hour, the past 120 hours
    predict the temperature 72 hours later, ``timeseries_dataset_from_array``, LSTM(32) ->
    Dense(1), Adam(0.001), MSE, 10 epochs of 256. Cut here to 48 hours in, 12 ahead,
    batches of 32, hourly data generated directly. (First written on a 6-times
    subsampled stand-in, 12 readings = 3 days ahead: "weak"/"flat" at all 3 seeds.)"""
    rng = seed_all(seed)
    data = _jena_like(rng, 3000)
    train_split = int(0.715 * len(data))
    mean, std = data[:train_split].mean(0), data[:train_split].std(0)
    data = ((data - mean) / std).astype("float32")
    past, future = 48, 12
    make = keras.utils.timeseries_dataset_from_array
    x_train, y_train = data[:train_split], data[past + future:train_split + past + future, 1]
    dataset_train = make(x_train[:len(y_train)], y_train, sequence_length=past,
                         batch_size=32, shuffle=True, seed=seed)
    x_val = data[train_split:len(data) - past - future]
    y_val = data[train_split + past + future:, 1]
    dataset_val = make(x_val[:len(y_val)], y_val, sequence_length=past, batch_size=32)
    inputs = keras.layers.Input(shape=(past, 4))
    lstm_out = keras.layers.LSTM(32)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    return Fit(model, dataset_train, None, dataset_val, dict(epochs=10))


def _sunspots(rng, months: int):
    """Monthly sunspot numbers: an 11-year (132-month) cycle whose amplitude varies from
    cycle to cycle, skewed, noisy, never negative."""
    t = np.arange(months)
    phase = 2 * np.pi * t / 132
    amp = 80 + 40 * np.sin(2 * np.pi * t / (132 * 7.3)) + 15 * rng.normal(size=months // 132 + 2)[t // 132]
    base = np.clip(np.sin(phase), 0, None) ** 1.4 + 0.1 * np.clip(np.sin(phase), None, 0)
    return np.clip(amp * (base + 0.08) + 12 * rng.normal(size=months), 0, None)


def rbloggers_sunspots_lstm(fix=None, seed=0):
    """"Time Series Deep Learning: Forecasting Sunspots With Keras Stateful LSTM In R"
    (business-science.io via R-bloggers): the monthly sunspots, square-root transformed,
    centred and scaled, an LSTM over lagged values, MSE, Adam. Python Keras here,
    stateless, a 60-month window predicting the next month, LSTM(32), 12 epochs."""
    rng = seed_all(seed)
    s = np.sqrt(_sunspots(rng, 1400))
    cut = int(0.8 * len(s))
    mu, sd = s[:cut].mean(), s[:cut].std()
    z = (s - mu) / sd
    x, y = windows(z, 60)
    x_tr, x_va, y_tr, y_va = chrono(x, y)
    model = keras.Sequential([keras.Input((60, 1)), layers.LSTM(32), layers.Dense(1)])
    model.compile(loss="mae", optimizer="adam")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=12, batch_size=40))


def apxml_sine_lstm(fix=None, seed=0):
    """apxml.com "Practice: time series forecasting" (RNNs and sequence modelling course):
    time = arange(0, 100, 0.1), sin(time) + N(0, 0.15), MinMaxScaler to (0, 1), windows of
    20, LSTM(50) -> Dense(1), Adam, MSE. LSTM(32), 15 epochs of 32."""
    rng = seed_all(seed)
    time_ = np.arange(0, 100, 0.1)
    amplitude = np.sin(time_) + rng.normal(scale=0.15, size=len(time_))
    cut = int(0.8 * len(amplitude))
    scaler = MinMaxScaler(feature_range=(0, 1)).fit(amplitude[:cut, None])
    scaled = scaler.transform(amplitude[:, None])[:, 0]
    x, y = windows(scaled, 20)
    X_train, X_test, y_train, y_test = chrono(x, y)
    model = keras.Sequential([keras.Input((20, 1)), layers.LSTM(32), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mean_squared_error")
    return Fit(model, X_train, y_train, (X_test, y_test), dict(epochs=15, batch_size=32))


def _airline(rng):
    """Monthly airline passengers (1949-60 shape): trend, growing yearly season."""
    t = np.arange(144)
    trend = 110 + 2.6 * t
    season = 1 + 0.2 * np.sin(2 * np.pi * (t - 3) / 12) + 0.05 * np.sin(4 * np.pi * t / 12)
    return (trend * season * (1 + 0.03 * rng.normal(size=144))).astype("float32")


def dsse56924_minmax_lstm(fix=None, seed=0):
    """Data Science SE "Should we denormalize our data after normalization?": the dataset
    MinMaxScaler'd to (0, 1), 80/20 split, ``previous`` values reshaped to
    (samples, 1, previous), LSTM(4, input_shape=(1, previous)) -> Dense(1), MSE, Adam,
    batch 1, then ``inverse_transform``. previous = 12 on a monthly airline-like series
    (144 months; the answer uses 50 on a longer one); 30 epochs of batch 1.

    DROPPED from the corpus (keras_corpus.DROPPED): "weak" at all 3 seeds (R² 0.69-0.87), behind repeating the last value.
    """
    rng = seed_all(seed)
    dataset = _airline(rng)[:, None]
    train_size = int(len(dataset) * 0.67)
    scaler = MinMaxScaler(feature_range=(0, 1)).fit(dataset[:train_size])
    dataset = scaler.transform(dataset)
    train, test = dataset[0:train_size, :], dataset[train_size:, :]
    previous = 12

    def create_dataset(d, look_back):
        X, Y = [], []
        for i in range(len(d) - look_back):
            X.append(d[i:i + look_back, 0])
            Y.append(d[i + look_back, 0])
        return np.array(X), np.array(Y)

    X_train, Y_train = create_dataset(train, previous)
    X_test, Y_test = create_dataset(test, previous)
    X_train = np.reshape(X_train, (X_train.shape[0], 1, X_train.shape[1]))
    X_test = np.reshape(X_test, (X_test.shape[0], 1, X_test.shape[1]))
    model = keras.Sequential([keras.Input((1, previous)), layers.LSTM(4), layers.Dense(1)])
    model.compile(loss="mean_squared_error", optimizer="adam")
    lo, hi = scaler.data_min_[0], scaler.data_max_[0]
    unscale = lambda p: np.asarray(p) * (hi - lo) + lo  # noqa: E731  (inverse_transform)
    return Fit(model, X_train.astype("float32"), Y_train.astype("float32"),
               (X_test.astype("float32"), Y_test.astype("float32")),
               dict(epochs=30, batch_size=1), (Y_train * (hi - lo) + lo,
                                                Y_test * (hi - lo) + lo), unscale)


def mlm_airline_window(fix=None, seed=0):
    """Machine Learning Mastery, "Time Series Prediction with LSTM Recurrent Neural
    Networks in Python with Keras", the window method: MinMaxScaler, look_back = 3 as
    features (samples, 1, 3), LSTM(4) -> Dense(1), MSE, Adam, 100 epochs of batch 1 ->
    30 here. Airline-like monthly passengers.

    DROPPED from the corpus (keras_corpus.DROPPED): "weak" at all 3 seeds (R² 0.31-0.47), behind repeating the last value.
    """
    rng = seed_all(seed)
    dataset = _airline(rng)[:, None]
    train_size = int(len(dataset) * 0.67)
    scaler = MinMaxScaler(feature_range=(0, 1)).fit(dataset[:train_size])
    dataset = scaler.transform(dataset)
    look_back = 3
    X = np.stack([dataset[i:i + look_back, 0] for i in range(len(dataset) - look_back)])
    Y = dataset[look_back:, 0]
    trainX, testX = X[:train_size - look_back], X[train_size - look_back:]
    trainY, testY = Y[:train_size - look_back], Y[train_size - look_back:]
    trainX = np.reshape(trainX, (trainX.shape[0], 1, trainX.shape[1])).astype("float32")
    testX = np.reshape(testX, (testX.shape[0], 1, testX.shape[1])).astype("float32")
    model = keras.Sequential([keras.Input((1, look_back)), layers.LSTM(4), layers.Dense(1)])
    model.compile(loss="mean_squared_error", optimizer="adam")
    return Fit(model, trainX, trainY.astype("float32"), (testX, testY.astype("float32")),
               dict(epochs=30, batch_size=1))


def chollet_boston_dnn(fix=None, seed=0):
    """Deep Learning with Python, "Predicting house prices: a regression example" (as in
    github.com/ronaldwopara/keras): features standardised with the training mean and std,
    Dense(64, relu) x2 -> Dense(1), rmsprop, MSE, MAE metric, targets in thousands of
    dollars. Dense(32), 30 epochs of 16; a Boston-like table (the file needs a download)."""
    rng = seed_all(seed)
    x, y = boston_like(rng, 506)
    train_data, test_data, train_targets, test_targets = x[:404], x[404:], y[:404], y[404:]
    mean = train_data.mean(axis=0)
    train_data = train_data - mean
    std = train_data.std(axis=0)
    train_data = train_data / std
    test_data = (test_data - mean) / std
    model = keras.Sequential([keras.Input((13,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return Fit(model, train_data, train_targets, (test_data, test_targets),
               dict(epochs=30, batch_size=16))


def sravit_california_dense(fix=None, seed=0):
    """github.com/SRavit1/ML-House-Prices-Predictor: California housing, 8 inputs
    normalised to [0, 1], prices reduced by 6 orders of magnitude; Dense(8) -> Dense(4) ->
    Dense(1), 10 epochs, MSE (0.0058 after 10 epochs). Adam; activations ReLU (not
    shown); 30 epochs of batch 16."""
    rng = seed_all(seed)
    x, y = california_like(rng, 600)
    x_tr, x_va, y_tr, y_va = train_test_split(x, y / 1e6, test_size=0.2, random_state=seed)
    sc = MinMaxScaler().fit(x_tr)
    x_tr, x_va = sc.transform(x_tr), sc.transform(x_va)
    model = keras.Sequential([keras.Input((8,)), layers.Dense(8, activation="relu"),
                              layers.Dense(4, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return Fit(model, x_tr, y_tr, (x_va, y_va), dict(epochs=30, batch_size=16))


def article_example_1(fix=None, seed=0):
    """The lab's article, example 1 ("Inadequate Learning Rate and Batch Size"):
    LSTM(128) -> Dense(1) trained against Y_train (10, 800, 1), Adam(1e-5), batch 1; the
    loss broadcasts one output against every step. The article's own test split is the
    validation data (Y_test one step shorter: the inputs lose their last step to pair).
    The examples' --quick sizes: 200 steps, LSTM(32), 20 epochs. The article's lr fix
    does not heal it; one prediction per step (return_sequences=True) with its 1e-3 does."""
    rng = seed_all(seed)
    length, num_series = 200, 10
    x = np.linspace(0, 10 * np.pi, length)
    series = [np.sin(x + rng.random()) + rng.normal(0, 0.2, length)
              for _ in range(num_series)]
    X = np.array(series).reshape(num_series, length, 1).astype("float32")
    Y = np.roll(X, -1, axis=1)[:, :-1, :]
    split_idx = int(0.8 * X.shape[1])
    X_train, Y_train = X[:, :split_idx, :], Y[:, :split_idx, :]
    X_test, Y_test = X[:, split_idx:, :], Y[:, split_idx:, :]
    model = keras.Sequential([keras.Input((None, 1)),
                              layers.LSTM(32, return_sequences=fix == "shape_broadcast"),
                              layers.Dense(1)])
    lr = 1e-3 if fix == "shape_broadcast" else 1e-5
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="mse")
    return Fit(model, X_train, Y_train, (X_test[:, :-1], Y_test),
               dict(epochs=20, batch_size=1))


def tf_autompg_horsepower_dnn(fix=None, seed=0):
    """The fuel-efficiency tutorial's single-input DNN: Horsepower alone,
    Normalization(input_shape=[1]) adapted to it, Dense(64, relu) x2, Dense(1),
    Adam(0.001), mean_absolute_error, MPG in its units. Dense(32), 30 epochs of 8."""
    rng = seed_all(seed)
    x_tr, y_tr, x_va, y_va = _mpg_split(rng)
    hp_tr, hp_va = x_tr[:, 2:3], x_va[:, 2:3]
    horsepower_normalizer = layers.Normalization(input_shape=[1, ], axis=None)
    horsepower_normalizer.adapt(hp_tr)
    model = keras.Sequential([horsepower_normalizer, layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.001))
    return Fit(model, hp_tr, y_tr, (hp_va, y_va), dict(epochs=30, batch_size=8))


def tf_autompg_horsepower_linear(fix=None, seed=0):
    """The fuel-efficiency tutorial's first model: Horsepower alone, a Normalization layer
    adapted to it, Dense(units=1), Adam(learning_rate=0.1), mean_absolute_error, MPG in
    its units, validation_split 0.2 (here: the test split validates). 30 epochs of 32."""
    rng = seed_all(seed)
    x_tr, y_tr, x_va, y_va = _mpg_split(rng)
    hp_tr, hp_va = x_tr[:, 2:3], x_va[:, 2:3]
    horsepower_normalizer = layers.Normalization(input_shape=[1, ], axis=None)
    horsepower_normalizer.adapt(hp_tr)
    horsepower_model = keras.Sequential([horsepower_normalizer, layers.Dense(units=1)])
    horsepower_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                             loss="mean_absolute_error")
    return Fit(horsepower_model, hp_tr, y_tr, (hp_va, y_va), dict(epochs=30, batch_size=32))


TF = "https://www.tensorflow.org/tutorials/"
PROGRAMS = [
    CorpusProgram("tf_autompg_dnn", ("healthy",),
                  "Basic regression: Predict fuel efficiency", TF + "keras/regression",
                  "Sequential · Normalization + Dense ReLU · numpy", tf_autompg_dnn,
                  kind="tutorial"),
    CorpusProgram("tf_autompg_linear", ("healthy",),
                  "Basic regression: Predict fuel efficiency", TF + "keras/regression",
                  "Sequential · Normalization + Dense(1) · Adam(0.1) · numpy",
                  tf_autompg_linear, kind="tutorial"),
    CorpusProgram("tf_autompg_horsepower_dnn", ("healthy",),
                  "Basic regression: Predict fuel efficiency", TF + "keras/regression",
                  "Sequential · Normalization + Dense ReLU, one input · numpy",
                  tf_autompg_horsepower_dnn, kind="tutorial"),
    CorpusProgram("tf_autompg_horsepower_linear", ("healthy",),
                  "Basic regression: Predict fuel efficiency", TF + "keras/regression",
                  "Sequential · Normalization + Dense(1), one input · Adam(0.1) · numpy",
                  tf_autompg_horsepower_linear, kind="tutorial"),
    CorpusProgram("tf_timeseries_weather_lstm", ("healthy",), "Time series forecasting",
                  TF + "structured_data/time_series",
                  "Sequential · LSTM · tf.data (timeseries_dataset_from_array)",
                  tf_timeseries_weather_lstm, kind="tutorial"),
    CorpusProgram("tf_timeseries_weather_conv", ("healthy",), "Time series forecasting",
                  TF + "structured_data/time_series", "Sequential · Conv1D · tf.data",
                  tf_timeseries_weather_conv, kind="tutorial"),
    CorpusProgram("kerasio_weather_lstm", ("healthy",),
                  "Timeseries forecasting for weather prediction",
                  "https://keras.io/examples/timeseries/timeseries_weather_forecasting/",
                  "functional · LSTM · tf.data", kerasio_weather_lstm, kind="tutorial"),
    CorpusProgram("rbloggers_sunspots_lstm", ("healthy",),
                  "Time Series Deep Learning: Forecasting Sunspots With Keras Stateful LSTM "
                  "In R",
                  "https://www.r-bloggers.com/2018/04/time-series-deep-learning-"
                  "forecasting-sunspots-with-keras-stateful-lstm-in-r/",
                  "Sequential · LSTM · numpy", rbloggers_sunspots_lstm, kind="blog"),
    CorpusProgram("apxml_sine_lstm", ("healthy",), "Practice: time series forecasting",
                  "https://apxml.com/courses/rnns-and-sequence-modeling/chapter-9-"
                  "sequence-modeling-applications/practice-time-series-forecasting",
                  "Sequential · LSTM · MinMaxScaler · numpy", apxml_sine_lstm,
                  kind="tutorial"),
    CorpusProgram("dsse56924_minmax_lstm", ("healthy",),
                  "Should we denormalize our data after normalization?",
                  "https://datascience.stackexchange.com/questions/56924",
                  "Sequential · LSTM(4) on (1, previous) · numpy", dsse56924_minmax_lstm,
                  kind="qa"),
    CorpusProgram("mlm_airline_window", ("healthy",),
                  "Time Series Prediction with LSTM Recurrent Neural Networks in Python "
                  "with Keras",
                  "https://machinelearningmastery.com/time-series-prediction-lstm-"
                  "recurrent-neural-networks-python-keras/",
                  "Sequential · LSTM(4) · batch 1 · numpy", mlm_airline_window, kind="blog"),
    CorpusProgram("chollet_boston_dnn", ("healthy",),
                  "Deep Learning with Python: predicting house prices",
                  "https://github.com/ronaldwopara/keras",
                  "Sequential · Dense ReLU · rmsprop · numpy", chollet_boston_dnn,
                  kind="tutorial"),
    CorpusProgram("sravit_california_dense", ("healthy",), "ML House Prices Predictor",
                  "https://github.com/SRavit1/ML-House-Prices-Predictor",
                  "Sequential · Dense · numpy", sravit_california_dense, kind="blog"),
    CorpusProgram("article_example_1", ("shape_broadcast",),
                  "Why does the LSTM consistently predict the same value for all test "
                  "instances? (example 1)", None,
                  "Sequential · LSTM -> Dense(1), y (10, 160, 1) · numpy",
                  article_example_1,
                  {"shape_broadcast": "return_sequences=True (with the article's 1e-3)"},
                  kind="article"),
]
