"""The command-line kit every ``logidesk`` command is built on.

The contract of every command (exit codes, shared options, the command table), Chinese argument
parsing and console output, failures turned into one Chinese message with the original in the
log, lock-file checks, console listings and the installation's configuration files. The
``logidesk`` entry point (:mod:`cli.main`) runs each package's command by name.

It sits right above the rules engine (``udfs``): ``workbooks``, ``desk`` and ``addin`` build their
commands on it, it imports none of them.
"""
