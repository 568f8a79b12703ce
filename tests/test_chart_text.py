"""Every chart's text alternative: one sentence of the numbers the chart draws (what a
screen reader says for it instead of "Vega visualization")."""

import numpy as np
import pandas as pd

from lstm_lab import charts
from lstm_lab.lr_find import LRFindResult

T = np.arange(100, dtype=np.float64)
SINE = 1.5 * np.sin(T / 5)


def test_a_flat_forecast_says_flat_near_its_level_against_the_swing_and_the_scores():
    flat = np.full(100, 0.02)
    line = charts.forecast_text("sine", SINE, flat, r2=0.02, flatness=0.0,
                                baselines_r2={"mean": 0.0, "persistence": 0.89})
    assert line == ("sine: prediction flat near 0.02 while the target swings ±1.5 around "
                    "0; R² 0.020 against mean 0.000, persistence 0.890.")


def test_a_learning_forecast_says_how_far_the_prediction_swings():
    line = charts.forecast_text("y", SINE, 0.9 * SINE, r2=0.97, flatness=0.9)
    assert "prediction swings ±1.35" in line and "R² 0.970" in line and "against" not in line


def test_before_the_first_epoch_and_after_a_divergence_the_sentence_says_so():
    assert charts.forecast_text("y", SINE).endswith("over 100 test steps; no prediction yet.")
    assert charts.forecast_text("y", SINE, np.full(100, np.nan)).startswith(
        "y: diverged — no prediction; the target swings ±1.5")


def test_without_a_flatness_the_ranges_decide():
    assert "flat near 1" in charts.forecast_text("y", SINE, np.linspace(0.99, 1.01, 100))


def test_the_loss_sentence_gives_each_curve_from_first_to_last_epoch():
    assert charts.loss_text([0.52, 0.2, 0.03], [0.61, 0.1, 0.05], 20) == \
        "loss over 3 of 20 epochs: train 0.52 → 0.03; test 0.61 → 0.05."
    assert "train 0.5 → 0.4, NaN/inf from epoch 3" in charts.loss_text(
        [0.5, 0.4, np.nan], [0.5, 0.4, np.nan], 5)
    assert charts.loss_text([], [], 5) == "loss: the loss appears after the first epoch."


def test_the_range_test_sentence_names_the_lowest_loss_and_the_suggestion():
    lrs = np.logspace(-6, 1, 8)
    losses = np.array([1.0, 0.9, 0.5, 0.2, 0.1, 0.3, 5.0, np.inf])
    found = LRFindResult(None, lrs, losses, suggestion=1e-3, best_lr=1e-2, exploded=True)
    line = charts.lr_find_text(found)
    assert "lowest 0.1 at rate 0.01" in line and "suggested learning rate 0.001" in line
    assert "7 steps" in line
    spec = charts.lr_find_chart(found).to_dict()
    assert spec["description"] == line


def test_the_sweep_sentence_counts_verdicts_and_reads_every_cell():
    frame = pd.DataFrame({"learning_rate": ["1e-05", "0.001"], "batch_size": ["32", "32"],
                          "verdict": ["flat", "learning"], "R²": [0.01, 0.95],
                          "finding": ["lr_too_small", "healthy"]})
    line = charts.sweep_text(frame, "learning_rate", "batch_size", ["1e-05", "0.001"], ["32"])
    assert line.startswith("Sweep of learning_rate across (1e-05, 0.001) by batch_size down "
                           "(32): 2 of 2 cells done (1 learning, 1 flat). ")
    assert "learning_rate 1e-05, batch_size 32: flat, R² 0.010, lr_too_small" in line


def test_a_data_column_says_its_span_range_gaps_spikes_and_split():
    t = pd.date_range("2020-01-01", periods=10, freq="D").to_numpy()
    values = np.array([1.0, 2, np.nan, 4, 5, 6, 7, 8, 9, 10])
    spikes = np.zeros(10, bool)
    spikes[9] = True
    line = charts.column_text("co2", "target", t, values, spikes, 8)
    assert line == ("co2 (target), 10 rows from 2020-01-01 to 2020-01-10: values from 1 to "
                    "10, first 1, last 10; 1 gap, 1 spike; the test span starts at 2020-01-09.")
    spec = charts.column_chart("co2", "target", t, values, spikes, 8).to_dict()
    assert spec["description"] == line


def test_described_sets_the_top_level_description_without_touching_the_shared_spec():
    spec = {"mark": "line"}
    assert charts.described(spec, "words") == {"mark": "line", "description": "words"}
    assert spec == {"mark": "line"}


def test_while_a_run_trains_the_sentences_stay_the_same_epoch_after_epoch():
    """A new description is a new spec: the browser would embed the chart afresh."""
    early = charts.forecast_text("y", SINE, 0.1 * SINE, r2=0.1, flatness=0.1, training=True)
    late = charts.forecast_text("y", SINE, 0.9 * SINE, r2=0.9, flatness=0.9, training=True)
    assert early == late == ("y: the target swings ±1.5 around 0 over 100 test steps; "
                             "training: the numbers follow when the run ends.")
    assert charts.loss_text([0.5], [0.6], 20, training=True) == \
        charts.loss_text([0.5, 0.1], [0.6, 0.2], 20, training=True)


def test_a_sweep_cell_says_its_verdict_in_a_word_and_the_finding_under_it():
    from lstm_lab.views import cell_label

    assert cell_label("learning", "healthy") == "learning"
    assert cell_label("flat", "lr_too_small") == "flat\nlr_too_small"
    assert cell_label("diverged", None) == "diverged"
