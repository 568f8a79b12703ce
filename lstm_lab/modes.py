"""The failure modes: one registry entry, one slug, each.

A mode's slug is its name everywhere: the page's URL path (``/lr_too_small``), the
lesson-link page, the walkthrough, the doctor's finding code and its presets
(``lr_too_small`` and ``lr_too_small_fixed``; a second pair adds a suffix, e.g.
``lr_too_large_sgd``). Navigation, lesson links, walkthroughs, presets and the tests' page
lists are all built from :data:`MODES`.

Stories speak of "the broken run" and "the fixed run", never of left and right: on a phone
the two stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The guided walkthrough's four steps, the same on every page.
STEPS = ("Run the broken setup", "Predict what the fix does", "Run the fix beside it",
         "Take away")

LR_OPTIONS = tuple(m * 10.0**e for e in range(-6, 0) for m in (1, 2, 5)) + (1.0,)
RATIO_OPTIONS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 3e3, 1e4, 3e4, 1e5)

_SEASONAL = dict(dataset="seasonal", period=200, noise=1.5, horizon=50, n_steps=2000)
_MULTI = dict(dataset="multiscale", feature_scale_ratio=1e4)


@dataclass(frozen=True)
class Pair:
    """A broken config and its fix (config changes from the defaults), differing only in
    the knob that matters. ``suffix`` names a second pair of a mode (``_sgd``)."""

    label: str  # what the broken run is, in a few words ("learning rate 1e-5")
    broken: dict
    fixed: dict
    fixed_label: str
    suffix: str = ""
    broken_summary: str = ""  # one line for `python -m lstm_lab presets`
    fixed_summary: str = ""


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
    slug: str  # = the doctor's finding code
    title: str
    icon: str  # a Material icon name, as Streamlit writes it
    pairs: tuple[Pair, ...]
    story: str  # Markdown: what you see, why, the fix
    question: str  # the walkthrough's question for the class ...
    answer: str  # ... its answer, hidden until revealed ...
    takeaway: str  # ... and the one line to take away
    knob: Knob | None = None

    def preset_names(self, pair: Pair) -> tuple[str, str]:
        name = self.slug + pair.suffix
        return name, name + "_fixed"


MODES: tuple[FailureMode, ...] = (
    FailureMode(
        "lr_too_small", "Learning rate too small", ":material/speed:",
        (Pair("learning rate 1e-5", {"learning_rate": 1e-5}, {"learning_rate": 1e-3},
              "learning rate 1e-3",
              broken_summary="learning rate 1e-5: weights barely move, the output stays "
              "near flat", fixed_summary="same run at learning rate 1e-3"),),
        """
**What you see:** at learning rate 1e-5 the broken run's prediction stays a squashed, nearly
flat copy of the sine, while at 1e-3 the fixed run follows it within a few epochs.

**Why:** Adam moves each weight by about one learning rate per step, so after 20 epochs the
network has barely left its random start (weights changed by about 3 %).

**Fix:** raise the rate with the knob — but not too far: at learning rate 3 (page
*Learning rate too large*) the gates saturate and the line sticks to one wrong value.

**The article's own test** for "constant" (every prediction within 1e-4 of the first) calls
the broken run *not* constant; the flatness score — spread of prediction over spread of
target — shows what your eyes see.
""",
        "The broken run trained at learning rate 1e-5. If only the learning rate goes up to "
        "1e-3, what will the red line do?",
        "It follows the sine within a few epochs. Adam moves each weight by roughly one "
        "learning rate per step, so at 1e-5 the network is still near its random start "
        "after 20 epochs: a squashed, nearly flat copy of the signal.",
        "Flat, with a loss that is still creeping down: the steps are too small. Raise the "
        "learning rate — the range test suggests one.",
        knob=Knob("learning_rate", "Learning rate of the fixed run",
                  LR_OPTIONS[: LR_OPTIONS.index(1e-2) + 1], 1e-3),
    ),
    FailureMode(
        "lr_too_large", "Learning rate too large", ":material/local_fire_department:",
        (Pair("Adam at learning rate 3", {"learning_rate": 3.0}, {"learning_rate": 1e-3},
              "learning rate 1e-3",
              broken_summary="Adam at learning rate 3: gates saturate and the output goes "
              "flat", fixed_summary="same run at learning rate 1e-3"),
         Pair("plain SGD at learning rate 1", {"optimizer": "sgd", "learning_rate": 1.0},
              {"optimizer": "sgd", "learning_rate": 0.1}, "plain SGD at 0.1", suffix="_sgd",
              broken_summary="plain SGD at learning rate 1: the loss blows up to NaN",
              fixed_summary="plain SGD at learning rate 0.1")),
        """
