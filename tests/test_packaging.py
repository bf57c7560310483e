"""environment.yml (conda) and pyproject.toml (pip) list the same dependencies and bounds."""

import os
import re
import subprocess
import sys
import tomllib

from conftest import REPO

_REQ = re.compile(r"^\s*-\s+([A-Za-z0-9_.\-]+)\s*(>=\s*[0-9][^\s#]*)?")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    out = {}
    for req in reqs:
        m = re.match(r"([A-Za-z0-9_.\-]+)\s*(>=\s*\S+)?", req)
        out[_norm(m.group(1))] = (m.group(2) or "").replace(" ", "")
    return out


def _environment() -> dict[str, str]:
    out = {}
    text = (REPO / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = _REQ.match(line)
        if m and not line.strip().startswith("- -e"):
            out[_norm(m.group(1))] = (m.group(2) or "").replace(" ", "")
    for tool in ("python", "pip"):
        out.pop(tool, None)
    return out


def test_environment_yml_matches_pyproject():
    assert _environment() == _pyproject()


def test_readme_gives_the_ci_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in readme and "python3 tasks.py test" in ci
    assert "python3 tasks.py build" in readme


def test_notebooks_command_is_documented_and_installs_jupyterlab():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "python3 tasks.py notebooks" in readme
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    notebooks = {
        _norm(re.match(r"[A-Za-z0-9_.\-]+", r).group())
        for r in extras["optional-dependencies"]["notebooks"]
    }
    assert {"jupyterlab", "ipykernel", "ipyleaflet"} <= notebooks
    # --help answers before anything is installed (standard library only)
    done = subprocess.run(
        [sys.executable, str(REPO / "tasks.py"), "notebooks", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "--no-browser" in done.stdout and "--port" in done.stdout


def test_notebooks_get_the_venv_on_path(monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("tasks", REPO / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    monkeypatch.setenv("PATH", "/usr/bin")
    env = tasks.venv_env()
    assert env["PATH"].split(os.pathsep) == [str(REPO / ".venv" / "bin"), "/usr/bin"]
    assert env["VIRTUAL_ENV"] == str(REPO / ".venv")
