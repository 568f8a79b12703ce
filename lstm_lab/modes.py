"""The failure modes: one registry entry, one slug, each.

A mode's slug is its name everywhere: the page's URL path (``/lr_too_small``), the
lesson-link page, the walkthrough, the doctor's finding code and its presets
(``lr_too_small`` and ``lr_too_small_fixed``; a second pair adds a suffix, e.g.
``lr_too_large_sgd``). Navigation, lesson links, walkthroughs, presets and the tests' page
lists are all built from :data:`MODES`.

Stories speak of "the broken run" and "the fixed run", never of left and right: on a phone
the two stack.

One set of numbers: a story, its question and answer, a pair's labels and summaries are
templates filled from the pair's configs (``{broken.learning_rate:lr}``) or computed from
them (:class:`Numbers`: ratios, weight updates, the generator's season), so the text
cannot drift from the runs the page shows. Prose numbers that are not a knob's value (a
measured R², "within two epochs") are listed and checked in ``tests/test_numbers.py``.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

# The guided walkthrough's four steps, the same on every page.
STEPS = ("Run the broken setup", "Predict what the fix does", "Run the fix beside it",
         "Take away")

LR_OPTIONS = tuple(m * 10.0**e for e in range(-6, 0) for m in (1, 2, 5)) + (1.0,)
RATIO_OPTIONS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 3e3, 1e4, 3e4, 1e5)

_SEASONAL = dict(dataset="seasonal", period=200, noise=1.5, horizon=50, n_steps=2000)
# the article's seasonal demo, one step ahead (preset ``article_window``): the stories cite it
STANDALONE = {"article_window": {**_SEASONAL, "noise": 0.1, "horizon": 1, "n_steps": 1000,
                                 "seq_len": 5}}
_MULTI = dict(dataset="multiscale", feature_scale_ratio=1e4)


# --- filling the templates ------------------------------------------------------------------
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
          8: "eight", 9: "nine", 10: "ten"}


def _lr(x: float) -> str:
    """A learning rate as the stories write it: 1e-5, 1e-3, 0.1, 3."""
    if x >= 0.01:
        return f"{x:g}"
    mantissa, exp = f"{x:.6e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exp)}"


def _count(x: float) -> str:
    """10 000, 3 000 (a space between thousands, as the prose writes them)."""
    return f"{x:,.0f}".replace(",", " ")


def _words(x: float) -> str:
    """ten, not 10, for small whole numbers in a sentence; 3 000 beyond."""
    return _WORDS.get(round(x), _count(x)) if abs(x - round(x)) < 1e-9 else f"{x:g}"


_STYLES = {"lr": _lr, "pct": lambda x: f"{100 * x:g} %", "count": _count, "words": _words,
           "Words": lambda x: _words(x).capitalize()}


class _Formatter(string.Formatter):
    """``str.format`` plus the styles above: ``{fixed.learning_rate:lr}``,
    ``{broken.missing_share:pct}``, ``{n.lr_ratio:words}``."""

    def format_field(self, value, format_spec):
        style = _STYLES.get(format_spec)
        return style(value) if style else super().format_field(value, format_spec)


_FORMAT = _Formatter()


class Numbers:
    """What a story may say about one pair, read off its two configs (and the series they
    generate): the stories state these, never a copy of them."""

    def __init__(self, broken: dict, fixed: dict):
        from .config import ExperimentConfig

        self.broken = ExperimentConfig.from_dict(broken)
        self.fixed = ExperimentConfig.from_dict(fixed)

    @property
    def lr_ratio(self) -> float:
        """How many times smaller (or larger) the fixed run's rate is."""
        return self.broken.learning_rate / self.fixed.learning_rate

    @property
    def steps_per_epoch(self) -> int:
        return weight_updates(self.broken) // self.broken.epochs

    @property
    def updates(self) -> int:
        return weight_updates(self.broken)

    @property
    def fixed_updates(self) -> int:
        return weight_updates(self.fixed)

    @cached_property
    def _series(self):
        from .data import generate

        return generate(self.broken)

    @property
    def season(self) -> int | None:
        """The target's main cycle as the generator made it (the one a window must cover)."""
        s = self._series
        return s.season(s.targets[0])

    @property
    def repeat(self) -> int | None:
        """After how many steps the whole pattern repeats (a seasonal series: two seasons)."""
        s = self._series
        return s.periods[s.targets[0]]

    @property
    def ceiling(self) -> float:
        """The best R² any forecaster can reach: the noise-free signal's share of the
        variance (the noise is unpredictable at any horizon)."""
        from .data import generate

        clean = generate(self.broken.replace(noise=0.0)).values[:, 0].var()
        return float(clean / (clean + self.broken.noise ** 2))

    @cached_property
    def _spread(self) -> tuple[float, float]:
        """The first column's training-span std without and with the glitches."""
        from .data import _corrupt

        c, raw = self.broken, self._series.values.astype(float)
        split = c.n_train_steps
        hit = _corrupt(c, raw, split)[:split, 0]
        return float(raw[:split, 0].std()), float(hit[np.isfinite(hit)].std())

    @property
    def inflation(self) -> float:
        """How many times the glitches inflate the scaler's σ."""
        clean, hit = self._spread
        return hit / clean

    @property
    def spike_units(self) -> float:
        """Where a glitch sits in model units (after the inflated scaling)."""
        from .data import SPIKE_SIGMAS

        return SPIKE_SIGMAS / self.inflation

    @property
    def ripple(self) -> float:
        """The unit sine's amplitude in model units (after the inflated scaling)."""
        return 1.0 / self._spread[1]


