"""What every browser test module starts with: Playwright's `expect` and the marks of a browser test.

Without Playwright (the dev extra not installed) the importing module is skipped, or fails loudly when
COSO_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the dev extra is not installed
    if os.environ.get("COSO_REQUIRE_BROWSER") == "1":
        raise
    pytest.skip(
        "Playwright chưa được cài (pip install -e '.[dev]'): bỏ qua kiểm thử trình duyệt",
        allow_module_level=True,
    )

BROWSER_TEST = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["BROWSER_TEST", "expect"]
