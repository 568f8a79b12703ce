"""Live runs on a real Dask cluster: a `dask scheduler` and a `dask worker` (one process,
one thread, with its nanny) started as subprocesses on loopback.

The same numbers as in process, epochs streamed in order, cancel within one epoch, queue
place, a worker SIGKILLed mid-run (a plain Failed within seconds, and the next run
works), a scheduler that goes away, the CLI's `run --dask`, and the app on the cluster.
"""

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")

from conftest import TINY  # noqa: E402
from lstm_lab import ExperimentConfig  # noqa: E402
from lstm_lab.cli import main  # noqa: E402
from lstm_lab.dask_runner import DASK_ENV, DaskRunner  # noqa: E402
from lstm_lab.jobs import Done, Epoch, Failed, Queued, Started  # noqa: E402
from lstm_lab.runner import InProcessRunner, read_journal  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGS = [a for k, v in TINY.items() for a in (f"--{k.replace('_', '-')}", str(v))]
LONG = ExperimentConfig(**{**TINY, "epochs": 1000, "n_steps": 3000})  # ~20 s unstopped


def _env(tmp: Path) -> dict:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    # scratch space under the test's folder: a SIGKILLed scheduler leaves its own behind
    return {**os.environ, "PYTHONPATH": path, "TF_CPP_MIN_LOG_LEVEL": "2",
            "DASK_TEMPORARY_DIRECTORY": str(tmp / "scratch")}


def _log_tail(path: Path, n: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-n:]) if path.exists() else ""