def weight_updates(c) -> int:
    """Weight updates of a whole run: epochs × batches per epoch (the last one partial)."""
    return c.epochs * math.ceil(c.n_train_windows / c.batch_size)


class _Lookup:
    """``{page[lr_too_large].broken.learning_rate}``, ``{preset[article_window].seq_len}``:
    another mode's first pair, or a preset's config, looked up when a story is filled."""

    def __init__(self, get):
        self.get = get

    def __getitem__(self, key):
        return self.get(key)


def _page(slug: str) -> Numbers:
    return get_mode(slug).pairs[0].numbers


def _preset(name: str):
    """A preset that stands alone (no mode), by name: defined here, so that the modes never
    import the presets, which are built from them."""
    from .config import ExperimentConfig

    return ExperimentConfig.from_dict(STANDALONE[name])


def _context(n: Numbers, **extra) -> dict:
    from .data import SPIKE_SIGMAS
    from .metrics import ARTICLE_RTOL
    from .signals import ROBUST_Z

    return {"broken": n.broken, "fixed": n.fixed, "n": n, "page": _Lookup(_page),
            "preset": _Lookup(_preset), "spike": SPIKE_SIGMAS, "robust_z": ROBUST_Z,
            "article_rtol": ARTICLE_RTOL, **extra}


def fill(template: str, n: Numbers, **extra) -> str:
    """A template filled from a pair's numbers (and ``extra`` names)."""
    return _FORMAT.format(template, **_context(n, **extra))


@dataclass(frozen=True)
class Pair:
    """A broken config and its fix (config changes from the defaults), differing only in
    the knob that matters. ``suffix`` names a second pair of a mode (``_sgd``).

    The texts are templates filled from the two configs (see :func:`fill`); read them
    filled as ``label``, ``fixed_label``, ``broken_summary``, ``fixed_summary``.
    """

    label_template: str  # what the broken run is, in a few words ("learning rate 1e-5")
    broken: dict
    fixed: dict
    fixed_label_template: str
    suffix: str = ""
    broken_summary_template: str = ""  # one line for `python -m lstm_lab presets`
    fixed_summary_template: str = ""
    # why the Doctor's fix for the broken run differs from the fixed run's change, where
    # it does (shown under the Doctor on the page; ``patch``/``patched`` name the Doctor's)
    doctor_note: str = ""

    @cached_property
    def numbers(self) -> Numbers:
        return Numbers(self.broken, self.fixed)

    def say(self, template: str, **extra) -> str:
        return fill(template, self.numbers, **extra)

    @property
    def label(self) -> str:
        return self.say(self.label_template)

    @property
    def fixed_label(self) -> str:
        return self.say(self.fixed_label_template)

    @property
    def broken_summary(self) -> str:
        return self.say(self.broken_summary_template)

    @property
    def fixed_summary(self) -> str:
        return self.say(self.fixed_summary_template)


