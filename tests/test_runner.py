import os
import signal
import time

import numpy as np
import pytest

from conftest import TINY
from lstm_lab import ExperimentConfig, run_experiment
from lstm_lab.runner import InProcessRunner, ProcessRunner, read_journal, wait_idle


def kinds(handle):
    return [e[0] for e in handle.events(timeout=60)]


@pytest.fixture
def local():
    r = InProcessRunner(workers=1)
    yield r
    r.shutdown()


def test_in_process_streams_every_epoch_then_done(local):
    cfg = ExperimentConfig(**TINY)
    events = list(local.submit(cfg).events(timeout=60))
    assert [k for k, _ in events if k != "queued"] == ["started"] + ["epoch"] * 3 + ["done"]
    result = events[-1][1]
    np.testing.assert_array_equal(result.predictions, run_experiment(cfg).predictions)


def test_a_config_already_run_replays_at_once(local):
    cfg = ExperimentConfig(**TINY, seed=11)
    first = list(local.submit(cfg).events(timeout=60))[-1][1]
    again = local.submit(cfg)
    assert again.replayed and again.finished.is_set()
    events = again.poll()
    assert [k for k, _ in events] == ["started", "epoch", "epoch", "epoch", "done"]
    assert events[-1][1] is first


def test_cancel_stops_within_one_epoch_and_frees_the_slot(local):
    cfg = ExperimentConfig(**{**TINY, "epochs": 200})
    handle = local.submit(cfg)
    for kind, payload in handle.events(timeout=60):
        if kind == "epoch" and payload.epoch == 1:
            handle.cancel()
        if kind == "done":
            break
    assert payload.stopped and payload.epochs_run <= 2
    assert wait_idle(local)
    assert local.cached(cfg) is None  # a stopped run is never replayed as if complete


def test_waiting_runs_know_their_place(local):
    slow = local.submit(ExperimentConfig(**{**TINY, "epochs": 100}))
    next(e for e in slow.events(timeout=60) if e[0] == "started")
    waiting = [local.submit(ExperimentConfig(**TINY, seed=s)) for s in (21, 22)]
    assert [h.position() for h in waiting] == [1, 2]
    assert local.waiting() == 2  # what the app's redraw throttle reads
    waiting[0].cancel()  # a cancelled queued run is dropped without a worker
    slow.cancel()
    assert kinds(waiting[0])[-1] == "error"
    assert kinds(waiting[1])[-1] == "done"
    assert local.waiting() == 0


@pytest.fixture(scope="module")
def pool():
    r = ProcessRunner(workers=2)
    yield r
    r.shutdown()


def test_worker_processes_give_the_same_numbers_as_in_process(pool):
    cfg = ExperimentConfig(**TINY, seed=3)
    handles = [pool.submit(cfg.replace(seed=s)) for s in (3, 4)]
    results = [list(h.events(timeout=120))[-1][1] for h in handles]
    assert len(set(pool.pids())) == 2
    for s, res in zip((3, 4), results):
        alone = run_experiment(cfg.replace(seed=s))
        np.testing.assert_array_equal(res.predictions, alone.predictions)
        assert res.history[-1].train_loss == alone.history[-1].train_loss


def test_cancelled_run_frees_its_worker_process(pool):
    handle = pool.submit(ExperimentConfig(**{**TINY, "epochs": 500}, seed=7))
    for kind, payload in handle.events(timeout=120):
        if kind == "epoch":
            handle.cancel()
        if kind == "done":
            break
    assert payload.stopped and payload.epochs_run < 10
    assert wait_idle(pool)


