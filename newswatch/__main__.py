import sys

from newswatch import early_signals

early_signals.install_if_run(sys.argv)  # before the CLI's imports: see early_signals

from newswatch.cli import main  # noqa: E402

main()