@dataclass(frozen=True)
class Knob:
    """A control on the mode's page: ``field`` of the fixed run only, or of both runs."""

    field: str
    label: str
    options: tuple
    value: Any
    both: bool = False
    percent: bool = False  # show 0.05 as "5 %"

    def text(self, v) -> str:
        return f"{100 * v:g} %" if self.percent else f"{v:g}"


@dataclass(frozen=True)
class FailureMode:
    """A failure mode's page. The texts are templates (see :func:`fill`): ``broken``,
    ``fixed`` and ``n`` are the first pair's (or the walkthrough's pair's), ``pairs[i]``
    every pair's numbers; read them filled as ``story``, ``question``, ``answer``,
    ``takeaway`` (or :meth:`say` for another pair)."""

    slug: str  # = the doctor's finding code
    title: str
    icon: str  # a Material icon name, as Streamlit writes it
    pairs: tuple[Pair, ...]
    story_template: str  # Markdown: what you see, why, the fix
    question_template: str  # the walkthrough's question for the class ...
    answer_template: str  # ... its answer, hidden until revealed ...
    takeaway_template: str  # ... and the one line to take away
    knob: Knob | None = None

    def preset_names(self, pair: Pair) -> tuple[str, str]:
        name = self.slug + pair.suffix
        return name, name + "_fixed"

    def say(self, template: str, pair: Pair | None = None) -> str:
        """``template`` filled from ``pair`` (default: the first) and all pairs."""
        pair = pair or self.pairs[0]
        return pair.say(template, pairs=[p.numbers for p in self.pairs], knob=self.knob)

    @property
    def story(self) -> str:
        return self.say(self.story_template)

    @property
    def question(self) -> str:
        return self.say(self.question_template)

    @property
    def answer(self) -> str:
        return self.say(self.answer_template)

    @property
    def takeaway(self) -> str:
        return self.say(self.takeaway_template)


