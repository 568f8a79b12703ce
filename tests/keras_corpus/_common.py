"""Small helpers the corpus programs share (data the way users make it)."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split  # noqa: F401 (used by programs)
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: F401

# the suite's own helpers: sliding windows, and the chronological split (as `chrono`)
from keras_programs import Fit, windows  # noqa: F401
from keras_programs import split as chrono  # noqa: F401
from lstm_lab.model import keras

layers = keras.layers


def seed_all(seed: int) -> np.random.Generator:
    """Seed Keras (weights, shuffling) and hand back a numpy generator for the data."""
    keras.utils.set_random_seed(seed)
    return np.random.default_rng(1000 + seed)


def seasonal(rng, n: int, period: float, noise: float, harmonic: float = 0.5):
    t = np.arange(n)
    s = np.sin(2 * np.pi * t / period) + harmonic * np.sin(4 * np.pi * t / period + 1.0)
    return s + noise * rng.normal(size=n)


def standardize(train: np.ndarray, *others: np.ndarray):
    mu, sd = float(np.mean(train)), float(np.std(train))
    return [((a - mu) / sd).astype("float32") for a in (train, *others)], (
        lambda p: np.asarray(p) * sd + mu)


def boston_like(rng, n: int = 506):
    """A table with the Boston housing columns' published ranges and a MEDV-like target
    (5..50, thousands of dollars); the real file needs a download."""
    crim = rng.exponential(3.6, n)
    zn = np.where(rng.random(n) < 0.73, 0.0, rng.uniform(12.5, 100, n))
    indus = rng.uniform(0.5, 27.7, n)
    chas = (rng.random(n) < 0.07).astype(float)
    nox = rng.uniform(0.385, 0.871, n)
    rm = rng.normal(6.28, 0.7, n)
    age = rng.uniform(3, 100, n)
    dis = rng.uniform(1.1, 12.1, n)
    rad = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 24], n).astype(float)
    tax = rng.uniform(187, 711, n)
    ptratio = rng.uniform(12.6, 22, n)
    b = np.clip(rng.normal(357, 90, n), 0.3, 396.9)
    lstat = np.clip(rng.gamma(3.5, 3.6, n), 1.7, 38)
    medv = (22.5 + 6.5 * (rm - 6.28) - 0.55 * (lstat - 12.6) - 0.9 * (ptratio - 18.5)
            - 0.12 * crim - 8 * (nox - 0.55) + 2.5 * chas - 0.006 * (tax - 408)
            + rng.normal(0, 2.5, n))
    x = np.stack([crim, zn, indus, chas, nox, rm, age, dis, rad, tax, ptratio, b, lstat], 1)
    return x.astype("float32"), np.clip(medv, 5, 50).astype("float32")


def auto_mpg_like(rng, n: int = 392):
    """The auto-mpg columns (cylinders, displacement, horsepower, weight, acceleration,
    model year, origin one-hot) with their published ranges; MPG 9..46."""
    cyl = rng.choice([4, 6, 8], n, p=[0.51, 0.21, 0.28]).astype(float)
    disp = cyl * rng.uniform(22, 50, n)
    hp = 20 + disp * rng.uniform(0.35, 0.55, n)
    weight = 1600 + 7.5 * disp + rng.normal(0, 250, n)
    acc = np.clip(24 - hp / 18 + rng.normal(0, 1.8, n), 8, 25)
    year = rng.integers(70, 83, n).astype(float)
    origin = rng.choice([0, 1, 2], n, p=[0.63, 0.17, 0.2])
    onehot = np.eye(3)[origin]
    mpg = (46 - 0.0062 * weight + 0.75 * (year - 76) - 0.03 * hp + 1.2 * (origin > 0)
           + rng.normal(0, 2.5, n))
    x = np.column_stack([cyl, disp, hp, weight, acc, year, onehot])
    return x.astype("float32"), np.clip(mpg, 9, 46.6).astype("float32")


def california_like(rng, n: int = 600):
    """California housing columns (longitude .. median income) and a median house value
    in dollars (15 000 .. 500 000)."""
    lon = rng.uniform(-124.3, -114.3, n)
    lat = rng.uniform(32.5, 42, n)
    age = rng.uniform(1, 52, n)
    rooms = rng.gamma(2.0, 1300, n)
    bedrooms = rooms * rng.uniform(0.15, 0.25, n)
    pop = rooms * rng.uniform(0.8, 1.6, n)
    households = pop / rng.uniform(2.2, 3.6, n)
    income = np.clip(rng.gamma(4.0, 0.97, n), 0.5, 15)
    value = (45_000 * income - 12_000 * (lat - 34) + 900 * age
             + rng.normal(0, 40_000, n) + 40_000)
    x = np.column_stack([lon, lat, age, rooms, bedrooms, pop, households, income])
    return x.astype("float32"), np.clip(value, 15_000, 500_001).astype("float32")
