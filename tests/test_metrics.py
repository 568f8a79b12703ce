import numpy as np
import pytest

from lstm_lab.metrics import BASELINE_SLACK, FLAT_BELOW, score, verdict, worst

y = np.sin(np.linspace(0, 20, 300))


def test_perfect_prediction():
    s = score(y, y)
    assert s.rmse == 0 and s.mae == 0 and s.r2 == 1 and s.flatness == pytest.approx(1)
    assert s.seed_constant_check is False


def test_constant_prediction_is_flat_and_trips_the_article_check():
    s = score(y, np.full_like(y, y.mean()))
    assert s.flatness == 0 and s.r2 == pytest.approx(0, abs=1e-12)
    assert s.seed_constant_check is True


def test_near_flat_line_passes_the_article_check_but_is_flat():
    # the article's rtol check misses a line that wiggles by 10 % of the target's spread
    pred = y.mean() + 0.1 * (y - y.mean())
    s = score(y, pred)
    assert s.seed_constant_check is False and s.flatness == pytest.approx(0.1)


def test_non_finite_predictions_score_none():
    s = score(y, np.full_like(y, np.nan))
    assert s.rmse is None and s.r2 is None


@pytest.mark.parametrize("pred,expected", [
    (y, "learning"),
    (np.full_like(y, 0.3), "flat"),
    (-y, "unstable"),  # not flat, worse than the mean
    (y * (FLAT_BELOW - 0.01), "flat"),
])
def test_verdicts(pred, expected):
    mean = {"mean": score(y, np.full_like(y, y.mean()))}
    assert verdict(score(y, pred), mean, diverged=False) == expected


def test_weak_when_a_naive_baseline_beats_the_model_by_more_than_the_slack():
    """Beats the mean, not flat -- but repeating the last value does clearly better."""
    rng = np.random.default_rng(0)
    truth = np.sin(np.linspace(0, 12, 400))
    half = truth * 0.6  # R² about 0.84 (a squashed copy), flatness 0.6
    base = {"mean": score(truth, np.full_like(truth, truth.mean())),
            "persistence": score(truth, truth + rng.normal(0, 0.05, truth.shape))}
    model = score(truth, half)
    assert model.r2 < base["persistence"].r2 - BASELINE_SLACK
    assert verdict(model, base, diverged=False) == "weak"
    # within the slack of the best baseline: learning
    close = score(truth, truth + rng.normal(0, 0.08, truth.shape))
    assert close.r2 >= base["persistence"].r2 - BASELINE_SLACK
    assert verdict(close, base, diverged=False) == "learning"
    assert worst(["learning", "weak"]) == "weak" and worst(["weak", "unstable"]) == "unstable"


def test_diverged_wins_and_worst_orders():
    mean = {"mean": score(y, np.full_like(y, y.mean()))}
    assert verdict(score(y, y), mean, diverged=True) == "diverged"
    assert worst(["learning", "flat", "unstable"]) == "flat"
    assert worst(["learning", "diverged"]) == "diverged"
