"""lstm_lab.keras.Doctor: a Keras callback on a user's own fit, its inputs, its report.

Every test fits a real (tiny) Keras model. The labelled suite of user programs is in
test_keras_suite.py; this file checks the API: what it accepts, what it refuses, what it
prints and when it warns.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from lstm_lab import doctor
from lstm_lab.keras import Doctor, DoctorInputError, DoctorWarning, Report, diagnose_fit, keras

L = 20  # window


def sine_windows(n_steps=700, period=40, noise=0.1, seed=0):
    """(n, L, 1) windows of a noisy sine and (n,) next values."""
    rng = np.random.default_rng(seed)
    s = np.sin(2 * np.pi * np.arange(n_steps) / period) + noise * rng.normal(size=n_steps)
    x = np.stack([s[i:i + L] for i in range(n_steps - L)])[:, :, None]
    return x.astype("float32"), s[L:].astype("float32")


def lstm(lr=1e-2, units=16, out=1, features=1):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((L, features)), keras.layers.LSTM(units),
                          keras.layers.Dense(out)])
    m.compile(keras.optimizers.Adam(lr), "mse")
    return m


@pytest.fixture(scope="module")
def data():
    x, y = sine_windows()
    n = int(0.8 * len(x))
    return x[:n], y[:n], x[n:], y[n:]


def fit(model, doc, x, y, val, epochs=6, **kw):
    model.fit(x, y, validation_data=val, epochs=epochs, batch_size=32, verbose=0,
              callbacks=[doc], **kw)
    return doc


def test_healthy_fit_gets_only_healthy_and_a_report(data):
    x, y, xv, yv = data
    doc = fit(lstm(), Doctor(x, y, validation_data=(xv, yv), verbose=0), x, y, (xv, yv))
    assert [f.code for f in doc.findings] == ["healthy"]
    report = doc.report()
    assert isinstance(report, Report) and report.verdict == "learning"
    text = str(report)
    assert text.startswith("verdict: learning") and "R² 0.9" in text
    assert "<code>healthy</code>" in report._repr_html_()


def test_tiny_learning_rate_is_named_with_the_line_to_change(data):
    x, y, xv, yv = data
    doc = fit(lstm(lr=1e-6), Doctor(x, y, validation_data=(xv, yv), verbose=0), x, y, (xv, yv))
    top = doc.findings[0]
    assert top.code == "lr_too_small", doc.report()
    assert "learning_rate=0.0001" in top.fix and "‖ΔW‖/‖W‖" in " ".join(top.evidence)
    assert "<code>" in doc.report()._repr_html_()  # the line of code is set as code


def test_broadcast_target_is_warned_before_the_first_epoch_and_named_first(data):
    x, _, xv, _ = data
    # the article's mistake: every window's next 20 values as the target of a (n, 1) output
    s = np.concatenate([x[:, 0, 0], x[-1, 1:, 0], [0.0]])
    yb = np.stack([s[i + 1:i + 1 + L] for i in range(len(x))])[:, :, None]
    seen = []

    class FirstEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(doc.broadcast)

    doc = Doctor(x, yb, verbose=0)
    with pytest.warns(DoctorWarning, match=r"targets have shape \(n, 20, 1\) but the model "
                                           r"outputs \(n, 1\)") as caught:
        lstm().fit(x, yb, epochs=2, verbose=0, callbacks=[doc, FirstEpoch()])
    # the warning points at the user's fit line (this file), not into Keras
    assert [w.filename for w in caught if w.category is DoctorWarning] == [__file__]
    assert seen[0] == ((L, 1), (1,))  # known at on_train_begin, before any epoch ran
    top = doc.findings[0]
    assert top.code == "shape_broadcast" and "y = y[:, -1]" in top.fix


def test_one_target_copied_to_two_output_units_is_warned_but_not_blamed(data):
    """The other broadcast: a (n, 1) target against a Dense(2) output. Each unit is fitted to
    the target (the loss compares every prediction with its own target value), so the fit
    learns: warned before the first epoch, but not named as why a fit went flat."""
    x, y, xv, yv = data
    y, yv = y[:, None], yv[:, None]
    with pytest.warns(DoctorWarning, match=r"the model outputs \(n, 2\)"):
        doc = fit(lstm(out=2), Doctor(x, y, validation_data=(xv, yv), verbose=0), x, y,
                  (xv, yv))
    assert "shape_broadcast" not in [f.code for f in doc.findings], doc.report()


def test_aligned_shapes_do_not_warn(data):
    x, y, xv, yv = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", DoctorWarning)
        fit(lstm(), Doctor(x, y[:, None], validation_data=(xv, yv), verbose=0), x, y[:, None],
            (xv, yv[:, None]), epochs=1)


def test_a_noise_target_beside_a_learned_one_is_named_as_the_flat_one(data):
    # Two targets per window: the sine's next value (learned) and uniform noise (a flat
    # line is right). The verdict is the worst target's; the doctor must judge that target
    # -- its probe and its baselines -- not the first one, whose persistence baseline is
    # strong and would hide the noise.
    x, y, xv, yv = data
    rng = np.random.default_rng(1)
    y2, yv2 = (np.stack([t, rng.uniform(-1, 1, len(t))], axis=1).astype("float32")
               for t in (y, yv))
    doc = fit(lstm(out=2), Doctor(x, y2, validation_data=(xv, yv2), verbose=0), x, y2,
              (xv, yv2), epochs=8)
    report = str(doc.report())
    assert "target 0: R² 0.9" in report, report
    assert doc.findings[0].code == "unpredictable_target", report
    assert "target 1 is noise" in doc.findings[0].title


def test_a_noise_target_past_the_probed_ones_is_probed_when_judged(data):
    # 18 targets: 17 copies of the sine's next value and noise last. The data measures probe
    # the first MAX_PROBED_TARGETS up front; the judged target must get its own probe, not
    # target 0's (which would call the noise predictable).
    from lstm_lab.doctor.fit_data import MAX_PROBED_TARGETS

    x, y, xv, yv = data
    rng = np.random.default_rng(1)
    y18, yv18 = (np.concatenate([np.repeat(t[:, None], 17, axis=1),
                                 rng.uniform(-1, 1, (len(t), 1))], axis=1).astype("float32")
                 for t in (y, yv))
    assert y18.shape[1] - 1 >= MAX_PROBED_TARGETS
    doc = fit(lstm(out=18), Doctor(x, y18, validation_data=(xv, yv18), verbose=0), x, y18,
              (xv, yv18), epochs=8)
    m = doc.measurements()
    assert m.target_name == "target 17" and m.probe_now < 0.2, doc.report()
    assert doc.findings[0].code == "unpredictable_target", doc.report()
    assert "target 17 is noise" in doc.findings[0].title


def test_a_broadcast_judges_the_last_target_column_it_scores(data):
    # y (n, 20): 19 copies of the sine's next value, then noise; the (n, 1) output is
    # broadcast over them. The scores read each row's last column (the noise), so the probe
    # the rules read must be that column's -- any other column would say "predictable".
    x, y, _, _ = data
    rng = np.random.default_rng(2)
    yb = np.concatenate([np.repeat(y[:, None], L - 1, axis=1),
                         rng.uniform(-1, 1, (len(y), 1))], axis=1).astype("float32")
    doc = Doctor(x, yb, verbose=0)
    with pytest.warns(DoctorWarning, match=r"\(n, 20\) but the model outputs \(n, 1\)"):
        lstm().fit(x, yb, epochs=2, verbose=0, callbacks=[doc])
    assert doc.findings[0].code == "shape_broadcast", doc.report()
    assert doc.data.per_target[0][0] > 0.5  # the sine columns are predictable ...
    assert doc.measurements().probe_now < 0.2  # ... but the judged column is noise


def test_validation_targets_of_another_width_are_set_aside_with_a_warning(data):
    # the doctor cannot score them against the model's one output; it says so, scores on
    # the training sample's last 20 %, and the fit goes on
    x, y, xv, yv = data
    with pytest.warns(DoctorWarning, match=r"validation targets have shape \(3,\)"):
        doc = Doctor(x, y, validation_data=(xv, np.stack([yv] * 3, axis=1)), verbose=0)
    assert not doc.holdout and len(doc.val.x) == len(x) - int(0.8 * len(x))
    fit(lstm(), doc, x, y, None, epochs=1)
    report = doc.report()
    assert any(m.startswith("use the validation data") for m in report.missing)
    assert "not measured" in str(report) and "no validation data" in str(report)


def test_probe_split_survives_missing_rows():
    # The first fit_rows rows fit and the rest score, also when rows are dropped as NaN
    # on either side: dropping them first must give the same number.
    from lstm_lab.doctor.fit_data import _probe

    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 2))
    y = np.where(np.arange(100) < 60, x[:, 0], -x[:, 0])  # the relation flips at row 60
    y[:20] = y[70:75] = np.nan
    kept = np.isfinite(y)
    assert _probe(x, y, fit_rows=60) == _probe(x[kept], y[kept], fit_rows=40) < -1


def test_sequence_probe_fits_early_steps_and_scores_late_ones(monkeypatch):
    # several sequences side by side: every sequence's early steps fit, its late ones score
    from lstm_lab.doctor import fit_data

    seen = {}

    def spy(x, y, nonlinear=False, fit_rows=None):
        seen.update(y=y, fit_rows=fit_rows)
        return 0.0

    monkeypatch.setattr(fit_data, "_probe", spy)
    n, steps = 12, 40
    x = np.random.default_rng(0).normal(size=(n, steps, 2))
    y = np.broadcast_to(np.arange(steps, dtype=float)[None, :, None], (n, steps, 1))  # = step
    fit_data._sequence_probe(fit_data.FitData(x, y.copy(), ("a", "b")), 0)
    fitted, scored = seen["y"][:seen["fit_rows"]], seen["y"][seen["fit_rows"]:]
    assert len(fitted) > 3 * len(scored) > 0 and fitted.max() < scored.min()


def test_tf_data_dataset_is_read_from_a_bounded_sample():
    x, y = sine_windows(n_steps=900)
    series = np.concatenate([x[:, 0, 0], x[-1, 1:, 0]])[:, None]  # (T, 1)
    make = keras.utils.timeseries_dataset_from_array
    train = make(series[:-L], series[L:], sequence_length=L, batch_size=32, end_index=600)
    val = make(series[:-L], series[L:], sequence_length=L, batch_size=32, start_index=600)
    doc = Doctor(train, validation_data=val, max_samples=256, verbose=0)
    assert doc.train.x.shape == (256, L, 1)  # 8 of the 19 batches
    model = lstm()
    model.fit(train, validation_data=val, epochs=5, verbose=0, callbacks=[doc])
    assert [f.code for f in doc.findings] == ["healthy"], doc.report()


def test_pandas_columns_name_the_evidence():
    rng = np.random.default_rng(1)
    n = 600
    df = pd.DataFrame({"rooms": rng.normal(5, 1, n), "area_m2": rng.normal(80_000, 20_000, n)})
    y = pd.Series(2 * df["rooms"] + df["area_m2"] / 20_000 + rng.normal(0, 0.1, n))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-3), "mse")
    doc = Doctor(df[:480], y[:480], validation_data=(df[480:], y[480:]), verbose=0)
    model.fit(df[:480], y[:480], epochs=5, verbose=0, callbacks=[doc])
    top = doc.findings[0]
    assert top.code == "unscaled_inputs", doc.report()
    assert "area_m2" in " ".join(top.evidence) and "StandardScaler" in top.fix


def test_one_line_per_epoch_or_nothing(data, capsys):
    x, y, xv, yv = data
    fit(lstm(), Doctor(x, y, validation_data=(xv, yv), verbose=1), x, y, (xv, yv), epochs=3)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"doctor · epoch {i}" for i in (1, 2, 3)]
    fit(lstm(), Doctor(x, y, validation_data=(xv, yv), verbose=0), x, y, (xv, yv), epochs=2)
    assert capsys.readouterr().out == ""


def test_diagnose_fit_fits_with_the_callback_and_returns_the_report(data):
    import lstm_lab

    x, y, xv, yv = data
    report = lstm_lab.diagnose_fit(lstm(lr=1e-6), x, y, validation_data=(xv, yv), epochs=3,
                                   batch_size=64)
    assert isinstance(report, Report) and report.findings[0].code == "lr_too_small"
    assert diagnose_fit is lstm_lab.diagnose_fit


@pytest.mark.parametrize("args,kwargs,message", [
    ((None,), {}, "x is None"),
    ((np.zeros((10, 5, 1)),), {}, "has no targets"),
    ((np.zeros((10, 5, 1)), np.zeros(9)), {}, "10 samples but its targets have shape (9,)"),
    ((np.array([["a", "b"]] * 4), np.zeros(4)), {}, "is not numeric"),
    (({"a": {"b": np.zeros((4, 2))}}, np.zeros(4)), {}, "nests several arrays"),
    ((iter([(np.zeros((4, 2)), np.zeros(4))]),), {}, "one-shot iterator"),
    ((np.zeros((10, 5, 1)), np.zeros(10)), {"validation_data": (np.zeros(3),)},
     "validation_data must be (x_val, y_val)"),
    ((np.zeros((10, 5, 1)), np.zeros(10)), {"validation_data": (np.zeros((3, 5, 2)),
                                                                np.zeros(3))},
     "validation inputs have shape (5, 2) per sample but training inputs (5, 1)"),
    ((42,), {}, "pass arrays (x, y) or a tf.data.Dataset"),
])
def test_bad_input_gets_one_clear_message_and_no_exception(args, kwargs, message):
    # data the doctor cannot read is a warning and a "not measured" line, never an
    # exception: the user's program goes on to its fit
    with pytest.warns(DoctorWarning) as seen:
        doc = Doctor(*args, **kwargs, verbose=0)
    assert any(message in str(w.message) for w in seen), [str(w.message) for w in seen]
    assert any(message in why for why in doc.missing.values()), doc.missing


def test_findings_before_any_fit_say_what_to_do(data):
    x, y, _, _ = data
    with pytest.raises(RuntimeError, match="callbacks=\\[doctor\\]"):
        Doctor(x, y, verbose=0).findings


def test_one_doctor_two_front_ends():
    # the callback has no rules of its own: it fills Measurements and calls the lab's judge
    from lstm_lab.doctor import keras_fit as front, lab

    assert front.judge is doctor.judge is lab.judge
    assert not [name for name in vars(front) if name.startswith("_lr")]
    assert set(doctor.LAB_CODES) < set(doctor.CODES)
    assert {"unscaled_target", "saturated_units", "output_range", "loss_mismatch"} == \
        set(doctor.CODES) - set(doctor.LAB_CODES)


# --- never break a fit ----------------------------------------------------------------------
# Each of the doctor's own steps, made to fail (a stand-in for a model or data it has never
# seen): the fit must go on, one DoctorWarning must say what could not be done, and the
# report must list it. What fails is the doctor's code, never Keras'.
@pytest.mark.parametrize("step,what", [
    ("_reset", "prepare for the fit"),  # the first line of on_train_begin: the whole hook
    ("_weights", "read the weights"),
    ("_iterations", "read the optimizer's step counter"),
    ("_first_predictions", "predict on the validation data"),
    ("_check_shapes", "compare the targets' shape"),
    ("_summary", "score the epoch"),
    ("_end_pass", "measure the gradient share and stuck units"),
])
def test_a_failing_step_of_the_doctor_never_breaks_the_fit(data, monkeypatch, step, what):
    x, y, xv, yv = data
    doc = Doctor(x[:200], y[:200], validation_data=(xv, yv), verbose=1)
    calls = {"n": 0}
    original = getattr(Doctor, step)

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if step == "_reset" and calls["n"] == 1 and not self.__dict__.get("_fitting"):
            self._fitting = True
            return original(self, *args, **kwargs)  # __init__'s own reset, then the hook's
        raise RuntimeError(f"boom in {step}")

    monkeypatch.setattr(Doctor, step, failing)
    if step == "_reset":  # __init__ ran before the patch: its reset is done
        doc._fitting = True
    model = lstm()
    with pytest.warns(DoctorWarning, match=f"could not {what}"):
        history = model.fit(x[:200], y[:200], validation_data=(xv, yv), epochs=2,
                            batch_size=64, verbose=0, callbacks=[doc])
    assert len(history.history["loss"]) == 2  # the fit ran to its end
    report = doc.report()
    assert any(m.startswith(what) and f"boom in {step}" in m for m in report.missing), report
    assert report.findings and f"boom in {step}" in str(report)


def test_diagnose_fit_on_data_it_cannot_read_still_fits_and_reports():
    # a generator is one-shot: the doctor must not read it (that would take the fit's
    # batches); Keras fits it, the report says the data were not measured
    x, y = sine_windows(n_steps=200)

    def batches():
        for i in range(0, len(x), 32):
            yield x[i:i + 32], y[i:i + 32]

    with pytest.warns(DoctorWarning, match="one-shot iterator") as seen:
        report = diagnose_fit(lstm(), batches(), epochs=1)
    assert len([w for w in seen if w.category is DoctorWarning]) == 1  # only that one
    assert report.missing == (report.missing[0],)
    assert report.missing[0].startswith("read the training data")
    assert report.findings


def test_two_inputs_and_two_outputs_are_read_and_each_output_is_judged():
    # a functional model with a dict of inputs (a window and a row of calendar features)
    # and two outputs: the sine's next value (learned) and pure noise (flat is right)
    x, y = sine_windows(n_steps=600)
    rng = np.random.default_rng(3)
    cal = rng.normal(size=(len(x), 2)).astype("float32")
    noise = rng.uniform(-1, 1, len(x)).astype("float32")
    keras.utils.set_random_seed(0)
    window = keras.Input((L, 1), name="window")
    calendar = keras.Input((2,), name="calendar")
    h = keras.layers.Concatenate()([keras.layers.LSTM(16)(window),
                                    keras.layers.Dense(4)(calendar)])
    model = keras.Model({"window": window, "calendar": calendar},
                        {"next": keras.layers.Dense(1, name="next")(h),
                         "noise": keras.layers.Dense(1, name="noise")(h)})
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    n = int(0.8 * len(x))
    inputs = {"window": x, "calendar": cal}
    targets = {"next": y, "noise": noise}
    train = ({k: v[:n] for k, v in inputs.items()}, {k: v[:n] for k, v in targets.items()})
    val = ({k: v[n:] for k, v in inputs.items()}, {k: v[n:] for k, v in targets.items()})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DoctorWarning)  # nothing it could not read
        report = diagnose_fit(model, *train, validation_data=val, epochs=8, batch_size=32)
    text = str(report)
    assert not report.missing, text
    assert [s.split(":")[0] for s in report.scores] == ["output `next`", "output `noise`"]
    assert "output `next`: R² 0.9" in text, text
    assert report.findings[0].code == "unpredictable_target", text
    assert "output `noise` is noise" in report.findings[0].title
