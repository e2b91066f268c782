"""Shared models: dated rule sets (regulations as configuration, never constants)."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class RuleSet(models.Model):
    """One version of a rule from the regulations, in force on [effective_from, effective_to).

    `params` holds the values (thresholds, allowed placements ...). A new regulation adds a new version with its
    own dates; data made earlier keeps being judged by the version in force on its own date.
    """

    code = models.CharField("mã quy tắc", max_length=60, db_index=True)
    title = models.CharField("tên quy tắc", max_length=255)
    source = models.CharField("văn bản nguồn", max_length=255)
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hết hiệu lực", null=True, blank=True)
    params = models.JSONField("tham số", default=dict)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "bộ quy tắc"
        verbose_name_plural = "bộ quy tắc"
        ordering = ["code", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="ruleset_code_from_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title} ({self.source})"