**What you see:** with Adam at learning rate 3 the weights are thrown far from where they
started and the prediction sticks to one wrong value; with plain SGD at rate 1 the loss
overflows to NaN within two epochs — the lab shows that as a *diverged* result, not a crash.

**Why:** each step overshoots the minimum it aims at. Adam's steps are about one learning
rate per weight, so the gates' inputs grow until every sigmoid and tanh is pinned at 0 or ±1:
the cell no longer responds to its input, and one constant comes out. SGD's steps grow with
the gradient, which grows with the overshoot: a feedback loop to infinity.

**Fix:** a learning rate ten times smaller (the fixed run). The *Find a learning rate* test
on the Playground finds a safe one in a second.
""",
        "The broken run's learning rate is far too large. What happens ten times smaller?",
        "It learns. With Adam at 3 the inputs of the gates grow until every sigmoid and tanh "
        "is pinned at its limit, and a saturated cell answers every window the same way; with "
        "SGD the steps grow with the gradient until the loss runs away to infinity.",
        "Flat and wrong after huge weight changes, or a NaN loss: the learning rate is too "
        "large. A NaN loss is a result to read, not a crash.",
    ),
    FailureMode(
        "unscaled_inputs", "Unscaled inputs", ":material/balance:",
        (Pair("raw columns", {**_MULTI, "scale_inputs": False},
              {**_MULTI, "scale_inputs": True}, "standardised columns",
              broken_summary="features 10 000× apart, not standardised: every target goes "
              "flat", fixed_summary="same data, standardised on the training span"),),
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
        "The columns differ in size by a factor of 10 000 and every chart went flat. What "
        "will standardising each column do?",
        "Both sines are learned; the noise column stays flat, which is the right answer for "
        "noise. Unscaled, the big column dominates the loss and Adam cannot grow the output "
        "to values in the thousands in time — so even the big column goes flat.",
        "Standardise every column, with statistics from the training span only.",
        knob=Knob("feature_scale_ratio", "Feature scale ratio (largest / smallest column), "
                  "both runs", RATIO_OPTIONS, 1e4, both=True),
    ),
    FailureMode(
        "window_too_short", "Window too short", ":material/straighten:",
        (Pair("10-step window", {**_SEASONAL, "seq_len": 10}, {**_SEASONAL, "seq_len": 200},
              "200-step window",
              broken_summary="10-step window, 50 steps ahead, noisy 400-step pattern: flat",
              fixed_summary="same task with a 200-step window"),),
        """
**What you see:** a noisy seasonal series (400-step pattern, noise σ 1.5) predicted 50 steps
ahead — flat with a 10-step window (the broken run), following the season with 200 steps
(the fixed run).

**Why:** ten noisy points cannot tell where in the season you are, so the best guess is the
average; a long window averages the noise away and locates the phase.

**Fix:** a window that covers a good part of the season; with this much noise no model can
beat R² ≈ 0.49, and 200 steps get most of it.

**Where the article is off:** its example predicts *one* step ahead with little noise, where
even a 5-step window reaches R² ≈ 0.99 (preset `article_window`): the window only matters
when the answer lies further away than what the window shows.
""",
        "A 10-step window must predict 50 steps ahead on a noisy pattern that repeats every "
        "400 steps. What will a 200-step window do?",
        "It learns the pattern. Ten noisy steps do not tell where in the cycle the series "
        "is, so the best a short window can do is predict the average: a flat line.",
        "The window must cover enough of the pattern to place the present in its cycle.",
        knob=Knob("seq_len", "Window of the fixed run",
                  (5, 10, 20, 50, 100, 150, 200, 250, 300), 200),
    ),
    FailureMode(
        "too_few_epochs", "Too few epochs", ":material/timer:",
        (Pair("2 epochs", {"batch_size": 256, "epochs": 2}, {"batch_size": 256, "epochs": 100},
              "100 epochs",
              broken_summary="batch 256 for 2 epochs: 6 weight updates, stopped while the "
              "loss still falls", fixed_summary="same run for 100 epochs"),),
        """
