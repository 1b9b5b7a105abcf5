"""``python -m netruimte`` runs the command-line interface."""

from netruimte.cli import main

main()
