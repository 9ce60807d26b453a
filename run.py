#!/usr/bin/env python
"""Command-line entry point: ``python run.py scenarios/baseline.yaml``."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
