"""Print an HTML file to PDF with headless Chromium (the browser the test set-up installs).

Chromium lays out the page as the print stylesheet says (A4), keeps SVG charts as vectors and
embeds the fonts it uses. ``chromium_path`` finds it (``WZ_CHROMIUM``, then the usual names).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfError(Exception):
    """No PDF could be made (Dutch message)."""


def chromium_path() -> str | None:
    """The Chromium binary, or None when there is none on this machine."""
    given = os.environ.get("WZ_CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: Path, pdf: Path, timeout: float = 60.0) -> Path:
    """Print ``html`` (a file) to ``pdf``; the file is written whole or not at all.

    Raises
    ------
    PdfError
        Without Chromium, or when it fails.
    """
    browser = chromium_path()
    if browser is None:
        raise PdfError("geen PDF gemaakt: Chromium ontbreekt op deze computer (installeer het met "
                       "'sh scripts/install-system-deps.sh' of zet WZ_CHROMIUM op het programma)")
    pdf = Path(pdf)
    tmp = pdf.with_name(f".{pdf.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="wz-chromium-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", "--virtual-time-budget=8000",
               f"--print-to-pdf={tmp}", Path(html).resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            tmp.unlink(missing_ok=True)
            raise PdfError(f"geen PDF gemaakt: Chromium antwoordde niet binnen {timeout:.0f} s") from None
    if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        last = (proc.stderr.strip().splitlines() or ["onbekende fout"])[-1][:300]
        raise PdfError(f"geen PDF gemaakt voor {Path(html).name}: Chromium faalde ({last})")
    os.replace(tmp, pdf)
    return pdf
