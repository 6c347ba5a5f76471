"""Test helpers, the one home for what several test modules need (qutebrowser's `tests/helpers`).

tests/conftest.py loads the modules that define fixtures as pytest plugins (`pytest_plugins`);
plain functions and constants are imported where used: `from tests.helpers.waiting import
wait_until`. No test module imports another test module or a conftest.
"""
