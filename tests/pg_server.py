"""A throwaway PostgreSQL server for the test session (the ``postgres_conninfo`` fixture).

The fixture finds the server binaries itself (``initdb`` and ``pg_ctl`` on PATH,
under ``/usr/lib/postgresql/*/bin`` as Debian installs them, or beside
``pg_config --bindir``), creates a cluster in a fresh temporary directory with
trust authentication, starts it on 127.0.0.1 on a free port (and a socket in
the same directory), and stops and deletes it at the end of the session.
``initdb`` and ``postgres`` refuse to run as root: as root the cluster belongs
to the ``postgres`` user (created by the distribution's package) and the
binaries run through ``runuser``.

``CAMPAIGNKIT_POSTGRES_DSN`` points the tests at a scratch server of your own instead
(they create and drop databases, tables and campaigns on it).
Without a server the PostgreSQL tests skip, saying why - unless
``CAMPAIGNKIT_REQUIRE_POSTGRES=1`` (``.ci/run`` sets it), when that is an error.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["postgres_conninfo", "start_server"]


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    config = shutil.which("pg_config")
    if config:
        out = subprocess.run([config, "--bindir"], capture_output=True, text=True, check=False)
        path = Path(out.stdout.strip())
        if (path / "initdb").exists():
            return path
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A running cluster: its connection string, and `stop`."""

    def __init__(self, bindir: Path, root: Path, user: str | None) -> None:
        self.bindir, self.root, self.user = bindir, root, user
        self.data = root / "data"
        self.port = _free_port()
        self.conninfo = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-2000:]}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
            "-c max_connections=100 -c shared_buffers=64MB"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> Server:
    """Create and start a cluster; raises RuntimeError saying why it cannot."""
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError(
            "no PostgreSQL server binaries (initdb) found: install the 'postgresql' package "
            "(apt-get install -y postgresql) or set CAMPAIGNKIT_POSTGRES_DSN"
        )
    user = None
    root = Path(tempfile.mkdtemp(prefix="campaignkit-pg-"))
    if os.geteuid() == 0:
        try:
            entry = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(
                "running as root and there is no 'postgres' user to run the server as"
            ) from None
        os.chown(root, entry.pw_uid, entry.pw_gid)
        user = "postgres"
    root.chmod(0o700)
    server = Server(bindir, root, user)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


@pytest.fixture(scope="session")
def postgres_conninfo() -> Iterator[str]:
    """A libpq connection string to a PostgreSQL server for this test session."""
    given = os.environ.get("CAMPAIGNKIT_POSTGRES_DSN")
    if given:
        yield given
        return
    required = os.environ.get("CAMPAIGNKIT_REQUIRE_POSTGRES") == "1"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        if required:
            raise
        pytest.skip('psycopg is not installed: pip install "campaignkit[postgres]"')
    try:
        server = start_server()
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        if required:
            raise
        pytest.skip(f"no PostgreSQL server could be started: {error}")
    try:
        yield server.conninfo
    finally:
        server.stop()
