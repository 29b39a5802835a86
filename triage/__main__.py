"""`python -m triage`: the same as the `triage` command."""

from triage.cli import main

main(prog_name="triage")
