import os
import subprocess
import sys

import pytest

from conftest import cli_json
from lstm_lab.cli import main
from lstm_lab.metrics import VERDICTS
from lstm_lab.presets import PRESETS

KEYS = {"name", "rmse", "mae", "r2", "flatness", "seed_constant_check", "verdict"}


def test_presets_lists_every_preset(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in PRESETS)


@pytest.mark.parametrize("name", list(PRESETS))
def test_run_json_for_every_preset(name, preset_runs):
    run = preset_runs(name)
    assert run["config"] == PRESETS[name].config.to_dict()
    assert {"config", "targets", "baselines", "verdict", "diverged", "stopped",
            "epochs_run", "train_seconds"} <= set(run)
    for t in run["targets"]:
        assert KEYS <= set(t)
        assert {"mean", "persistence"} <= set(run["baselines"][t["name"]])
    assert run["verdict"] in VERDICTS


def test_same_config_twice_gives_identical_json(preset_runs):
    again = cli_json("--preset", "lr_too_small")
    first = dict(preset_runs("lr_too_small"))
    for d in (again, first):
        d.pop("train_seconds")
    assert again == first


def test_field_flags_override_the_preset():
    run = cli_json("--preset", "unscaled_inputs", "--scale-inputs", "true", "--epochs", "2",
                   "--units", "8", "--learning-rate", "1e-2")
    assert run["config"]["scale_inputs"] is True and run["epochs_run"] == 2
    assert run["config"]["dataset"] == "multiscale"


@pytest.mark.parametrize("argv,message", [
    (["run", "--learning-rate", "fast"], "learning_rate must be a number"),
    (["run", "--learning-rate", "100"], "learning_rate = 100.0 is out of range"),
    (["run", "--seq-len", "900"], "leaves no training window"),
    (["run", "--dataset", "stocks"], "dataset must be one of"),
    (["run", "--preset", "nope"], "unknown preset 'nope'"),
    (["run", "--bogus", "1"], "unrecognized arguments: --bogus"),
    (["fly"], "invalid choice"),
    ([], "required"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_real_process_bad_flag_has_no_traceback_and_no_tf_noise():
    proc = subprocess.run([sys.executable, "-m", "lstm_lab", "run", "--epochs", "0"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "lstm_lab: error: epochs = 0 is out of range: allowed 1 … 1000 "
        "(passes over the training windows)")


def test_real_process_json_run():
    proc = subprocess.run(
        [sys.executable, "-m", "lstm_lab", "run", "--epochs", "2", "--n-steps", "300",
         "--seq-len", "10", "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    import json

    assert json.loads(proc.stdout)["epochs_run"] == 2


def test_a_closed_pipe_is_a_quiet_exit():
    # `python -m lstm_lab presets | head -0`: the reader is gone before the first write.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "lstm_lab", "presets"], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")
