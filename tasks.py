#!/usr/bin/env python3
"""The commands of README.md, for a fresh machine with only Python 3.11 and pip.

    python3 tasks.py build       # set up .venv, then build maps and statistics from layers/
    python3 tasks.py test        # set up .venv (headless Chromium, gdal-bin), lint, run the
                                 # docstring examples and the tests
    python3 tasks.py notebooks   # set up .venv with JupyterLab, open notebooks/ in JupyterLab

All create ``.venv`` on first use and reinstall only when pyproject.toml changes. Standard
library only, so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
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
    """Install Debian's chromium and chromedriver for the browser tests, and Debian's GDAL
    (gdal-bin: ogrinfo opens the Circular 04/2023 geodatabase in tests/test_deliver.py), if
    missing (root only)."""
    wanted = {"chromium": "chromium", "chromedriver": "chromium-driver", "ogrinfo": "gdal-bin"}
    missing = sorted({pkg for tool, pkg in wanted.items() if not shutil.which(tool)})
    if not missing:
        return
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(apt, "update", "-qq", env=env)
        run(apt, "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)
    else:
        print(
            f"note: {', '.join(missing)} not found and cannot be installed here (need root "
            "and apt-get); browser tests and the Debian GDAL check will be skipped. Install "
            "Debian's 'chromium', 'chromium-driver' and 'gdal-bin' to run them.",
            flush=True,
        )


def build() -> None:
    setup("")
    run(BIN / "gis", "build")


def test() -> None:
    setup("test")
    ensure_chromium()
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")  # the code is as `ruff format .` writes it
    if not sys.argv[2:]:  # the docstring examples run on the bundled data (9 s)
        run(PY, "-m", "pytest", "-q", "--doctest-modules", "gis")
    run(PY, "-m", "pytest", *sys.argv[2:])


def venv_env() -> dict[str, str]:
    """This process's environment with .venv activated: ``gis`` and ``jupyter`` on PATH.

    JupyterLab's kernels inherit the server's environment, so ``!gis maps`` in a notebook
    cell finds the same ``gis`` as the kernel's ``import gis``.
    """
    path = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, "VIRTUAL_ENV": str(VENV)}


def notebooks() -> None:
    parser = argparse.ArgumentParser(
        prog="python3 tasks.py notebooks",
        description="Set up .venv with the notebooks extra (JupyterLab, ipyleaflet) and open "
        "notebooks/ in JupyterLab. Other options are passed to `jupyter lab`.",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="do not open a browser; open the printed URL yourself",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8888,
        help="port of the server (default 8888; the next free one if taken)",
    )
    args, rest = parser.parse_known_args(sys.argv[2:])
    setup("notebooks")
    cmd = [
        BIN / "jupyter",
        "lab",
        f"--ServerApp.root_dir={ROOT / 'notebooks'}",
        f"--port={args.port}",
        *rest,
    ]
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in rest:
        cmd.append("--allow-root")  # containers run as root; Jupyter refuses root otherwise
    try:
        run(*cmd, env=venv_env())
    except KeyboardInterrupt:  # Ctrl-C stops JupyterLab; not an error
        pass


if __name__ == "__main__":
    commands = {"build": build, "test": test, "notebooks": notebooks}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(
            f"usage: python3 tasks.py {{{'|'.join(commands)}}} [pytest args | notebooks options]"
        )
    try:
        commands[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
