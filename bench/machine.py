"""The machine a figure was measured on: cores, memory, CPU, PostgreSQL, versions, load, commit."""

import os
import platform
import subprocess

import psutil

from . import config, database


def load() -> dict:
    one, five, fifteen = os.getloadavg()
    return {"1m": round(one, 2), "5m": round(five, 2), "15m": round(fifteen, 2), "cores": os.cpu_count()}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return ""


def _git() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=config.ROOT).stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty_paths": len(git("status", "--porcelain").splitlines()),
    }


def facts() -> dict:
    import django

    try:
        postgres = database.server_facts()
    except Exception as error:
        postgres = {"error": str(error)[:200]}
    return {
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": _cpu_model(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": _version([str(config.VENV_BIN / "gunicorn"), "--version"]),
        "wrk": _version(["wrk", "--version"]),
        "postgresql": postgres,
        "git": _git(),
    }
