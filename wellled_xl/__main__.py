"""Run the command line as ``python -m wellled_xl``."""

from wellled_xl.cli import run

run()
