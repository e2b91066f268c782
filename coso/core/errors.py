"""Domain errors: every refusal says, in Vietnamese, what is wrong, how to fix it, and which rule refused it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A named check with the document it comes from (shown with every warning or refusal)."""

    code: str
    name: str
    source: str

    def __str__(self) -> str:
        return f"{self.code} – {self.name} ({self.source})"


class DomainError(Exception):
    """A refused operation. Nothing was written. `field` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str | None = None, rule: Rule | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule

    def __str__(self) -> str:
        if self.rule:
            return f"{self.message} [Quy tắc {self.rule}]"
        return self.message


class StaleEdit(DomainError):
    """The object changed since the form was opened."""


class NotInScope(Exception):
    """The object is outside the user's subtree; pages and the API answer 404."""


BUSY_MESSAGE = (
    "Cơ sở dữ liệu đang bận ghi một việc khác (một lần nhập hoặc chuyển hàng loạt) nên chưa ghi được; chưa có gì "
    "thay đổi. Hãy thử lại sau ít phút."
)


def is_busy(exc: BaseException) -> bool:
    """The embedded SQLite database stayed locked by another writer past the wait (settings: COSO_SQLITE_TIMEOUT)."""
    text = str(exc).lower()
    return type(exc).__name__ == "OperationalError" and (
        "database is locked" in text or "database table is locked" in text
    )
