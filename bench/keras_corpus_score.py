"""The doctor's score on one part of the Keras corpus: each program fitted as written with
``lstm_lab.keras.Doctor`` attached (the public API only), its top finding compared with
the program's accepted codes; a healthy program must get no alarm (only ``healthy``).

    nice -n 10 python bench/keras_corpus_score.py --part dev
    nice -n 10 python bench/keras_corpus_score.py --part heldout   # ONCE, at the end

The held-out third is not to be run while rules are being changed: its score is the one
the README reports. A doctor that refuses a program (``refused:DoctorInputError``) or
raises is counted as wrong. Seed 0 (the label check's first seed). Prints per program,
then the confusion table (expected family rows, top finding columns) and the score, and
writes them to ``bench/results/keras_corpus_score_<part>.txt`` (each program's codes to
``..._<part>.jsonl``, appended as measured: start a fresh measurement by deleting it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
warnings.filterwarnings("ignore")

from keras_corpus import correct, doctor_top, part  # noqa: E402


def confusion_table(confusion: Counter) -> str:
    rows = sorted({e for e, _ in confusion})
    cols = sorted({g for _, g in confusion})
    width = max(map(len, rows))
    head = " " * width + " | " + " ".join(f"{i:>2}" for i in range(len(cols)))
    lines = [f"{r:>{width}} | " + " ".join(f"{confusion[r, c] or '.':>2}" for c in cols)
             for r in rows]
    legend = "  ".join(f"{i}={c}" for i, c in enumerate(cols))
    return "\n".join(["expected family (rows) vs doctor's top finding (columns)", head,
                      *lines, legend])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["dev", "heldout"], required=True)
    ap.add_argument("--only", nargs="*", help="program names (within the part)")
    ap.add_argument("--table", action="store_true",
                    help="no fits: recount the saved results for the corpus as it is now "
                         "(programs dropped since leave the count)")
    args = ap.parse_args(argv)
    programs = part(args.part)
    if args.only:
        programs = [p for p in programs if p.name in args.only]
    out: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        out.append(line)

    confusion: Counter = Counter()
    right = alarms = 0
    t0 = time.perf_counter()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    saved_file = results / f"keras_corpus_score_{args.part}.jsonl"
    saved = {}
    if args.table and saved_file.exists():  # recount what was measured, for today's corpus
        for ln in saved_file.read_text().splitlines():
            r = json.loads(ln)
            saved[r["name"]] = r
        programs = [p for p in programs if p.name in saved]
    for p in programs:
        if p.name in saved:
            codes, seconds = saved[p.name]["codes"], saved[p.name]["seconds"]
        else:
            codes, seconds = doctor_top(p, seed=0)
            with saved_file.open("a") as fh:
                fh.write(json.dumps({"name": p.name, "codes": codes,
                                     "seconds": round(seconds, 1)}) + "\n")
        ok = correct(p, codes)
        right += ok
        if p.healthy and codes != ["healthy"]:
            alarms += 1
        confusion[p.family, codes[0]] += 1
        say(f"{p.name:36} {'/'.join(p.codes):32} -> {', '.join(codes[:3]):50} "
            f"{'ok' if ok else 'WRONG'}  {seconds:.0f} s")
    say("")
    say(confusion_table(confusion))
    healthy = sum(p.healthy for p in programs)
    say(f"\n{args.part}: right top finding for {right}/{len(programs)} "
        f"({right / max(1, len(programs)):.0%}); alarms on healthy programs: "
        f"{alarms}/{healthy}; {time.perf_counter() - t0:.0f} s")
    if not args.only:
        (results / f"keras_corpus_score_{args.part}.txt").write_text("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
