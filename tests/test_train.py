from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from lstm_lab import ExperimentConfig, run_experiment

from conftest import TINY


def _numbers(result):
    d = result.to_dict()
    d.pop("train_seconds")
    return d


def test_reports_every_epoch_with_shapes():
    cfg = ExperimentConfig(dataset="multiscale", feature_scale_ratio=10.0, **TINY)
    reports = []
    result = run_experiment(cfg, on_epoch=reports.append)
    assert [r.epoch for r in reports] == [1, 2, 3] and reports[-1].epochs == 3
    n_test = cfg.n_test_steps
    for r in reports:
        assert r.predictions.shape == (n_test, 3)
        assert r.input_grad_norms.shape == (3,) and np.all(r.input_grad_norms > 0)
        assert 0 < r.weight_change < 1
        assert np.isfinite(r.train_loss) and np.isfinite(r.test_loss)
    assert reports[0].elapsed < reports[-1].elapsed
    np.testing.assert_array_equal(result.predictions, reports[-1].predictions)
    assert result.epochs_run == 3 and not result.stopped and not result.diverged
    assert result.target_names == ("large", "small", "noise")


def test_predictions_are_in_original_units():
    cfg = ExperimentConfig(dataset="multiscale", feature_scale_ratio=1e3, epochs=5,
                           n_steps=400, seq_len=20)
    result = run_experiment(cfg)
    large = result.predictions[:, 0]
    assert np.std(large) > 100  # a scaled-space prediction would have std ~1
    assert result.targets[0].scores.r2 > 0.5


def test_same_config_same_numbers():
    cfg = ExperimentConfig(**TINY, seed=5)
    a, b = run_experiment(cfg), run_experiment(cfg)
    assert _numbers(a) == _numbers(b)
    np.testing.assert_array_equal(a.predictions, b.predictions)
    c = run_experiment(cfg.replace(seed=6))
    assert not np.array_equal(a.predictions, c.predictions)


def test_same_numbers_in_parallel_threads():
    cfgs = [ExperimentConfig(**TINY, seed=s) for s in (1, 2, 1, 2)]
    alone = [_numbers(run_experiment(c)) for c in cfgs[:2]]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = [_numbers(r) for r in pool.map(run_experiment, cfgs)]
    assert together == alone + alone


def test_engine_is_reused_without_leaking_state():
    # a run in between with another LR must not change what the first config gives
    cfg = ExperimentConfig(**TINY)
    first = _numbers(run_experiment(cfg))
    run_experiment(cfg.replace(learning_rate=0.5))
    assert _numbers(run_experiment(cfg)) == first


def test_should_stop_returns_a_partial_result():
    cfg = ExperimentConfig(**{**TINY, "epochs": 10})
    seen = []
    result = run_experiment(cfg, on_epoch=seen.append, should_stop=lambda: len(seen) >= 2)
    assert result.stopped and result.epochs_run == 2 and len(result.history) == 2
    assert result.verdict in ("flat", "unstable", "learning")


def test_stop_before_the_first_epoch_scores_the_untrained_net():
    result = run_experiment(ExperimentConfig(**TINY), should_stop=lambda: True)
    assert result.stopped and result.epochs_run == 0
    assert result.targets[0].scores.rmse is not None


def test_divergence_is_a_result_not_an_exception():
    cfg = ExperimentConfig(**{**TINY, "epochs": 10}, optimizer="sgd", learning_rate=5.0)
    result = run_experiment(cfg)
    assert result.diverged and result.verdict == "diverged"
    assert result.epochs_run < 10
    assert result.targets[0].scores.r2 is None
    d = result.to_dict()
    assert d["diverged"] is True and None in d["loss"] + d["test_loss"]


def test_bad_config_raises_before_training():
    from lstm_lab import ConfigError

    with pytest.raises(ConfigError, match="units"):
        run_experiment(ExperimentConfig(units=0))
