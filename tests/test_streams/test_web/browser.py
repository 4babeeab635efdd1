"""What the browser tests share: Debian's Chromium, waiting on page conditions, screenshots, and
a `liveblog` command that serves the page in a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

CLI = str(Path(sys.executable).parent / "liveblog")
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "artifacts"


async def until(page: Any, script: str, timeout: float = 20.0) -> None:
    """Poll `script` (a JS function) until it is true; `page.wait_for_function` evaluates
    strings with eval, which the page's CSP rightly forbids."""
    async with asyncio.timeout(timeout):
        while not await page.evaluate(script):
            await asyncio.sleep(0.1)


def chromium() -> str:
    if not Path(CHROMIUM).exists():
        subprocess.run([str(ROOT / "scripts" / "ensure-browser")], check=False, timeout=900)
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: run scripts/ensure-browser")
    return CHROMIUM


async def screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a full-page screenshot under artifacts/ (copied into docs/ for the README)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    await page.screenshot(path=str(path), full_page=full_page)
    return path


@contextlib.asynccontextmanager
async def cli_serving(
    args: list[str], *, cwd: Path, env: dict[str, str] | None = None
) -> AsyncIterator[str]:
    """`liveblog ARGS` (which must print `serving URL`) in a subprocess; yields the URL. Its
    stderr is read to the end meanwhile, so the process never blocks on a full pipe."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    proc = await asyncio.create_subprocess_exec(
        CLI,
        *args,
        cwd=cwd,
        env={**environ, **(env or {})},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    url = ""
    try:
        async with asyncio.timeout(60):
            while line := (await proc.stderr.readline()).decode(errors="replace"):
                seen.append(line)
                if found := re.search(r"serving (http://\S+?)/?$", line.strip()):
                    url = found.group(1)
                    break
        assert url, "".join(seen[-20:])

        async def drain() -> None:
            assert proc.stderr is not None
            while await proc.stderr.readline():
                pass

        drainer = asyncio.create_task(drain())
        try:
            yield url
        finally:
            drainer.cancel()
    finally:
        if proc.returncode is None:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 30)
