"""Command line: ``python -m lstm_lab presets | run``.

Every outcome of a valid config -- learning, flat, diverged -- is a result (exit 0).
A bad flag or value is one line on stderr and exit 2. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys

from .config import RULES, ConfigError, describe
from .presets import PRESETS, get_preset


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (and exit 2), not a usage dump."""

    def error(self, message: str):  # type: ignore[override]
        raise ConfigError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m lstm_lab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("presets", help="list the named failure / fix configs")
    run = sub.add_parser("run", help="train one config and score it")
    run.add_argument("--preset", help="start from a named preset (see `presets`)")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    for name in RULES:
        run.add_argument("--" + name.replace("_", "-"), dest=name, metavar="VALUE",
                         help=describe(name))
    return parser


def config_from_args(args: argparse.Namespace):
    """The preset's values, overridden by every field flag given, validated."""
    from .config import ExperimentConfig

    base = dict(get_preset(args.preset).changes) if args.preset else {}
    flags = {k: getattr(args, k) for k in RULES if getattr(args, k) is not None}
    return ExperimentConfig.from_dict({**base, **flags})


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

    result = run_experiment(config, on_epoch=None if args.json else show)
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    for t in result.targets:
        s = t.scores
        base = "  ".join(f"{k} R² {_num(b.r2)}" for k, b in t.baselines.items())
        print(f"{t.name:>10}: {t.verdict:<8} R² {_num(s.r2)}  flatness {_num(s.flatness)}  "
              f"article check constant={s.seed_constant_check}  | {base}")
    print(f"verdict: {result.verdict}  epochs {result.epochs_run}  "
          f"{result.train_seconds:.1f} s")
    return 0


def _num(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "presets":
            return _cmd_presets()
        return _cmd_run(args)
    except ConfigError as err:
        print(f"lstm_lab: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lstm_lab: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # last line of defence: a message, never a traceback
        print(f"lstm_lab: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
