"""``python -m simulator``: the simulator's command line on its own."""

from __future__ import annotations

import argparse
import sys

from settings import load_settings
from simulator.runner import add_arguments, run


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Simulate the hotline's PBX and CRM.")
    add_arguments(parser)
    return run(load_settings(), parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
