"""The article's three examples (examples/), run as scripts: what the doctor says on each.

Each example runs in a subprocess in its quick mode (shorter series, fewer epochs) and
prints the doctor's report; the tests read the finding codes from it ("1. [code] ...").
The claims checked are the ones examples/README.md makes: example 1's broadcast is named
whatever the learning rate, and only aligned shapes heal it; example 2 crashes as
written and the article's fix (scaled inputs) leaves the unscaled target, and with the
targets scaled too the third, noise, target is named; example 3
crashes as written and, made to run, is healthy with its 20-step windows.
"""

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
FINDING = re.compile(r"^\d+\. \[(\w+)\]", re.M)


def run(n: int, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = _run(n, *args)
    if ok:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


@functools.lru_cache(maxsize=None)
def _run(n: int, *args: str) -> subprocess.CompletedProcess:
    # each variant runs once per session: several tests read the same run
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, str(ROOT / "examples" / f"article_example_{n}.py"),
                           "--quick", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=240)


def codes(done: subprocess.CompletedProcess) -> list[str]:
    found = FINDING.findall(done.stdout)
    assert found, done.stdout
    return found


# what each example gives the doctor as validation data: the article's own test split, as
# the article makes it (example 3 windows it as it windows the training split)
OWN_SPLIT = {1: "validation_data=(X_test, Y_test)", 2: "validation_data=(X_test, Y_test)",
             3: "validation = (X_test_seq, Y_test_seq[:, -1, :])"}


@pytest.mark.parametrize("n", [1, 2, 3])
def test_the_articles_examples_run_to_the_end_with_their_own_test_splits(n):
    # Y_test is one step shorter than X_test in all three (np.roll, then [:-1]); example 1
    # died in the doctor's on_train_begin on it (a ValueError from the naive baselines)
    source = (ROOT / "examples" / f"article_example_{n}.py").read_text(encoding="utf-8")
    assert OWN_SPLIT[n] in source
    done = run(n)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "verdict: " in done.stdout and codes(done), done.stdout


def test_example_1_as_written_is_a_broadcast_named_before_the_first_epoch():
    done = run(1)
    assert codes(done)[0] == "shape_broadcast"
    assert "DoctorWarning" in done.stderr and "the model outputs (n, 1)" in done.stderr
    assert "verdict: flat" in done.stdout


def test_example_1_the_articles_fix_lr_1e3_does_not_heal_it():
    done = run(1, "--fix", "lr")
    found = codes(done)
    assert found[0] == "shape_broadcast" and "lr_too_small" not in found, found
    assert "verdict: flat" in done.stdout


def test_example_1_aligned_shapes_heal_it():
    done = run(1, "--fix", "shapes")
    assert codes(done) == ["healthy"]
    assert "DoctorWarning" not in done.stderr


def test_example_2_as_written_crashes_and_the_doctor_warned_first():
    done = run(2, "--as-written", ok=False)
    assert done.returncode != 0
    err = done.stderr
    assert "Incompatible shapes" in err, err[-2000:]
    assert 0 <= err.index("the model outputs (n, 3)") < err.index("Incompatible shapes")


def test_example_2_made_to_run_unscaled_inputs_and_targets():
    found = codes(run(2))
    assert set(found[:2]) == {"unscaled_inputs", "unscaled_target"}, found


def test_example_2_the_articles_fix_scaled_inputs_leaves_the_target():
    found = codes(run(2, "--fix", "scale"))
    assert found[0] == "unscaled_target" and "unscaled_inputs" not in found, found


def test_example_2_scaled_targets_heal_two_and_the_noise_column_is_named():
    done = run(2, "--fix", "target")
    assert codes(done)[0] == "unpredictable_target", done.stdout
    assert "target 2 is noise" in done.stdout


def test_example_3_as_written_has_no_windows_and_crashes():
    done = run(3, "--as-written", ok=False)
    assert done.returncode != 0 and "IndexError" in done.stderr, done.stderr[-2000:]


def test_example_3_made_to_run_is_healthy_with_20_step_windows():
    done = run(3)
    assert codes(done) == ["healthy"]


# --- doctor fixes the examples led to -----------------------------------------------------
def test_correlation_of_equal_values_is_zero_not_rounding_noise():
    # example 2's ten series are copies: a column's last steps are all equal, and np.std
    # of equal floats can be 1e-16; their "correlation" came out ±1 (a false spurious_feature)
    from lstm_lab.signals import correlation

    a = np.full(10, -1.2345678)
    assert a.std() != 0  # the rounding this guards against
    assert correlation(a, np.arange(10.0)) == 0.0
    assert correlation(np.arange(10.0), a) == 0.0
    assert correlation(np.arange(10.0), 2 * np.arange(10.0)) == pytest.approx(1.0)


def _seq_model(steps, many=False):
    from lstm_lab.keras import keras

    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((steps, 1)), keras.layers.LSTM(4, return_sequences=many),
                          keras.layers.Dense(1)])
    m.compile("adam", "mse")
    return m


@pytest.mark.parametrize("steps", [30, None])
def test_validation_sequences_may_be_shorter_than_the_training_ones(steps):
    # the article scores 800-step training sequences on 200-step test sequences, with a
    # model built for 800 steps (input_shape=(800, 1)): Keras runs it on 200
    from lstm_lab.keras import Doctor

    rng = np.random.default_rng(0)
    x, xv = rng.normal(size=(8, 30, 1)), rng.normal(size=(4, 12, 1))
    doc = Doctor(x, x[:, -1], validation_data=(xv, xv[:, -1]), verbose=0)
    _seq_model(steps).fit(x, x[:, -1], epochs=1, verbose=0, callbacks=[doc])
    assert doc.predictions.shape == (4, 1) and doc.findings
    m = doc.measurements()
    assert [k.split("_")[0] for k in m.saturation] == ["lstm"]  # stuck units measured
    assert set(m.grad_share) == {"feature 0"}


def test_validation_of_another_length_that_the_model_cannot_read_says_so():
    from lstm_lab.keras import Doctor, DoctorWarning, keras

    rng = np.random.default_rng(0)
    x, xv = rng.normal(size=(8, 30, 1)), rng.normal(size=(4, 12, 1))
    model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    doc = Doctor(x, x[:, -1], validation_data=(xv, xv[:, -1]), verbose=0)
    # the fit goes on; the doctor says so and scores on the training sample's last 20 %
    with pytest.warns(DoctorWarning, match="validation inputs have shape \\(12, 1\\)"):
        model.fit(x, x[:, -1], epochs=1, verbose=0, callbacks=[doc])
    assert not doc.holdout and doc.findings
    assert "the model does not read them" in str(doc.report())


def test_validation_with_other_features_is_set_aside_at_once():
    from lstm_lab.keras import Doctor, DoctorWarning

    x = np.zeros((8, 30, 1))
    with pytest.warns(DoctorWarning, match="same features"):
        doc = Doctor(x, x[:, -1], validation_data=(np.zeros((4, 30, 2)), np.zeros(4)))
    assert not doc.holdout
