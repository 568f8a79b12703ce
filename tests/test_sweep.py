"""Sweeps: axis specs, bad specs, and the same numbers from every backend."""

import contextlib
import io
import json

import pytest

from conftest import TINY
from lstm_lab import ConfigError, ExperimentConfig, run_experiment
from lstm_lab.cli import main
from lstm_lab.doctor import diagnose
from lstm_lab.sweep import DaskBackend, grid, parse_axis, run_sweep

BASE = ExperimentConfig.from_dict({**TINY, "epochs": 4})
X, Y = "learning_rate=1e-5,1e-2", "batch_size=16,32"


@pytest.mark.parametrize("spec,field,values", [
    ("learning_rate=1e-6:1:log:7", "learning_rate", (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0)),
    ("batch-size=1,8,32,128", "batch_size", (1, 8, 32, 128)),
    ("noise=0:1:lin:3", "noise", (0.0, 0.5, 1.0)),
    ("seq_len=10:40:lin:4", "seq_len", (10, 20, 30, 40)),
])
def test_axis_specs(spec, field, values):
    axis = parse_axis(spec)
    assert axis.field == field and axis.values == values


@pytest.mark.parametrize("x,y,message", [
    ("colour=1,2", "batch_size=8", "unknown field 'colour'; a sweep can vary"),
    ("optimizer=adam,sgd", "batch_size=8", "optimizer is not numeric"),
    ("learning_rate=", "batch_size=8", "learning_rate: the range is empty"),
    ("learning_rate=1:2:log:11", "batch_size=1:100:lin:10", "110 cells; at most 100"),
    ("learning_rate=100,1", "batch_size=8", "learning_rate = 100.0 is out of range"),
    ("learning_rate=0:1:log:3", "batch_size=8", "a log range needs positive ends"),
    ("batch_size=8", "batch_size=16", "the two axes must be different fields"),
    ("seq_len=10,900", "batch_size=8", "leaves no training window"),
    ("learning_rate", "batch_size=8", "an axis looks like learning_rate=1e-6:1:log:7"),
])
def test_bad_specs_one_clear_message_and_exit_2(x, y, message, capsys):
    with pytest.raises(ConfigError, match=None) as err:
        grid(ExperimentConfig(), parse_axis(x), parse_axis(y))
    assert message in str(err.value)
    assert main(["sweep", "--x", x, "--y", y]) == 2
    err_lines = capsys.readouterr().err.strip().splitlines()
    assert len(err_lines) == 1 and message in err_lines[0]


def single(config):
    result = run_experiment(config)
    return result.verdict, result.targets[0].scores.r2, diagnose(result)[0].code


def numbers(sweep):
    return [(c.x, c.y, c.verdict, c.r2, c.flatness, c.finding) for c in sweep.cells]


@pytest.fixture(scope="module")
def local_sweep():
    return run_sweep(BASE, parse_axis(X), parse_axis(Y))


def test_two_by_two_sweep_equals_four_single_runs(local_sweep):
    assert [(c.x, c.y) for c in local_sweep.cells] == [
        (1e-5, 16), (1e-2, 16), (1e-5, 32), (1e-2, 32)]
    for cell in local_sweep.cells:
        config = BASE.replace(learning_rate=cell.x, batch_size=cell.y)
        assert (cell.verdict, cell.r2, cell.finding) == single(config)
    assert {c.verdict for c in local_sweep.cells} == {"flat", "learning"}


def test_dask_cluster_gives_identical_numbers_and_the_cli_uses_it(local_sweep):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, processes=True) as cluster:
        backend = DaskBackend(cluster.scheduler_address)
        try:
            remote = run_sweep(BASE, parse_axis(X), parse_axis(Y), backend)
        finally:
            backend.close()
        assert numbers(remote) == numbers(local_sweep)
        out = io.StringIO()
        flags = [a for k, v in TINY.items() for a in (f"--{k.replace('_', '-')}", str(v))]
        with contextlib.redirect_stdout(out):
            code = main(["sweep", "--x", X, "--y", Y, "--dask", cluster.scheduler_address,
                         "--json", *flags, "--epochs", "4"])
        assert code == 0
        cells = json.loads(out.getvalue())["cells"]
    assert [(c["patch"], c["r2"], c["finding"]) for c in cells] == [
        ({"learning_rate": c.x, "batch_size": c.y}, c.r2, c.finding) for c in local_sweep.cells]


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        DaskBackend("tcp://127.0.0.1:9")


def test_a_sweep_ticks_from_its_first_second_before_any_cell_ends():
    """The Sweep page's progress line moves while no cell has finished (workers starting,
    shapes compiling): run_sweep calls on_tick(done, total) between its looks."""
    ticks, cells = [], []
    run_sweep(BASE.replace(seed=5), parse_axis("learning_rate=1e-3"), parse_axis("seed=5,6"),
              on_cell=lambda c, n, t: cells.append(n), on_tick=lambda n, t: ticks.append((n, t)))
    assert ticks[0] == (0, 2) and cells == [1, 2]
    assert [n for n, _ in ticks] == sorted(n for n, _ in ticks)  # counts only go up
