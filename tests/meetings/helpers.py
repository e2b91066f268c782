"""Builders for the meeting tests: members through the member services, meetings through the meeting services."""

from __future__ import annotations

import datetime as dt

from coso.meetings import services as ms
from coso.members import services as m
from tests.members.test_services import admit

D = dt.date


def official(cell, name, joined=D(2015, 1, 5)):
    """An official member of `cell` since a year after `joined`."""
    member = admit(cell, name=name, joined=joined)
    m.recognise(None, member, on=D(joined.year + 1, joined.month, joined.day))
    member.refresh_from_db()
    return member


def plan(org, on, kind="regular", actor=None, **kw):
    return ms.plan_meeting(actor, org, ms.MeetingInput(kind=kind, date=on, **kw))


def held(org, on, kind="regular", marks=(), actor=None):
    """A meeting recorded as held, with the roll call `marks` ((member, presence[, reason]) ...)."""
    meeting = plan(org, on, kind, actor)
    lines = []
    for mark in marks:
        member, presence, *reason = mark
        lines.append(ms.Mark(presence=presence, member=member, reason=reason[0] if reason else ""))
    return ms.mark_attendance(actor, meeting, lines)