def test_killed_worker_fails_only_its_run_and_is_replaced(pool):
    handle = pool.submit(ExperimentConfig(**{**TINY, "epochs": 500}, seed=8))
    for kind, payload in handle.events(timeout=120):
        if kind == "epoch":
            before = set(pool.pids())  # both workers: whichever runs this job dies
            for pid in before:
                os.kill(pid, signal.SIGKILL)
        if kind in ("done", "error"):
            break
    assert kind == "error" and "stopped unexpectedly" in payload
    nxt = pool.submit(ExperimentConfig(**TINY, seed=9))
    assert kinds(nxt)[-1] == "done"
    # the idle worker killed with it is replaced too, without waiting for a job
    deadline = time.monotonic() + 90
    while not (len(pool.pids()) == 2 and set(pool.pids()).isdisjoint(before)):
        assert time.monotonic() < deadline, (pool.pids(), before)
        time.sleep(0.2)


def test_the_journal_records_each_job_and_where_a_cancel_landed(tmp_path):
    path = tmp_path / "journal.jsonl"
    runner = InProcessRunner(workers=1, journal=str(path))
    try:
        list(runner.submit(ExperimentConfig(**TINY, seed=31)).events(timeout=60))
        long = runner.submit(ExperimentConfig(**{**TINY, "epochs": 300}, seed=32))
        for kind, payload in long.events(timeout=60):
            if kind == "epoch" and payload.epoch == 2:
                long.cancel()
        queued = [runner.submit(ExperimentConfig(**TINY, seed=s)) for s in (33, 34)]
        queued[1].cancel()
        list(queued[0].events(timeout=60))
        assert queued[1].finished.wait(30)  # dropped when the slot looked for work
        assert wait_idle(runner)
    finally:
        runner.shutdown()
    events = read_journal(str(path))
    by_seed = {}
    for e in events:
        by_seed.setdefault(e["seed"], []).append(e["event"])
    assert by_seed[31] == ["submitted", "started", "finished"]
    assert by_seed[32] == ["submitted", "started", "cancel", "finished"]
    assert by_seed[34] == ["submitted", "cancel", "dropped"]
    cancel, finished = [e for e in events if e["seed"] == 32][2:]
    assert cancel["at_epoch"] >= 2 and finished["stopped"]
    assert finished["epochs_run"] <= cancel["at_epoch"] + 1  # stopped within one epoch
    assert finished["epochs_begun_after_cancel"] == 0
    assert finished["epochs_ended_after_cancel"] <= 1
    assert finished["t"] >= cancel["t"]


def test_a_worker_process_stops_at_the_next_epoch_boundary(tmp_path):
    path = tmp_path / "journal.jsonl"
    runner = ProcessRunner(workers=1, journal=str(path))
    try:
        handle = runner.submit(ExperimentConfig(**{**TINY, "epochs": 500}, seed=35))
        for kind, payload in handle.events(timeout=120):
            if kind == "epoch" and payload.epoch == 3:
                handle.cancel()
        assert payload.stopped and payload.epochs_run < 500
        assert wait_idle(runner)
    finally:
        runner.shutdown()
    finished = read_journal(str(path))[-1]
    assert finished["event"] == "finished" and finished["stopped"]
    assert finished["epochs_begun_after_cancel"] == 0  # the flag is read before each epoch
    assert finished["epochs_ended_after_cancel"] <= 1  # only the one in progress


def test_a_worker_that_never_gets_ready_is_killed_and_the_run_says_so(tmp_path):
    """A worker silent past its warm-up deadline (once seen stuck on a loaded CI machine)
    must not hold its slot for ever: it is killed, noted, and the run gets a message."""

    class Impatient(ProcessRunner):
        ready_timeout = 0.3  # far shorter than a TensorFlow import: every start "hangs"

    path = tmp_path / "journal.jsonl"
    runner = Impatient(workers=1, journal=str(path))
    try:
        events = list(runner.submit(ExperimentConfig(**TINY, seed=36)).events(timeout=60))
        assert events[-1] == ("error", "a worker process could not start; try again")
    finally:
        runner.shutdown()
    notes = [e for e in read_journal(str(path)) if e["event"] == "worker_failed"]
    assert notes and all(e["slot"] == 0 for e in notes)
    import psutil

    assert not any(psutil.pid_exists(e["pid"]) and psutil.Process(e["pid"]).status() !=
                   psutil.STATUS_ZOMBIE for e in notes)  # each stuck worker was killed
