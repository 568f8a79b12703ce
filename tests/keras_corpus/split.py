"""Write the corpus's split by source (run once, before any rule changes):

    python -m keras_corpus.split          # from tests/ (PYTHONPATH=tests)

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


def main() -> None:
    split = draw(all_programs())
    SPLIT_FILE.write_text(json.dumps(split, indent=1) + "\n")
    print(f"dev {len(split['dev'])}, held-out {len(split['heldout'])} -> {SPLIT_FILE}")


if __name__ == "__main__":
    main()
