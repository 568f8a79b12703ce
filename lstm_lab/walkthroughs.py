"""Guided walkthroughs: for each failure page, a question for the class, its answer, and
a one-line takeaway. The steps are always the same: run the broken setup, predict
what the fix does (answer hidden until asked), run the fix beside it, take away one line.

Keys are the failure pages' keys (`failure_page(..., key=...)` in the app).
"""

from __future__ import annotations

from dataclasses import dataclass

STEPS = ("Run the broken setup", "Predict what the fix does", "Run the fix beside it",
         "Take away")


@dataclass(frozen=True)
class Walkthrough:
    question: str
    answer: str
    takeaway: str


WALKTHROUGHS = {
    "lr": Walkthrough(
        "The left run trained at learning rate 1e-5. If only the learning rate goes up to "
        "1e-3, what will the red line do?",
        "It follows the sine within a few epochs. Adam moves each weight by roughly one "
        "learning rate per step, so at 1e-5 the network is still near its random start "
        "after 20 epochs: a squashed, nearly flat copy of the signal.",
        "Flat, with a loss that is still creeping down: the steps are too small. Raise the "
        "learning rate — the range test suggests one."),
    "huge_lr_too_large": Walkthrough(
        "Adam at learning rate 3 gave a flat line in the wrong place. What happens at 1e-3?",
        "It learns. At 3, the inputs of the gates grow until every sigmoid and tanh is "
        "pinned at its limit; a saturated cell answers every window the same way.",
        "Flat and wrong (R² below zero) after huge weight changes: the learning rate is too "
        "large."),
    "huge_lr_too_large_sgd": Walkthrough(
        "Plain SGD at learning rate 1 ended with a NaN loss. What will learning rate 0.1 do?",
        "It trains normally. Plain SGD steps grow with the gradient, and the gradient grows "
        "with every overshoot, so at 1 the loss runs away to infinity within two epochs.",
        "A NaN loss is a result to read, not a crash: lower the learning rate."),
    "scale": Walkthrough(
        "The columns differ in size by a factor of 10 000 and every chart went flat. What "
        "will standardising each column do?",
        "Both sines are learned; the noise column stays flat, which is the right answer for "
        "noise. Unscaled, the big column dominates the loss and Adam cannot grow the output "
        "to values in the thousands in time — so even the big column goes flat.",
        "Standardise every column, with statistics from the training span only."),
    "seq": Walkthrough(
        "A 10-step window must predict 50 steps ahead on a noisy pattern that repeats every "
        "400 steps. What will a 200-step window do?",
        "It learns the pattern. Ten noisy steps do not tell where in the cycle the series "
        "is, so the best a short window can do is predict the average: a flat line.",
        "The window must cover enough of the pattern to place the present in its cycle."),
    "epochs": Walkthrough(
        "Batch size 256 for 2 epochs made only 6 weight updates. What will 100 epochs do?",
        "It learns. Nothing was wrong with the model or the data: training had barely "
        "started, and the loss was still falling steeply when it stopped.",
        "Count weight updates, not epochs: large batches times few epochs is too few steps."),
    "missing": Walkthrough(
        "5 % of the inputs are gaps (NaN) and the loss is NaN from the first epoch. What "
        "will filling each gap with the last value seen do?",
        "Training runs normally and learns. One NaN in a batch makes that batch's loss NaN, "
        "and the update then turns every weight into NaN.",
        "Look for gaps before training; fill them causally (with past values only)."),
    "outliers": Walkthrough(
        "1 % of the inputs are glitch spikes a thousand standard deviations tall. What will "
        "replacing values beyond 5 robust σ do?",
        "It learns. The spikes set the scaling and dominate the gradients, so the real "
        "signal is left as a rounding error next to them.",
        "Find glitches with robust statistics (median and MAD) — a few values must not set "
        "the scale."),
    "spurious": Walkthrough(
        "An extra input copies the target, but only in the training span. Its training "
        "loss looks excellent. What happens on the test span once it is dropped?",
        "The model without it learns the real pattern and scores well on the test span; "
        "with it, the model leaned on a shortcut that is gone in the test span.",
        "A training loss that is too good next to a poor test score means a leak: compare "
        "each input's link to the target in training and in testing."),
    "shape": Walkthrough(
        "The model's (batch, 1) output was trained against (batch, 100, 1) targets, and "
        "Keras broadcast one against the other without a word. What will aligned shapes "
        "do?",
        "It learns. Broadcast, the loss is lowest when the output equals the mean of the "
        "whole target window, so the model learns to predict a flat average.",
        "Check that prediction and target shapes match before training; the lab refuses "
        "mismatched shapes instead of broadcasting them."),
}


def walkthrough_for(key: str) -> Walkthrough | None:
    return WALKTHROUGHS.get(key)
