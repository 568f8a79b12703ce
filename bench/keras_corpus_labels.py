"""Are the corpus's labels true? Every program fitted with plain Keras (no doctor) at 3
seeds, as written and with each of its single fixes, scored on its validation data.

    nice -n 10 python bench/keras_corpus_labels.py                 # the whole corpus
    nice -n 10 python bench/keras_corpus_labels.py --only NAME ...
    nice -n 10 python bench/keras_corpus_labels.py --part heldout  # plain Keras only
    python bench/keras_corpus_labels.py --table                    # print the saved rows

A label holds when the program as written fails at all 3 seeds (its verdict is not
``learning``) and the fix for each accepted code heals it at all 3 (``learning``, or R²
up by 0.5 -- ``keras_programs.label_holds``; a diverged run, which has no R², only by a
fix that learns: ``keras_corpus.heals``); a healthy program must learn at all 3. Fixes
listed for a program beyond its accepted codes were tried and did not heal.
Rows are appended to ``bench/results/keras_corpus_labels.jsonl`` as they are measured
(a rerun skips programs already there unless ``--redo``); the table is written to
``bench/results/keras_corpus_labels.txt``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import warnings  # noqa: E402

warnings.filterwarnings("ignore")

from keras_corpus import SEEDS, all_programs, heals, part, plain_outcome  # noqa: E402

RESULTS = ROOT / "bench" / "results"
JSONL = RESULTS / "keras_corpus_labels.jsonl"
TABLE = RESULTS / "keras_corpus_labels.txt"


def _r2(x) -> str:
    return "   n/a" if x is None else f"{x:6.2f}"


def measure(p) -> dict:
    row = {"name": p.name, "codes": list(p.codes), "seeds": list(SEEDS), "broken": [],
           "fixes": {}}
    for s in SEEDS:
        o = plain_outcome(p, None, s)
        row["broken"].append([o.verdict, o.r2, round(o.seconds, 1)])
    for code in p.fixes:
        row["fixes"][code] = []
        for s in SEEDS:
            o = plain_outcome(p, code, s)
            row["fixes"][code].append([o.verdict, o.r2, round(o.seconds, 1)])
    row.update(verdict(p, row))
    return row


def _outcome(cell):
    from keras_programs import Outcome
    return Outcome(cell[0], cell[1], None, None, 0.0)


def verdict(p, row) -> dict:
    """holds: the label holds at every seed; healing: the codes whose fix heals at all 3."""
    if p.healthy:
        ok = all(c[0] == "learning" for c in row["broken"])
        return {"holds": ok, "healing": ["healthy"] if ok else []}
    broken_fails = all(c[0] != "learning" for c in row["broken"])
    healing = [code for code, cells in row["fixes"].items()
               if all(heals(code, _outcome(b), _outcome(f))
                      for b, f in zip(row["broken"], cells))]
    return {"holds": broken_fails and bool(healing) and
            all(c in healing for c in p.codes if c in row["fixes"]),
            "healing": healing}


def line(row) -> str:
    broken = " ".join(f"{c[0][:5]}{_r2(c[1])}" for c in row["broken"])
    fixes = "; ".join(
        f"{code}: " + " ".join(f"{c[0][:5]}{_r2(c[1])}" for c in cells)
        for code, cells in row["fixes"].items())
    return (f"{row['name']:36} {'/'.join(row['codes']):32} {'yes' if row['holds'] else 'NO ':3}"
            f"  broken: {broken}  |  {fixes}")


def write_table(rows: list[dict]) -> str:
    head = (f"{'program':36} {'accepted codes':32} ok   plain Keras at seeds "
            f"{SEEDS}: verdict R² (broken | each fix)")
    text = "\n".join([head, *map(line, rows),
                      f"{sum(r['holds'] for r in rows)}/{len(rows)} labels hold at all "
                      f"{len(SEEDS)} seeds"])
    return text


def load_rows() -> dict[str, dict]:
    rows = {}
    if JSONL.exists():
        for ln in JSONL.read_text().splitlines():
            if ln.strip():
                r = json.loads(ln)
                rows[r["name"]] = r
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="program names")
    ap.add_argument("--part", choices=["dev", "heldout"], help="one part of the split")
    ap.add_argument("--redo", action="store_true", help="measure again what is saved")
    ap.add_argument("--table", action="store_true", help="only print the saved table")
    ap.add_argument("--reverse", action="store_true", help="measure in reverse order")
    ap.add_argument("--share", action="store_true",
                    help="share the work with another --share process (claims file)")
    args = ap.parse_args(argv)
    programs = part(args.part) if args.part else all_programs()
    if args.only:
        programs = [p for p in programs if p.name in args.only]
    RESULTS.mkdir(parents=True, exist_ok=True)
    saved = load_rows()
    if args.reverse:
        programs = programs[::-1]
    if not args.table:
        t0 = time.perf_counter()
        claims = RESULTS / ".keras_corpus_claims"
        for p in programs:
            saved = load_rows()  # another process may have measured it meanwhile
            if p.name in saved and not args.redo:
                continue
            claimed = claims.read_text().split() if claims.exists() else []
            if args.share and p.name in claimed:
                continue
            if args.share:
                with claims.open("a") as fh:
                    fh.write(p.name + "\n")
            row = measure(p)
            saved[p.name] = row
            with JSONL.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            print(line(row), flush=True)
        print(f"measured in {time.perf_counter() - t0:.0f} s")
    rows = []
    for p in all_programs():  # the verdict again, for the programs' current labels
        if p.name in saved:
            row = saved[p.name]
            row.update(codes=list(p.codes), **verdict(p, row))
            rows.append(row)
    text = write_table(rows)
    TABLE.write_text(text + "\n")
    print(text)
    chosen = [saved[p.name] for p in programs if p.name in saved]
    return 0 if all(r["holds"] for r in chosen) else 1


if __name__ == "__main__":
    raise SystemExit(main())
