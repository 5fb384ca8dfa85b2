"""The examples in docstrings are true."""

import doctest

import pytest

import cleaner
import cleaner.api


@pytest.mark.parametrize("module", [cleaner, cleaner.api], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failures, attempted = doctest.testmod(module, verbose=False)
    assert attempted > 0
    assert failures == 0
