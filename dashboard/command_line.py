"""How to spell a `dashboard` command so it works as printed, in a fresh shell.

The console script lives in the project's .venv, which a new shell has not activated, so a bare
`dashboard ...` is "command not found". Hints name the script by a path that works from the
folder the user ran the app from (relative when inside it, absolute otherwise).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path


def shown(*words: str) -> str:
    """`words` as a command line running this installation's `dashboard` from the current folder."""
    script = Path(sys.executable).with_name("dashboard")
    if not script.exists():  # not installed as a console script: the module always works
        return shlex.join([_near(Path(sys.executable)), "-m", "dashboard", *words])
    return shlex.join([_near(script), *words])


def _near(path: Path) -> str:
    """The path relative to the current folder when under it, so hints stay short."""
    try:
        relative = path.relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return str(relative) if os.sep in str(relative) else f".{os.sep}{relative}"
