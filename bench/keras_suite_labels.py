"""Are the Keras suite's labels true? Every program fitted with plain Keras, as written and
with its fix, scored on its validation data against the naive baselines.

    python bench/keras_suite_labels.py              # the suite (≈ 2–3 minutes on 2 cores)
    python bench/keras_suite_labels.py --held-out   # the held-out variants
    python bench/keras_suite_labels.py --only gru_sine lstm_kelvin
    python bench/keras_suite_labels.py --doctor     # also the doctor's top finding

A broken program must fail (its verdict is not ``learning``) and its fix must heal it
(``learning``); a healthy program must be ``learning`` (it has no fix: both columns are
the same program). ``ok`` says whether the label held.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from keras_programs import HELD_OUT, PROGRAMS, doctor_findings, label_holds, plain_outcome  # noqa: E402,E501


def _r2(x) -> str:
    return "   n/a" if x is None else f"{x:6.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--held-out", action="store_true", help="the held-out variants")
    ap.add_argument("--only", nargs="*", help="program names")
    ap.add_argument("--doctor", action="store_true", help="also the doctor's top finding")
    args = ap.parse_args(argv)
    programs = HELD_OUT if args.held_out else PROGRAMS
    if args.only:
        programs = [p for p in PROGRAMS + HELD_OUT if p.name in args.only]
    t0 = time.perf_counter()
    head = (f"{'program':34} {'label':21} {'R² broken':>9} {'R² fixed':>9} "
            f"{'baseline':>8}  {'verdict broken → fixed':24} ok")
    if args.doctor:
        head += "  doctor"
    print(head)
    bad = 0
    for p in programs:
        broken = plain_outcome(p, fixed=False)
        fixed = broken if p.label == "healthy" else plain_outcome(p, fixed=True)
        ok = label_holds(p.label, broken, fixed)
        bad += not ok
        line = (f"{p.name:34} {p.label:21} {_r2(broken.r2):>9} {_r2(fixed.r2):>9} "
                f"{_r2(broken.best_baseline):>8}  "
                f"{broken.verdict + ' → ' + fixed.verdict:24} {'yes' if ok else 'NO'}")
        if args.doctor:
            doc, _ = doctor_findings(p)
            codes = [f.code for f in doc.findings]
            line += f"  {codes[0]}{'' if codes[0] == p.label else ' ✗'} {codes[1:3]}"
        print(line, flush=True)
    print(f"{len(programs) - bad}/{len(programs)} labels hold; "
          f"{time.perf_counter() - t0:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
