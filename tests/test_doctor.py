"""The doctor names the right cause on setups it was not tuned on, and its fixes work.

Every case trains a real (small) model. The labelled suite uses other parameter values
than the presets (learning rates, ratios, windows, seeds); the confusion table is
printed (pytest -s, or -rA) and goes in the closing note.
"""

from collections import Counter

import pytest

from lstm_lab import ExperimentConfig, run_experiment
from lstm_lab.doctor import LAB_CODES, diagnose
from lstm_lab.lr_find import lr_range_test
from lstm_lab.presets import PRESETS

from conftest import cli_json, confusion_table

SUITE = [
    ("too_few_epochs", {"batch_size": 512, "epochs": 3}),
    ("too_few_epochs", {"batch_size": 256, "epochs": 1, "seed": 2}),
    ("too_few_epochs", {"batch_size": 256, "epochs": 2, "seed": 1}),
    ("lr_too_small", {"learning_rate": 3e-06, "seed": 1}),
    ("lr_too_small", {"learning_rate": 2e-05, "units": 16, "seed": 2}),
    ("lr_too_small", {"optimizer": "sgd", "learning_rate": 0.0001, "seed": 3}),
    ("lr_too_large", {"learning_rate": 5.0, "seed": 1}),
    ("lr_too_large", {"learning_rate": 2.0, "units": 16, "seed": 4}),
    ("lr_too_large", {"optimizer": "sgd", "learning_rate": 2.0, "seed": 2}),
    ("unscaled_inputs", {"dataset": "multiscale", "feature_scale_ratio": 1e3,
                         "scale_inputs": False, "seed": 1}),
    ("unscaled_inputs", {"dataset": "multiscale", "feature_scale_ratio": 3e4,
                         "scale_inputs": False, "seed": 2}),
    ("window_too_short", {"dataset": "seasonal", "period": 150, "noise": 1.2, "horizon": 40,
                          "n_steps": 1500, "seq_len": 8}),
    ("window_too_short", {"dataset": "seasonal", "period": 250, "noise": 1.5, "horizon": 60,
                          "n_steps": 2500, "seq_len": 15, "seed": 3}),
    ("missing_values", {"missing_share": 0.01, "seed": 1}),
    ("missing_values", {"dataset": "multiscale", "missing_share": 0.2, "seed": 2}),
    ("outliers", {"outlier_share": 0.02, "seed": 2}),
    ("outliers", {"dataset": "seasonal", "period": 60, "outlier_share": 0.02, "seed": 3}),
    ("spurious_feature", {"spurious_feature": True, "period": 60, "seed": 3}),
    ("spurious_feature", {"dataset": "seasonal", "period": 80, "spurious_feature": True,
                          "seed": 1}),
    ("shape_broadcast", {"shape_bug": True, "seq_len": 80, "period": 80, "seed": 2}),
    ("shape_broadcast", {"shape_bug": True, "seq_len": 150, "period": 50, "seed": 1}),
    ("unpredictable_target", {"noise": 8.0, "seed": 2}),
    ("unpredictable_target", {"noise": 4.0, "period": 30, "seed": 1}),
    ("healthy", {"seed": 5}),
    ("healthy", {"dataset": "multiscale", "feature_scale_ratio": 1e3, "seed": 2}),
    ("healthy", {"dataset": "seasonal", "period": 60, "seq_len": 60, "horizon": 5}),
    ("healthy", {"period": 40, "units": 16, "batch_size": 16}),
    ("healthy", {"optimizer": "sgd", "learning_rate": 0.05, "seed": 1}),
    ("healthy", {"dataset": "seasonal", "noise": 0.3, "seq_len": 20, "seed": 4}),
]


def test_suite_is_big_enough_and_not_the_presets():
    broken = [c for c, _ in SUITE if c != "healthy"]
    assert len(broken) >= 20 and len(SUITE) - len(broken) >= 5
    assert set(broken) | {"healthy"} == set(LAB_CODES)  # every code is exercised
    preset_configs = {p.config for p in PRESETS.values()}
    assert not {ExperimentConfig.from_dict(kw) for _, kw in SUITE} & preset_configs


