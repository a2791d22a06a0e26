"""report.html in a real browser: each kind's page loads in headless Chromium without console errors, holds every
table and image it should (each image a PNG that decodes), and a screenshot is kept as the test's artefact in
reports/test-artefacts/. Skipped, saying why, where Chromium is not installed."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import pytest

from finmodel.cli import main

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
ARTEFACTS = ROOT / "reports" / "test-artefacts"
CASES = {  # scenario → (tables, images) the page must hold
    "jinan-2023.toml": (4, 2),
    "jinan-plan-2021.toml": (4, 1),
    "projects/zoucheng-2024-risk.toml": (3, 3),
    "projects/bundling-2024.toml": (3, 2),
}


def _browser(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--enable-logging=stderr", "--v=0", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("scenario", sorted(CASES))
def test_the_page_in_a_browser(tmp_path, scenario):
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / scenario), "--out", str(out), "--quiet", "--workers", "0",
                 "--draws", "200"]) in (0, 1)
    page = out / "report.html"
    html = page.read_text(encoding="utf-8")
    tables, images = CASES[scenario]
    assert html.count("<table>") >= tables
    found = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(found) >= images
    from PIL import Image

    for data in found:  # every image is a whole PNG
        Image.open(io.BytesIO(base64.b64decode(data))).verify()
    # self-contained: nothing loaded from elsewhere (sources quoted as text may name addresses), no script
    assert not re.search(r'(src|href)="(?!data:)', html) and "<link" not in html and "<script" not in html
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium): report.html was checked as a "
                    "file but not in a browser")
    dom = _browser("--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<table>") == html.count("<table>") and dom.stdout.count("<img ") == len(found)
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / f"report-{scenario.replace('/', '-').removesuffix('.toml')}-phone.png"
    taken = _browser("--window-size=412,1600", f"--screenshot={shot}", page.as_uri())
    assert taken.returncode == 0 and shot.stat().st_size > 10_000
    with Image.open(shot) as picture:
        assert picture.size == (412, 1600) and len(picture.getcolors(1 << 16) or range(1 << 16)) > 16  # not blank
