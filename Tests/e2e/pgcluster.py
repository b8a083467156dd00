"""A throwaway PostgreSQL cluster per test, made by examples/fleet/pg-cluster.sh (the script
users run): `initdb` into a temp dir, the server on a free loopback port, stopped and removed
after the test. No mock of PostgreSQL anywhere.

    def test_x(pg, start_gateway):
        pg.url              # postgres://tollgate@127.0.0.1:PORT/tollgate
        pg.stop_server()    # an outage: the server stops, the data stays
        pg.start_server()   # the same server again, same port
        pg.psql("select 1") # a query's output (psql -At), to look inside

Import the fixture into a test module with `from pgcluster import pg  # noqa: F401`.
Without PostgreSQL's server binaries the fixture skips, except on CI (CI=true), where
.ci/run installs them and a missing server is a failure.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "fleet" / "pg-cluster.sh"


def server_binaries() -> Optional[str]:
    """The directory holding initdb and pg_ctl, found as pg-cluster.sh finds it, or None."""
    cands = []
    if shutil.which("pg_config"):
        try:
            cands.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                                        timeout=10).stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    cands += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                    key=lambda p: [int(x) if x.isdigit() else 0 for x in p.split("/")[-2].split(".")],
                    reverse=True)[:1]
    if shutil.which("initdb"):
        cands.append(str(Path(shutil.which("initdb")).parent))
    for d in cands:
        if d and os.access(os.path.join(d, "initdb"), os.X_OK) and os.access(os.path.join(d, "pg_ctl"), os.X_OK):
            return d
    return None


NO_SERVER_REASON = ("PostgreSQL's server binaries (initdb, pg_ctl) are not installed "
                    "(Debian: apt-get install postgresql); the fleet tests need a real server")


class PgCluster:
    def __init__(self, directory: Path):
        self.dir = directory
        self.url: Optional[str] = None

    def _run(self, *args: str, timeout: float = 90) -> str:
        r = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise RuntimeError(f"pg-cluster.sh {' '.join(args)} failed ({r.returncode}):\n"
                               f"{r.stdout}{r.stderr}\n--- server log ---\n{self.log_tail()}")
        return r.stdout.strip()

    @property
    def port(self) -> int:
        return int((self.dir / "port").read_text())

    def start(self) -> "PgCluster":
        out = self._run("start", str(self.dir))
        assert out.count("\n") == 0 and out.startswith("postgres://tollgate@127.0.0.1:"), out
        self.url = out
        return self

    def stop_server(self):
        """Stop the server (fast shutdown), keeping its data and port."""
        self._run("restart-stop", str(self.dir))

    def start_server(self):
        """Start the stopped server again on the same port."""
        assert self._run("start-again", str(self.dir)) == self.url

    def psql(self, sql: str) -> str:
        r = subprocess.run(["psql", self.url, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed: {r.stderr}")
        return r.stdout.strip()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.dir / "log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def destroy(self):
        try:
            self._run("stop", str(self.dir))
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def pg():
    if server_binaries() is None:
        if os.environ.get("CI"):
            pytest.fail(NO_SERVER_REASON + " — .ci/run must install them")
        pytest.skip(NO_SERVER_REASON)
    # Not under pytest's tmp_path: as root the server runs as user `postgres`, which cannot
    # enter root's 0700 pytest directory. pg-cluster.sh hands this directory to that user.
    d = Path(tempfile.mkdtemp(prefix="tollgate-pg-"))
    cluster = PgCluster(d)
    try:
        cluster.start()
    except Exception:
        shutil.rmtree(d, ignore_errors=True)
        raise
    try:
        yield cluster
    finally:
        print(f"--- postgres log (last 30 lines) [{d / 'log'}] ---\n{cluster.log_tail()}")
        cluster.destroy()
