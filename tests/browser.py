"""Open built HTML maps in headless Chromium with the network cut off.

Used by the ``browser`` fixture of ``tests/conftest.py`` and runnable by hand::

    PYTHONPATH=. python tests/browser.py maps/some_map.html

Chromium comes from Debian (``apt-get install chromium chromium-driver``); selenium talks to
``/usr/bin/chromedriver`` through an explicit ``Service``, so selenium-manager never downloads a
driver or a browser. The network is cut in two ways: every request goes to a proxy at
``127.0.0.1:9`` (the discard port, nothing listens there), and ``--host-resolver-rules`` makes
every host name fail to resolve. A page that needs anything from the Internet therefore logs a
console error (``net::ERR_PROXY_CONNECTION_FAILED`` / ``ERR_NAME_NOT_RESOLVED``), which the
checks below treat as a failure. ``file://`` pages load as usual.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver",)
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # root in a container has no user namespace sandbox
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    # network off: every request to a dead proxy, every name unresolvable
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1280,900",
)


def find_chromium() -> tuple[str | None, str | None]:
    """Return the paths of (chromium, chromedriver), or None for what is missing."""
    browser = next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)
    browser = browser or shutil.which("chromium")
    driver = next((p for p in CHROMEDRIVER_CANDIDATES if Path(p).exists()), None)
    driver = driver or shutil.which("chromedriver")
    return browser, driver


@dataclass
class PageReport:
    """What the browser saw on a page."""

    url: str
    leaflet: str | None  # window.L.version, or None if Leaflet did not load
    paths: int  # SVG paths drawn by Leaflet vector layers (path.leaflet-interactive)
    console: list[dict] = field(default_factory=list)  # every console entry
    text: str = ""  # visible text of the page (title, legend, controls)
    screenshot: Path | None = None

    @property
    def errors(self) -> list[dict]:
        """Console entries of level SEVERE (JavaScript errors, failed loads)."""
        return [e for e in self.console if e.get("level") == "SEVERE"]


class Browser:
    """A headless Chromium with no network, driven by selenium."""

    def __init__(self, chromium: str, chromedriver: str):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self._profile = tempfile.mkdtemp(prefix="gis-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self._profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(chromedriver), options=options)

    def open(self, path: str | Path, *, wait_s: float = 10.0, screenshot: str | None = None):
        """Load a local HTML file and return a :class:`PageReport`.

        Waits until Leaflet has drawn at least one vector path (or ``wait_s`` passes).
        """
        url = Path(path).resolve().as_uri()
        self.driver.get_log("browser")  # drop entries of a previous page
        self.driver.get(url)
        deadline = time.monotonic() + wait_s
        count_js = "return document.querySelectorAll('path.leaflet-interactive').length"
        while time.monotonic() < deadline and not self.driver.execute_script(count_js):
            time.sleep(0.1)
        time.sleep(0.3)  # let the last tiles of the event loop run (console errors)
        report = PageReport(
            url=url,
            leaflet=self.driver.execute_script("return window.L ? L.version : null"),
            paths=int(self.driver.execute_script(count_js)),
            console=list(self.driver.get_log("browser")),
            text=self.driver.execute_script("return document.body.innerText"),
        )
        if screenshot:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            report.screenshot = ARTIFACTS / screenshot
            self.driver.save_screenshot(str(report.screenshot))
        return report

    def close(self) -> None:
        """Quit the browser and remove its temporary profile."""
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main(argv: list[str]) -> int:
    chromium, driver = find_chromium()
    if not (chromium and driver):
        print("chromium or chromedriver not found: apt-get install chromium chromium-driver")
        return 2
    ok = True
    with Browser(chromium, driver) as b:
        for arg in argv:
            r = b.open(arg, screenshot=Path(arg).stem + ".png")
            good = bool(r.leaflet) and r.paths > 0 and not r.errors
            ok &= good
            print(
                f"{'OK ' if good else 'BAD'} {arg}: Leaflet {r.leaflet}, {r.paths} paths, "
                f"{len(r.errors)} console error(s), screenshot {r.screenshot}"
            )
            for e in r.errors:
                print("   ", e.get("message"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
