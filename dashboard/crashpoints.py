"""Named points in an import where the kill -9 tests stop the process (tests/unit/test_ingest_kill).

Only the tests set DASHBOARD_TEST_PAUSE_AT=<point> and DASHBOARD_TEST_PAUSE_FILE=<path>: on
reaching that point the process writes its pid to the file and sleeps, so the test can kill it at
exactly that instant. Unset (always, outside tests), `reached` does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POINTS = ("reading", "cleaning", "writing", "building", "publishing", "switched")
PAUSE_SECONDS = 600


def reached(point: str) -> None:
    if os.environ.get("DASHBOARD_TEST_PAUSE_AT") != point:
        return
    flag = os.environ.get("DASHBOARD_TEST_PAUSE_FILE")
    if flag:
        tmp = Path(f"{flag}.tmp")
        tmp.write_text(str(os.getpid()))
        os.replace(tmp, flag)
    time.sleep(PAUSE_SECONDS)
