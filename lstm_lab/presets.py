"""Named configs: each failure next to its fix, differing only in the knob that matters.

The failure modes' presets come from their registry entries (:mod:`lstm_lab.modes`), named
by the mode's slug: ``lr_too_small`` and ``lr_too_small_fixed``. A few more stand alone:
the defaults, the CO₂ record, and the article's one-step-ahead seasonal demo. Every pair
was calibrated on this engine (numbers in the README and in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import ConfigError, ExperimentConfig
from .modes import MODES, STANDALONE

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
    mode: str | None = None  # the failure mode it belongs to (its slug)

    @property
    def config(self) -> ExperimentConfig:
        from .tabular import fit_config  # a csv preset takes n_steps from its file

        return fit_config(ExperimentConfig.from_dict(self.changes))


def _from_modes() -> list[Preset]:
    out = []
    for mode in MODES:
        for pair in mode.pairs:
            broken, fixed = mode.preset_names(pair)
            out += [Preset(broken, pair.broken_summary, pair.broken, fixed, mode.slug),
                    Preset(fixed, pair.fixed_summary, pair.fixed, broken, mode.slug)]
    return out


_ALL = [
    Preset("default", "healthy noisy sine: the baseline everything is compared to", {}),
    *_from_modes(),
    Preset("co2_short_window", "real data: weekly CO₂ 26 weeks ahead from an 8-week window",
           {**_CO2, "seq_len": 8}, "co2"),
    Preset("co2", "weekly CO₂ 26 weeks ahead from a one-year (52-week) window",
           {**_CO2, "seq_len": 52}, "co2_short_window"),
    Preset("article_window", "the article's seasonal demo, one step ahead: a 5-step window "
           "is not flat at all", STANDALONE["article_window"]),
]
PRESETS: dict[str, Preset] = {p.name: p for p in _ALL}
# Names presets had before the failure-mode registry named them by slug: a lesson link an
# instructor saved then still opens its preset.
_OLD_NAMES = {"tiny-lr": "lr_too_small", "huge-lr": "lr_too_large", "diverging": "lr_too_large_sgd",
              "unscaled": "unscaled_inputs", "short-window": "window_too_short",
              "too-few-epochs": "too_few_epochs", "missing-values": "missing_values",
              "outliers": "outliers", "spurious-feature": "spurious_feature",
              "shape-bug": "shape_broadcast", "co2-short-window": "co2_short_window",
              "article-window": "article_window"}
ALIASES: dict[str, str] = {**_OLD_NAMES, **{f"{old}-fixed": f"{new}_fixed"
                                           for old, new in _OLD_NAMES.items()
                                           if f"{new}_fixed" in PRESETS}}


def preset_name(name: str) -> str:
    """A preset's current name, from its current or its old name (unknown: unchanged)."""
    return ALIASES.get(name, name)


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[preset_name(name)]
    except KeyError:
        raise ConfigError(
            f"unknown preset {name!r}. Known presets: {', '.join(PRESETS)}.", "preset", name
        ) from None


def failure_page_configs() -> list[ExperimentConfig]:
    """Every failure page's runs (each preset with a mode), menu order, no repeats.

    What the app's workers compile in their idle time after the server starts, so that
    a first *Run both* does not wait for XLA (one epoch each: the graphs, not the run).
    """
    out: list[ExperimentConfig] = []
    for p in _ALL:
        if p.mode is not None and p.config.replace(epochs=1) not in out:
            out.append(p.config.replace(epochs=1))
    return out
