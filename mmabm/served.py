"""The dashboard as a separate process: `mmabm dash` on a free local port, waited for until its
page answers, then stopped. The browser tests, the dashboard's benchmark and the script that
redraws docs/dashboard.png all drive the real server this way (Debian's chromium through
Playwright), so they share one way of starting it and of saying why it did not start."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

#: Debian's chromium, which Playwright drives (it cannot download browsers here); None if absent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A local TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedDashboard:
    """`mmabm dash *args` in a subprocess, returned once its page answers; a context manager
    that stops it. RuntimeError, with what the server printed, if it exits or stays silent."""

    def __init__(self, *args: str, timeout: float = 90.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._log = tempfile.TemporaryFile("w+")       # a file, not a pipe: it never fills up
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mmabm", "dash", *args, "--port", str(self.port)],
            stdout=self._log, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"mmabm dash exited: {self.close()}") from None
                time.sleep(0.5)
        raise RuntimeError(f"mmabm dash did not answer within {timeout:g} s: {self.close()}")

    def close(self) -> str:
        """Stop the server; what it printed."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)
        self._log.seek(0)
        return self._log.read()

    def __enter__(self) -> ServedDashboard:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
