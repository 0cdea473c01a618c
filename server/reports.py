"""The session packs (gebiedsanalyses) as the server hands them out, made on request and cached.

``ReportRoutes(build_of, cache_dir).register_routes(app)`` adds:

* ``/api/gemeenten/{code}/report``       the pack as HTML (the same document ``wz report`` writes)
* ``/api/gemeenten/{code}/report.pdf``   its PDF (headless Chromium)
* ``/api/rapporten``                     the index of every gemeente (headline gap per sector), linking the packs

A published build is immutable and checked against its manifest, so packs are not written into
it: they are rendered from the build's public files on first request and kept in
``cache_dir/<build version>-p<pack format>/`` (outside every build; older versions' packs are removed when a new
version is cached). A pack's inline scripts and styles are allowed by their hashes in its own
Content-Security-Policy, nothing else.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path
from typing import Callable

from fastapi import FastAPI, Request, Response

from .errors import BadRequest, BuildMissing, NotFound

_CODE = re.compile(r"^GM\d{4}$")
HTML = "text/html; charset=utf-8"
#: how many build versions keep their cached packs
KEEP_VERSIONS = 3
#: the make of the packs; raised when a pack changes (2: a part per sector), so that a server with the
#: new code never hands out a pack cached by the old code for the same build version
PACK_FORMAT = 2


def pack_policy(script_hashes: list[str], style_hashes: list[str]) -> str:
    """The Content-Security-Policy of a pack: its own inline scripts and styles (by hash), no requests."""
    scripts = " ".join(sorted(set(script_hashes))) or "'none'"
    styles = " ".join(sorted(set(style_hashes)))
    return (f"default-src 'none'; script-src {scripts}; style-src {styles} 'self'; style-src-attr 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'none'; frame-src 'self' about:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


class ReportRoutes:
    """Routes of the session packs; ``build_of(request)`` gives the request's build."""

    def __init__(self, build_of: Callable[[Request], object], cache_dir: Path):
        self.build_of = build_of
        self.cache_dir = Path(cache_dir)
        self._lock = threading.Lock()

    # --- dependencies ---------------------------------------------------------------------------
    def public_build(self, build):
        """The build's public files as the pack reads them (read once per build)."""
        from layers.gebiedsanalyse import ReportError, open_public_build

        def make(b):
            try:
                return open_public_build(b.folder)
            except ReportError as exc:
                raise BuildMissing(str(exc)) from None

        return build.derived("gebiedsanalyse", make)

    def code_of(self, build, code: str) -> str:
        if not _CODE.match(code):
            raise BadRequest("een gemeentecode heeft de vorm GM0344")
        pb = self.public_build(build)
        if code not in set(pb.gemeenten["gemeentecode"]):
            raise NotFound(f"gemeente {code} komt niet voor in deze build")
        return code

    def folder(self, build) -> Path:
        """This build version's cache folder (made, and older versions' removed, on first use)."""
        folder = self.cache_dir / f"{build.version}-p{PACK_FORMAT}"
        if not folder.exists():
            with self._lock:
                folder.mkdir(parents=True, exist_ok=True)
                versions = sorted((p for p in self.cache_dir.iterdir() if p.is_dir()),
                                  key=lambda p: p.stat().st_mtime, reverse=True)
                for old in versions[KEEP_VERSIONS:]:
                    shutil.rmtree(old, ignore_errors=True)
        return folder

    def html(self, build, code: str) -> tuple[Path, Path]:
        """The pack's HTML file and its policy file in the cache (rendered when missing)."""
        from layers.report_html import render_pack

        folder = self.folder(build)
        page, policy = folder / f"{code}.html", folder / f"{code}.csp"
        if not page.exists() or not policy.exists():
            rendered = render_pack(self.public_build(build), code, index_href="/api/rapporten")
            _write(policy, pack_policy(rendered.script_hashes, rendered.style_hashes))
            _write(page, rendered.html)
        return page, policy

    # --- routes -------------------------------------------------------------------------------------
    def register_routes(self, app: FastAPI) -> None:
        app.add_api_route("/api/gemeenten/{code}/report", self.report, methods=["GET"],
                          summary="Gebiedsanalyse van een gemeente (HTML, afdrukbaar op A4)")
        app.add_api_route("/api/gemeenten/{code}/report.pdf", self.report_pdf, methods=["GET"],
                          summary="Gebiedsanalyse van een gemeente als PDF")
        app.add_api_route("/api/rapporten", self.index, methods=["GET"],
                          summary="Overzicht van alle gemeenten met stand van zaken en tekort per sector, "
                                  "met hun gebiedsanalyse")

    def report(self, code: str, request: Request) -> Response:
        build = self.build_of(request)
        code = self.code_of(build, code)
        page, policy = self.html(build, code)
        return Response(page.read_bytes(), media_type=HTML,
                        headers={"Content-Security-Policy": policy.read_text(encoding="utf-8"),
                                 "Cache-Control": "no-cache"})

    def report_pdf(self, code: str, request: Request) -> Response:
        from layers.pdf import PdfError, html_to_pdf

        build = self.build_of(request)
        code = self.code_of(build, code)
        page, _ = self.html(build, code)
        pdf = page.with_suffix(".pdf")
        if not pdf.exists():
            try:
                html_to_pdf(page, pdf)
            except PdfError as exc:
                raise BuildMissing(str(exc)) from None
        name = _download_name(self.public_build(build), code)
        return Response(pdf.read_bytes(), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}.pdf"', "Cache-Control": "no-cache"})

    def index(self, request: Request) -> Response:
        from layers.report_html import render_index

        build = self.build_of(request)
        folder = self.folder(build)
        page, policy = folder / "index.html", folder / "index.csp"
        if not page.exists() or not policy.exists():
            rendered = render_index(self.public_build(build), lambda row: f"/api/gemeenten/{row['code']}/report")
            _write(policy, pack_policy(rendered.script_hashes, rendered.style_hashes))
            _write(page, rendered.html)
        return Response(page.read_bytes(), media_type=HTML,
                        headers={"Content-Security-Policy": policy.read_text(encoding="utf-8"),
                                 "Cache-Control": "no-cache"})


def _download_name(pb, code: str) -> str:
    from layers.report_html import pack_file

    names = dict(zip(pb.gemeenten["gemeentecode"], pb.gemeenten["gemeentenaam"]))
    return f"gebiedsanalyse-{pack_file(code, names[code])}"


def _write(path: Path, text: str) -> None:
    """Whole or not at all, also with several workers writing the same pack."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
