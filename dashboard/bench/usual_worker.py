"""Run the usual way in its own process, so its memory is measured apart from everything else.

python -m dashboard.bench.usual_worker SAMPLE_DIR STATES_JSON OUT_JSON
"""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path

from dashboard.bench import usual
from dashboard.bench.compare import normalise
from dashboard.bench.states import State


def main(sample_dir: str, states_json: str, out_json: str) -> None:
    started = time.perf_counter()
    df = usual.load_frame(Path(sample_dir))
    load_seconds = time.perf_counter() - started
    states = [State(**s) for s in json.loads(Path(states_json).read_text())]
    results = []
    for state in states:
        t0 = time.perf_counter()
        numbers = usual.compute(df, state)
        results.append({"seconds": time.perf_counter() - t0, "numbers": normalise(numbers)})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out_json).write_text(json.dumps(
        {"load_seconds": load_seconds, "peak_rss_mb": peak_mb, "results": results}))


def write_states(states: list[State], path: Path) -> None:
    path.write_text(json.dumps([asdict(s) for s in states]))


if __name__ == "__main__":
    main(*sys.argv[1:4])
