"""Annual evaluation and classification (đánh giá, xếp loại chất lượng): schemes and their levels, evaluation
periods, one entry per evaluated subject (a member or an organization), reconsiderations.

- `Scheme` / `Level`: the vocabulary of each classification scheme, seeded as data (migration 0002): the levels of
  organizations and of members with their rank (1 = best … 4 = not completing). Which scheme applies is the dated
  rule set EVAL.SCHEME in force on the period's last day (`checks.scheme_on`); results keep the scheme they were
  made under, and reports across years compare levels by rank.
- `EvaluationPeriod`: an evaluation opened by an organization commission for the subtree of `org` (year, quarter,
  term, ad hoc), or the container of imported historical results (kind `imported`, published at once).
- `Evaluation`: one subject in one period: the self-assessment, the review and proposal, the decision (level,
  justification of overridden warnings, the warnings as they stood), its state and `version` (stale edits are
  refused). `path` is the subject's organization path on the period's last day (a member: their cell's), so the
  results of any year under any organization are one indexed range query, the tree as it stood then.
- `Reconsideration`: the only way a decided result changes (number, date, body, reason, before → after).
- `MemberAccount`: links a login to a member for their own self-assessment (no such link exists in members or
  accounts; kept here so the member registry does not change).
Everything keeps its history with django-simple-history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from coso.core.fields import KeyField


class Subject(models.TextChoices):
    ORG = "org", "Tổ chức"
    MEMBER = "member", "Đảng viên"


class Scheme(models.Model):
    """A classification scheme (before 2018; Quy định 132/124; Quy định 366). Its dates live in EVAL.SCHEME."""

    code = models.CharField("mã", max_length=20, unique=True)
    name = models.CharField("tên", max_length=255)
    scored = models.BooleanField("chấm điểm 100", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "phương thức xếp loại"
        verbose_name_plural = "phương thức xếp loại"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """One level of a scheme for organizations or for members; `rank` 1 = best … 4 = not completing (KHTNV).
    `min_score`: the lowest score of the level in a scored scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="levels")
    subject = models.CharField("đối tượng", max_length=10, choices=Subject.choices)
    code = models.CharField("mã", max_length=20)
    name = models.CharField("tên mức", max_length=255)
    rank = models.PositiveSmallIntegerField("bậc")
    min_score = models.PositiveSmallIntegerField("điểm tối thiểu", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "mức xếp loại"
        verbose_name_plural = "mức xếp loại"
        ordering = ["scheme_id", "subject", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "subject", "code"], name="level_scheme_subject_code"),
            models.UniqueConstraint(fields=["scheme", "subject", "rank"], name="level_scheme_subject_rank"),
        ]

    def __str__(self) -> str:
        return self.name


class PeriodKind(models.TextChoices):
    YEAR = "year", "Hằng năm"
    QUARTER = "quarter", "Hằng quý"
    TERM = "term", "Cả nhiệm kỳ"
    AD_HOC = "ad_hoc", "Đột xuất"
    IMPORTED = "imported", "Nhập kết quả các năm trước"


# The kinds whose results are the year's classification (reports by year read these).
ANNUAL_KINDS: tuple[str, ...] = (PeriodKind.YEAR, PeriodKind.IMPORTED)


class PeriodState(models.TextChoices):
    OPEN = "open", "Đang tự đánh giá"
    REVIEWING = "reviewing", "Đang nhận xét, đề xuất"
    DECIDING = "deciding", "Đang quyết định"
    PUBLISHED = "published", "Đã công bố"


