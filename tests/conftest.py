import contextlib
import io
import json
import os

import pytest

from lstm_lab.cli import main

# The Keras doctor's trials (lstm_lab/doctor/trials.py) train clones after every flat fit,
# within at least 10 s: off for the suite's many fits; tests/test_trials.py turns them on
# where it tests them (Doctor(trials=...)), and bench/keras_corpus_score.py runs the default.
os.environ.setdefault("LSTM_LAB_DOCTOR_TRIALS", "0")

# Small enough for CI, big enough to learn a sine: used where only the mechanics matter.
TINY = dict(n_steps=300, seq_len=10, units=8, epochs=3, batch_size=32)


def confusion_table(confusion) -> str:
    """Expected codes (rows) against top findings (columns) from a Counter of
    (expected, got) pairs, codes in the doctor's order; '.' for zero."""
    from lstm_lab.doctor import CODES

    codes = [c for c in CODES if any(c in k for k in confusion)]
    width = max(map(len, codes))
    head = " " * width + " | " + " ".join(f"{i:>2}" for i in range(len(codes)))
    rows = [f"{c:>{width}} | " + " ".join(f"{confusion[c, g] or '.':>2}" for g in codes)
            for c in codes]
    legend = "  ".join(f"{i}={c}" for i, c in enumerate(codes))
    return "\n".join(["expected (rows) vs top finding (columns)", head, *rows, legend])


def cli_json(*argv: str) -> dict:
    """Run `python -m lstm_lab run ... --json` in-process and parse its one JSON line."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["run", *argv, "--json"])
    assert code == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="session")
def preset_runs():
    """Each preset trained once through the CLI, shared by the honesty and CLI tests."""
    cache: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name not in cache:
            cache[name] = cli_json("--preset", name)
        return cache[name]

    return get