def test_doctor_top_finding_accuracy_on_the_labelled_suite():
    confusion: Counter = Counter()
    wrong = []
    for expected, changes in SUITE:
        findings = diagnose(run_experiment(ExperimentConfig.from_dict(changes)))
        got = findings[0].code
        confusion[expected, got] += 1
        if expected == "healthy":  # nothing at all may be reported on a healthy run
            assert [f.code for f in findings] == ["healthy"], (changes, findings)
        if got != expected:
            wrong.append((expected, got, changes))
    print("\n" + confusion_table(confusion))
    accuracy = sum(n for (e, g), n in confusion.items() if e == g) / len(SUITE)
    print(f"top-1 accuracy {accuracy:.0%} on {len(SUITE)} runs; misses: {wrong}")
    assert accuracy >= 0.9, wrong


EXPECTED = {
    "lr_too_small": "lr_too_small", "unscaled_inputs": "unscaled_inputs", "window_too_short": "window_too_short",
    "lr_too_large": "lr_too_large", "lr_too_large_sgd": "lr_too_large", "missing_values": "missing_values",
    "outliers": "outliers", "spurious_feature": "spurious_feature",
    "shape_broadcast": "shape_broadcast", "too_few_epochs": "too_few_epochs",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_preset_is_diagnosed_and_the_patch_fixes_it(name, preset_runs):
    broken = preset_runs(name)
    top = broken["findings"][0]
    assert top["code"] == EXPECTED[name], broken["findings"]
    assert top["evidence"] and top["title"]
    flags = [a for k, v in top["fix"].items() for a in ("--" + k.replace("_", "-"), str(v))]
    fixed = cli_json("--preset", name, *flags)
    assert fixed["verdict"] == "learning", (top, fixed["targets"])
    assert fixed["findings"][0]["code"] == "healthy"


@pytest.mark.parametrize("name", [p.pair for p in PRESETS.values()
                                  if p.pair and p.name in EXPECTED] + ["default"])
def test_fixed_presets_are_healthy(name, preset_runs):
    assert [f["code"] for f in preset_runs(name)["findings"]] == ["healthy"]


def test_noise_gets_no_fix():
    findings = diagnose(run_experiment(ExperimentConfig(noise=6.0, epochs=5)))
    assert findings[0].code == "unpredictable_target" and findings[0].fix is None


def test_spurious_evidence_names_correlations_and_gradient_share(preset_runs):
    top = preset_runs("spurious_feature")["findings"][0]
    text = " ".join(top["evidence"])
    assert "`spurious` correlates 1.00" in text and "of the input gradient" in text


def test_lr_range_test_suggests_a_rate_that_learns():
    broken = PRESETS["lr_too_small"].config
    found = lr_range_test(broken)
    assert found.exploded and found.suggestion is not None
    assert 1e-4 <= found.suggestion <= 0.1
    # the loss falls, then explodes: the best rate is inside the range, not at an end
    assert found.lrs[0] < found.best_lr < found.lrs[-1]
    result = run_experiment(broken.replace(learning_rate=found.suggestion))
    assert result.verdict == "learning"
    assert lr_range_test(broken).to_dict() == found.to_dict()  # reproducible


def test_shape_mismatch_is_a_clear_error_in_normal_use():
    import numpy as np

    from lstm_lab.model import Shape, ShapeMismatchError, engine_for

    shape = Shape(seq_len=10, n_features=1, n_targets=1, units=4, batch_size=8)
    x = np.zeros((16, 10, 1), np.float32)
    y = np.zeros((16, 10, 1), np.float32)  # a whole window per sample: the article's bug
    with pytest.raises(ShapeMismatchError, match="broadcast them silently"):
        engine_for(shape).run_epoch(x, y, np.arange(16), x, y)
