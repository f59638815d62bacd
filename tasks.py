#!/usr/bin/env python3
"""The README's two commands, using only the standard library so they work on a fresh machine.

    python3 tasks.py run    set up .venv, load the sample retailer if nothing is loaded, serve
    python3 tasks.py test   set up .venv and the test tools (Chromium, axe-core), run ruff, pytest
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"


def sh(*cmd: str | Path, **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kwargs)


def ensure_venv(extras: str = "") -> None:
    """Create .venv and install the project; reinstall only when pyproject.toml changes."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file must speak to old Pythons too
        sys.exit(f"ToyPulse needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
        sh(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed{'-' + extras if extras else ''}"
    if not stamp.exists() or stamp.read_text() != digest:
        target = f".[{extras}]" if extras else "."
        sh(BIN / "python", "-m", "pip", "install", "-q", "-e", target)
        stamp.write_text(digest)


# Debian packages the tests need: package -> a command (or absolute path) that shows it is there.
DEBIAN_PACKAGES = {
    "chromium": "chromium",
    "chromium-driver": "chromedriver",
    "postgresql": "/usr/lib/postgresql/15/bin/postgres",  # warehouse tests start a server
    "redis-server": "redis-server",  # shared sessions, limits and cache (tests start their own)
    "nginx": "/usr/sbin/nginx",  # the reference deployment's proxy file is checked with nginx -t
    "nodejs": "node",  # npm installs axe-core, which the accessibility browser tests inject
    "npm": "npm",
    "poppler-utils": "pdftotext",  # report tests read the PDF export's text and pages
}


def ensure_debian_packages() -> None:
    """Browser and server tests use Debian's packages; install the missing ones with apt-get."""
    missing = [pkg for pkg, probe in DEBIAN_PACKAGES.items()
               if not (Path(probe).exists() if probe.startswith("/") else shutil.which(probe))]
    if not missing:
        return
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sh(*prefix, "apt-get", "update", "-qq", env=env)
    sh(*prefix, "apt-get", "install", "-y", "-qq", *missing, env=env)


def ensure_node_modules() -> None:
    """Install package-lock.json's test-only JavaScript (axe-core); again only when it changes."""
    digest = hashlib.sha256((ROOT / "package-lock.json").read_bytes()).hexdigest()
    stamp = ROOT / "node_modules" / ".installed"
    if not stamp.exists() or stamp.read_text() != digest:
        sh("npm", "ci", "--no-audit", "--no-fund")
        stamp.write_text(digest)


def run(args: list[str]) -> None:
    ensure_venv()
    # First run: load the sample retailer, and create `admin` with a printed one-time password.
    command = ["run", "--sample-if-empty", "--admin-if-none", *args]
    os.execv(BIN / "dashboard", [str(BIN / "dashboard"), *command])


def test(args: list[str]) -> None:
    ensure_venv("test")
    ensure_debian_packages()
    ensure_node_modules()
    sh(BIN / "ruff", "check", ".")
    os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *args])


if __name__ == "__main__":
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])