def start_scheduler(tmp: Path) -> tuple[subprocess.Popen, str]:
    info, log = tmp / "scheduler.json", tmp / "scheduler.log"
    proc = subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1",
                             "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
                            env=_env(tmp), stdout=open(log, "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            return proc, json.loads(info.read_text())["address"]
        except (OSError, ValueError, KeyError):
            assert proc.poll() is None and time.monotonic() < deadline, _log_tail(log)
            time.sleep(0.1)


def start_worker(address: str, tmp: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--host",
                             "127.0.0.1", "--nworkers", "1", "--nthreads", "1",
                             "--no-dashboard"],
                            env=_env(tmp), stdout=open(tmp / "worker.log", "w"),
                            stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


def closed_port() -> int:
    with socket.socket() as s:  # bound, then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_worker(runner: DaskRunner, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not runner.workers():
        assert time.monotonic() < deadline, "no Dask worker joined"
        time.sleep(0.2)


def until_final(handle, timeout: float = 120) -> list:
    """Every event up to Done/Failed; fails (not hangs) after ``timeout`` s."""
    deadline, events = time.monotonic() + timeout, []
    for event in handle.events(timeout=1):
        if event.kind != "waiting":
            events.append(event)
        if isinstance(event, (Done, Failed)):
            return events
        assert time.monotonic() < deadline, f"no final event in {timeout} s: {events}"


def test_without_distributed_run_dask_names_the_extra_to_install(monkeypatch, capfd):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if `pip install .` only
    assert main(["run", *FLAGS, "--dask", "tcp://127.0.0.1:8786"]) == 1
    assert capfd.readouterr().err.strip().splitlines() == [
        "lstm_lab: error: the Python package 'distributed' is not installed: "
        "pip install 'dask[distributed]'"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask")
    scheduler, address = start_scheduler(tmp)
    worker = start_worker(address, tmp)
    yield address, tmp
    stop(worker)
    stop(scheduler)


@pytest.fixture(scope="module")
def runner(cluster):
    r = DaskRunner(cluster[0])
    wait_for_worker(r)
    yield r
    r.shutdown()


@pytest.fixture(scope="module")
def local():
    r = InProcessRunner(workers=1)
    yield r
    r.shutdown()


def test_same_numbers_as_in_process_and_every_epoch_streams_in_order(runner, local):
    cfg = ExperimentConfig(**TINY, seed=3)
    events = until_final(runner.submit(cfg))
    assert [type(e) for e in events] == [Queued, Started, Epoch, Epoch, Epoch, Done], events
    assert [e.report.epoch for e in events if isinstance(e, Epoch)] == [1, 2, 3]
    remote, alone = events[-1].result, until_final(local.submit(cfg))[-1].result
    np.testing.assert_array_equal(remote.predictions, alone.predictions)
    assert [r.train_loss for r in remote.history] == [r.train_loss for r in alone.history]
    assert [r.test_loss for r in remote.history] == [r.test_loss for r in alone.history]
    assert (remote.verdict, remote.targets[0].scores.r2) == \
        (alone.verdict, alone.targets[0].scores.r2)
    for sent, kept in zip([e.report for e in events if isinstance(e, Epoch)], alone.history):
        # each report crossed the cluster as a pickle, numpy arrays and all
        np.testing.assert_array_equal(sent.predictions, kept.predictions)
        np.testing.assert_array_equal(sent.input_grad_norms, kept.input_grad_norms)
    again = runner.submit(cfg)  # the replay cache, as on the local runners
    assert again.replayed and [type(e) for e in again.poll()] == [Started] + [Epoch] * 3 + [Done]
    fresh = until_final(runner.submit(cfg, fresh=True))  # Run again: trained anew
    assert [type(e) for e in fresh] == [Queued, Started, Epoch, Epoch, Epoch, Done], fresh
    np.testing.assert_array_equal(fresh[-1].result.predictions, remote.predictions)


def test_cancel_stops_within_one_epoch_and_frees_the_worker(cluster, tmp_path):
    journal = tmp_path / "journal.jsonl"
    r = DaskRunner(cluster[0], journal=str(journal))
    try:
        handle = r.submit(LONG.replace(seed=4))
        deadline = time.monotonic() + 60
        for event in handle.events(timeout=1):
            if isinstance(event, Epoch) and event.report.epoch == 2:
                handle.cancel()
            if isinstance(event, (Done, Failed)):
                break
            assert time.monotonic() < deadline, "the cancelled run did not end"
        assert isinstance(event, Done) and event.result.stopped, event
        assert event.result.epochs_run < 100
        assert r.cached(handle.config) is None  # a stopped run is never replayed
        nxt = until_final(r.submit(ExperimentConfig(**TINY, seed=5)), timeout=60)
        assert isinstance(nxt[-1], Done)  # the worker thread was freed
    finally:
        r.shutdown()
    lines = [e for e in read_journal(str(journal)) if e["seed"] == 4]
    assert [e["event"] for e in lines] == ["submitted", "started", "cancel", "finished"]
    cancel, finished = lines[2], lines[3]
    assert finished["stopped"] and finished["epochs_run"] <= cancel["at_epoch"] + 2
    assert finished["epochs_begun_after_cancel"] == 0  # the flag is read before each epoch
    assert finished["epochs_ended_after_cancel"] <= 1  # only the one in progress


def test_queued_runs_know_their_place_on_a_one_thread_worker(runner):
    long = runner.submit(LONG.replace(seed=6))
    until = time.monotonic() + 60
    while not any(isinstance(e, Started) for e in long.poll()):
        assert time.monotonic() < until
        time.sleep(0.05)
    waiting = [runner.submit(ExperimentConfig(**TINY, seed=s)) for s in (7, 8)]
    assert [w.poll() for w in waiting] == [[Queued(1)], [Queued(2)]]
    assert [w.position() for w in waiting] == [1, 2] and runner.waiting() == 2
    waiting[0].cancel()  # taken off the scheduler without a worker
    assert until_final(waiting[0])[-1] == Failed("cancelled before it started")
    assert waiting[1].position() == 1
    long.cancel()
    assert until_final(long)[-1].result.stopped
    assert [type(e) for e in until_final(waiting[1])][-1] is Done
    assert waiting[1].position() == 0 and runner.waiting() == 0


def test_cli_run_on_dask_prints_the_same_epochs_as_a_local_run(cluster):
    def run(*extra):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["run", *FLAGS, "--seed", "9", *extra]) == 0
        return out.getvalue().splitlines()

    remote, here = run("--dask", cluster[0]), run()
    assert remote[:3] == here[:3] and remote[0].startswith("epoch   1/3  train loss")
    assert remote[3:-1] == here[3:-1]  # the scores per target
    assert remote[-1].split("epochs")[0] == here[-1].split("epochs")[0]  # the verdict


@pytest.mark.parametrize("address,message", [
    (None, "lstm_lab: error: cannot reach the Dask scheduler at tcp://127.0.0.1:"),
    ("localhost", "lstm_lab: error: 'localhost' is not a Dask scheduler address"),
])
def test_cli_run_with_a_bad_address_is_one_line_and_exit_2(address, message, capfd,
                                                           monkeypatch):
    monkeypatch.setattr(DaskRunner, "connect_timeout", 2.0)
    address = address or f"tcp://127.0.0.1:{closed_port()}"
    t0 = time.monotonic()
    assert main(["run", *FLAGS, "--dask", address]) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(message), err
    assert time.monotonic() - t0 < 30


def test_a_worker_killed_mid_run_fails_it_plainly_and_the_next_run_works(runner):
    handle = runner.submit(LONG.replace(seed=10))
    killed = None
    for event in handle.events(timeout=1):
        if isinstance(event, Epoch) and killed is None and event.report.epoch >= 2:
            pids = runner.client.run(os.getpid)  # the worker process (its nanny lives on)
            for pid in pids.values():
                os.kill(pid, signal.SIGKILL)
            killed = time.monotonic()
        if isinstance(event, (Done, Failed)):
            break
        if killed is not None:
            assert time.monotonic() - killed < 10, "no final event 10 s after the kill"
    took = time.monotonic() - killed
    assert isinstance(event, Failed), event
    assert "stopped unexpectedly; run it again" in event.message
    assert "Traceback" not in event.message and "\n" not in event.message
    assert took < 10
    # the nanny starts a fresh worker; the next run goes there (TensorFlow loads again)
    after = until_final(runner.submit(ExperimentConfig(**TINY, seed=11)), timeout=120)
    assert isinstance(after[-1], Done), after[-1]


def test_a_scheduler_that_goes_away_fails_the_run_plainly(tmp_path, monkeypatch):
    from ui.live import _make_runner, get_runner

    monkeypatch.setattr(DaskRunner, "connect_timeout", 2.0)  # how long it tries to reconnect
    monkeypatch.setenv("LSTM_LAB_RUNNER", "inprocess")
    scheduler, address = start_scheduler(tmp_path)  # no worker: the run stays queued
    monkeypatch.setenv(DASK_ENV, address)
    _make_runner.clear()
    try:
        r = get_runner()  # the app's runner, as a page gets it
        assert isinstance(r, DaskRunner)
        handle = r.submit(ExperimentConfig(**TINY, seed=12))
        assert handle.poll() == [Queued(1)]  # no worker thread anywhere: first in line
        scheduler.send_signal(signal.SIGKILL)
        t0 = time.monotonic()
        final = until_final(handle, timeout=20)[-1]
        assert isinstance(final, Failed) and final.message.startswith(
            f"lost the connection to the Dask scheduler at {address}"), final
        assert time.monotonic() - t0 < 10
        deadline = time.monotonic() + 30
        while not r.gone():  # the client gives up after its 2 s of reconnecting
            assert time.monotonic() < deadline
            time.sleep(0.2)
        later = r.submit(ExperimentConfig(**TINY, seed=13)).poll()
        assert later == [Failed(f"the Dask scheduler at {address} is not reachable; "
                                "the run did not start")]
        fallback = get_runner()  # the app tries again, and falls back to its own pool
        assert isinstance(fallback, InProcessRunner)
        fallback.shutdown()
        r.shutdown()
    finally:
        stop(scheduler)
        _make_runner.clear()


# --- the app ---------------------------------------------------------------------------
def _app(monkeypatch, address: str, page: str | None = None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(DASK_ENV, address)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    if page:
        at.switch_page(page)
    return at.run()


def test_the_app_trains_its_live_runs_on_the_cluster(cluster, monkeypatch):
    from ui.live import _make_runner, get_runner

    _make_runner.clear()
    try:
        at = _app(monkeypatch, cluster[0])
        assert not at.exception, [e.value for e in at.exception]
        caps = [c.value for c in at.caption]
        assert any("Epoch 20/20" in c and "finished" in c for c in caps), caps
        runner = get_runner()
        assert isinstance(runner, DaskRunner) and runner.cached(ExperimentConfig()) is not None
        at.switch_page("pages/sweep.py").run()
        assert any("backend: Dask at" in c.value for c in at.caption)
        runner.shutdown()
    finally:
        _make_runner.clear()


def test_an_unreachable_scheduler_leaves_the_app_on_its_own_workers(monkeypatch):
    from ui.live import _make_runner

    monkeypatch.setattr(DaskRunner, "connect_timeout", 2.0)
    monkeypatch.setenv("LSTM_LAB_RUNNER", "inprocess")
    _make_runner.clear()
    try:
        at = _app(monkeypatch, f"tcp://127.0.0.1:{closed_port()}", "pages/sweep.py")
        assert not at.exception, [e.value for e in at.exception]
        toasts = [t.value.replace("\\", "") for t in at.toast]
        assert len(toasts) == 1 and toasts[0].startswith(
            "Dask is not used: cannot reach the Dask scheduler at tcp://127.0.0.1:"), toasts
        assert any("backend: this server's worker pool" in c.value for c in at.caption)
    finally:
        _make_runner.clear()
