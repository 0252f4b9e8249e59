"""The command-line tools (scripts run as ``python tools/<name>.py``), importable as modules so tests call their
``main``."""
