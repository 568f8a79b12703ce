"""Take a finished run home: predictions CSV, config JSON, chart PNG, offline HTML report.

Everything here is built from an :class:`~lstm_lab.train.ExperimentResult` (and, for
the report, the doctor's findings); nothing needs a browser or a network. Charts are
rendered by vl-convert (Vega-Lite compiled in-process), so a PNG or an SVG comes out
of a plain Python call.
"""

from __future__ import annotations

import html
import json

import pandas as pd

from .config import ConfigError, ExperimentConfig
from . import text
from .train import ExperimentResult

CHART_WIDTH = 760  # px: charts in exports have a fixed width (no page to fit)


def predictions_frame(result: ExperimentResult) -> pd.DataFrame:
    """One row per test step and target: time, target name, the recorded target, the
    model's prediction, and each naive baseline (``<name>_baseline``), original units."""
    frames = []
    for j, name in enumerate(result.target_names):
        cols = {"time": result.test_index, "target_name": name,
                "target": result.y_test[:, j], "prediction": result.predictions[:, j]}
        if result.test_times is not None:  # a file's dates, beside the step index
            cols = {"time": cols.pop("time"), "date": result.test_times, **cols}
        for b, values in result.baselines.items():
            cols[f"{b}_baseline"] = values[:, j]
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True)


def predictions_csv(result: ExperimentResult) -> str:
    """:func:`predictions_frame` as CSV text (floats round-trip exactly; NaN empty)."""
    return predictions_frame(result).to_csv(index=False)


def config_json(config: ExperimentConfig) -> str:
    """The config as indented JSON: every field, loadable by :func:`load_config`."""
    return json.dumps(config.to_dict(), indent=2, sort_keys=True) + "\n"


def load_config(text: str) -> ExperimentConfig:
    """A config from JSON text (an export, or written by hand), validated.

    Raises ConfigError with one readable line for bad JSON, unknown fields or values.
    """
    from .tabular import fit_config

    if not text or not text.strip():
        raise ConfigError("the config file is empty: paste or upload a config JSON")
    return fit_config(ExperimentConfig.from_json(text))


def _charts(result: ExperimentResult, style=None) -> list:
    """The prediction chart of every target, then the loss chart, as Altair specs."""
    from . import charts, views

    style = style or charts.NORMAL
    p = views.preview(result.config)
    out = [charts.prediction_chart(p, j, result.predictions, 260, style, width=CHART_WIDTH)
           for j in range(len(result.target_names))]
    if result.history:
        out.append(charts.loss_chart([r.train_loss for r in result.history],
                                     [r.test_loss for r in result.history],
                                     result.config.epochs, style, width=CHART_WIDTH))
    return out


def chart_png(result: ExperimentResult, target: int = 0, scale: float = 2.0) -> bytes:
    """The prediction chart of one target as PNG bytes (no browser needed)."""
    import vl_convert as vlc

    if not 0 <= target < len(result.target_names):
        raise ConfigError(f"target {target} does not exist: this run has "
                          f"{len(result.target_names)} target(s)")
    return vlc.vegalite_to_png(_charts(result)[target].to_dict(), scale=scale)


def _svg(chart) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


def report_html(result: ExperimentResult, findings: list | None = None,
                title: str | None = None, doctor_shown: bool = True) -> str:
    """One self-contained HTML page: verdicts, scores, charts (inline SVG), the doctor's
    findings and the config. No script, no external file: it opens offline.

    ``doctor_shown=False`` (a lesson that hides the doctor) leaves the doctor's section out
    entirely: the report is one more place a student could read the answer."""
    e = html.escape
    config = result.config
    title = title or f"LSTM Lab run — {result.verdict}"
    rows = []
    for t in result.targets:
        base = "".join(f"<td>{text.num(b.r2)}</td>" for b in t.baselines.values())
        rows.append(f"<tr><td>{e(t.name)}</td><td class='v-{e(t.verdict)}'>{e(t.verdict)}</td>"
                    f"<td>{text.num(t.scores.r2)}</td><td>{text.num(t.scores.flatness)}</td>{base}</tr>")
    base_heads = "".join(f"<th>R² {e(k)} baseline</th>" for k in result.targets[0].baselines)
    charts_html = "\n".join(f"<figure>{_svg(c)}</figure>" for c in _charts(result))
    found = []
    for f in findings or []:
        evidence = "".join(f"<li>{e(line)}</li>" for line in f.evidence)
        fix = e(text.patch_words(f.fix)) if f.fix else ""
        fix_line = f"<p><b>Fix:</b> {fix}</p>" if fix else ""
        found.append(f"<section class='finding'><h3>{e(f.title)} <code>{e(f.code)}</code> "
                     f"<small>confidence {f.confidence:.2f}</small></h3>"
                     f"<ul>{evidence}</ul>{fix_line}</section>")
    doctor = "\n".join(found) or "<p>The doctor was not asked about this run.</p>"
    doctor = f"<h2>The doctor</h2>\n{doctor}" if doctor_shown else ""
    how = "stopped" if result.stopped else "diverged" if result.diverged else "finished"
    cfg = "".join(f"<tr><th>{e(k)}</th><td>{e(text.value(v))}</td></tr>"
                  for k, v in config.to_dict().items())
    return _PAGE.format(
        title=e(title), verdict=e(result.verdict), how=how, epochs=result.epochs_run,
        total=config.epochs, seconds=result.train_seconds, rows="".join(rows),
        base_heads=base_heads, charts=charts_html, doctor=doctor, config_rows=cfg,
        config_json=e(config_json(config)))


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 820px; margin: 2em auto;
       padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; margin: .5em 0 1em; }}
th, td {{ border: 1px solid #ccc; padding: .25em .6em; text-align: left; }}
figure {{ margin: 1em 0; }}
.v-learning {{ color: #1a7f37; font-weight: bold; }}
.v-flat, .v-diverged {{ color: #b42318; font-weight: bold; }}
.v-unstable {{ color: #b54708; font-weight: bold; }}
.v-weak {{ color: #8a6100; font-weight: bold; }}
.finding {{ border-left: 4px solid #888; padding-left: .8em; margin: 1em 0; }}
pre {{ background: #f6f6f6; padding: .8em; overflow-x: auto; }}
</style></head>
<body>
<h1>{title}</h1>
<p>Verdict <b class="v-{verdict}">{verdict}</b> — {how} after {epochs}/{total} epochs
in {seconds:.1f} s of training. Scores are on the test span, in the data's own units.</p>
<table><tr><th>target</th><th>verdict</th><th>R²</th><th>flatness</th>{base_heads}</tr>
{rows}</table>
<h2>Predictions against the targets</h2>
{charts}
{doctor}
<h2>Config</h2>
<table>{config_rows}</table>
<p>To rerun: save the JSON below as <code>config.json</code> and run
<code>python -m lstm_lab run --config config.json</code>.</p>
<pre>{config_json}</pre>
<p><small>Made by LSTM Lab.</small></p>
</body></html>
"""
