"""One module per top-level command; each defines ``command`` (a click command or group).

``newswatch.cli`` finds them here, so adding a command is adding a module.
"""
