"""The doctor's report on a Keras fit: its verdict, its scores and its findings, as text
(``str(report)``) or, in Jupyter, as HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .rules import Finding


@dataclass(frozen=True)
class Report:
    """What the doctor found: ``str(report)`` is text, in Jupyter it renders as HTML."""

    verdict: str
    scores: tuple[str, ...]  # one line per target: R², flatness, best baseline
    findings: tuple[Finding, ...]
    # what the doctor could not measure, and why ("read the validation data (...)"): the
    # findings stand on the rest
    missing: tuple[str, ...] = ()
    # what the trials cost ("2 tried in 6.1 s, a control included; budget ..."), if any ran
    trials: str = ""

    def __str__(self) -> str:
        lines = [f"verdict: {self.verdict}", *(f"  {s}" for s in self.scores)]
        if self.trials:
            lines.append(f"  trials: {self.trials}")
        lines.append("")
        for i, f in enumerate(self.findings, 1):
            lines.append(f"{i}. [{f.code}] {f.title}  (confidence {f.confidence:.2f})")
            lines += [f"     - {e}" for e in f.evidence]
            if f.code != "healthy":
                lines.append(f"     fix: {f.fix or 'none -- leave it'}")
            if f.trial:
                lines.append(f"     trial: {f.trial}")
        if self.missing:
            lines += ["", "not measured (the findings stand on the rest):"]
            lines += [f"  - {m}" for m in self.missing]
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle) -> None:  # IPython's text/plain: the text report
        p.text(str(self))

    def _repr_html_(self) -> str:
        e = html.escape
        rows = []
        for f in self.findings:
            ev = "".join(f"<li>{e(x)}</li>" for x in f.evidence)
            fix = "" if f.code == "healthy" else \
                f"<p><b>Fix:</b> {_code_html(f.fix or 'none -- leave it')}</p>"
            if f.trial:
                fix += f"<p><b>Trial:</b> {e(f.trial)}</p>"
            rows.append(f"<div style='border-left:4px solid #888;padding-left:.8em;"
                        f"margin:.6em 0'><b>{e(f.title)}</b> <code>{e(f.code)}</code> "
                        f"(confidence {f.confidence:.2f})<ul>{ev}</ul>{fix}</div>")
        scores = "".join(f"<li>{e(s)}</li>" for s in self.scores) + (
            f"<li>Trials: {e(self.trials)}</li>" if self.trials else "")
        missing = "" if not self.missing else (
            "<p>Not measured (the findings stand on the rest):</p><ul>"
            + "".join(f"<li>{e(m)}</li>" for m in self.missing) + "</ul>")
        return (f"<div class='lstm-lab-report'><h4>LSTM Lab doctor · verdict "
                f"<code>{e(self.verdict)}</code></h4><ul>{scores}</ul>{''.join(rows)}"
                f"{missing}</div>")


def _code_html(text: str) -> str:
    """`backticks` as <code>, the rest escaped."""
    parts = text.split("`")
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p)
                   for i, p in enumerate(parts))
