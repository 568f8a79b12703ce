"""One set of numbers: where two parts of a page propose different values, say which and why.

A failure page shows a story, the Doctor's fix for the broken run, and a fixed run; the
Playground shows the Doctor's rate next to the learning-rate range test's. Where these
agree nothing is said; where they differ, these pure functions write the one line the page
shows, so the reader is never left with two numbers and no reason. No Streamlit here.
"""

from __future__ import annotations

from .config import ExperimentConfig
from .modes import FailureMode, Pair
from .text import label, patch_words

# the Doctor and the range test "agree" when their rates are within this factor: the
# range test's own suggestion is a tenth of its best rate, a rule of thumb this coarse
AGREE = 3.0
LR_CODES = ("lr_too_small", "lr_too_large")


def config_change(before: ExperimentConfig, after: ExperimentConfig) -> dict:
    """The fields ``after`` sets to another value than ``before``."""
    a = before.to_dict()
    return {k: v for k, v in after.to_dict().items() if a[k] != v}


def knob_note(mode: FailureMode, pair: Pair, broken: ExperimentConfig,
              fixed: ExperimentConfig) -> str | None:
    """The story tells the presets' numbers; once the page's knob moves a run away from
    them, say so (and which value runs now) rather than let the story disagree silently."""
    knob = mode.knob
    if knob is None:
        return None
    preset = pair.numbers.fixed
    value, was = getattr(fixed, knob.field), getattr(preset, knob.field)
    if value == was:
        return None
    runs = "both runs" if knob.both else "the fixed run"
    return (f"The story tells the preset's {label(knob.field)}, {knob.text(was)}; the knob "
            f"now sets {knob.text(value)} for {runs}.")


def fix_note(mode: FailureMode, pair: Pair, patch: dict | None, broken: ExperimentConfig,
             fixed: ExperimentConfig) -> str | None:
    """Where the Doctor's fix for the broken run is not the change the fixed run makes, one
    line naming both and why (None where they agree or the Doctor proposes no patch)."""
    change = config_change(broken, fixed)
    if not patch or patch == change:
        return None
    before = broken.to_dict()
    doctor, page = patch_words(patch, before), patch_words(change, before)
    lead = f"The Doctor's fix ({doctor}) is not the fixed run's change ({page}): "
    knob = mode.knob
    if knob is not None and knob.field in change and \
            getattr(fixed, knob.field) != getattr(pair.numbers.fixed, knob.field):
        return lead + "the page's knob set the fixed run's value."
    if not pair.doctor_note:
        return lead + "both are ways out of the same failure."
    return lead + pair.say(pair.doctor_note, **_doctor_numbers(broken, patch))


def _doctor_numbers(broken: ExperimentConfig, patch: dict) -> dict:
    """What a ``doctor_note`` may name about the Doctor's patch."""
    from .doctor import ENOUGH_UPDATES

    patched = broken.replace(**patch)
    return {"patch": patch, "patched": patched, "enough": ENOUGH_UPDATES,
            "doctor_ratio": broken.learning_rate / patched.learning_rate}


def doctor_rate(findings) -> float | None:
    """The learning rate the Doctor proposes: the first learning-rate finding's patch."""
    for f in findings:
        if f.code in LR_CODES and isinstance(f.fix, dict) and "learning_rate" in f.fix:
            return float(f.fix["learning_rate"])
    return None


def rate_advice(suggestion: float | None, best_lr: float | None, findings,
                current: float, steps: int) -> str | None:
    """Which rate to trust where the range test and the Doctor disagree, and why.

    suggestion, best_lr : the range test's suggestion and the rate at its loss minimum
    findings : the Doctor's findings for the run at ``current``
    steps : how many steps the range test took
    """
    doctor = doctor_rate(findings)
    if doctor is None or suggestion is None:
        return None
    if max(doctor, suggestion) / min(doctor, suggestion) <= AGREE:
        return None
    step = _step(current, doctor)
    if (doctor > current) != (suggestion > current):
        # opposite directions: only the Doctor saw this run go wrong
        return (f"Trust the Doctor's {doctor:g} here: it judged this whole run at "
                f"{current:g}, while the range test saw only {steps} steps of a fresh model.")
    if best_lr is not None and doctor > best_lr:
        return (f"Trust the range test's {suggestion:g} here: the Doctor's {doctor:g} (its "
                f"usual step, {step} the run's {current:g}) lies past the bottom of the "
                f"range test's curve ({best_lr:g}), where the loss was already rising.")
    return (f"Trust the range test's {suggestion:g} here: it was measured on this model and "
            f"data; the Doctor's {doctor:g} is its usual step, {step} the run's {current:g} — "
            "inside the range where the loss still fell, so safe too, just not tuned.")


def _step(current: float, new: float) -> str:
    """"100× above" / "10× below"."""
    r = new / current
    return f"{r:g}× above" if r >= 1 else f"{1 / r:g}× below"
