"""Real `chapterhouse serve` processes on free loopback ports, for tests that cross the network."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from tests.support.config import write_config
from tests.support.databases import drop_database, new_database

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    """One server process: its base URL, configuration file and data folder."""

    name: str
    base_url: str
    config: Path
    folder: Path
    database_url: str
    process: subprocess.Popen[str] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.folder / "server.log"

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a `chapterhouse` command against this server's configuration."""
        return subprocess.run(
            [sys.executable, "-m", "chapterhouse", "--config", str(self.config), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.folder,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    async def start(self) -> None:
        """Migrate and start the server, on the same port again after stop()."""
        assert self.process is None, f"{self.name} is running already"
        migrated = self.cli("migrate")
        assert migrated.returncode == 0, migrated.stderr
        with self.log.open("a") as log:  # a restart keeps the earlier run's log
            self.process = subprocess.Popen(
                [sys.executable, "-m", "chapterhouse", "--config", str(self.config), "serve"],
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
        deadline = time.monotonic() + START_TIMEOUT
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited at start:\n{self.output()}")
                try:
                    if (await client.get(f"{self.base_url}/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{self.name} not healthy in {START_TIMEOUT}s:\n{self.output()}"
                    )
                await asyncio.sleep(0.1)  # the process is starting; nothing of ours to wait on

    async def sql(self, query: str, *args: object) -> int:
        """Run one statement on this server's database (`?` placeholders): the first
        column of the first row for a SELECT, else the number of rows changed."""
        if self.database_url.startswith("sqlite://"):
            with sqlite3.connect(self.database_url.removeprefix("sqlite://"), timeout=10) as db:
                cursor = db.execute(query, args)
                if query.lstrip().upper().startswith("SELECT"):
                    row = cursor.fetchone()  # no row or NULL: 0, as on PostgreSQL
                    return int(row[0]) if row and row[0] is not None else 0
                return cursor.rowcount
        parts = query.split("?")
        numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))
        conn = await asyncpg.connect(self.database_url)
        try:
            if query.lstrip().upper().startswith("SELECT"):
                return int(await conn.fetchval(numbered, *args) or 0)
            return int((await conn.execute(numbered, *args)).split()[-1])
        finally:
            await conn.close()

    async def make_jobs_due(self, name: str) -> int:
        """Make this server's retried jobs `name` due now, as if their back-off had passed
        (the test moves the clock; no production code path); returns how many. The
        in-process worker polls the job table every second and picks them up."""
        return await self.sql("UPDATE job SET run_at = ? WHERE name = ? AND state = 'pending' "
                              "AND attempts > 0", int(time.time() * 1000), name)

    async def retried_jobs(self, name: str) -> int:
        """How many jobs `name` failed at least once and wait for another try."""
        return await self.sql("SELECT count(*) FROM job WHERE name = ? AND state = 'pending' "
                              "AND attempts > 0", name)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        """Stop the process (SIGINT is Ctrl-C); kill it if it hangs. Returns its exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        code = self.process.returncode
        self.process = None
        return code


async def make_servers(tmp: Path, count: int, **options: object) -> list[RunningServer]:
    servers = []
    for i in range(count):
        port = free_port()
        folder = tmp / f"server{i}"
        folder.mkdir(parents=True)
        url = await new_database(folder, f"server{i}")
        name = f"Server {chr(ord('A') + i)}"
        config = write_config(folder, port=port, database_url=url, name=name, **options)  # type: ignore[arg-type]
        servers.append(RunningServer(name, f"http://127.0.0.1:{port}", config, folder, url))
    await asyncio.gather(*(s.start() for s in servers))
    return servers


async def stop_servers(servers: list[RunningServer]) -> None:
    for server in servers:
        server.stop()
    for server in servers:
        await drop_database(server.database_url)
