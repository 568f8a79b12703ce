"""`pip install .` in a fresh virtual environment gives a working package.

One fresh venv (no system site-packages: nothing leaks in from the test runner's env) is
built once per module from a clean copy of the checkout; each check then runs a command
in it, from a directory outside the checkout so the source tree cannot be imported.
TensorFlow and the rest come from pip's cache when the test command has just installed
them (~35 s here); from the network otherwise.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[1]


def _clean_copy(dst: Path) -> Path:
    """The checkout without what .gitignore leaves out (.venv, build output, caches)."""
    ignored = [line.strip().rstrip("/") for line in (ROOT / ".gitignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    shutil.copytree(ROOT, dst, ignore=shutil.ignore_patterns(".git", *ignored))
    return dst


def _env() -> dict:
    """The caller's environment minus anything that points Python at another tree."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A venv where `pip install <checkout>` has run: its bin/ folder, and a scratch cwd."""
    base = tmp_path_factory.mktemp("install")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=_env())
    # --no-compile: the same files as `pip install .`, without byte-compiling TensorFlow's
    # thousands of modules up front (~35 s instead of ~95 s here; Python compiles on import).
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-compile",
                           str(_clean_copy(base / "src"))],
                          capture_output=True, text=True, env=_env(), cwd=base, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (base / "cwd").mkdir()
    yield venv / "bin", base / "cwd"
    shutil.rmtree(base, ignore_errors=True)  # TensorFlow makes it ~1.5 GB


def _run(fresh, *argv: str) -> subprocess.CompletedProcess:
    bin_dir, cwd = fresh
    exe = str(bin_dir / argv[0]) if (bin_dir / argv[0]).exists() else argv[0]
    return subprocess.run([exe, *argv[1:]], capture_output=True, text=True, cwd=cwd,
                          env=_env(), timeout=600)


def _verdict_json(done, cwd):
    assert done.returncode == 0, done.stderr[-2000:]
    run = json.loads(done.stdout)
    assert run["verdict"] and run["config"]["csv_source"] == "co2"
    assert run["epochs_run"] == run["config"]["epochs"]


def _from_site_packages(done, cwd):
    assert done.returncode == 0, done.stderr[-2000:]
    package, purelib = done.stdout.split()
    assert Path(package).parent == Path(purelib)  # the installed copy, not the checkout


def _isolated(done, cwd):
    # The runner's test-only packages are invisible: every dependency came with the install.
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["None", "None", "None"]


def _dataset_installed(done, cwd):
    assert done.returncode == 0, done.stderr[-2000:]
    rows = done.stdout.splitlines()
    assert rows[0] == "date,co2_ppm" and len(rows) > 2000


def _dask_extra_named(done, cwd):
    # Without the `dask` extra: one line that names what to install, no traceback.
    assert done.returncode == 1
    assert done.stderr == ("lstm_lab: error: the Python package 'distributed' is not "
                           "installed: pip install 'dask[distributed]'\n")


def _ok(done, cwd):
    assert done.returncode == 0, done.stderr[-2000:]


def _report_written(done, cwd):
    # The report renders its charts in-process: Altair and vl-convert came with the install.
    _ok(done, cwd)
    assert "<svg" in (cwd / "r.html").read_text()
    assert (cwd / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _callback_importable(done, cwd):
    # The callback is a real Keras callback, and `diagnose_fit` comes with the package.
    _ok(done, cwd)
    assert done.stdout.split() == ["keras.src.callbacks.callback", "diagnose_fit"], done.stdout


PY = "python"
CHECKS = [
    pytest.param(["lstm-lab", "run", "--preset", "co2", "--json"], _verdict_json,
                 id="command-co2-json"),
    pytest.param([PY, "-c", "import lstm_lab, sysconfig; "
                  "print(lstm_lab.__path__[0], sysconfig.get_path('purelib'))"],
                 _from_site_packages, id="import-installed"),
    pytest.param([PY, "-c", "import importlib.util as u; "
                  "print(*(u.find_spec(m) for m in ('pytest', 'streamlit', 'distributed')))"],
                 _isolated, id="fresh-env"),
    pytest.param([PY, "-c", "import importlib.resources as r; print(r.files('lstm_lab')"
                  ".joinpath('datasets/mauna_loa_co2_weekly.csv').read_text(), end='')"],
                 _dataset_installed, id="dataset-file"),
    pytest.param(["lstm-lab", "report", "--dataset", "sine", "--n-steps", "300", "--seq-len", "10",
                  "--units", "8", "--epochs", "1", "-o", "r.html", "--png", "r.png"], _report_written,
                 id="command-report-png"),
    pytest.param(["lstm-lab", "sweep", "--dask", "tcp://127.0.0.1:9", "--x", "seed=0,1",
                  "--y", "epochs=1"], _dask_extra_named, id="dask-extra-named"),
    pytest.param([PY, "-c", "from lstm_lab.keras import Doctor; import lstm_lab; "
                  "print(Doctor.__mro__[1].__module__, lstm_lab.diagnose_fit.__name__)"],
                 _callback_importable, id="keras-callback"),
]


@pytest.mark.parametrize("argv,check", CHECKS)
def test_fresh_install(fresh, argv, check):
    check(_run(fresh, *argv), fresh[1])


def test_console_command_is_python_m_lstm_lab(fresh):
    assert _run(fresh, "lstm-lab", "presets").stdout == _run(fresh, PY, "-m", "lstm_lab",
                                                               "presets").stdout != ""


def _requirements(lines) -> set[str]:
    from packaging.requirements import Requirement

    return {str(Requirement(line.split(" #")[0])) for line in map(str.strip, lines)
            if line and not line.startswith(("#", "-"))}


def test_requirements_txt_is_the_package_with_its_app_and_dask_extras():
    # requirements.txt (the README's app command) and pyproject.toml pin the same things.
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    declared = _requirements(project["dependencies"] + extras["app"] + extras["dask"])
    assert declared == _requirements((ROOT / "requirements.txt").read_text().splitlines())
