"""The exceptions cleaner raises; the CLI maps each to an exit code."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class of every error cleaner reports to its user."""


class RuleError(CleanerError):
    """A rule file or a rule selection is invalid (exit code 2).

    The message reads ``FILE:LINE: rule "ID": what is wrong``.
    """


class InputError(CleanerError):
    """One input (a document, a file, a JSONL line) could not be processed (exit code 3)."""


class RuleTimeoutError(InputError):
    """A rule's pattern ran past the per-document time limit."""

    def __init__(self, rule_id: str, seconds: float) -> None:
        super().__init__(
            f'rule "{rule_id}" ran past the time limit of {seconds:g}s (see --timeout)'
        )
        self.rule_id = rule_id
        self.seconds = seconds


class NoTextExtractedError(InputError):
    """trafilatura found no article text in an HTML document."""
