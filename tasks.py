#!/usr/bin/env python3
"""The two commands of README.md, for a fresh machine with only Python 3.11 and pip.

    python3 tasks.py build   # set up .venv, then build maps and statistics from layers/
    python3 tasks.py test    # set up .venv (and headless Chromium), then lint and run the tests

Both create ``.venv`` on first use and reinstall only when pyproject.toml changes. Standard
library only, so it runs before anything is installed.
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
PY = BIN / "python"


def run(*cmd: str | Path, **kw) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def setup(extras: str) -> None:
    """Create .venv and install the project with ``extras`` unless already up to date."""
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
        run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        target = f".[{extras}]" if extras else "."
        run(PY, "-m", "pip", "install", "--quiet", "-e", target)
        stamp.write_text(digest)


def ensure_chromium() -> None:
    """Install Debian's chromium and chromedriver for the browser tests if missing (root only)."""
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(apt, "update", "-qq", env=env)
        run(apt, "install", "-y", "-qq", "--no-install-recommends", "chromium",
            "chromium-driver", env=env)  # fmt: skip
    else:
        print("note: chromium/chromedriver not found and cannot be installed here (need root "
              "and apt-get); browser tests will be skipped. Install Debian's 'chromium' and "
              "'chromium-driver' to run them.", flush=True)  # fmt: skip


def build() -> None:
    setup("")
    run(BIN / "gis", "build")


def test() -> None:
    setup("test")
    ensure_chromium()
    run(BIN / "ruff", "check", ".")
    run(PY, "-m", "pytest", *sys.argv[2:])


if __name__ == "__main__":
    commands = {"build": build, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(commands)}}} [pytest args]")
    try:
        commands[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
