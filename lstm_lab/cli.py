"""Command line: ``python -m lstm_lab presets | run | doctor | report | lr-find | preflight | sweep``.

Every outcome of a valid config -- learning, flat, diverged -- is a result (exit 0).
A bad flag or value is one line on stderr and exit 2; a run that ends without a result
(``run --dask``: its worker died, the scheduler went away) is one line and exit 1. No
traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .config import RULES, ConfigError, describe
from . import text
from .presets import PRESETS, get_preset


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (and exit 2), not a usage dump."""

    def error(self, message: str):  # type: ignore[override]
        raise ConfigError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m lstm_lab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("presets", help="list the named failure / fix configs")
    for command, summary in (("run", "train one config and score it"),
                          ("doctor", "train one config and explain what went wrong"),
                          ("report", "train one config and write an offline HTML report"),
                          ("lr-find", "learning-rate range test: suggest a learning rate"),
                          ("preflight", "inspect the data against the config, no training"),
                          ("sweep", "a grid of runs over two knobs")):
        cmd = sub.add_parser(command, help=summary)
        cmd.add_argument("--preset", help="start from a named preset (see `presets`)")
        cmd.add_argument("--config", metavar="FILE",
                         help="start from a config JSON (an export of the app or `report`)")
        cmd.add_argument("--json", action="store_true", help="print one JSON object")
        cmd.add_argument("--csv", help="your own series: a CSV file (sets dataset csv), or "
                         "a shipped name: co2")
        cmd.add_argument("--target", help="column(s) to predict, comma-separated")
        cmd.add_argument("--inputs", help="extra input columns, comma-separated")
        cmd.add_argument("--time-col", help="column to sort the rows by")
        if command == "report":
            cmd.add_argument("-o", "--output", required=True, metavar="FILE",
                             help="where to write the HTML report")
            cmd.add_argument("--png", metavar="FILE", help="also save the chart as PNG")
            cmd.add_argument("--predictions", metavar="FILE",
                             help="also save the predictions as CSV")
            cmd.add_argument("--save-config", metavar="FILE",
                             help="also save the config as JSON")
        if command == "run":
            cmd.add_argument("--dask", metavar="ADDRESS",
                             help="train on this dask.distributed scheduler's workers")
        if command == "sweep":
            cmd.add_argument("--x", required=True, metavar="FIELD=RANGE",
                             help="e.g. learning_rate=1e-6:1:log:7 or batch_size=1,8,32")
            cmd.add_argument("--y", required=True, metavar="FIELD=RANGE")
            cmd.add_argument("--dask", metavar="ADDRESS",
                             help="run the cells on this dask.distributed scheduler")
            cmd.add_argument("--workers", type=int, default=0,
                             help="local worker processes (default: one per core)")
        for name in RULES:
            cmd.add_argument("--" + name.replace("_", "-"), dest=name, metavar="VALUE",
                             help=describe(name))
    return parser


def config_from_args(args: argparse.Namespace):
    """The preset's values, overridden by every field flag given, validated."""
    from .config import ExperimentConfig

    from .tabular import fit_config

    if args.preset and args.config:
        raise ConfigError("give --preset or --config, not both")
    base = dict(get_preset(args.preset).changes) if args.preset else {}
    if args.config:
        base = _read_config(args.config).to_dict()
    flags = {k: getattr(args, k) for k in RULES if getattr(args, k) is not None}
    short = {"csv_source": args.csv, "target_columns": args.target,
             "input_columns": args.inputs, "time_column": args.time_col}
    flags.update({k: v for k, v in short.items() if v is not None})
    if args.csv is not None:
        flags.setdefault("dataset", "csv")
    return fit_config(ExperimentConfig.from_dict({**base, **flags}))


def _read_config(path: str):
    from .export import load_config

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the config file {path!r}: "
                          f"{getattr(err, 'strerror', None) or err}")
    return load_config(text)


