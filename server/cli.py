"""The ``wz`` command line: ``wz demo``, ``wz build``, ``wz serve``."""

from __future__ import annotations

import argparse
import os
import sys
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
    from geo.demo import generate_demo
    from geo.io import write_demo

    t0 = time.monotonic()
    print(f"Demoregio genereren in {args.out} ...", flush=True)
    files = write_demo(generate_demo(), Path(args.out))
    print(f"Klaar in {time.monotonic() - t0:.1f} s: {len(files)} bestanden "
          f"({', '.join(p.name for p in files)})")
    return 0


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

    summary = build_all(Path(args.inputs), Path(args.out),
                        Path(args.settings) if args.settings else None, progress=progress)
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

    build = Path(args.build)
    if not (build / "catalog.json").exists():
        print(f"Fout: er is geen build in {build}; draai eerst 'wz build'.", file=sys.stderr)
        return 2
    os.environ["WZ_BUILD_DIR"] = str(build.resolve())
    os.environ["WZ_HOST"] = args.host
    os.environ["WZ_PORT"] = str(args.port)
    workers = args.workers or int(os.environ.get("WZ_WORKERS", 0)) or min(4, os.cpu_count() or 1)
    print(f"Kaartviewer: http://{args.host}:{args.port}/  ({workers} werkprocessen; stoppen met Ctrl+C)",
          flush=True)
    from .protocol import NoDelayH11Protocol

    uvicorn.run("server.app:app_from_env", factory=True, host=args.host, port=args.port,
                workers=workers, http=NoDelayH11Protocol, log_level="warning")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wz", description="Wonen en Zorg 2040: kaarten van de Wlz-zorgvraag per gemeente.")
    sub = p.add_subparsers(dest="command", required=True, metavar="opdracht")
    d = sub.add_parser("demo", help="schrijf de invoer van de (fictieve) demoregio")
    d.add_argument("--out", default=str(DEFAULT_DEMO), help=f"doelmap (standaard {DEFAULT_DEMO})")
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


if __name__ == "__main__":
    sys.exit(main())
