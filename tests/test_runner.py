import os
import signal
import time

import numpy as np
import pytest

from conftest import TINY
from lstm_lab import ExperimentConfig, run_experiment
from lstm_lab.jobs import (LR_FIND, RUN, Done, Epoch, Failed, Job, Queued, Started, SweepCell,
                           Waiting)
from lstm_lab.runner import InProcessRunner, ProcessRunner, read_journal, wait_idle


def kinds(handle):
    return [type(e) for e in handle.events(timeout=60)]


@pytest.fixture
def local():
    r = InProcessRunner(workers=1)
    yield r
    r.shutdown()


def test_in_process_streams_every_epoch_then_done(local):
    cfg = ExperimentConfig(**TINY)
    events = list(local.submit(cfg).events(timeout=60))
    assert [type(e) for e in events if not isinstance(e, Queued)] == \
        [Started] + [Epoch] * 3 + [Done]
    assert [e.report.epoch for e in events if isinstance(e, Epoch)] == [1, 2, 3]
    result = events[-1].result
    np.testing.assert_array_equal(result.predictions, run_experiment(cfg).predictions)


def test_a_config_already_run_replays_at_once(local):
    cfg = ExperimentConfig(**TINY, seed=11)
    first = list(local.submit(cfg).events(timeout=60))[-1].result
    again = local.submit(cfg)
    assert again.replayed and again.finished.is_set()
    events = again.poll()
    assert [type(e) for e in events] == [Started, Epoch, Epoch, Epoch, Done]
    assert events[-1].result is first


def test_cancel_stops_within_one_epoch_and_frees_the_slot(local):
    cfg = ExperimentConfig(**{**TINY, "epochs": 200})
    handle = local.submit(cfg)
    for event in handle.events(timeout=60):
        if isinstance(event, Epoch) and event.report.epoch == 1:
            handle.cancel()
        if isinstance(event, Done):
            break
    assert event.result.stopped and event.result.epochs_run <= 2
    assert wait_idle(local)
    assert local.cached(cfg) is None  # a stopped run is never replayed as if complete


def test_waiting_runs_know_their_place(local):
    slow = local.submit(ExperimentConfig(**{**TINY, "epochs": 100}))
    next(e for e in slow.events(timeout=60) if isinstance(e, Started))
    waiting = [local.submit(ExperimentConfig(**TINY, seed=s)) for s in (21, 22)]
    assert [h.position() for h in waiting] == [1, 2]
    assert local.waiting() == 2  # what the app's redraw throttle reads
    waiting[0].cancel()  # a cancelled queued run is dropped without a worker
    slow.cancel()
    assert kinds(waiting[0])[-1] is Failed
    assert kinds(waiting[1])[-1] is Done
    assert local.waiting() == 0


@pytest.fixture(scope="module")
def pool():
    r = ProcessRunner(workers=2)
    yield r
    r.shutdown()


def test_worker_processes_give_the_same_numbers_as_in_process(pool):
    cfg = ExperimentConfig(**TINY, seed=3)
    handles = [pool.submit(cfg.replace(seed=s)) for s in (3, 4)]
    results = [list(h.events(timeout=120))[-1].result for h in handles]
    assert len(set(pool.pids())) == 2
    for s, res in zip((3, 4), results):
        alone = run_experiment(cfg.replace(seed=s))
        np.testing.assert_array_equal(res.predictions, alone.predictions)
        assert res.history[-1].train_loss == alone.history[-1].train_loss


def test_cancelled_run_frees_its_worker_process(pool):
    handle = pool.submit(ExperimentConfig(**{**TINY, "epochs": 500}, seed=7))
    for event in handle.events(timeout=120):
        if isinstance(event, Epoch):
            handle.cancel()
        if isinstance(event, Done):
            break
    assert event.result.stopped and event.result.epochs_run < 10
    assert wait_idle(pool)


