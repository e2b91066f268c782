"""Invariants of the tree through time, checked after operations in tests."""

from __future__ import annotations

from collections import defaultdict

from coso.core.dates import active_on
from coso.orgs.models import Organization, OrgPeriod, segment


def check_tree() -> None:
    periods = defaultdict(list)
    for p in OrgPeriod.objects.order_by("valid_from", "id"):
        periods[p.org_id].append(p)
    for org in Organization.objects.all():
        mine = [p for p in periods[org.pk] if p.valid_to is None or p.valid_to > p.valid_from]
        assert mine, f"{org.code} has no period"
        # periods follow each other without gaps or overlaps
        for a, b in zip(mine, mine[1:], strict=False):
            assert a.valid_to == b.valid_from, (
                f"{org.code}: gap or overlap between {a.valid_from} and {b.valid_from}"
            )
        assert mine[0].valid_from == org.established_on, org.code
        assert mine[-1].valid_to == org.dissolved_on, f"{org.code}: last period ends {mine[-1].valid_to}"
        assert org.current_path == mine[-1].path, (
            f"{org.code}: current_path {org.current_path} != {mine[-1].path}"
        )
        for p in mine:
            assert p.path.endswith(segment(org.pk)), org.code
            assert p.depth == len(p.path) // 9
            if p.parent_id is None:
                assert p.path == segment(org.pk)
            else:
                parent = OrgPeriod.objects.filter(active_on(p.valid_from), org_id=p.parent_id).first()
                assert parent is not None, f"{org.code}: parent missing on {p.valid_from}"
                assert p.path == parent.path + segment(org.pk), f"{org.code}: path does not follow its parent"
                # the parent keeps this path for the whole period
                changes = OrgPeriod.objects.filter(org_id=p.parent_id, valid_from__gt=p.valid_from)
                if p.valid_to is not None:
                    changes = changes.filter(valid_from__lt=p.valid_to)
                for c in changes:
                    if c.valid_to is None or c.valid_to > c.valid_from:
                        assert c.path == parent.path, f"{org.code}: parent moved during the child's period"
