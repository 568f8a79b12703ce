import numpy as np
import pytest

from lstm_lab import ExperimentConfig
from lstm_lab.data import generate, make_multiscale, make_seasonal, make_sine, prepare, windows


@pytest.mark.parametrize("maker,kwargs,shape", [
    (make_sine, dict(period=50, noise=0.1), (500,)),
    (make_seasonal, dict(period=50, noise=0.1), (500,)),
    (make_multiscale, dict(period=50, noise=0.1, feature_scale_ratio=100.0), (500, 3)),
])
def test_generators_shape_and_seed(maker, kwargs, shape):
    a = maker(500, seed=3, **kwargs)
    assert a.shape == shape
    np.testing.assert_array_equal(a, maker(500, seed=3, **kwargs))
    assert not np.array_equal(a, maker(500, seed=4, **kwargs))


def test_sine_statistics():
    x = make_sine(20_000, period=100, noise=0.0, seed=0)
    assert abs(x.mean()) < 0.01 and abs(x.std() - np.sqrt(0.5)) < 0.01
    noisy = make_sine(20_000, period=100, noise=0.5, seed=0)
    assert abs((noisy - x).std() - 0.5) < 0.02  # same phase for the same seed


@pytest.mark.parametrize("ratio", [1.0, 100.0, 1e5])
def test_multiscale_amplitudes_span_the_ratio(ratio):
    x = make_multiscale(20_000, period=100, noise=0.0, feature_scale_ratio=ratio, seed=1)
    amp = x.std(axis=0)
    assert amp[0] / amp[1] == pytest.approx(ratio, rel=0.02)
    assert amp[1] * 0.97 <= amp[2] <= amp[0] * 1.03  # noise sits between the two sines
    # the noise column carries no memory: lag-1 autocorrelation ≈ 0
    noise = x[:, 2]
    assert abs(np.corrcoef(noise[:-1], noise[1:])[0, 1]) < 0.03


def test_seasonal_season_is_long_against_the_default_window():
    cfg = ExperimentConfig(dataset="seasonal")
    s = generate(cfg)
    assert s.periods[0] > 2 * cfg.seq_len


def test_windows_are_views_with_inputs_then_time():
    v = np.arange(20, dtype=float).reshape(10, 2)
    w = windows(v, 4)
    assert w.shape == (7, 4, 2)
    np.testing.assert_array_equal(w[2], v[2:6])


@pytest.mark.parametrize("dataset", ["sine", "multiscale", "seasonal"])
@pytest.mark.parametrize("horizon", [1, 7])
def test_split_is_chronological_and_leak_free(dataset, horizon):
    cfg = ExperimentConfig(dataset=dataset, horizon=horizon, seq_len=20, n_steps=400)
    p = prepare(cfg)
    n_train = cfg.n_train_windows
    assert p.x_train.shape == (n_train, 20, len(p.series.names))
    assert p.y_train.shape == (n_train, len(p.series.targets))
    # every test target lies in the test span, each once, in order
    np.testing.assert_array_equal(p.test_index, np.arange(p.split, cfg.n_steps))
    assert p.x_test.shape[0] == cfg.n_test_steps
    # the last training window's target is the last step before the split
    raw = p.series.values
    last_target = (raw[p.split - 1, list(p.series.targets)] - p.target_mean) / p.target_scale
    np.testing.assert_allclose(p.y_train[-1], last_target, rtol=1e-5, atol=1e-5)


def test_scaler_is_fitted_on_the_training_span_only():
    cfg = ExperimentConfig(dataset="multiscale", feature_scale_ratio=1e3, n_steps=600)
    p = prepare(cfg)
    raw = p.series.values
    np.testing.assert_allclose(p.target_mean, raw[: p.split].mean(axis=0))
    np.testing.assert_allclose(p.target_scale, raw[: p.split].std(axis=0))
    assert not np.allclose(p.target_mean, raw.mean(axis=0))
    # model units back to original units
    np.testing.assert_allclose(p.to_original(p.y_test), p.y_test_raw, rtol=1e-4, atol=1e-3)


def test_unscaled_keeps_raw_values():
    cfg = ExperimentConfig(dataset="multiscale", feature_scale_ratio=1e4, scale_inputs=False)
    p = prepare(cfg)
    assert np.abs(p.x_train[..., 0]).max() > 5_000
    np.testing.assert_allclose(p.to_original(p.y_test), p.y_test_raw, rtol=1e-5)


def test_baselines_use_only_the_past():
    cfg = ExperimentConfig(horizon=3, period=40)
    p = prepare(cfg)
    y = p.series.values[:, 0]
    np.testing.assert_allclose(p.baselines["persistence"][:, 0], y[p.test_index - 3])
    np.testing.assert_allclose(p.baselines["seasonal"][:, 0], y[p.test_index - 40])
    assert np.all(p.baselines["mean"] == y[: p.split].mean())


def test_no_seasonal_baseline_without_known_periods():
    p = prepare(ExperimentConfig(dataset="multiscale"))
    assert set(p.baselines) == {"mean", "persistence"}
