"""cleaner: remove boilerplate (appeals, UI prompts, glued metadata) from article text.

>>> from cleaner import clean
>>> clean("date 2025-10-30 Flights to the base resumed on Friday, officials said.\\nShare this article\\n")
'Flights to the base resumed on Friday, officials said.\\n'
"""

from .api import Cleaner, clean
from .core import Removal, Result, apply_rules
from .errors import CleanerError, InputError, NoTextExtractedError, RuleError, RuleTimeoutError
from .packs import choose_rules, default_rules_dir, load_packs
from .rules import Action, Rule, RulePack, Where, load_pack, parse_pack

from ._version import __version__

__all__ = [
    "Action",
    "Cleaner",
    "CleanerError",
    "InputError",
    "NoTextExtractedError",
    "Removal",
    "Result",
    "Rule",
    "RuleError",
    "RulePack",
    "RuleTimeoutError",
    "Where",
    "__version__",
    "apply_rules",
    "choose_rules",
    "clean",
    "default_rules_dir",
    "load_pack",
    "load_packs",
    "parse_pack",
]
