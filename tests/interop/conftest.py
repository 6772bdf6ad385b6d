"""A bovine-herd server (PyPI, its own virtualenv) on 127.0.0.1, with one registered user,
and a Chapterhouse server beside it, for the interop tests."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.polling import eventually
from tests.support.servers import RunningServer, free_port, make_servers, stop_servers

BOVINE_VERSION = "0.5.19"
#: A finished virtualenv is kept here between runs (keyed by version); CI builds it afresh.
CACHE = Path(os.environ.get("CHAPTERHOUSE_BOVINE_CACHE",
                            f"/tmp/chapterhouse-bovine-{BOVINE_VERSION}"))
DRIVER = Path(__file__).with_name("bovine_driver.py")
APP = '''import os
from quart import Quart
from bovine_herd import BovineHerd
app = Quart(__name__)
BovineHerd(app, db_url=os.environ["BOVINE_DB_URL"])
'''


def _install(venv: Path) -> None:
    """bovine-herd and hypercorn in a virtualenv of their own (bovine pins tortoise-orm
    0.21, which must never meet ours); skip the tests if pip cannot install them."""
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
         "--disable-pip-version-check", f"bovine-herd=={BOVINE_VERSION}", "hypercorn"],
        capture_output=True, text=True, timeout=600)
    if pip.returncode != 0:
        last = (pip.stderr.strip().splitlines() or ["pip failed"])[-1]
        pytest.skip(f"bovine-herd {BOVINE_VERSION} cannot be installed: {last}")
    (venv / "complete").write_text(BOVINE_VERSION)


def _venv(tmp: Path) -> Path:
    """The cached virtualenv (built under a lock, as virtualenvs cannot be moved), or one
    under pytest's temporary folder when the cache folder is not writable."""
    try:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        lock = CACHE.with_name(CACHE.name + ".lock").open("w")
    except OSError:
        _install(tmp / "bovine-venv")
        return tmp / "bovine-venv"
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be building it right now
        if not (CACHE / "complete").exists():
            _install(CACHE)
    return CACHE


@pytest.fixture(scope="session")
def bovine_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _venv(tmp_path_factory.mktemp("bovine"))


@dataclass
class Bovine:
    """One bovine-herd server and its user `bob`, driven through bovine's own client."""

    python: Path
    folder: Path
    base_url: str
    process: subprocess.Popen[str]
    secret: str = ""

    @property
    def domain(self) -> str:
        return self.base_url.removeprefix("http://")

    def env(self) -> dict[str, str]:
        return {**os.environ, "BOVINE_DB_URL": f"sqlite://{self.folder / 'bovine.sqlite3'}",
                "PYTHONPATH": ""}

    def tool(self, *args: str) -> str:
        """`python -m bovine_store …`, bovine's own administration tool."""
        done = subprocess.run([str(self.python), "-m", "bovine_store", *args], cwd=self.folder,
                              env=self.env(), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def drive(self, command: str, *args: str) -> Any:
        """One command of bovine_driver.py as bob (bovine's client-to-server API)."""
        done = subprocess.run(
            [str(self.python), str(DRIVER), self.base_url, self.secret, command, *args],
            cwd=self.folder, env=self.env(), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{done.stderr}\n--- bovine log ---\n{self.log()}"
        return json.loads(done.stdout)

    def log(self) -> str:
        path = self.folder / "bovine.log"
        return path.read_text(errors="replace") if path.exists() else ""


@pytest.fixture
async def bovine(bovine_venv: Path, tmp_path: Path) -> AsyncIterator[Bovine]:
    """bovine-herd on a free port of 127.0.0.1 (IP, not a name: aiodns ignores our resolver),
    with the user bob registered by bovine_store and a did:key secret for its client."""
    folder = tmp_path / "bovine"
    folder.mkdir()
    (folder / "app.py").write_text(APP, encoding="utf-8")
    port = free_port()
    python = bovine_venv / "bin" / "python"
    server = Bovine(python, folder, f"http://127.0.0.1:{port}", None)  # type: ignore[arg-type]
    server.tool("create")
    registered = server.tool("register", "--domain", server.base_url, "--handle", "bob")
    bovine_name = registered.strip().rsplit(" ", 1)[-1]
    key = server.tool("key", "--new", bovine_name)
    server.secret = key.strip().rsplit(" ", 1)[-1]
    with (folder / "bovine.log").open("w") as log:
        server.process = subprocess.Popen(
            [str(bovine_venv / "bin" / "hypercorn"), "--bind", f"127.0.0.1:{port}", "app:app"],
            cwd=folder, env=server.env(), stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            async def webfinger_answers() -> bool:
                assert server.process.poll() is None, server.log()
                try:
                    answer = await client.get(
                        f"{server.base_url}/.well-known/webfinger",
                        params={"resource": f"acct:bob@{server.domain}"})
                except httpx.TransportError:
                    return False
                return answer.status_code == 200

            await eventually(webfinger_answers, "bovine-herd starts", within=60)
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(5)


@pytest.fixture
async def chapterhouse(tmp_path: Path) -> AsyncIterator[RunningServer]:
    """One Chapterhouse server (development configuration) beside bovine."""
    [server] = await make_servers(tmp_path / "chapterhouse", 1)
    try:
        yield server
    finally:
        await stop_servers([server])

