"""Redraw docs/dashboard.png: `mmabm dash` (the article scenario, article beside hold, seed 0)
stepped to day 14 in Debian's chromium and photographed, as the README shows it.

    .venv/bin/python docs/draw_dashboard.py docs/dashboard.png

Needs the `viz` extra (Solara, Playwright) and chromium, as the dashboard's tests do."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

DAYS = 14


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def draw(path: str) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("draw_dashboard: chromium is not installed (apt-get install chromium)")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "mmabm", "dash", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(url)
            page.wait_for_selector(".mmabm-status", timeout=120_000)
            for day in range(1, DAYS + 1):
                page.get_by_role("button", name="+1 day").click()
                page.wait_for_function(
                    "(d) => document.querySelector('.mmabm-status').innerText"
                    ".includes('day ' + d + '.00 ')", arg=str(day), timeout=300_000)
            page.wait_for_timeout(3000)                 # let the charts settle
            page.screenshot(path=path, full_page=True)
            browser.close()
    finally:
        server.terminate()


if __name__ == "__main__":
    draw(sys.argv[1] if len(sys.argv) > 1 else "docs/dashboard.png")
