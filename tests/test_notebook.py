"""The doctor's notebook view, tested headlessly: a real notebook run by a real kernel.

The notebook is built here with nbformat and executed with nbclient in an IPython kernel
of *this* interpreter (a kernelspec written to a temporary JUPYTER_PATH, so a clean CI
machine needs only requirements-dev.txt, no `ipykernel install`). It fits a tiny model
with ``Doctor(...)`` left at ``live="auto"`` and shows ``doc.report()``. Outside a
notebook the same callback prints at most one line per epoch, or nothing.
"""

import json
import re
import sys
from pathlib import Path

import nbclient
import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EPOCHS = 3

FIT = f"""
import warnings
import numpy as np
from lstm_lab.keras import Doctor, keras

rng = np.random.default_rng(0)
s = np.sin(2 * np.pi * np.arange(400) / 40) + 0.1 * rng.normal(size=400)
x = np.stack([s[i:i + 20] for i in range(380)])[:, :, None].astype("float32")
y = s[20:].astype("float32")
x, xv, y, yv = x[:300], x[300:], y[:300], y[300:]
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((20, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
model.compile(keras.optimizers.Adam(1e-6), "mse")  # far too small: lr_too_small
doc = Doctor(x, y, validation_data=(xv, yv))  # live="auto", verbose=1: the defaults
model.fit(x, y, validation_data=(xv, yv), epochs={EPOCHS}, batch_size=32, verbose=0,
          callbacks=[doc])
print("live:", doc.live)
"""

VEGALITE = re.compile(r"application/vnd\.vegalite\.v\d+\+json")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after nbclient ran it: cells [fit, report]."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / "lstm-lab-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "LSTM Lab test kernel", "language": "python",
        "env": {"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"},
    }))
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(jupyter))
    mp.setenv("JUPYTER_RUNTIME_DIR", str(jupyter / "runtime"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FIT), nbformat.v4.new_code_cell("doc.report()")]
    try:
        nbclient.NotebookClient(nb, timeout=300, kernel_name="lstm-lab-test",
                                resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        mp.undo()
    return nb


def test_live_chart_is_one_display_updated_each_epoch(executed):
    outputs = executed.cells[0].outputs
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "live: True" in text  # live="auto" found the kernel
    assert "doctor · epoch" not in text  # the chart replaces the per-epoch line
    charts = [o for o in outputs if o.output_type == "display_data"]
    # one output, not one per epoch: later epochs update it through its display_id ...
    assert len(charts) == 1, [o.output_type for o in outputs]
    data = charts[0].data
    mime = [k for k in data if VEGALITE.fullmatch(k)]
    if mime:
        spec = json.dumps(data[mime[0]])
    else:  # Altair's html renderer: the spec is embedded in the page
        assert "vegaEmbed" in data.get("text/html", ""), list(data)
        spec = data["text/html"]
    # ... so it shows the last epoch (the first display said epoch 1)
    epochs = re.findall(r"validation (?:·|\\u00b7) epoch (\d+)", spec)
    assert epochs == [str(EPOCHS)], epochs


def test_report_renders_as_html_with_the_finding(executed):
    out = executed.cells[1].outputs
    assert [o.output_type for o in out] == ["execute_result"]
    html = out[0].data["text/html"]
    assert "lstm-lab-report" in html and "<code>lr_too_small</code>" in html
    # the plain-text fallback is the readable report, not a dataclass dump
    plain = out[0].data["text/plain"]
    assert plain.startswith("verdict: ") and "[lr_too_small]" in plain
    assert "Finding(" not in plain


# --- outside a notebook: at most a line per epoch, or nothing ----------------------------
def _fit(verbose, capsys, epochs=3):
    from lstm_lab.keras import Doctor, keras

    rng = np.random.default_rng(1)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = x @ np.array([1.0, -2.0, 0.5, 0.0], dtype="float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    doc = Doctor(x[:64], y[:64], validation_data=(x[64:], y[64:]), verbose=verbose)
    assert doc.live is False  # pytest is no notebook kernel
    capsys.readouterr()
    model.fit(x[:64], y[:64], epochs=epochs, batch_size=16, verbose=0, callbacks=[doc])
    return capsys.readouterr()


def test_outside_a_notebook_one_line_per_epoch(capsys):
    out = _fit(1, capsys)
    lines = out.out.splitlines()
    assert len(lines) == 3, lines
    assert all(re.fullmatch(r"doctor · epoch \d: val R² \S+, flatness \S+ \(\w+\)", ln)
               for ln in lines), lines


def test_outside_a_notebook_verbose_0_prints_nothing(capsys):
    out = _fit(0, capsys)
    assert out.out == "" and out.err == ""
