"""`python -m ci_excel.cli`: the command line, as the `ci-excel` script runs it."""

from ci_excel.cli import main

main()
