"""Named configs: each failure next to its fix, differing only in the knob that matters.

Every pair was calibrated on this engine (numbers in the README and in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import ConfigError, ExperimentConfig

# The short-window pair: a season of 2 × 200 steps, noise that hides it inside a short
# window, and a 50-step horizon. One step ahead, any window works (see article-window).
_SEASONAL = dict(dataset="seasonal", period=200, noise=1.5, horizon=50, n_steps=2000)
_MULTI = dict(dataset="multiscale", feature_scale_ratio=1e4)
# Weekly CO₂: gaps filled, changes modelled (the trend leaves the training range), half a
# year ahead -- where a window shorter than the 52-week season misses the pattern.
_CO2 = dict(dataset="csv", csv_source="co2", time_column="date", impute=True,
            difference=True, horizon=26, epochs=30)


@dataclass(frozen=True)
class Preset:
    name: str
    summary: str
    changes: dict
    pair: str | None = None  # the broken preset's fix, or the fix's broken preset

    @property
    def config(self) -> ExperimentConfig:
        from .tabular import fit_config  # a csv preset takes n_steps from its file

        return fit_config(ExperimentConfig.from_dict(self.changes))


_ALL = [
    Preset("default", "healthy noisy sine: the baseline everything is compared to", {}),
    Preset("tiny-lr", "learning rate 1e-5: weights barely move, the output stays near flat",
           {"learning_rate": 1e-5}, "tiny-lr-fixed"),
    Preset("tiny-lr-fixed", "same run at learning rate 1e-3", {"learning_rate": 1e-3}, "tiny-lr"),
    Preset("unscaled", "features 10 000× apart, not standardised: every target goes flat",
           {**_MULTI, "scale_inputs": False}, "unscaled-fixed"),
    Preset("unscaled-fixed", "same data, standardised on the training span",
           {**_MULTI, "scale_inputs": True}, "unscaled"),
    Preset("short-window", "10-step window, 50 steps ahead, noisy 400-step pattern: flat",
           {**_SEASONAL, "seq_len": 10}, "short-window-fixed"),
    Preset("short-window-fixed", "same task with a 200-step window",
           {**_SEASONAL, "seq_len": 200}, "short-window"),
    Preset("huge-lr", "Adam at learning rate 3: gates saturate and the output goes flat",
           {"learning_rate": 3.0}, "huge-lr-fixed"),
    Preset("huge-lr-fixed", "same run at learning rate 1e-3", {"learning_rate": 1e-3}, "huge-lr"),
    Preset("diverging", "plain SGD at learning rate 1: the loss blows up to NaN",
           {"optimizer": "sgd", "learning_rate": 1.0}, "diverging-fixed"),
    Preset("diverging-fixed", "plain SGD at learning rate 0.1",
           {"optimizer": "sgd", "learning_rate": 0.1}, "diverging"),
    Preset("missing-values", "5 % of the inputs are gaps (NaN): the loss is NaN from epoch 1",
           {"missing_share": 0.05}, "missing-values-fixed"),
    Preset("missing-values-fixed", "same gaps, filled with the last value seen",
           {"missing_share": 0.05, "impute": True}, "missing-values"),
    Preset("outliers", "1 % of the inputs are ±1000σ glitches: the signal drowns, output wrong",
           {"outlier_share": 0.01}, "outliers-fixed"),
    Preset("outliers-fixed", "same glitches, removed (robust z-score on the training span)",
           {"outlier_share": 0.01, "remove_outliers": True}, "outliers"),
    Preset("spurious-feature", "an extra input copies the target in training only: the model "
           "leans on it and fails on the test span", {"spurious_feature": True},
           "spurious-feature-fixed"),
    Preset("spurious-feature-fixed", "same series without that input",
           {"spurious_feature": False}, "spurious-feature"),
    Preset("shape-bug", "the article's example 1: one output trained against a whole window "
           "of targets (silently broadcast) learns the window mean: flat",
           {"shape_bug": True, "seq_len": 100}, "shape-bug-fixed"),
    Preset("shape-bug-fixed", "same model, one target per window",
           {"shape_bug": False, "seq_len": 100}, "shape-bug"),
    Preset("too-few-epochs", "batch 256 for 2 epochs: 6 weight updates, stopped while the "
           "loss still falls", {"batch_size": 256, "epochs": 2}, "too-few-epochs-fixed"),
    Preset("too-few-epochs-fixed", "same run for 100 epochs",
           {"batch_size": 256, "epochs": 100}, "too-few-epochs"),
    Preset("co2-short-window", "real data: weekly CO₂ 26 weeks ahead from an 8-week window",
           {**_CO2, "seq_len": 8}, "co2"),
    Preset("co2", "weekly CO₂ 26 weeks ahead from a one-year (52-week) window",
           {**_CO2, "seq_len": 52}, "co2-short-window"),
    Preset("article-window", "the article's seasonal demo, one step ahead: a 5-step window "
           "is not flat at all", {**_SEASONAL, "noise": 0.1, "horizon": 1, "n_steps": 1000,
                                  "seq_len": 5}),
]
PRESETS: dict[str, Preset] = {p.name: p for p in _ALL}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(
            f"unknown preset {name!r}. Known presets: {', '.join(PRESETS)}.", "preset", name
        ) from None
