"""Programmes to raise the quality of meetings (pilot cells, roll-out, snapshots)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from coso.core.dates import format_date
from coso.core.errors import DomainError
from coso.core.history import stamp
from coso.core.text import nfc
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .. import rules
from ..models import (
    Minutes,
    ProgrammeCell,
    QualityProgramme,
)
from ._common import _check_scope, org_on
from .minutes import _MINUTES_FIELDS, _json


@transaction.atomic
def create_programme(
    actor: Any,
    org: Organization,
    *,
    name: str,
    date_from: dt.date,
    date_to: dt.date,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    note: str = "",
) -> QualityProgramme:
    """A programme to raise meeting quality (Đề án 16-ĐA/TU 2020-2025 of seed 004) run by `org`."""
    _check_scope(actor, org)
    org_on(org, date_from, "date_from")
    if not nfc(name):
        raise DomainError("Hãy ghi tên đề án.", field="name")
    if date_to <= date_from:
        raise DomainError("Ngày kết thúc phải sau ngày bắt đầu.", field="date_to", rule=rules.PROGRAMME)
    programme = QualityProgramme(
        org=org,
        name=nfc(name),
        decision_number=nfc(decision_number),
        decision_date=decision_date,
        date_from=date_from,
        date_to=date_to,
        note=(note or "").strip(),
        created_by=actor,
    )
    stamp(programme, actor, "Tạo đề án").save()
    return programme


def _in_programme(programme: QualityProgramme, on: dt.date) -> None:
    if not programme.date_from <= on <= programme.date_to:
        raise DomainError(
            f"Ngày {format_date(on)} ngoài thời gian của đề án ({format_date(programme.date_from)} – {format_date(programme.date_to)}).",
            field="on",
            rule=rules.PROGRAMME,
        )


def _programme_cell(programme: QualityProgramme, cell: Organization, on: dt.date) -> orgs_queries.Period:
    _in_programme(programme, on)
    above = org_on(programme.org, on, "on")
    period = org_on(cell, on, "org")
    if not period.kind.is_cell or not period.path.startswith(above.path):
        raise DomainError(
            f"{period.name} không phải chi bộ thuộc {above.name} vào ngày {format_date(on)}.",
            field="org",
            rule=rules.PROGRAMME,
        )
    return period


@transaction.atomic
def select_pilot(
    actor: Any, programme: QualityProgramme, cell: Organization, *, on: dt.date, note: str = ""
) -> ProgrammeCell:
    """Choose `cell` as a pilot (sinh hoạt điểm) of the programme on `on`, to learn from before rolling out."""
    _check_scope(actor, programme.org)
    _programme_cell(programme, cell, on)
    row = ProgrammeCell.objects.select_for_update().filter(programme=programme, org=cell).first()
    if row is not None:
        raise DomainError("Chi bộ này đã có trong đề án.", field="org", rule=rules.PROGRAMME)
    row = ProgrammeCell(programme=programme, org=cell, pilot=True, selected_on=on, note=nfc(note))
    stamp(row, actor, "Chọn chi bộ điểm").save()
    return row


@transaction.atomic
def roll_out(
    actor: Any, programme: QualityProgramme, *, on: dt.date, cells: Sequence[Organization] | None = None
) -> int:
    """Roll the programme out on `on` to `cells` (default: every cell under the programme's organization then),
    pilots included. Returns how many cells were rolled out."""
    _check_scope(actor, programme.org)
    if cells is None:
        _in_programme(programme, on)
        above = org_on(programme.org, on, "on")
        ids = list(
            orgs_queries.placements(on, within=above.path)
            .filter(kind__is_cell=True)
            .values_list("org_id", flat=True)
            .order_by("org_id")
        )
    else:
        for cell in cells:
            _programme_cell(programme, cell, on)
        ids = sorted({c.pk for c in cells})
    existing = {r.org_id: r for r in ProgrammeCell.objects.select_for_update().filter(programme=programme)}
    update = [r for oid, r in existing.items() if oid in ids and r.rolled_out_on is None]
    for r in update:
        r.rolled_out_on = on
    if update:
        bulk_update_with_history(
            update, ProgrammeCell, ["rolled_out_on"], default_user=actor, default_change_reason="Triển khai"
        )
    fresh = [
        ProgrammeCell(programme=programme, org_id=oid, rolled_out_on=on) for oid in ids if oid not in existing
    ]
    if fresh:
        bulk_create_with_history(fresh, ProgrammeCell, default_user=actor, default_change_reason="Triển khai")
    return len(update) + len(fresh)


def snapshot(minutes: Minutes) -> dict[str, Any]:
    """The minutes' fields as JSON (for pages that show an amendment's context)."""
    return {k: _json(getattr(minutes, k)) for k in _MINUTES_FIELDS}