def test_killed_worker_fails_only_its_run_and_is_replaced(pool):
    handle = pool.submit(ExperimentConfig(**{**TINY, "epochs": 500}, seed=8))
    for event in handle.events(timeout=120):
        if isinstance(event, Epoch):
            before = set(pool.pids())  # both workers: whichever runs this job dies
            for pid in before:
                os.kill(pid, signal.SIGKILL)
        if isinstance(event, (Done, Failed)):
            break
    assert isinstance(event, Failed) and "stopped unexpectedly" in event.message
    nxt = pool.submit(ExperimentConfig(**TINY, seed=9))
    assert kinds(nxt)[-1] is Done
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
        for event in long.events(timeout=60):
            if isinstance(event, Epoch) and event.report.epoch == 2:
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
        for event in handle.events(timeout=120):
            if isinstance(event, Epoch) and event.report.epoch == 3:
                handle.cancel()
        assert event.result.stopped and event.result.epochs_run < 500
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
        assert events[-1] == Failed("a worker process could not start; try again")
    finally:
        runner.shutdown()
    notes = [e for e in read_journal(str(path)) if e["event"] == "worker_failed"]
    assert notes and all(e["slot"] == 0 for e in notes)
    import psutil

    assert not any(psutil.pid_exists(e["pid"]) and psutil.Process(e["pid"]).status() !=
                   psutil.STATUS_ZOMBIE for e in notes)  # each stuck worker was killed


@pytest.mark.parametrize("task,name", [
    (RUN, "run"), (LR_FIND, "lr_find"),
    (SweepCell("learning_rate", "batch_size"), "cell:learning_rate:batch_size"),
])
def test_a_typed_task_keeps_its_journal_name_and_keys_the_cache(task, name, tmp_path):
    """The journal's JSON lines keep the task names they had as strings; a job's cache key
    is its task and config, so an LR_FIND never replays a RUN of the same config."""
    path = tmp_path / "journal.jsonl"
    runner = InProcessRunner(workers=1, journal=str(path))
    cfg = ExperimentConfig(**{**TINY, "epochs": 2}, seed=41)
    try:
        assert kinds(runner.submit(cfg, task))[-1] is Done
        assert runner.cached(cfg, task) is not None
        assert all(runner.cached(cfg, other) is None
                   for other in (RUN, LR_FIND, SweepCell("seed", "units")) if other != task)
    finally:
        runner.shutdown()
    assert {e["task"] for e in read_journal(str(path))} == {name}
    assert Job(cfg, task).key == f"{name}:{cfg.to_json()}"


def test_an_unknown_task_is_refused_and_waiting_says_the_place(local):
    with pytest.raises(ValueError, match="unknown task 'lr_find'"):
        local.submit(ExperimentConfig(**TINY), task="lr_find")  # a string is not a task
    slow = local.submit(ExperimentConfig(**{**TINY, "epochs": 100}, seed=42))
    next(e for e in slow.events(timeout=60) if isinstance(e, Started))
    queued = local.submit(ExperimentConfig(**TINY, seed=43))
    assert next(queued.events(timeout=0.01)) in (Queued(1), Waiting(1))
    slow.cancel()
    queued.cancel()
    assert wait_idle(local)


# --- replays told epoch by epoch; Run again trains; idle-time warm-ups (issue item 2, 7) ---
def test_a_replay_keeps_the_runs_rhythm_within_the_cap():
    from lstm_lab.replay import schedule

    assert schedule([0.5, 1.0, 1.5, 2.0]) == [0.5, 1.0, 1.5, 2.0]  # the pace it trained
    long = schedule([float(k) for k in range(1, 41)])  # 40 s of training
    assert long[-1] == pytest.approx(8.0) and long[0] == pytest.approx(0.2)  # ≤ 8 s in all
    quick = schedule([0.01 * k for k in range(1, 21)])  # 0.2 s: still seen epoch by epoch
    assert all(b - a >= 0.1 - 1e-9 for a, b in zip(quick, quick[1:]))
    assert schedule([0.0, 0.0], total=3.0) == [1.5, 3.0]  # no per-epoch times: spread total
    assert schedule([10.0, 10.5, 11.0]) == [0.5, 1.0, 1.5]  # a first epoch's compile is cut
    assert schedule([]) == []


def test_a_paced_replay_draws_its_epochs_over_time_and_skips_to_the_end(local):
    from lstm_lab.replay import PacedReplay

    cfg = ExperimentConfig(**{**TINY, "epochs": 5}, seed=12)
    first = list(local.submit(cfg).events(timeout=60))[-1].result
    handle = local.submit(cfg)
    assert handle.replayed
    now = [100.0]
    pace = PacedReplay(handle.poll(), clock=lambda: now[0], cap=1.0, min_gap=0.1)
    seen = [type(e) for e in pace.poll()]
    assert seen == [Started]  # at once: nothing of the run yet
    epochs = []
    while not pace.finished:
        now[0] += 0.05
        epochs += [e.report.epoch for e in pace.poll() if isinstance(e, Epoch)]
        assert len(epochs) < 5 or pace.finished  # Done comes with the last epoch
    assert epochs == [1, 2, 3, 4, 5] and 0.4 <= pace.elapsed() <= 1.05 + 1e-6  # a step late

    again = PacedReplay(local.submit(cfg).poll(), clock=lambda: now[0])
    again.poll()
    again.skip()
    rest = again.poll()
    assert [type(e) for e in rest] == [Epoch] * 5 + [Done] and rest[-1].result is first


