"""The ``wz`` command line: ``wz demo``, ``wz build``, ``wz serve``."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DEMO = Path("data/demo")
DEFAULT_BUILD = Path("data/build")


def _human(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def cmd_demo(args) -> int:
    parquet = getattr(args, "parquet", False)
    if args.scale is not None:  # the fictional country of the benchmarks
        from geo.demo_national import DEFAULT_OUT, run_cli

        code = run_cli(args.scale, args.out)
        if code == 0 and parquet:
            from geo.parquet import convert_to_parquet

            t0 = time.monotonic()
            written = convert_to_parquet(Path(args.out or DEFAULT_OUT))
            print(f"Omgezet naar GeoParquet in {time.monotonic() - t0:.1f} s: {', '.join(p.name for p in written)}")
        return code
    from geo.demo import generate_demo
    from geo.parquet import write_demo_inputs

    args.out = args.out or str(DEFAULT_DEMO)
    t0 = time.monotonic()
    print(f"Demoregio genereren in {args.out} ...", flush=True)
    files = write_demo_inputs(generate_demo(), Path(args.out), parquet=parquet)
    print(f"Klaar in {time.monotonic() - t0:.1f} s: {len(files)} bestanden "
          f"({', '.join(p.name for p in files)})")
    return 0


class BuildTerminated(KeyboardInterrupt):
    """SIGTERM during ``wz build``: taken down the same clean-up path as Ctrl+C (exit code 143)."""


@contextlib.contextmanager
def _signals_as_interrupt():
    """SIGTERM and SIGINT raise an interrupt once; a second signal cannot break off the clean-up."""
    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise BuildTerminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    try:
        previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    except ValueError:  # not the main thread: leave the signals alone
        yield
        return
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


#: what an operating-system error means for a build, and what the user can do about it (Dutch)
_ENVIRONMENT_FAULTS = {
    errno.EROFS: ("het bestandssysteem is alleen-lezen", "kies met --out een map op een schrijfbare schijf"),
    errno.EACCES: ("u hebt daar geen schrijfrechten", "kies met --out een map waarin u mag schrijven"),
    errno.EPERM: ("u hebt daar geen schrijfrechten", "kies met --out een map waarin u mag schrijven"),
    errno.ENOSPC: ("de schijf is vol", "maak ruimte vrij of kies met --out een map op een andere schijf"),
    errno.EDQUOT: ("uw schijfquotum is op", "maak ruimte vrij of kies met --out een map op een andere schijf"),
    errno.ENOTDIR: ("dat is een bestand, geen map", "kies met --out een pad in een map"),
}


def environment_fault(exc: BaseException, out: Path, inputs: Path) -> str | None:
    """One Dutch line for a read-only, forbidden or full output folder; None for any other error.

    Looks through the chain of causes for an ``OSError`` with one of the
    errno values of :data:`_ENVIRONMENT_FAULTS`, or (GDAL and tippecanoe wrap
    them in their own errors) for the system's text of one of them.
    """
    code, filename = None, None
    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in _ENVIRONMENT_FAULTS:
            code, filename = e.errno, e.filename
            break
        e = e.__cause__ or e.__context__
    if code is None:
        text = str(exc)
        code = next((c for c in _ENVIRONMENT_FAULTS if os.strerror(c) in text), None)
        if code is None:
            return None
    where = Path(filename) if filename else out.absolute().parent
    if filename and inputs.absolute() in where.absolute().parents:
        return f"kan {where} niet lezen: {os.strerror(code).lower()}; controleer de rechten van de invoermap"
    folder = where if where.is_dir() else where.parent
    while not folder.exists() and folder != folder.parent:  # a temporary folder is gone by now: name its parent
        folder = folder.parent
    reason, advice = _ENVIRONMENT_FAULTS[code]
    kept = f" De vorige build in {out} is ongewijzigd." if out.exists() else ""
    return f"kan niet schrijven in {folder}: {reason}; {advice}.{kept}"


def _probe_writable(out: Path) -> None:
    """Fail at once, before reading the inputs, when the build cannot be written next to ``out``."""
    from layers.publish import versions_dir

    parent = out.absolute().parent
    while not parent.exists() and parent != parent.parent:  # the build makes missing folders: try where it would
        parent = parent.parent
    vdir = versions_dir(out.absolute())
    for folder in (parent, vdir) if vdir.is_dir() else (parent,):
        fd, probe = tempfile.mkstemp(prefix=f".{out.name}.probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)


def cmd_build(args) -> int:
    from layers.publish import build_all

    stages = iter(range(1, 100))
    tty = sys.stdout.isatty()
    state = {"bar": False}

    def progress(msg: str, done: int | None = None, total: int | None = None) -> None:
        if done is not None and total:
            if tty:  # one line that fills up: [#####-----] 2/5 Vectortegels maken: wijken
                filled = int(20 * done / total)
                print(f"\r    [{'#' * filled}{'-' * (20 - filled)}] {done}/{total} {msg:<45}", end="", flush=True)
                state["bar"] = done < total
                if done == total:
                    print()
                return
            if done == total:
                return
            print(f"    ({done + 1}/{total}) {msg} ...", flush=True)
            return
        if state["bar"]:
            print()
            state["bar"] = False
        print(f"[{next(stages)}] {msg} ...", flush=True)

    out = Path(args.out)
    try:
        with _signals_as_interrupt():
            _probe_writable(out)
            summary = build_all(Path(args.inputs), out, Path(args.settings) if args.settings else None,
                                progress=progress)
    except KeyboardInterrupt as exc:
        if state["bar"]:
            print()
        how = "door SIGTERM" if isinstance(exc, BuildTerminated) else "met Ctrl+C"
        kept = f"; de vorige build in {out} is ongewijzigd" if out.exists() else ""
        print(f"Afgebroken {how}: de onvolledige build is opgeruimd{kept}.", file=sys.stderr)
        return 143 if isinstance(exc, BuildTerminated) else 130
    except Exception as exc:  # noqa: BLE001 - a full disk or a read-only folder is not a bug: say so in one line
        message = environment_fault(exc, out, Path(args.inputs))
        if message is None:
            raise
        if state["bar"]:
            print()
        print(f"Fout: {message}", file=sys.stderr)
        return 1
    geo = summary.geocoding
    print(f"Geocodering: {geo['exact_pc6']} van {geo['totaal']} locaties op PC6 geplaatst "
          f"({100 * geo['match_rate_pc6']:.1f}%), {geo['geplaatst'] - geo['exact_pc6']} benaderd met PC4, "
          f"{geo['totaal'] - geo['geplaatst']} niet geplaatst (zie geocodering.csv)")
    for note in summary.notes:
        print(f"Let op: {note}")
    print("Lagen: " + ", ".join(f"{k} {v} objecten" for k, v in summary.feature_counts.items()))
    print("Bestanden: " + ", ".join(f"{k} {_human(v)}" for k, v in summary.sizes.items()))
    print(f"Build klaar in {summary.seconds:.1f} s: {summary.path}")
    return 0


def cmd_serve(args) -> int:
    import uvicorn
    from pydantic import ValidationError

    from .errors import DamagedBuild
    from .integrity import describe, verify_build
    from .settings import ServerSettings, explain

    build = Path(args.build)
    if not (build / "catalog.json").exists():
        print(f"Fout: er is geen build in {build}; draai eerst 'wz build'.", file=sys.stderr)
        return 2
    try:  # here, before any worker starts: a damaged build stops the server whatever the worker count
        verify_build(build)
    except DamagedBuild as exc:
        print(f"Fout: {describe(build, exc)}", file=sys.stderr)
        return 2
    # the symlink itself, not its target: the workers follow every newly published build behind it
    os.environ["WZ_BUILD_DIR"] = str(build.absolute())
    os.environ["WZ_HOST"] = args.host
    os.environ["WZ_PORT"] = str(args.port)
    try:
        settings = ServerSettings()
    except ValidationError as exc:
        print(f"Fout: {explain(exc)}", file=sys.stderr)
        return 2
    workers = args.workers or settings.workers or min(4, os.cpu_count() or 1)
    print(f"Kaartviewer: {settings.public_url or f'http://{args.host}:{args.port}'}/  "
          f"({workers} {'werkproces' if workers == 1 else 'werkprocessen'}; stoppen met Ctrl+C)", flush=True)
    if settings.allowed_hosts is None and not settings.public_url and args.host in ("0.0.0.0", "::"):
        print("Let op: de server antwoordt alleen op de namen 127.0.0.1, localhost en ::1; zet de naam "
              "waaronder hij bereikbaar is in WZ_ALLOWED_HOSTS of WZ_PUBLIC_URL.", flush=True)
    from .protocol import best_protocol

    # httptools (tiles answered from the parser, see server/protocol.py) and uvloop when installed
    uvicorn.run("server.app:app_from_env", factory=True, host=args.host, port=args.port,
                workers=workers, http=best_protocol(), loop="auto", log_level="warning")
    return 0


DEFAULT_REPORTS = Path("data/rapporten")


def cmd_report(args) -> int:
    """``wz report GEMEENTE`` or ``wz report --all``: the session packs (HTML, PDF) and their index."""
    from layers.gebiedsanalyse import ReportError, find_gemeente, open_public_build
    from layers.report_html import write_packs

    if bool(args.gemeente) == bool(args.all):
        print("Fout: noem een gemeente (naam of code) of gebruik --all voor alle gemeenten.", file=sys.stderr)
        return 2
    try:
        build = open_public_build(Path(args.build))
        codes = None if args.all else [find_gemeente(build, args.gemeente)]
    except ReportError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    t0 = time.monotonic()

    def progress(done: int, total: int, name: str) -> None:
        if args.all and name:
            print(f"[{done + 1}/{total}] {name} ...", flush=True)

    run = write_packs(Path(args.build), Path(args.out), codes, pdf=not args.geen_pdf, progress=progress)
    for problem in run.problems:
        print(f"Let op: {problem}", file=sys.stderr)
    what = "gebiedsanalyse" if len(run.html) == 1 else "gebiedsanalyses"
    pdfs = f" en {len(run.pdf)} PDF" if run.pdf else ""
    print(f"Klaar in {time.monotonic() - t0:.1f} s: {len(run.html)} {what} (HTML{pdfs}) in {args.out}; "
          f"overzicht: {run.index}")
    if len(run.html) == 1:
        print(f"Gebiedsanalyse: {run.html[0]}" + (f" en {run.pdf[0]}" if run.pdf else ""))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wz", description="Wonen en Zorg 2040: kaarten van de Wlz-zorgvraag per gemeente.")
    sub = p.add_subparsers(dest="command", required=True, metavar="opdracht")
    d = sub.add_parser("demo", help="schrijf de invoer van de (fictieve) demoregio")
    d.add_argument("--out", default=None, help=f"doelmap (standaard {DEFAULT_DEMO}; met --scale data/demoland)")
    d.add_argument("--scale", default=None, metavar="national|S",
                   help="een fictief land voor benchmarks in plaats van de demoregio: 'national' (342 gemeenten, "
                        "8 miljoen adressen) of verkleind, bijvoorbeeld 0.05 (minstens 20 gemeenten)")
    d.add_argument("--parquet", action="store_true",
                   help="schrijf de adressen en de PC6 als GeoParquet (adressen.parquet, pc6.parquet) in plaats van CSV")
    d.set_defaults(func=cmd_demo)
    b = sub.add_parser("build", help="bouw alle lagen uit een map met invoer")
    b.add_argument("--inputs", default=str(DEFAULT_DEMO), help=f"map met invoer (standaard {DEFAULT_DEMO})")
    b.add_argument("--out", default=str(DEFAULT_BUILD), help=f"gepubliceerde build (standaard {DEFAULT_BUILD})")
    b.add_argument("--settings", default=None, help="instellingenbestand (standaard instellingen.toml in de invoermap)")
    b.set_defaults(func=cmd_build)
    s = sub.add_parser("serve", help="start de kaartserver voor een build")
    s.add_argument("--build", default=str(DEFAULT_BUILD), help=f"map van de build (standaard {DEFAULT_BUILD})")
    s.add_argument("--host", default="127.0.0.1", help="adres (standaard 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="poort (standaard 8000)")
    s.add_argument("--workers", type=int, default=None,
                   help="aantal werkprocessen (standaard het aantal processorkernen, hoogstens 4)")
    s.set_defaults(func=cmd_serve)
    r = sub.add_parser("report", help="maak de gebiedsanalyse (HTML en PDF) van een gemeente of van alle gemeenten")
    r.add_argument("gemeente", nargs="?", help="naam of code van de gemeente (hoofdletters en accenten doen niet ter zake)")
    r.add_argument("--all", action="store_true", help="alle gemeenten van de build")
    r.add_argument("--build", default=str(DEFAULT_BUILD), help=f"de build (standaard {DEFAULT_BUILD})")
    r.add_argument("--out", default=str(DEFAULT_REPORTS), help=f"doelmap (standaard {DEFAULT_REPORTS})")
    r.add_argument("--geen-pdf", action="store_true", help="alleen HTML, geen PDF")
    r.set_defaults(func=cmd_report)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``wz``; user mistakes give one message and exit code 2, no traceback."""
    from geo.errors import GeoError

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except GeoError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return 130
    except Exception as exc:  # the layer registry and the tiler report their own problems
        from layers.publish import BuildError
        from layers.registry import RegistryError

        if isinstance(exc, RegistryError):
            print("Fout in de lagen:\n" + "\n".join(f"  - {p}" for p in exc.problems), file=sys.stderr)
            return 2
        if isinstance(exc, BuildError):
            print(f"Fout: {exc}", file=sys.stderr)
            return 2
        raise


def run() -> None:
    """The ``wz`` command. After a build, the process ends without the interpreter's teardown:
    freeing a build's millions of objects one by one takes a second of a national build (0.5 s of
    the demo's), and everything is written and closed by then."""
    argv = sys.argv[1:]
    code = main(argv)
    if argv[:1] == ["build"]:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
