"""The command line: `cs-qa` and its command groups, one error path (`common.fail`)."""

from cs_qa.cli.main import app, main

__all__ = ["app", "main"]