class EvaluationPeriod(models.Model):
    """An evaluation of the subtree of `org` over [date_from, date_to] under `scheme`, chosen by `ruleset` (the
    EVAL.SCHEME version in force on `date_to`). `criteria` is the frame copied from that version."""

    SCOPE_PATH = "org__current_path"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="tổ chức (gốc)"
    )
    kind = models.CharField("loại", max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField("năm", db_index=True)
    date_from = models.DateField("từ ngày")
    date_to = models.DateField("đến ngày")
    title = models.CharField("tên đợt", max_length=255)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+", verbose_name="phương thức")
    ruleset = models.ForeignKey(
        "core.RuleSet", on_delete=models.PROTECT, related_name="+", verbose_name="quy định áp dụng"
    )
    criteria = models.JSONField("khung tiêu chí", default=list, blank=True)
    self_due = models.DateField("hạn tự đánh giá", null=True, blank=True)
    review_due = models.DateField("hạn nhận xét, đề xuất", null=True, blank=True)
    decision_due = models.DateField("hạn quyết định", null=True, blank=True)
    state = models.CharField(
        "tình trạng", max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    published_on = models.DateField("ngày công bố", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField("nguồn (tệp nhập)", max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đợt đánh giá"
        verbose_name_plural = "đợt đánh giá"
        ordering = ["-date_to", "-id"]
        indexes = [models.Index(fields=["org", "year"], name="evalperiod_org_year")]

    def __str__(self) -> str:
        return self.title


class EntryState(models.TextChoices):
    PENDING = "pending", "Chưa tự đánh giá"
    SELF_ASSESSED = "self_assessed", "Đã tự đánh giá"
    REVIEWED = "reviewed", "Đã nhận xét, đề xuất"
    DECIDED = "decided", "Đã quyết định"
    NOT_EVALUATED = "not_evaluated", "Không đánh giá"


class Evaluation(models.Model):
    """One subject (a member, or an organization) in one period.

    `org` is the organization evaluated, or the member's cell on the period's last day; `path` its path then;
    `is_grassroots` whether the organization evaluated was a grassroots organization (TCCSĐ) then. `facts` holds
    what the caps need and the app cannot derive (organizations: `targets_met_pct`, `leadership_disciplined`,
    `subunits_disciplined`, `subunits_total`). `warnings` is the list of rule findings the decision was made
    against ({rule, name, source, message}); `justification` why it overrides them."""

    SCOPE_PATH = "org__current_path"

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.PROTECT, related_name="entries")
    subject = models.CharField("đối tượng", max_length=10, choices=Subject.choices)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    path = KeyField("đường dẫn", max_length=255)
    is_grassroots = models.BooleanField("là TCCSĐ", default=False)
    year = models.PositiveSmallIntegerField("năm")
    annual = models.BooleanField("là xếp loại năm", default=True)
    state = models.CharField(
        "tình trạng", max_length=15, choices=EntryState.choices, default=EntryState.PENDING
    )
    not_evaluated_reason = models.CharField("lý do không đánh giá", max_length=255, blank=True)
    # self-assessment
    self_scores = models.JSONField("điểm tự chấm", default=dict, blank=True)
    self_comment = models.TextField("tự nhận xét", blank=True)
    self_level = models.ForeignKey(Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    self_at = models.DateTimeField(null=True, blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # review and proposal
    review_scores = models.JSONField("điểm đề xuất", default=dict, blank=True)
    review_comment = models.TextField("nhận xét", blank=True)
    votes_for = models.PositiveIntegerField("phiếu tán thành", null=True, blank=True)
    votes_against = models.PositiveIntegerField("phiếu không tán thành", null=True, blank=True)
    proposed_level = models.ForeignKey(
        Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    facts = models.JSONField("số liệu cho các điều kiện", default=dict, blank=True)
    # decision
    level = models.ForeignKey(Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rank = models.PositiveSmallIntegerField("bậc", null=True, blank=True)
    decided_on = models.DateField("ngày quyết định", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    justification = models.TextField("lý do vượt cảnh báo", blank=True)
    warnings = models.JSONField("cảnh báo khi quyết định", default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "kết quả đánh giá"
        verbose_name_plural = "kết quả đánh giá"
        ordering = ["period_id", "subject", "path", "id"]
        indexes = [
            models.Index(fields=["year", "subject", "path"], name="evaluation_year_subject_path"),
            models.Index(fields=["member", "year"], name="evaluation_member_year"),
            models.Index(fields=["org", "year"], name="evaluation_org_year"),
            # a period's entries through the organizations of a scope (`restrict` joins org__current_path): one
            # seek per organization of the scope, not every year's entries of it (a province's period page)
            models.Index(fields=["org", "period"], name="evaluation_org_period"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "member"],
                condition=models.Q(subject="member"),
                name="evaluation_period_member",
            ),
            models.UniqueConstraint(
                fields=["period", "org"], condition=models.Q(subject="org"), name="evaluation_period_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.member_id or self.org_id} – {self.year}"

    @property
    def scores(self) -> dict[str, Any]:
        """The scores the proposal rests on: the review's, else the self-assessment's."""
        return dict(self.review_scores or self.self_scores or {})


# The JSON columns as raw SQL values, for set-based inserts (`coso.core.bulk.insert_rows` writes values as given).
JSON_DEFAULTS: dict[str, str] = {"self_scores": "{}", "review_scores": "{}", "facts": "{}", "warnings": "[]"}


class Reconsideration(models.Model):
    """A recorded reconsideration decision (xem xét lại) changing a decided result: before → after kept."""

    SCOPE_PATH = "evaluation__org__current_path"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="reconsiderations")
    number = models.CharField("số quyết định", max_length=60)
    decided_on = models.DateField("ngày quyết định")
    body = models.CharField("cấp quyết định", max_length=255)
    reason = models.TextField("lý do")
    level_before = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    level_after = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField("lý do vượt cảnh báo", blank=True)
    warnings = models.JSONField("cảnh báo", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "xem xét lại kết quả"
        verbose_name_plural = "xem xét lại kết quả"
        ordering = ["evaluation_id", "decided_on", "id"]

    def __str__(self) -> str:
        return f"Quyết định {self.number} ngày {self.decided_on:%d/%m/%Y}"


class MemberAccount(models.Model):
    """The login of a member, for their own self-assessment."""

    SCOPE_PATH = "member__home_org__current_path"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member_account"
    )
    member = models.OneToOneField("members.Member", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tài khoản đảng viên"
        verbose_name_plural = "tài khoản đảng viên"

    def __str__(self) -> str:
        return f"{self.user_id} → {self.member_id}"