def _write(path: str, data: str | bytes) -> None:
    try:
        with open(path, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as err:
        raise ConfigError(f"cannot write {path!r}: {err.strerror or err}")


def _cmd_report(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    from . import export
    from .doctor import diagnose
    from .train import run_experiment

    result = run_experiment(config)
    title = f"LSTM Lab: {args.preset}" if args.preset else None
    _write(args.output, export.report_html(result, diagnose(result), title=title))
    written = [args.output]
    for path, make in ((args.png, lambda: export.chart_png(result)),
                       (args.predictions, lambda: export.predictions_csv(result)),
                       (args.save_config, lambda: export.config_json(config))):
        if path:
            _write(path, make())
            written.append(path)
    print(f"verdict: {result.verdict}; wrote {', '.join(written)}")
    return 0


def _cmd_presets() -> int:
    width = max(map(len, PRESETS))
    for p in PRESETS.values():
        print(f"{p.name:<{width}}  {p.summary}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    config = config_from_args(args)  # validates before the slow TensorFlow import
    from .train import run_experiment

    def show(r):
        print(f"epoch {r.epoch:>3}/{r.epochs}  train loss {r.train_loss:.4g}  "
              f"test loss {r.test_loss:.4g}  ΔW/W {r.weight_change:.2e}", flush=True)

    if args.dask:
        result = _run_on_dask(config, args.dask, None if args.json else show)
    else:
        result = run_experiment(config, on_epoch=None if args.json else show)
    if args.json:
        from .doctor import diagnose

        from .preflight import preflight

        out = result.to_dict()
        out["preflight"] = preflight(config).to_dict()
        out["findings"] = [f.to_dict() for f in diagnose(result)]
        print(json.dumps(out))
        return 0
    for t in result.targets:
        s = t.scores
        base = "  ".join(f"{k} R² {text.num(b.r2)}" for k, b in t.baselines.items())
        print(f"{t.name:>10}: {t.verdict:<8} R² {text.num(s.r2)}  flatness {text.num(s.flatness)}  "
              f"article check constant={s.seed_constant_check}  | {base}")
    print(f"verdict: {result.verdict}  epochs {result.epochs_run}  "
          f"{result.train_seconds:.1f} s")
    return 0


def _run_on_dask(config, address: str, on_epoch):
    """The run as a task on a Dask cluster, its epochs printed as they arrive."""
    from .dask_runner import DaskRunner
    from .jobs import Done, Epoch, Failed

    runner = DaskRunner(address)
    handle = runner.submit(config)
    try:
        for event in handle.events():
            if isinstance(event, Epoch) and on_epoch is not None:
                on_epoch(event.report)
            elif isinstance(event, Done):
                return event.result
            elif isinstance(event, Failed):
                raise _RunFailed(event.message)
    finally:
        handle.cancel()  # Ctrl-C, a closed pipe: the worker stops at its next epoch
        runner.shutdown()


class _RunFailed(Exception):
    """A run that ended without a result (its worker died, the scheduler went away)."""


def _cmd_doctor(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    from .doctor import diagnose
    from .train import run_experiment

    result = run_experiment(config)
    findings = diagnose(result)
    if args.json:
        print(json.dumps([f.to_dict() for f in findings]))
        return 0
    r2 = "  ".join(f"{t.name} R² {text.num(t.scores.r2)} flatness {text.num(t.scores.flatness)}"
                   for t in result.targets)
    print(f"verdict: {result.verdict}  ({r2})\n")
    for i, f in enumerate(findings, 1):
        print(f"{i}. [{f.code}] {f.title}  (confidence {f.confidence:.2f})")
        for line in f.evidence:
            print(f"     - {line}")
        if f.fix:
            flags = " ".join(f"--{k.replace('_', '-')} {text.value(v)}" for k, v in f.fix.items())
            print(f"     fix: {flags}")
        elif f.code != "healthy":
            print("     fix: none -- leave it")
    return 0


def _cmd_lr_find(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    from .lr_find import lr_range_test

    found = lr_range_test(config)
    if args.json:
        print(json.dumps(found.to_dict()))
        return 0
    for lr, loss in list(zip(found.lrs, found.losses))[::10]:
        print(f"lr {lr:9.2e}  smoothed loss {loss:.4g}")
    if found.suggestion is None:
        print("the loss never fell: no learning rate to suggest (check the data)")
    else:
        print(f"lowest loss at lr {found.best_lr:.2g}; suggested learning rate "
              f"{found.suggestion:g} (a tenth of it)")
    return 0


def _cmd_preflight(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    from .preflight import preflight

    report = preflight(config)
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0
    print(f"rows {report.rows} (train {report.train_rows}, test {report.test_rows})")
    if report.format_line:
        print(f"read as: {report.format_line}")
    for c in report.columns:
        period = f"period {c.period} (autocorrelation {c.period_strength:.2f})" \
            if c.period else "no clear period"
        period += f", and a longer cycle of {c.long_period}" if c.long_period else ""
        print(f"  {c.name!r:>16} {c.role:<6}  missing {100 * c.missing_share:5.1f} %  "
              f"std {text.num(c.std)}  outliers {c.outliers}  {period}")
    if report.non_numeric:
        print("not numeric (left out): " + ", ".join(map(repr, report.non_numeric)))
    if report.scale_ratio:
        print(f"scale ratio between columns: {report.scale_ratio:,.1f}")
    for note in report.notes:
        print(f"note: {note}")
    for kind, w in [("warning", w) for w in report.warnings] + [("tip", w) for w in report.tips]:
        flags = " ".join(f"--{k.replace('_', '-')} {text.value(v)}" for k, v in (w.fix or {}).items())
        print(f"{kind}: {w.text}" + (f"  (fix: {flags})" if flags else ""))
    if not report.warnings:
        print("warning: none: this config suits the data")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from .sweep import DaskBackend, LocalBackend, grid, parse_axis, run_sweep

    base = config_from_args(args)
    x, y = parse_axis(args.x), parse_axis(args.y)
    grid(base, x, y)  # every cell validated before anything starts
    runner = None
    if args.dask:
        backend = DaskBackend(args.dask)
    else:
        from .runner import ProcessRunner

        runner = ProcessRunner(workers=args.workers or None)
        backend = LocalBackend(runner)

    def show(cell, done, total):
        if not args.json:
            print(f"[{done:>3}/{total}] {x.field}={cell.x:g} {y.field}={cell.y:g}: "
                  f"{cell.verdict:<8} R² {text.num(cell.r2)}  {cell.finding}", flush=True)

    try:
        result = run_sweep(base, x, y, backend, on_cell=show)
    finally:
        if runner is not None:
            runner.shutdown()
        if args.dask:
            backend.close()
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    by = {(c.x, c.y): c for c in result.cells}
    width = max(10, *(len(f"{v:g}") for v in x.values))
    print(f"\nverdict ({y.field} down, {x.field} across), {result.seconds:.1f} s")
    print(" " * 10 + "".join(f"{v:>{width + 1}g}" for v in x.values))
    for yv in y.values:
        print(f"{yv:>10g}" + "".join(f"{by[xv, yv].verdict:>{width + 1}}" for xv in x.values))
    return 0


# Imported only by the commands that need them (pyproject.toml's `dask` extra): what to install.
_OPTIONAL = {"distributed": "dask[distributed]", "dask": "dask[distributed]"}


def _missing(module: str) -> str:
    """One line for a package that is not installed: which one, and how to get it."""
    top = module.split(".")[0]
    how = (f"pip install '{_OPTIONAL[top]}'" if top in _OPTIONAL
           else "reinstall LSTM Lab with its dependencies (`pip install .` in its checkout)")
    return f"the Python package {top!r} is not installed: {how}"


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "presets":
            return _cmd_presets()
        commands = {"run": _cmd_run, "doctor": _cmd_doctor, "report": _cmd_report,
                    "lr-find": _cmd_lr_find,
                    "preflight": _cmd_preflight, "sweep": _cmd_sweep}
        return commands[args.command](args)
    except ConfigError as err:
        print(f"lstm_lab: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lstm_lab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `lstm-lab ... | head` stopped reading: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no 2nd error at exit
        return 141
    except _RunFailed as err:
        print(f"lstm_lab: error: {err}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as err:  # an optional dependency (`pip install .` leaves it out)
        print(f"lstm_lab: error: {_missing(err.name or str(err))}", file=sys.stderr)
        return 1
    except Exception as err:  # last line of defence: a message, never a traceback
        print(f"lstm_lab: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
