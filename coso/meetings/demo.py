"""Demo cell meetings of the demo province (Đảng bộ tỉnh Sông Lam), January 2025 to the last complete month.

Two ways in, both through the services (history kept, every rule checked):
- one new commune (đảng bộ xã, three grassroots committees since the 2025 reorganisation) runs its whole meeting
  life in Coso, meeting by meeting: plan, roll call, dues, minutes, resolutions, scores;
- every other cell of the province brings its paper book (nhập sổ sinh hoạt, `services.record_book`): the
  meetings it held, with the absences the book records and the minutes adopted at the meeting. One commune in
  six started its book in Coso only this year. The province's compliance page thus shows every commune's real
  figures, gaps included.

What the demo commune holds, deterministic (seeded random):
- rhythms: most cells meet on the 4th of each month (seed 004), a few on another day, some have none;
- a regular meeting every month (a model meeting once a year per grassroots committee, seed 000; pilot
  meetings in the pilot cells), with realistic gaps: some cells skip months, one stopped meeting this year
  (the "no meeting for N days" alert), some hold no thematic meeting at all, most hold one in most quarters;
- attendance with excused and unexcused absences, a few members absent without reason month after month this
  year (the 3-month alert, MEET.MEMBER_ALERTS), dues collected at the meeting from those present;
- minutes written and adopted at the meeting, a few recent ones not adopted; resolutions with tasks, reviewed
  at later meetings, some left overdue;
- half-yearly quality scores against the national criteria set (seed 004), cadres of the committee assigned
  to attend (seed 003), a province programme with pilot cells and its roll-out to every cell (seed 004).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction

from coso.core.bulk import analyze
from coso.core.dates import active_on, add_months, last_of_month, today
from coso.core.fields import prefix_range
from coso.members.models import Member, Membership
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from . import services
from .models import Attendance, Meeting, MeetingKind, QualityCriteriaSet, ResolutionTask

D = dt.date
P = Attendance.Presence
START = D(2025, 1, 1)
PROVINCE = "SL"

FOCUS = [
    "Phát triển kinh tế hộ gia đình, chuyển đổi cơ cấu cây trồng",
    "Xây dựng nông thôn mới nâng cao",
    "Vệ sinh môi trường, thu gom rác thải",
    "Làm đường giao thông nông thôn",
    "Phòng chống dịch bệnh trên đàn gia súc",
    "Công tác phát triển đảng viên",
    "An ninh trật tự thôn, xóm",
    "Thu nộp đảng phí, quỹ thôn",
    "Phòng chống thiên tai, mùa mưa bão",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Xây dựng gia đình văn hóa",
    "Chuẩn bị đại hội chi bộ",
]
THEMES = [
    "Chuyên đề: học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Chuyên đề: nâng cao vai trò nêu gương của đảng viên",
    "Chuyên đề: phát triển kinh tế tập thể",
    "Chuyên đề: công tác dân vận ở khu dân cư",
    "Chuyên đề: chuyển đổi số ở thôn, tổ dân phố",
]
REASONS = ["Ốm", "Đi làm ăn xa", "Việc gia đình", "Đi công tác", "Chăm người nhà ốm"]
PLACES = ["Nhà văn hóa thôn", "Hội trường thôn", "Nhà văn hóa khu dân cư", "Trụ sở thôn"]
TASKS = [
    "Vận động nhân dân hiến đất làm đường",
    "Hoàn thành thu đảng phí quý",
    "Tổ chức ra quân vệ sinh môi trường",
    "Rà soát hộ nghèo, cận nghèo",
    "Giới thiệu quần chúng ưu tú cho Đảng xem xét kết nạp",
    "Kiểm tra việc thực hiện quy ước thôn",
]
CADRES = [
    ("Nguyễn Văn Thành", "Đảng ủy viên"),
    ("Lê Thị Hạnh", "Phó Bí thư Đảng ủy"),
    ("Trần Quang Huy", "Đảng ủy viên"),
]


def last_complete_month(on: dt.date) -> dt.date:
    return add_months(on.replace(day=1), -1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    result = []
    m = first
    while m <= last:
        result.append(m)
        m = add_months(m, 1)
    return result


class MeetingDemo:
    def __init__(self, log: Callable[[str], None], seed: int = 2026, limit: int | None = None):
        self.rng = random.Random(seed)
        self.log = log
        self.today = today()
        self.last = last_complete_month(self.today)
        self.months = months(START, self.last)
        self.criteria = QualityCriteriaSet.objects.filter(org__isnull=True).order_by("effective_from").last()
        self.counts: dict[str, int] = {}
        self.limit = limit  # the first N cells of the demo commune only (the tests)
        self._parents: dict[tuple[int, dt.date], Organization] = {}

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    # ---------------------------------------------------------------------------------------- choosing

    def commune(self) -> Organization:
        """The demo commune: the first new commune (đảng bộ xã) of the province with three grassroots
        committees under it today."""
        province = Organization.objects.get(code=PROVINCE)
        communes = (
            orgs_queries.placements(self.today, within=province.current_path)
            .filter(kind__code="dang_bo_xa")
            .order_by("path")
        )
        for p in communes:
            n = orgs_queries.placements(self.today).filter(parent_id=p.org_id, kind__is_grassroots=True)
            if n.count() >= 3:
                return p.org
        return communes[0].org

    def cells(self, commune: Organization) -> list[tuple[orgs_queries.Period, int]]:
        """(cell, the grassroots committee or commune it sits under) today, under the commune."""
        return [
            (p, p.parent_id or p.org_id)
            for p in orgs_queries.placements(self.today, within=commune.current_path)
            .filter(kind__is_cell=True)
            .select_related("org")
            .order_by("path")
        ]

    def parent_on(self, org: Organization, on: dt.date) -> Organization:
        """The organization above `org` on `on` (the committee that assigns cadres to its meetings)."""
        key = (org.pk, on)
        if key not in self._parents:
            period = orgs_queries.period_on(org, on)
            assert period is not None  # the demo's meetings fall in their cell's life
            self._parents[key] = period.parent  # type: ignore[assignment]
        return self._parents[key]

    # ---------------------------------------------------------------------------------------- building

    def build(self) -> None:
        r = self.rng
        commune = self.commune()
        cells = self.cells(commune)[: self.limit]
        self.log(f"  xã mẫu {commune.code}: {len(cells)} chi bộ, {len(self.months)} tháng")
        province = Organization.objects.get(code=PROVINCE)
        programme = services.create_programme(
            None,
            province,
            name="Đề án nâng cao chất lượng sinh hoạt chi bộ giai đoạn 2025-2030",
            decision_number="16-ĐA/TU",
            decision_date=D(2025, 1, 3),
            date_from=D(2025, 1, 3),
            date_to=D(2030, 12, 31),
            note="Mỗi kỳ sinh hoạt chọn một vấn đề trọng tâm; chi ủy họp thống nhất nội dung trước; đánh giá "
            "chất lượng 6 tháng một lần (bài 004).",
        )
        pilots = {cells[i][0].org_id for i in (0, len(cells) // 2) if cells}
        for cell_id in sorted(pilots):
            services.select_pilot(None, programme, Organization.objects.get(pk=cell_id), on=D(2025, 1, 15))
        # members chronically absent without reason this year: two per grassroots committee
        chronic: set[int] = set()
        by_grassroots: dict[int, list[orgs_queries.Period]] = {}
        for cell, parent_id in cells:
            by_grassroots.setdefault(parent_id, []).append(cell)
        for _gr, its_cells in sorted(by_grassroots.items()):
            ids = list(
                Membership.objects.filter(
                    active_on(self.today),
                    kind=Membership.Kind.OFFICIAL,
                    org_id__in=[c.org_id for c in its_cells],
                )
                .order_by("member_id")
                .values_list("member_id", flat=True)
            )
            chronic.update(r.sample(ids, min(2, len(ids))))
        silent_cell = cells[-1][0].org_id if len(cells) > 3 else None
        model_cells = {gr: r.choice(cs).org_id for gr, cs in sorted(by_grassroots.items())}
        for i, (cell, parent_id) in enumerate(cells):
            profile = "skipper" if i % 5 == 3 else "steady"
            thematic = 0.0 if i % 6 == 4 else (0.55 if profile == "skipper" else 0.85)
            self.cell(
                cell,
                profile=profile,
                thematic=thematic,
                pilot=cell.org_id in pilots,
                silent=cell.org_id == silent_cell,
                model=model_cells.get(parent_id) == cell.org_id,
                chronic=chronic,
            )
        self.books(province, commune)
        rolled = services.roll_out(None, programme, on=D(2025, 7, 1))
        self.log(
            f"  {self.counts.get('meetings', 0)} cuộc sinh hoạt ({self.counts.get('thematic', 0)} chuyên đề), "
            f"{self.counts.get('attendance', 0)} lượt điểm danh, {self.counts.get('dues', 0)} lượt đóng đảng phí, "
            f"{self.counts.get('tasks', 0)} nhiệm vụ, {self.counts.get('scores', 0)} lượt chấm điểm"
        )
        self.log(
            f"  đề án 16-ĐA/TU: {len(pilots)} chi bộ điểm, triển khai đồng loạt {rolled} chi bộ ngày 01/07/2025"
        )

    def books(self, province: Organization, commune: Organization) -> None:
        """The other cells of the province bring their paper books into Coso (nhập sổ sinh hoạt,
        `services.record_book`): the regular meeting of each month with realistic gaps (most cells miss a month
        now and then, one in five misses several, a few stopped meeting three months ago), a thematic meeting
        in most quarters (some cells hold none), the absences the book records; one commune in six started
        its book in Coso only this year."""
        r = self.rng
        cells = (
            orgs_queries.placements(self.today, within=province.current_path)
            .filter(kind__is_cell=True)
            .exclude(**prefix_range("path", commune.current_path))
            .select_related("org")
            .order_by("path")
        )
        # the members of each cell through the whole period (absences are chosen among them)
        steady: dict[int, list[int]] = {}
        for org_id, member_id in (
            Membership.objects.filter(
                active_on(self.today),
                kind=Membership.Kind.OFFICIAL,
                valid_from__lte=START,
                org_id__in=cells.values("org_id"),
            )
            .order_by("org_id", "member_id")
            .values_list("org_id", "member_id")
        ):
            steady.setdefault(org_id, []).append(member_id)
        late: dict[str, bool] = {}
        this_year = D(self.today.year, 1, 1)
        books = lines = 0
        for cell in cells[: self.limit]:
            org = cell.org
            key = cell.path[: len(province.current_path) + 18]  # the commune the cell sits in today
            if key not in late:
                late[key] = r.random() < 1 / 6
            first = max(this_year if late[key] else START, org.established_on)
            own = [m for m in self.months if first <= m]
            if not own:
                continue
            x = r.random()
            skips = r.randint(2, 5) if x < 0.2 else (1 if x < 0.6 else 0)
            skip = set(r.sample(own, min(len(own), skips)))
            if r.random() < 0.04:
                skip |= {m for m in own if m >= add_months(self.last, -2)}  # stopped meeting
            thematic = 0.0 if r.random() < 0.06 else (0.5 if skips > 1 else 0.85)
            day = 4 if r.random() < 0.7 else r.choice([5, 10, 15, 20])
            members = steady.get(org.pk, [])
            book = []
            for m in own:
                if m not in skip:
                    book.append(self.line(m.replace(day=day), MeetingKind.REGULAR, r.choice(FOCUS), members))
                if m.month % 3 == 2 and m not in skip and r.random() < thematic:
                    book.append(self.line(m.replace(day=18), MeetingKind.THEMATIC, r.choice(THEMES), members))
            if book:
                services.record_book(None, org, book)
                books += 1
                lines += len(book)
        self.log(f"  sổ sinh hoạt của {books} chi bộ khác trong tỉnh: {lines} cuộc sinh hoạt")

    def line(self, on: dt.date, kind: str, focus: str, members: list[int]) -> services.BookEntry:
        """A line of a paper book: the meeting and who was absent (mostly with a reason)."""
        r = self.rng
        absent = {}
        for member_id in members:
            x = r.random()
            if x < 0.06:
                absent[member_id] = r.choice(REASONS)
            elif x < 0.075:
                absent[member_id] = ""
        recent = on >= add_months(self.last, -3)
        return services.BookEntry(
            date=on,
            kind=kind,
            focus_issue=focus,
            place=r.choice(PLACES),
            absent=absent,
            chair_name="Bí thư chi bộ",
            secretary_name="Chi ủy viên",
            conclusions="Chi bộ thống nhất nội dung, giao nhiệm vụ cụ thể cho đảng viên.",
            adopted=not (recent and r.random() < 0.05),
        )

    def cell(
        self,
        cell: orgs_queries.Period,
        *,
        profile: str,
        thematic: float,
        pilot: bool,
        silent: bool,
        model: bool,
        chronic: set[int],
    ) -> None:
        r = self.rng
        org = cell.org
        # the months the cell exists whole (a cell established in 2025 starts the month after)
        own = [m for m in self.months if org.established_on <= m]
        day = 4 if r.random() < 0.7 else r.choice([5, 10, 15, 20])
        if own and r.random() < 0.85:
            services.set_rhythm(
                None, org, day_of_month=day, valid_from=own[0], note="Theo nghị quyết chi bộ đầu nhiệm kỳ"
            )
        skip = set()
        if profile == "skipper":
            skip = set(r.sample(own, min(len(own), r.randint(3, 5))))
        elif own and r.random() < 0.4:
            skip = {r.choice(own)}
        if silent:
            skip |= {m for m in self.months if m >= add_months(self.last, -3)}
        model_month = {m for m in self.months if m.month == 10 and m.year == 2025} if model else set()
        quarters_with_thematic = set()
        for m in own:
            q = (m.year, (m.month - 1) // 3)
            if m.month % 3 == 1 and r.random() < thematic:
                quarters_with_thematic.add(q)
        for m in own:
            if m not in skip:
                kind = MeetingKind.REGULAR
                if pilot and m <= D(2025, 6, 1):
                    kind = MeetingKind.PILOT
                elif m in model_month:
                    kind = MeetingKind.MODEL
                on = m.replace(day=min(day, 28))
                self.meeting(org, on, kind, chronic, score=pilot or r.random() < 0.3)
            q = (m.year, (m.month - 1) // 3)
            if q in quarters_with_thematic and m.month % 3 == 2 and not silent:
                self.meeting(org, m.replace(day=18), MeetingKind.THEMATIC, chronic, score=False)

    def meeting(
        self,
        org: Organization,
        on: dt.date,
        kind: str,
        chronic: set[int],
        *,
        score: bool,
    ) -> Meeting:
        r = self.rng
        thematic = kind == MeetingKind.THEMATIC
        focus = r.choice(THEMES) if thematic else r.choice(FOCUS)
        agenda = ["Kiểm điểm việc thực hiện nghị quyết kỳ trước", focus, "Phương hướng nhiệm vụ tháng tới"]
        meeting = services.plan_meeting(
            None,
            org,
            services.MeetingInput(
                kind=kind,
                date=on,
                start_time=dt.time(19, 30) if r.random() < 0.7 else dt.time(14, 0),
                place=r.choice(PLACES),
                focus_issue=focus,
                preparation_date=on - dt.timedelta(days=r.randint(2, 5)),
                preparation_note="Chi ủy họp thống nhất nội dung, phân công chuẩn bị",
            ),
            agenda=agenda,
        )
        self.count("meetings")
        if thematic:
            self.count("thematic")
        cadre = None
        if r.random() < 0.25:
            name, title = r.choice(CADRES)
            cadre = services.assign_attendee(
                None, meeting, assigning_org=self.parent_on(org, on), name=name, title=title
            )
        rows = list(
            Attendance.objects.filter(meeting=meeting).order_by("id").values_list("id", "member_id", "role")
        )
        marks = []
        present: list[int] = []
        this_year = on.year == self.today.year
        for row_id, member_id, role in rows:
            if member_id is None:
                marks.append(services.Mark(presence=P.PRESENT if r.random() < 0.9 else P.ABSENT_EXCUSED,
                                    reason="Bận công tác", attendance_id=row_id))  # fmt: skip
                continue
            x = r.random()
            if member_id in chronic and this_year and x < 0.6:
                presence, reason = P.ABSENT_UNEXCUSED, ""
            elif x < 0.07:
                presence, reason = P.ABSENT_EXCUSED, r.choice(REASONS)
            elif x < 0.09:
                presence, reason = P.ABSENT_UNEXCUSED, ""
            else:
                presence, reason = P.PRESENT, ""
                if role == Attendance.Role.MEMBER:
                    present.append(member_id)
            marks.append(services.Mark(presence=presence, reason=reason, member=member_id))
        meeting = services.mark_attendance(None, meeting, marks)
        self.count("attendance", len(marks))
        if cadre is not None:
            self.count("assignments")
        # dues of the month, collected at the regular meeting from the members present
        if not thematic and present:
            members = {m.pk: m for m in Member.objects.filter(pk__in=present)}
            amounts = [(members[mid], r.choice([20000, 30000, 30000, 50000, 100000])) for mid in present]
            services.record_dues(None, org, month=on, payments=amounts, meeting=meeting)
            self.count("dues", len(amounts))
        # minutes, adopted before closing (a few recent ones not yet)
        speakers = [{"name": "Bí thư chi bộ", "opinion": "Quán triệt nội dung trọng tâm của kỳ họp"}]
        speakers += [{"name": f"Đảng viên {k + 1}", "opinion": "Tán thành, đề nghị bổ sung giải pháp"}
                     for k in range(r.randint(1, 3))]  # fmt: skip
        minutes = services.save_minutes(
            None,
            meeting,
            services.MinutesInput(
                chair_name="Bí thư chi bộ",
                secretary_name="Chi ủy viên",
                opened_at=dt.time(19, 30),
                closed_at=dt.time(21, 30),
                proceedings=f"Chi bộ thảo luận: {focus}.",
                speakers=speakers,
                conclusions="Chi bộ thống nhất nội dung, giao nhiệm vụ cụ thể cho đảng viên.",
                votes_for=meeting.present,
            ),
        )
        recent = on >= add_months(self.last, -4)
        if not (recent and r.random() < 0.25) and r.random() < 0.97:
            services.adopt_minutes(None, minutes)
            self.count("adopted")
        # tasks of earlier resolutions reviewed at this meeting
        for task in ResolutionTask.objects.filter(
            resolution__meeting__org=org, status=ResolutionTask.Status.OPEN, deadline__lt=on
        ).order_by("id"):
            if r.random() < 0.7:
                services.follow_up_task(
                    None, task, meeting=meeting, status=ResolutionTask.Status.DONE, note="Đã hoàn thành"
                )
        # a resolution with its tasks at thematic meetings and one regular meeting in three
        if thematic or r.random() < 0.33:
            res = services.add_resolution(
                None,
                meeting,
                number=f"{on:%m}-NQ/CB",
                title=f"Nghị quyết {meeting.get_kind_display().lower()} tháng {on:%m/%Y}",
                content=focus,
            )
            for _ in range(r.randint(1, 2)):
                services.add_task(
                    None,
                    res,
                    description=r.choice(TASKS),
                    deadline=last_of_month(add_months(on, r.randint(1, 2))),
                    owner_text=r.choice(["Chi ủy", "Bí thư chi bộ", "Tổ dân vận", "Chi hội nông dân"]),
                )
                self.count("tasks")
        if score and self.criteria is not None:
            scores: dict[str, Any] = {}
            for c in self.criteria.criteria:
                top = int(c["points"])
                scores[c["code"]] = max(0, top - r.choice([0, 0, 1, 2, 3, 5]))
            services.score_meeting(None, meeting, scores=scores, scored_on=min(last_of_month(on), self.today))
            self.count("scores")
        return meeting


@transaction.atomic
def load(log: Callable[[str], None] = print, *, limit: int | None = None) -> bool:
    """Load the demo meetings once (after the demo members); does nothing if meetings exist already. `limit`:
    only the first cells of the demo commune (a quicker load for the tests)."""
    if Meeting.objects.exists() or not Member.objects.exists():
        return False
    log("Đang nạp sinh hoạt chi bộ mẫu ...")
    MeetingDemo(log, limit=limit).build()
    analyze()
    log(f"Xong: {Meeting.objects.count()} cuộc sinh hoạt.")
    return True
