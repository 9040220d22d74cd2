"""`python -m sim` is the `orgsim` command."""

from sim.cli import main

if __name__ == "__main__":  # not when a process-pool worker imports this module
    main()
