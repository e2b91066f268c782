"""Demo members of the demo province (Đảng bộ tỉnh Sông Lam), with a realistic history.

Most members come in through the Excel importer's own path (validate → apply), the way a province would load its
lists; the events go through the services: the commune-agency cells' members admitted one by one and moved to
village cells on 1 April 2019 in one bulk move per cell (seed 003), the members of villages merged in 2020 moved
to the merged cell, recent admissions still on probation, recognitions, transfers, exemptions and deaths.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from coso.core.bulk import analyze
from coso.core.dates import active_on, add_months, today
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization, Restructuring

from . import importer, services
from .models import Ethnicity, Member, Membership, Religion, Status

D = dt.date
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Lương",
    "Hà",
    "Lò",
    "Mai",
]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thành"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Đạt",
    "Hiếu",
    "Lâm",
]
GIVEN_F = [
    "Anh",
    "Bích",
    "Chi",
    "Dung",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Oanh",
    "Phương",
    "Thảo",
    "Trang",
    "Uyên",
    "Yến",
    "Ánh",
    "Loan",
]
ETHNIC = ["Kinh"] * 14 + ["Tày", "Thái", "Mường", "Nùng", "Dao", "Mông"]
RELIGION = ["Không"] * 12 + ["Phật giáo", "Công giáo"]
QUALIFICATIONS = ["", "Trung cấp", "Cao đẳng", "Đại học", "Đại học", "Thạc sĩ"]
THEORY = ["", "", "Sơ cấp", "Sơ cấp", "Trung cấp", "Cao cấp"]
OCCUPATIONS = [
    "Nông dân",
    "Nông dân",
    "Cán bộ, công chức",
    "Viên chức",
    "Nghỉ hưu",
    "Công nhân",
    "Doanh nhân",
    "Người lao động tự do",
]


class MemberDemo:
    def __init__(self, log: Callable[[str], None], seed: int = 2025):
        self.rng = random.Random(seed)
        self.log = log
        self.cid = 0
        self.kinh = Ethnicity.objects.get(name="Kinh")
        self.none = Religion.objects.get(name="Không")

    def person(self) -> tuple[str, str]:
        r = self.rng
        if r.random() < 0.62:
            return f"{r.choice(FAMILY)} {r.choice(MIDDLE_M)} {r.choice(GIVEN_M)}", "Nam"
        return f"{r.choice(FAMILY)} {r.choice(MIDDLE_F)} {r.choice(GIVEN_F)}", "Nữ"

    def citizen_id(self, birth: dt.date) -> str:
        self.cid += 1
        return f"0{self.rng.randint(1, 96):02d}{birth.year % 100:02d}{self.cid:07d}"[:12].ljust(12, "0")

    def dates(self, earliest: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date | None]:
        """Birth, admission decision, joining, recognition (None while on probation)."""
        r = self.rng
        joined = earliest + dt.timedelta(
            days=r.randint(0, max(1, (min(today(), D(2026, 9, 1)) - earliest).days))
        )
        decided = joined - dt.timedelta(days=r.randint(5, 25))
        birth = D(decided.year - r.randint(19, 55), r.randint(1, 12), r.randint(1, 28))
        recognised = add_months(joined, 12) + dt.timedelta(days=r.randint(0, 40))
        return birth, decided, joined, recognised if recognised <= today() else None

    def row(self, cell: Organization, since: dt.date) -> dict[str, object]:
        r = self.rng
        name, gender = self.person()
        birth, decided, joined, recognised = self.dates(since)
        return {
            "Họ và tên": name,
            "Ngày sinh": birth,
            "Giới tính": gender,
            "Dân tộc": r.choice(ETHNIC),
            "Tôn giáo": r.choice(RELIGION),
            "Số CCCD": self.citizen_id(birth),
            "Số thẻ đảng viên": f"{r.randint(10, 99)}.{self.cid:06d}" if recognised else "",
            "Ngày quyết định kết nạp": decided,
            "Ngày vào Đảng": joined,
            "Ngày chính thức": recognised or "",
            "Trình độ giáo dục phổ thông": r.choice(["12/12", "12/12", "12/12", "9/12", "10/10"]),
            "Trình độ chuyên môn": r.choice(QUALIFICATIONS),
            "Lý luận chính trị": r.choice(THEORY),
            "Nghề nghiệp": r.choice(OCCUPATIONS),
            "Mã chi bộ": cell.code,
            "Sinh hoạt từ ngày": joined,
        }

    def living_cells(self) -> list[orgs_queries.Period]:
        """Cells that exist today, with the date they were established."""
        return list(
            orgs_queries.placements(today()).filter(kind__is_cell=True).select_related("org").order_by("path")
        )

    def build(self) -> None:
        r = self.rng
        rows = []
        for cell in self.living_cells():
            since = max(cell.org.established_on, D(1985, 1, 1))
            village = cell.category_id is not None and cell.org.code.rsplit("-", 1)[-1].startswith("T0")
            for _ in range(r.randint(4, 9) if village else r.randint(3, 6)):
                rows.append(self.row(cell.org, since))
        plan = importer.validate(rows, None, headers=list(importer.COLUMNS), filename="demo")
        if plan.errors:
            raise RuntimeError("Dữ liệu mẫu đảng viên không hợp lệ: " + "; ".join(map(str, plan.errors[:5])))
        importer.apply(plan, None, "dữ liệu mẫu")
        self.log(f"  {len(rows)} đảng viên ở các chi bộ hiện có")
        self.history()

    def admit_old(self, cell: Organization, since: dt.date, until: dt.date) -> Member:
        row = self.row(cell, since)
        start: dt.date = row["Ngày vào Đảng"]  # type: ignore[assignment]
        joined = min(start, until - dt.timedelta(days=400))
        decided = joined - dt.timedelta(days=10)
        birth = D(decided.year - self.rng.randint(25, 50), self.rng.randint(1, 12), self.rng.randint(1, 28))
        member = services.admit(
            None,
            services.Identity(
                full_name=str(row["Họ và tên"]),
                birth_date=birth,
                gender="M" if row["Giới tính"] == "Nam" else "F",
                ethnicity=self.kinh,
                religion=self.none,
                citizen_id=self.citizen_id(birth),
            ),
            cell=cell,
            admission_decided_on=decided,
            joined_on=joined,  # type: ignore[arg-type]
            decision_number=f"{self.cid}-QĐ/ĐU",
        )
        return services.recognise(None, member, on=add_months(joined, 12))  # type: ignore[arg-type]

    def history(self) -> None:
        r = self.rng
        # Commune-agency cells: members admitted there, all moved to village cells when the cells were dissolved
        # on 1 April 2019 (one decision per commune, one bulk move per cell).
        moved = 0
        dissolution = D(2019, 4, 1)
        for agency in Organization.objects.filter(code__endswith="-CQ").order_by("code"):
            members = [
                self.admit_old(agency, agency.established_on, dissolution) for _ in range(r.randint(5, 9))
            ]
            last = orgs_queries.last_period(agency)
            commune = last.parent_id if last else None
            villages = list(
                orgs_queries.placements(dissolution)
                .filter(
                    parent_id=commune,
                    kind__is_cell=True,
                    category__code__in=["thon_ban", "to_dan_pho"],
                )
                .values_list("org_id", flat=True)
            )
            targets = {o.pk: o for o in Organization.objects.filter(pk__in=villages)}
            ids = list(targets)
            mapping = {m.pk: targets[ids[i % len(ids)]] for i, m in enumerate(members)}
            moved += services.bulk_move(
                None,
                agency,
                mapping,
                on=dissolution,
                reason="Giải thể chi bộ cơ quan xã",
                decision_number=f"{agency.pk}-QĐ/ĐU",
            )
        self.log(f"  01/04/2019: chuyển {moved} đảng viên của chi bộ cơ quan xã về chi bộ thôn, tổ dân phố")
        # Villages merged in 2020: their members go to the merged cell.
        merged = 0
        for event in Restructuring.objects.filter(op=Restructuring.Op.MERGE).order_by("on", "id"):
            target = Organization.objects.get(code=event.payload["target"])
            for code in event.payload["sources"]:
                source = Organization.objects.get(code=code)
                for _ in range(r.randint(2, 5)):
                    self.admit_old(source, source.established_on, event.on)
                # everyone there then, including the agency cells' members moved in on 01/04/2019
                everyone = Membership.objects.filter(
                    active_on(event.on), org=source, kind=Membership.Kind.OFFICIAL
                )
                mapping = {member_id: target for member_id in everyone.values_list("member_id", flat=True)}
                merged += services.bulk_move(
                    None, source, mapping, on=event.on, reason="Hợp nhất chi bộ thôn"
                )
        self.log(f"  2020: chuyển {merged} đảng viên của các chi bộ thôn hợp nhất")
        # Some events of recent years.
        living = list(
            Member.objects.filter(status=Status.OFFICIAL, recognised_on__lt=D(2023, 12, 1)).order_by("id")
        )
        r.shuffle(living)
        for member in living[:25]:
            services.end_membership(
                None,
                member,
                status=Status.DECEASED,
                on=D(2024, 1, 1) + dt.timedelta(days=r.randint(0, 600)),
                decision_number="Giấy báo tử",
            )
        for member in living[25:45]:
            services.set_flag(
                None,
                member,
                kind="exempt",
                on=D(2023, 6, 1) + dt.timedelta(days=r.randint(0, 600)),
                reason="Tuổi cao, sức yếu",
            )
        cells = [p.org for p in self.living_cells()]
        transfers = 0
        for member in living[45:75]:
            target = r.choice(cells)
            if target.pk == member.home_org_id:
                continue
            t = services.issue_transfer(
                None,
                member,
                services.TransferInput(
                    kind="official",
                    left_on=D(2025, 9, 1) + dt.timedelta(days=r.randint(0, 30)),
                    to_org=target,
                    letter_number=f"GGT-{member.pk}",
                ),
            )
            if r.random() < 0.7:
                services.confirm_arrival(None, t, on=t.left_on + dt.timedelta(days=r.randint(3, 20)))
            transfers += 1
        self.log(f"  chuyển sinh hoạt: {transfers}; miễn sinh hoạt: 20; từ trần: 25")


@transaction.atomic
def load(log: Callable[[str], None] = print) -> bool:
    """Load the demo members once (after the demo province); does nothing if members exist already."""
    if Member.objects.exists() or not Organization.objects.filter(code="SL").exists():
        return False
    log("Đang nạp đảng viên mẫu ...")
    MemberDemo(log).build()
    analyze()
    log(f"Xong: {Member.objects.count()} đảng viên.")
    return True