MODES: tuple[FailureMode, ...] = (
    FailureMode(
        "lr_too_small", "Learning rate too small", ":material/speed:",
        (Pair("learning rate {broken.learning_rate:lr}", {"learning_rate": 1e-5},
              {"learning_rate": 1e-3}, "learning rate {fixed.learning_rate:lr}",
              broken_summary_template="learning rate {broken.learning_rate:lr}: weights "
              "barely move, the output stays near flat",
              fixed_summary_template="same run at learning rate {fixed.learning_rate:lr}"),),
        """
**What you see:** at learning rate {broken.learning_rate:lr} the broken run's prediction stays
a squashed, nearly flat copy of the sine, while at {fixed.learning_rate:lr} the fixed run
follows it within a few epochs.

**Why:** Adam moves each weight by about one learning rate per step, so after
{broken.epochs} epochs the network has barely left its random start (weights changed by
about 3 %).

**Fix:** raise the rate with the knob — but not too far: at learning rate
{page[lr_too_large].broken.learning_rate:lr} (page *Learning rate too large*) the gates
saturate and the line sticks to one wrong value.

**The article's own test** for "constant" (every prediction within {article_rtol:lr} of the
first) calls the broken run *not* constant; the flatness score — spread of prediction over
spread of target — shows what your eyes see.
""",
        "The broken run trained at learning rate {broken.learning_rate:lr}. If only the "
        "learning rate goes up to {fixed.learning_rate:lr}, what will the red line do?",
        "It follows the sine within a few epochs. Adam moves each weight by roughly one "
        "learning rate per step, so at {broken.learning_rate:lr} the network is still near "
        "its random start after {broken.epochs} epochs: a squashed, nearly flat copy of the "
        "signal.",
        "Flat, with a loss that is still creeping down: the steps are too small. Raise the "
        "learning rate — the range test suggests one.",
        knob=Knob("learning_rate", "Learning rate of the fixed run",
                  LR_OPTIONS[: LR_OPTIONS.index(1e-2) + 1], 1e-3),
    ),
    FailureMode(
        "lr_too_large", "Learning rate too large", ":material/local_fire_department:",
        (Pair("Adam at learning rate {broken.learning_rate:lr}", {"learning_rate": 3.0},
              {"learning_rate": 1e-3}, "learning rate {fixed.learning_rate:lr}",
              broken_summary_template="Adam at learning rate {broken.learning_rate:lr}: "
              "gates saturate and the output goes flat",
              fixed_summary_template="same run at learning rate {fixed.learning_rate:lr}",
              doctor_note="the Doctor takes one cautious step, "
              "{doctor_ratio:words} times smaller, whatever the rate; the fixed run goes "
              "straight to Adam's usual {fixed.learning_rate:g}, {n.lr_ratio:count} times "
              "smaller. Both learn here."),
         Pair("plain SGD at learning rate {broken.learning_rate:lr}",
              {"optimizer": "sgd", "learning_rate": 1.0},
              {"optimizer": "sgd", "learning_rate": 0.1},
              "plain SGD at {fixed.learning_rate:lr}", suffix="_sgd",
              broken_summary_template="plain SGD at learning rate "
              "{broken.learning_rate:lr}: the loss blows up to NaN",
              fixed_summary_template="plain SGD at learning rate {fixed.learning_rate:lr}")),
        """
**What you see:** with Adam at learning rate {pairs[0].broken.learning_rate:lr} the weights are
thrown far from where they started and the prediction sticks to one wrong value; with plain
SGD at rate {pairs[1].broken.learning_rate:lr} the loss overflows to NaN within two epochs —
the lab shows that as a *diverged* result, not a crash.

**Why:** each step overshoots the minimum it aims at. Adam's steps are about one learning
rate per weight, so the gates' inputs grow until every sigmoid and tanh is pinned at 0 or ±1:
the cell no longer responds to its input, and one constant comes out. SGD's steps grow with
the gradient, which grows with the overshoot: a feedback loop to infinity.

**Fix:** a smaller learning rate (the fixed run): {pairs[0].lr_ratio:count} times smaller
with Adam ({pairs[0].broken.learning_rate:lr} → {pairs[0].fixed.learning_rate:lr}),
{pairs[1].lr_ratio:words} times smaller with plain SGD ({pairs[1].broken.learning_rate:lr} →
{pairs[1].fixed.learning_rate:lr}). The *Find a learning rate* test on the Playground finds
a safe one in a second.
""",
        "The broken run's learning rate, {broken.learning_rate:lr}, is far too large. What "
        "happens {n.lr_ratio:words} times smaller, at {fixed.learning_rate:lr}?",
        "It learns. With Adam at {pairs[0].broken.learning_rate:lr} the inputs of the gates "
        "grow until every sigmoid and tanh is pinned at its limit, and a saturated cell "
        "answers every window the same way; with SGD the steps grow with the gradient until "
        "the loss runs away to infinity.",
        "Flat and wrong after huge weight changes, or a NaN loss: the learning rate is too "
        "large. A NaN loss is a result to read, not a crash.",
    ),
    FailureMode(
        "unscaled_inputs", "Unscaled inputs", ":material/balance:",
        (Pair("raw columns", {**_MULTI, "scale_inputs": False},
              {**_MULTI, "scale_inputs": True}, "standardised columns",
              broken_summary_template="features {broken.feature_scale_ratio:count}× apart, "
              "not standardised: every target goes flat",
              fixed_summary_template="same data, standardised on the training span"),),
        """
**What you see:** three columns predicted together — a large sine, a small sine and pure
noise; in the broken run (raw columns) every chart goes flat, in the fixed run
(standardised) both sines are learned.

**Why:** the loss is dominated by the largest column, so the small one's errors hardly count;
and, further than the article says, the large one goes flat too, because Adam (about one
learning rate per step) cannot grow the output layer to values in the thousands.

**Fix:** standardise every column with statistics from the training span only.
The noise column stays flat in both runs, correctly: there is nothing in it to predict.
""",
        "The columns differ in size by a factor of {broken.feature_scale_ratio:count} and "
        "every chart went flat. What will standardising each column do?",
        "Both sines are learned; the noise column stays flat, which is the right answer for "
        "noise. Unscaled, the big column dominates the loss and Adam cannot grow the output "
        "to values in the thousands in time — so even the big column goes flat.",
        "Standardise every column, with statistics from the training span only.",
        knob=Knob("feature_scale_ratio", "Feature scale ratio (largest / smallest column), "
                  "both runs", RATIO_OPTIONS, 1e4, both=True),
    ),
    FailureMode(
        "window_too_short", "Window too short", ":material/straighten:",
        (Pair("{broken.seq_len}-step window", {**_SEASONAL, "seq_len": 10},
              {**_SEASONAL, "seq_len": 200}, "{fixed.seq_len}-step window",
              broken_summary_template="{broken.seq_len}-step window, {broken.horizon} steps "
              "ahead, noisy {n.season}-step season: flat",
              fixed_summary_template="same task with a {fixed.seq_len}-step window"),),
        """
**What you see:** a noisy seasonal series (a {n.season}-step season, noise σ {broken.noise:g};
a slower, weaker wave on top makes the whole pattern repeat every {n.repeat} steps) predicted
{broken.horizon} steps ahead — flat with a {broken.seq_len}-step window (the broken run),
following the season with {fixed.seq_len} steps (the fixed run).

**Why:** {broken.seq_len:words} noisy points cannot tell where in the season you are, so the
best guess is the average; a long window averages the noise away and locates the phase.

**Fix:** a window that covers the season — {fixed.seq_len} steps, the window the Doctor's fix
names; with this much noise no model can beat R² ≈ {n.ceiling:.2f}, and {fixed.seq_len} steps
get most of it.

**Where the article is off:** its example predicts *one* step ahead with little noise, where
even a {preset[article_window].seq_len}-step window reaches R² ≈ 0.99 (preset
`article_window`): the window only matters when the answer lies further away than what the
window shows.
""",
        "A {broken.seq_len}-step window must predict {broken.horizon} steps ahead on a noisy "
        "series whose season is {n.season} steps. What will a {fixed.seq_len}-step window do?",
        "It learns the pattern. {broken.seq_len:Words} noisy steps do not tell where in the "
        "cycle the series is, so the best a short window can do is predict the average: a "
        "flat line.",
        "The window must cover enough of the pattern to place the present in its cycle.",
        knob=Knob("seq_len", "Window of the fixed run",
                  (5, 10, 20, 50, 100, 150, 200, 250, 300), 200),
    ),
    FailureMode(
        "too_few_epochs", "Too few epochs", ":material/timer:",
        (Pair("{broken.epochs} epochs", {"batch_size": 256, "epochs": 2},
              {"batch_size": 256, "epochs": 100}, "{fixed.epochs} epochs",
              broken_summary_template="batch {broken.batch_size} for {broken.epochs} epochs: "
              "{n.updates} weight updates, stopped while the loss still falls",
              fixed_summary_template="same run for {fixed.epochs} epochs",
              doctor_note="the Doctor asks for at least {enough} weight updates "
              "({patched.epochs} epochs of {n.steps_per_epoch}), a margin that suits most "
              "runs; {fixed.epochs} epochs ({n.fixed_updates} updates) already learn this "
              "sine."),),
        """
**What you see:** batches of {broken.batch_size} windows for {broken.epochs} epochs (the broken
run) are only {n.updates} weight updates: the prediction is a faint, flat copy of the sine and
the loss curve is still heading down when it ends. {fixed.epochs} epochs of the same run (the
fixed run) learn it.

**Why:** nothing is wrong with the learning rate — each update moves the weights a healthy
amount — there were just too few of them. Large batches make this easy to miss: an epoch
looks like a lot of data but is only a handful of steps.

**Fix:** train longer (or use smaller batches, which means more steps per epoch). The Doctor
tells this apart from a too-small learning rate by the size of each update.
""",
        "Batch size {broken.batch_size} for {broken.epochs} epochs made only {n.updates} "
        "weight updates. What will {fixed.epochs} epochs do?",
        "It learns. Nothing was wrong with the model or the data: training had barely "
        "started, and the loss was still falling steeply when it stopped.",
        "Count weight updates, not epochs: large batches times few epochs is too few steps.",
    ),
    FailureMode(
        "missing_values", "Missing values", ":material/grid_off:",
        (Pair("gaps left in", {"missing_share": 0.05}, {"missing_share": 0.05, "impute": True},
              "gaps filled",
              broken_summary_template="{broken.missing_share:pct} of the inputs are gaps "
              "(NaN): the loss is NaN from epoch 1",
              fixed_summary_template="same gaps, filled with the last value seen"),),
        """
**What you see:** with gaps (NaN) in the inputs (the broken run) training stops at the first
epoch: the loss is NaN and there is no prediction to draw. With the gaps filled (the fixed
run) the model learns as if nothing had happened.

**Why:** a NaN in any window makes that batch's loss NaN, its gradient NaN, and one update
with a NaN gradient turns every weight NaN. Even {knob.options[0]:pct} of gaps is enough,
because with a {broken.seq_len}-step window most batches contain one.

**Fix:** fill each gap with the last value seen (forward fill). It uses only the past, so
it never lets the future leak into the inputs; the targets the model is scored on are left
as recorded.
""",
        "{broken.missing_share:pct} of the inputs are gaps (NaN) and the loss is NaN from the "
        "first epoch. What will filling each gap with the last value seen do?",
        "Training runs normally and learns. One NaN in a batch makes that batch's loss NaN, "
        "and the update then turns every weight into NaN.",
        "Look for gaps before training; fill them causally (with past values only).",
        knob=Knob("missing_share", "Share of input values missing, both runs",
                  (0.001, 0.01, 0.02, 0.05, 0.1, 0.2), 0.05, both=True, percent=True),
    ),
    FailureMode(
        "outliers", "Outliers", ":material/bolt:",
        (Pair("glitches left in", {"outlier_share": 0.01},
              {"outlier_share": 0.01, "remove_outliers": True}, "glitches removed",
              broken_summary_template="{broken.outlier_share:pct} of the inputs are "
              "±{spike:g}σ glitches: the signal drowns, output wrong",
              fixed_summary_template="same glitches, removed (robust z-score on the training "
              "span)"),),
        """
**What you see:** a sensor that now and then writes a value a thousand times too large
(the broken run): the prediction is a poor, damped guess, worse than repeating the last
value. With the glitches removed (the fixed run) the sine is learned.

**Why:** the standard scaler's σ is computed from all values, so a few huge spikes inflate
it ~{n.inflation:.0f}×; the real signal becomes a ripple of ±{n.ripple:.2f} in model units
while the spikes sit at ±{n.spike_units:.0f}. Every window that contains a spike pulls the
weights towards fitting it.

**Fix:** on the training span, mark values beyond median ± {robust_z:g} robust σ (from the
median absolute deviation, which the spikes barely move) and replace them by the last good
value.
""",
        "{broken.outlier_share:pct} of the inputs are glitch spikes a thousand standard "
        "deviations tall. What will replacing values beyond {robust_z:g} robust σ do?",
        "It learns. The spikes set the scaling and dominate the gradients, so the real "
        "signal is left as a rounding error next to them.",
        "Find glitches with robust statistics (median and MAD) — a few values must not set "
        "the scale.",
        knob=Knob("outlier_share", "Share of input values hit by a ±1000σ glitch, both runs",
                  (0.002, 0.005, 0.01, 0.02, 0.05), 0.01, both=True, percent=True),
    ),
    FailureMode(
        "spurious_feature", "Spurious feature", ":material/psychology_alt:",
        (Pair("with the spurious input", {"spurious_feature": True},
              {"spurious_feature": False}, "without it",
              broken_summary_template="an extra input copies the target in training only: "
              "the model leans on it and fails on the test span",
              fixed_summary_template="same series without that input"),),
        """
**What you see:** an extra input column that, in the training span, equals the value the
model must predict (the broken run). Training loss drops to almost nothing — and on the test
span the prediction is noise. Without that column (the fixed run) the model learns the sine.

**Why:** the easiest way to lower the training loss is to copy the column that already holds
the answer. In the test span the column is unrelated noise (the pattern — "sales always rose
on Mondays" — stopped holding), and the model has nothing else to go on. The Doctor shows
the evidence: the column's correlation with the target in training vs test, and the share
of the input gradient it takes.

**Fix:** drop the column. In real data: check every input's relation to the target on a
held-out span before trusting it.
""",
        "An extra input copies the target, but only in the training span. Its training "
        "loss looks excellent. What happens on the test span once it is dropped?",
        "The model without it learns the real pattern and scores well on the test span; "
        "with it, the model leaned on a shortcut that is gone in the test span.",
        "A training loss that is too good next to a poor test score means a leak: compare "
        "each input's link to the target in training and in testing.",
    ),
    FailureMode(
        "shape_broadcast", "Shape broadcast", ":material/data_array:",
        (Pair("one output vs a whole window", {"shape_bug": True, "seq_len": 100},
              {"shape_bug": False, "seq_len": 100}, "one target per window",
              broken_summary_template="the article's example 1: one output trained against a "
              "whole window of targets (silently broadcast) learns the window mean: flat",
              fixed_summary_template="same model, one target per window"),),
        """
**What you see:** the model outputs one value per window, but is trained against a *whole
window* of {broken.seq_len} targets (the broken run): the prediction is a flat line. With one
target per window (the fixed run) the same model follows the sine.

**Why:** Keras' losses broadcast a `(batch, 1)` prediction against a
`(batch, {broken.seq_len}, 1)` target without a word. The loss then averages over the
{broken.seq_len} steps, and the best single number for {broken.seq_len} different values is
their mean — here one full period of the sine, so about zero. This is what the article's first code example does: it runs, and it
trains a flat line — and its own fix, a learning rate of {broken.learning_rate:lr}, does not
heal it.

**In the lab:** the engine refuses targets whose shape does not match the model's output
with a plain error; this page opts in (*Shape bug*) only to show the mistake.
""",
        "The model's (batch, 1) output was trained against (batch, {broken.seq_len}, 1) "
        "targets, and Keras broadcast one against the other without a word. What will "
        "aligned shapes do?",
        "It learns. Broadcast, the loss is lowest when the output equals the mean of the "
        "whole target window, so the model learns to predict a flat average.",
        "Check that prediction and target shapes match before training; the lab refuses "
        "mismatched shapes instead of broadcasting them.",
    ),
)
BY_SLUG: dict[str, FailureMode] = {m.slug: m for m in MODES}


def get_mode(slug: str) -> FailureMode:
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise KeyError(f"unknown failure mode {slug!r}; modes: {', '.join(BY_SLUG)}") from None
