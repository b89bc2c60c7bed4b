"""Redraw docs/dashboard.png: `mmabm dash` (the article scenario, article beside hold, seed 0)
stepped to day 14 in Debian's chromium and photographed, as the README shows it.

    .venv/bin/python docs/draw_dashboard.py docs/dashboard.png

Needs the `viz` extra (Solara, Playwright) and chromium, as the dashboard's tests do."""
from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

from mmabm.served import CHROMIUM, ServedDashboard

DAYS = 14


def draw(path: str) -> None:
    if CHROMIUM is None:
        sys.exit("draw_dashboard: chromium is not installed (apt-get install chromium)")
    with ServedDashboard() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(server.url)
        page.wait_for_selector(".mmabm-status", timeout=120_000)
        for day in range(1, DAYS + 1):
            page.get_by_role("button", name="+1 day").click()
            page.wait_for_function(
                "(d) => document.querySelector('.mmabm-status').innerText"
                ".includes('day ' + d + '.00 ')", arg=str(day), timeout=300_000)
        page.wait_for_timeout(3000)                 # let the charts settle
        page.screenshot(path=path, full_page=True)
        browser.close()


if __name__ == "__main__":
    draw(sys.argv[1] if len(sys.argv) > 1 else "docs/dashboard.png")
