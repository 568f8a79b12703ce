"""Write the corpus's split by source (run once, before any rule changes):

    python -m keras_corpus.split            # from tests/ (PYTHONPATH=tests); refuses
                                            # once split.json exists
    python -m keras_corpus.split --update   # programs dropped / added since (see update)

Sources (a report's address; each of the project's own programs is its own source) are
put in four strata -- real or synthetic, with or without a healthy program -- and each
stratum is shuffled with a fixed seed; sources are dealt to the held-out part until it
holds a third of the stratum's programs, the rest to the development part. Every program
of a source lands in the same part, and both parts have healthy and broken programs, real
and synthetic ones. The result is committed as ``split.json``; it is not to be redrawn.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict

from . import SPLIT_FILE, all_programs, source_key

SEED = 25


def draw(programs) -> dict:
    by_source = defaultdict(list)
    for p in programs:
        by_source[source_key(p)].append(p)
    strata = defaultdict(list)
    for key, ps in sorted(by_source.items()):
        strata[(ps[0].real, any(p.healthy for p in ps))].append(key)
    rng = random.Random(SEED)
    part_of = {}
    for stratum in sorted(strata):
        keys = strata[stratum]
        rng.shuffle(keys)
        total = sum(len(by_source[k]) for k in keys)
        held = 0
        for k in keys:
            if held + len(by_source[k]) <= round(total / 3) or held == 0:
                part_of[k] = "heldout"
                held += len(by_source[k])
            else:
                part_of[k] = "dev"
    names = {"dev": [], "heldout": []}
    for p in programs:
        names[part_of[source_key(p)]].append(p.name)
    return {"seed": SEED,
            "method": "by source; strata (real?, has a healthy program?); seeded shuffle; "
                      "a third of each stratum's programs held out",
            "dev": names["dev"], "heldout": names["heldout"],
            "sources": {k: part_of[k] for k in sorted(part_of)}}


def update(split: dict, programs) -> dict:
    """Keep the committed split; a program dropped since (its label did not hold) leaves
    it, a program added since joins its source's part, or -- a new source -- the part
    its address's SHA-1 picks (one in three held out). Nothing already placed moves."""
    import hashlib

    names = {p.name for p in programs}
    for part_name in ("dev", "heldout"):
        gone = [n for n in split[part_name] if n not in names]
        split.setdefault("dropped", []).extend(g for g in gone if g not in split["dropped"])
        split[part_name] = [n for n in split[part_name] if n in names]
    placed = set(split["dev"]) | set(split["heldout"])
    for p in programs:
        if p.name in placed:
            continue
        key = source_key(p)
        where = split["sources"].get(key)
        if where is None:
            digest = int(hashlib.sha1(key.encode()).hexdigest(), 16)
            where = "heldout" if digest % 3 == 0 else "dev"
            split["sources"][key] = where
        split[where].append(p.name)
        split.setdefault("added", []).append(p.name)
    return split


def main(argv=None) -> None:
    import sys

    argv = sys.argv[1:] if argv is None else argv
    if "--update" in argv:
        split = update(json.loads(SPLIT_FILE.read_text()), all_programs())
    else:
        if SPLIT_FILE.exists():
            raise SystemExit(f"{SPLIT_FILE} exists: the split is drawn once (use --update)")
        split = draw(all_programs())
    SPLIT_FILE.write_text(json.dumps(split, indent=1) + "\n")
    print(f"dev {len(split['dev'])}, held-out {len(split['heldout'])} -> {SPLIT_FILE}")


if __name__ == "__main__":
    main()