**What you see:** batches of 256 windows for 2 epochs (the broken run) are only 6 weight
updates: the prediction is a faint, flat copy of the sine and the loss curve is still heading
down when it ends. 100 epochs of the same run (the fixed run) learn it.

**Why:** nothing is wrong with the learning rate — each update moves the weights a healthy
amount — there were just too few of them. Large batches make this easy to miss: an epoch
looks like a lot of data but is only a handful of steps.

**Fix:** train longer (or use smaller batches, which means more steps per epoch). The Doctor
tells this apart from a too-small learning rate by the size of each update.
""",
        "Batch size 256 for 2 epochs made only 6 weight updates. What will 100 epochs do?",
        "It learns. Nothing was wrong with the model or the data: training had barely "
        "started, and the loss was still falling steeply when it stopped.",
        "Count weight updates, not epochs: large batches times few epochs is too few steps.",
    ),
    FailureMode(
        "missing_values", "Missing values", ":material/grid_off:",
        (Pair("gaps left in", {"missing_share": 0.05}, {"missing_share": 0.05, "impute": True},
              "gaps filled",
              broken_summary="5 % of the inputs are gaps (NaN): the loss is NaN from epoch 1",
              fixed_summary="same gaps, filled with the last value seen"),),
        """
**What you see:** with gaps (NaN) in the inputs (the broken run) training stops at the first
epoch: the loss is NaN and there is no prediction to draw. With the gaps filled (the fixed
run) the model learns as if nothing had happened.

**Why:** a NaN in any window makes that batch's loss NaN, its gradient NaN, and one update
with a NaN gradient turns every weight NaN. Even 0.1 % of gaps is enough, because with a
50-step window most batches contain one.

**Fix:** fill each gap with the last value seen (forward fill). It uses only the past, so
it never lets the future leak into the inputs; the targets the model is scored on are left
as recorded.
""",
        "5 % of the inputs are gaps (NaN) and the loss is NaN from the first epoch. What "
        "will filling each gap with the last value seen do?",
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
              broken_summary="1 % of the inputs are ±1000σ glitches: the signal drowns, "
              "output wrong",
              fixed_summary="same glitches, removed (robust z-score on the training span)"),),
        """
**What you see:** a sensor that now and then writes a value a thousand times too large
(the broken run): the prediction is a poor, damped guess, worse than repeating the last
value. With the glitches removed (the fixed run) the sine is learned.

**Why:** the standard scaler's σ is computed from all values, so a few huge spikes inflate
it ~100×; the real signal becomes a ripple of ±0.01 in model units while the spikes sit at
±10. Every window that contains a spike pulls the weights towards fitting it.

**Fix:** on the training span, mark values beyond median ± 5 robust σ (from the median
absolute deviation, which the spikes barely move) and replace them by the last good value.
""",
        "1 % of the inputs are glitch spikes a thousand standard deviations tall. What will "
        "replacing values beyond 5 robust σ do?",
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
              broken_summary="an extra input copies the target in training only: the model "
              "leans on it and fails on the test span",
              fixed_summary="same series without that input"),),
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
              broken_summary="the article's example 1: one output trained against a whole "
              "window of targets (silently broadcast) learns the window mean: flat",
              fixed_summary="same model, one target per window"),),
        """
**What you see:** the model outputs one value per window, but is trained against a *whole
window* of 100 targets (the broken run): the prediction is a flat line. With one target per
window (the fixed run) the same model follows the sine.

**Why:** Keras' losses broadcast a `(batch, 1)` prediction against a `(batch, 100, 1)`
target without a word. The loss then averages over the 100 steps, and the best single number
for 100 different values is their mean — here one full period of the sine, so about zero.
This is what the article's first code example does: it runs, and it trains a flat line —
and its own fix, a learning rate of 1e-3, does not heal it.

**In the lab:** the engine refuses targets whose shape does not match the model's output
with a plain error; this page opts in (*Shape bug*) only to show the mistake.
""",
        "The model's (batch, 1) output was trained against (batch, 100, 1) targets, and "
        "Keras broadcast one against the other without a word. What will aligned shapes "
        "do?",
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