def test_a_replay_on_a_slow_page_still_shows_every_epoch_within_twice_the_cap(local):
    """A loaded server redraws once a second: each redraw still gets the next epoch."""
    from lstm_lab.replay import PacedReplay

    cfg = ExperimentConfig(**{**TINY, "epochs": 6}, seed=14)
    list(local.submit(cfg).events(timeout=60))
    now = [0.0]
    pace = PacedReplay(local.submit(cfg).poll(), clock=lambda: now[0], cap=3.0, min_gap=0.1)
    pace.poll()
    shown = []
    while not pace.finished:
        now[0] += 1.0  # one redraw a second: every 0.5 s schedule step is already past
        got = [e.report.epoch for e in pace.poll() if isinstance(e, Epoch)]
        shown.append(got)
    assert shown[:3] == [[1], [2], [3]]  # one epoch per redraw while the wait lasts
    assert sum(shown, []) == [1, 2, 3, 4, 5, 6]  # none lost, in order
    assert pace.elapsed() <= 2 * 3.0  # then it catches up: never past twice the cap

    # a page that keeps up is not slowed: the schedule as it was
    now[0] = 0.0
    quick = PacedReplay(local.submit(cfg).poll(), clock=lambda: now[0], cap=3.0, min_gap=0.1)
    quick.poll()
    while not quick.finished:
        now[0] += 0.01
        quick.poll()
    assert quick.elapsed() == pytest.approx(quick.length, abs=0.011)


def test_fresh_trains_a_cached_config_again_with_the_same_numbers(tmp_path):
    path = tmp_path / "journal.jsonl"
    runner = InProcessRunner(workers=1, journal=str(path))
    cfg = ExperimentConfig(**TINY, seed=13)
    try:
        first = list(runner.submit(cfg).events(timeout=60))[-1].result
        again = runner.submit(cfg, fresh=True)
        assert not again.replayed
        events = list(again.events(timeout=60))
        assert [type(e) for e in events if not isinstance(e, Queued)] == \
            [Started] + [Epoch] * 3 + [Done]
        np.testing.assert_array_equal(events[-1].result.predictions, first.predictions)
        assert events[-1].result is not first
    finally:
        runner.shutdown()
    started = [e for e in read_journal(str(path)) if e["event"] == "started"]
    assert len(started) == 2


def test_thirty_sessions_replaying_one_preset_cost_no_training(tmp_path):
    path = tmp_path / "journal.jsonl"
    runner = InProcessRunner(workers=1, journal=str(path))
    cfg = ExperimentConfig(**TINY, seed=14)
    try:
        list(runner.submit(cfg).events(timeout=60))
        handles = [runner.submit(cfg) for _ in range(30)]
        assert all(h.replayed for h in handles) and runner.busy == 0
    finally:
        runner.shutdown()
    events = [e["event"] for e in read_journal(str(path))]
    assert events.count("started") == 1 and events.count("submitted") == 31


def test_idle_workers_compile_the_warm_up_shapes_and_a_user_job_still_runs(tmp_path):
    """Each worker compiles each distinct warm-up shape once, in idle time; a job
    submitted during the warm-ups is served (after at most the warm-up in progress)."""
    path = tmp_path / "journal.jsonl"
    warm = [ExperimentConfig(**TINY, seed=s) for s in (1, 2)]  # one shape, twice
    warm.append(ExperimentConfig(**{**TINY, "batch_size": 16}))
    runner = ProcessRunner(workers=1, journal=str(path), warm=warm)
    try:
        handle = runner.submit(ExperimentConfig(**TINY, seed=15))
        assert kinds(handle)[-1] is Done
        deadline = time.monotonic() + 120
        while runner.warm_progress() != (3, 3):
            assert time.monotonic() < deadline, runner.warm_progress()
            time.sleep(0.1)
        wait = time.monotonic() + 30
        while len([e for e in read_journal(str(path)) if e["event"] == "warmed"]) < 3:
            assert time.monotonic() < wait
            time.sleep(0.1)
    finally:
        runner.shutdown()
    warmed = [e for e in read_journal(str(path)) if e["event"] == "warmed"]
    assert [e["compiled"] for e in warmed] == [True, False, True]  # the repeat is skipped
