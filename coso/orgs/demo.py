"""Demo data: a fictional province shaped like real ones, built through the services so history is real.

Đảng bộ tỉnh Sông Lam (SL), from 1997: eight districts (Đảng bộ huyện) with commune party committees (then
`Đảng bộ cơ sở`) and their cells; commune-agency cells created in 2001 and all dissolved on 1 April 2019 (seed
003); village mergers in 2019-2020; a pilot of military cells in two communes (seed 001); then on 1 July 2025 the
district level ends: new commune committees (`Đảng bộ xã` / `Đảng bộ phường`) under the province, each taking
three former communes as grassroots organizations, and the districts dissolved.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from . import services
from .models import CellCategory, Organization, OrgKind

D = dt.date
SYLLABLES = [
    "An",
    "Bình",
    "Cẩm",
    "Đông",
    "Hòa",
    "Hưng",
    "Khánh",
    "Lạc",
    "Long",
    "Minh",
    "Nam",
    "Phú",
    "Phúc",
    "Quang",
    "Sơn",
    "Tân",
    "Thanh",
    "Thịnh",
    "Thuận",
    "Trung",
    "Vĩnh",
    "Xuân",
    "Yên",
    "Hải",
    "Hà",
    "Đức",
    "Lộc",
    "Mỹ",
    "Ninh",
    "Tiến",
    "Hồng",
    "Kim",
    "Lam",
    "Ngọc",
    "Phong",
    "Quý",
    "Tâm",
    "Thái",
    "Văn",
    "Việt",
]
VILLAGE_WORDS = [
    "Đồng Tâm",
    "Na Hin",
    "Làng Mới",
    "Bắc Sơn",
    "Đoàn Kết",
    "Tiền Phong",
    "Quyết Tiến",
    "Hợp Thành",
    "Đình",
    "Chùa",
    "Giữa",
    "Trại",
    "Nà Pen",
    "Khe Cát",
    "Đồng Mát",
    "Bãi Sậy",
    "Cầu",
    "Gò",
]
DISTRICTS = ["Yên Phú", "Đông Hà", "Tân Lập", "Hòa Sơn", "Lạc Thủy", "Minh Châu", "Phúc Thọ", "Vĩnh Hưng"]
PROVINCE = "SL"


class Demo:
    def __init__(self, log: Callable[[str], None] = print, seed: int = 2025):
        self.rng = random.Random(seed)
        self.log = log
        self.kinds = {k.code: k for k in OrgKind.objects.all()}
        self.cats = {c.code: c for c in CellCategory.objects.all()}
        self.used_names: set[str] = set()
        self.n_decision = 0

    def name(self) -> str:
        while True:
            a, b = self.rng.sample(SYLLABLES, 2)
            if f"{a} {b}" not in self.used_names:
                self.used_names.add(f"{a} {b}")
                return f"{a} {b}"

    def decision(self, on: dt.date, issuer: str, suffix: str) -> services.DecisionInput:
        self.n_decision += 1
        signed = on - dt.timedelta(days=self.rng.randint(3, 20))
        return services.DecisionInput(
            number=f"{self.n_decision}-QĐ/{suffix}", signed_on=signed, issuer=issuer
        )

    def establish(
        self,
        code: str,
        name: str,
        kind: str,
        parent: Organization | None,
        on: dt.date,
        cat: str | None = None,
        issuer: str = "Tỉnh ủy Sông Lam",
        suffix: str = "TU",
    ) -> Organization:
        spec = services.NewOrg(
            code=code,
            name=name,
            kind=self.kinds[kind],
            category=self.cats[cat] if cat else None,
            parent=parent,
        )
        return services.establish(None, spec, on=on, decision=self.decision(on, issuer, suffix)).orgs[0]

    def build(self) -> Organization:
        rng = self.rng
        province = self.establish(
            PROVINCE,
            "Đảng bộ tỉnh Sông Lam",
            "dang_bo_tinh",
            None,
            D(1997, 1, 1),
            issuer="Ban Chấp hành Trung ương",
        )
        communes: list[
            tuple[Organization, str, Organization, bool]
        ] = []  # (commune, name, district, is_town)
        agency_cells: list[tuple[Organization, str]] = []
        village_cells: dict[int, list[Organization]] = {}
        for di, dname in enumerate(DISTRICTS, start=1):
            dcode = f"SL-H{di:02d}"
            district = self.establish(
                dcode, f"Đảng bộ huyện {dname}", "dang_bo_huyen", province, D(1997, 1, 1)
            )
            h_issuer = f"Huyện ủy {dname}"
            for si, (label, cat) in enumerate(
                [
                    ("Trường THPT", "truong_hoc"),
                    ("Bệnh viện Đa khoa", "tram_y_te"),
                    ("Trường THCS thị trấn", "truong_hoc"),
                ],
                start=1,
            ):
                self.establish(
                    f"{dcode}-CS{si}",
                    f"Chi bộ {label} {dname}",
                    "chi_bo_co_so",
                    district,
                    D(1998 + si, 9, 1),
                    cat,
                    h_issuer,
                    "HU",
                )
            for ci in range(1, 13):
                is_town = ci == 1
                cname = (
                    f"thị trấn {dname.split()[0]} {self.name().split()[1]}"
                    if is_town
                    else f"xã {self.name()}"
                )
                ccode = f"{dcode}-X{ci:02d}"
                commune = self.establish(
                    ccode,
                    f"Đảng bộ {cname}",
                    "dang_bo_co_so",
                    district,
                    D(1997, 1, 1),
                    issuer=h_issuer,
                    suffix="HU",
                )
                communes.append((commune, cname, district, is_town))
                cells = []
                for vi in range(1, rng.randint(8, 12) + 1):
                    if is_town:
                        vname, cat = f"Chi bộ Tổ dân phố số {vi}", "to_dan_pho"
                    else:
                        vname, cat = f"Chi bộ thôn {rng.choice(VILLAGE_WORDS)} {vi}", "thon_ban"
                    cells.append(
                        self.establish(
                            f"{ccode}-T{vi:02d}",
                            vname,
                            "chi_bo_truc_thuoc",
                            commune,
                            D(1997, 3, 1),
                            cat,
                            h_issuer,
                            "HU",
                        )
                    )
                village_cells[commune.pk] = cells
                self.establish(
                    f"{ccode}-TH",
                    f"Chi bộ Trường Tiểu học {cname}",
                    "chi_bo_truc_thuoc",
                    commune,
                    D(2003, 9, 1),
                    "truong_hoc",
                    h_issuer,
                    "HU",
                )
                self.establish(
                    f"{ccode}-YT",
                    f"Chi bộ Trạm Y tế {cname}",
                    "chi_bo_truc_thuoc",
                    commune,
                    D(2016, 1, 1),
                    "tram_y_te",
                    h_issuer,
                    "HU",
                )
                agency = self.establish(
                    f"{ccode}-CQ",
                    f"Chi bộ Cơ quan {cname}",
                    "chi_bo_truc_thuoc",
                    commune,
                    D(2001, 1, 1),
                    "co_quan",
                    h_issuer,
                    "HU",
                )
                agency_cells.append((agency, h_issuer))
                if di == 1 and ci in (2, 3):  # seed 001: military cells piloted in two communes
                    self.establish(
                        f"{ccode}-QS",
                        f"Chi bộ Quân sự {cname}",
                        "chi_bo_truc_thuoc",
                        commune,
                        D(2017, 6, 1),
                        "quan_su",
                        h_issuer,
                        "HU",
                    )
            self.log(f"  {district.code}: Đảng bộ huyện {dname}")

        # 1 April 2019: every commune-agency cell dissolved (Kết luận 38-KL/TW; seed 003).
        for cell, issuer in agency_cells:
            services.dissolve(
                None, cell, on=D(2019, 4, 1), decision=self.decision(D(2019, 4, 1), issuer, "HU")
            )
        self.log(f"  01/04/2019: giải thể {len(agency_cells)} chi bộ cơ quan xã")

        # 2019-2020: small villages merged.
        merged = 0
        for commune, _cname, _district, _town in communes:
            cells = village_cells[commune.pk]
            if rng.random() < 0.35 and len(cells) >= 4:
                a, b = cells[-2], cells[-1]
                on = D(2020, rng.choice([1, 4, 7]), 1)
                services.merge(
                    None,
                    [a, b],
                    on=on,
                    decision=self.decision(on, "Huyện ủy", "HU"),
                    new=services.NewOrg(
                        code=f"{a.code}G",
                        name=f"Chi bộ thôn {rng.choice(VILLAGE_WORDS)} hợp nhất",
                        kind=self.kinds["chi_bo_truc_thuoc"],
                        category=self.cats["thon_ban"],
                        parent=commune,
                    ),
                )
                merged += 1
        self.log(f"  2020: hợp nhất {merged} cặp chi bộ thôn")

        # Some renames (schools converted, villages renamed).
        for commune, cname, _d, _t in communes[::5]:
            cell = Organization.objects.get(code=f"{commune.code}-TH")
            on = D(2021, 8, 15)
            services.rename(
                None,
                cell,
                on=on,
                decision=self.decision(on, "Huyện ủy", "HU"),
                name=f"Chi bộ Trường Tiểu học và THCS {cname}",
            )

        # 1 July 2025: no more districts; new commune committees under the province.
        on = D(2025, 7, 1)
        new_communes = []
        for i in range(0, len(communes), 3):
            group = communes[i : i + 3]
            first = group[0]
            is_ward = first[3]
            title = ("phường " if is_ward else "xã ") + self.name()
            kind = "dang_bo_phuong" if is_ward else "dang_bo_xa"
            new = self.establish(
                f"SL-{'P' if is_ward else 'X'}{i // 3 + 1:03d}",
                f"Đảng bộ {title}",
                kind,
                province,
                on,
                issuer="Ban Thường vụ Tỉnh ủy Sông Lam",
            )
            new_communes.append(new)
            for old, oname, _district, _town in group:
                dec = self.decision(on, "Ban Thường vụ Tỉnh ủy Sông Lam", "TU")
                services.move(None, old, new_parent=new, on=on, decision=dec)
                services.rename(None, old, on=on, decision=dec, name=f"Đảng bộ cơ sở khu vực {oname}")
            self.establish(
                f"{new.code}-CA",
                f"Chi bộ Công an {title}",
                "chi_bo_co_so",
                new,
                on,
                "cong_an",
                "Ban Thường vụ Tỉnh ủy Sông Lam",
            )
        for di in range(1, len(DISTRICTS) + 1):
            district = Organization.objects.get(code=f"SL-H{di:02d}")
            moves: dict[int, services.Destination] = {}
            for idx, child in enumerate(district.child_periods.filter(valid_to__isnull=True)):
                moves[child.org_id] = new_communes[(di - 1) * 4 + idx % 4]
            services.dissolve(
                None,
                district,
                on=on,
                decision=self.decision(on, "Ban Chấp hành Trung ương", "TW"),
                child_moves=moves,
            )
        self.log(
            f"  01/07/2025: {len(new_communes)} đảng bộ xã/phường mới; giải thể {len(DISTRICTS)} đảng bộ huyện"
        )
        return province


@transaction.atomic
def load(log: Callable[[str], None] = print) -> bool:
    """Load the demo province; does nothing if the province is already there (the demo accounts come next,
    `coso.accounts.demo`)."""
    if Organization.objects.filter(code=PROVINCE).exists():
        return False
    log("Đang nạp dữ liệu mẫu: Đảng bộ tỉnh Sông Lam ...")
    Demo(log).build()
    log(f"Xong: {Organization.objects.count()} tổ chức.")
    return True
