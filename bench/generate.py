"""A national-scale organization tree with its restructuring history, written straight into the database.

Scale 1.0 is the country today: 34 provinces, 3,321 commune-level committees (Đảng bộ xã / phường / đặc khu,
since 1 July 2025), 52,000 grassroots organizations (Đảng bộ cơ sở / Chi bộ cơ sở) and 250,000 cells (Chi bộ
trực thuộc); `scale` multiplies those counts (at least one province). Behind it, the history:

- until 30 June 2025 the 63 former provinces, with a district level (Đảng bộ huyện / quận / thị xã / thành phố,
  ~700) between them and the grassroots, the former communes (Đảng bộ xã / phường / thị trấn, grassroots then);
- 1 January 2025: Thừa Thiên Huế becomes the city of Huế (a rename);
- 1 July 2025: 52 former provinces merge into 23 new ones (11 stay as they were), the districts are dissolved,
  3,321 commune-level committees are established under the provinces; the former communes' committees stay as
  grassroots (renamed "Đảng bộ khu vực ...") under the new commune that took them in, and every grassroots
  organization of a district moves under its new commune, so every placement below a province gets a new period;
- 1 October 2019: the commune-agency cells (Chi bộ Cơ quan xã ...) are dissolved;
- 1 January 2020: village cells merge two into one (the partner dissolved, the survivor renamed);
- renames over the years: xóm → thôn, khu phố → tổ dân phố, villages renamed, companies equitized
  (Công ty TNHH MTV → Công ty Cổ phần), schools merged (Trường Tiểu học → Trường Tiểu học và THCS).

The result has about 2 periods per organization. Rows are written with COPY (PostgreSQL) or one executemany
(SQLite) using the models' own tables and columns; no services, no history rows. Paths follow the app's rule:
parent path + `segment(id)`, so ids are assigned here, before insert.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from coso.core.text import fold, sort_key
from coso.orgs.models import SEGMENT, CellCategory, Organization, OrgKind, OrgPeriod, segment

D = dt.date
GENERATOR_VERSION = 1
SEED = 20250701
MARKER_TABLE = "bench_dataset"

FOUNDED = D(1930, 2, 3)
REFORM = D(2025, 7, 1)  # no district level from this day; provinces merged
HUE_CITY = D(2025, 1, 1)
AGENCY_CELLS_DISSOLVED = D(2019, 10, 1)
VILLAGE_MERGE = D(2020, 1, 1)
LAST_PRE_REFORM = D(2024, 12, 31)
CUTOFF = D(2026, 6, 1)  # nothing generated is established after this day
FAR = D.max

# National counts at scale 1.0.
BASE = {"provinces": 34, "communes": 3321, "grassroots": 52000, "cells": 250000, "districts": 700}

# Final province → (its former provinces, commune-level committees since 1 July 2025), in the order in which a
# smaller scale takes them (kept and merged provinces interleaved, roughly 1 : 2 as in the country).
PROVINCES: dict[str, tuple[list[str], int]] = {
    "Hà Nội": (["Hà Nội"], 126),
    "Hồ Chí Minh": (["Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"], 168),
    "Phú Thọ": (["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"], 148),
    "Thanh Hóa": (["Thanh Hóa"], 166),
    "Ninh Bình": (["Ninh Bình", "Hà Nam", "Nam Định"], 129),
    "Lâm Đồng": (["Lâm Đồng", "Đắk Nông", "Bình Thuận"], 124),
    "Nghệ An": (["Nghệ An"], 130),
    "Cần Thơ": (["Cần Thơ", "Sóc Trăng", "Hậu Giang"], 103),
    "Vĩnh Long": (["Vĩnh Long", "Bến Tre", "Trà Vinh"], 124),
    "Quảng Ninh": (["Quảng Ninh"], 54),
    "Hải Phòng": (["Hải Phòng", "Hải Dương"], 114),
    "Gia Lai": (["Gia Lai", "Bình Định"], 135),
    "Huế": (["Thừa Thiên Huế"], 40),
    "Đà Nẵng": (["Đà Nẵng", "Quảng Nam"], 94),
    "Tuyên Quang": (["Tuyên Quang", "Hà Giang"], 124),
    "Sơn La": (["Sơn La"], 75),
    "Lào Cai": (["Lào Cai", "Yên Bái"], 99),
    "Thái Nguyên": (["Thái Nguyên", "Bắc Kạn"], 92),
    "Hà Tĩnh": (["Hà Tĩnh"], 69),
    "Bắc Ninh": (["Bắc Ninh", "Bắc Giang"], 99),
    "Hưng Yên": (["Hưng Yên", "Thái Bình"], 104),
    "Lạng Sơn": (["Lạng Sơn"], 65),
    "Quảng Trị": (["Quảng Trị", "Quảng Bình"], 78),
    "Quảng Ngãi": (["Quảng Ngãi", "Kon Tum"], 96),
    "Cao Bằng": (["Cao Bằng"], 56),
    "Khánh Hòa": (["Khánh Hòa", "Ninh Thuận"], 65),
    "Đắk Lắk": (["Đắk Lắk", "Phú Yên"], 102),
    "Điện Biên": (["Điện Biên"], 45),
    "Đồng Nai": (["Đồng Nai", "Bình Phước"], 95),
    "Tây Ninh": (["Tây Ninh", "Long An"], 96),
    "Lai Châu": (["Lai Châu"], 38),
    "Đồng Tháp": (["Đồng Tháp", "Tiền Giang"], 102),
    "Cà Mau": (["Cà Mau", "Bạc Liêu"], 64),
    "An Giang": (["An Giang", "Kiên Giang"], 102),
}
# Districts (huyện, quận, thị xã, thành phố thuộc tỉnh) of each former province before 1 July 2025.
DISTRICTS = {
    "Hà Nội": 30, "Hà Giang": 11, "Cao Bằng": 10, "Bắc Kạn": 8, "Tuyên Quang": 7, "Lào Cai": 9,
    "Điện Biên": 10, "Lai Châu": 8, "Sơn La": 12, "Yên Bái": 9, "Hòa Bình": 10, "Thái Nguyên": 9,
    "Lạng Sơn": 11, "Quảng Ninh": 13, "Bắc Giang": 10, "Phú Thọ": 13, "Vĩnh Phúc": 9, "Bắc Ninh": 8,
    "Hải Dương": 12, "Hải Phòng": 15, "Hưng Yên": 10, "Thái Bình": 8, "Hà Nam": 6, "Nam Định": 10,
    "Ninh Bình": 8, "Thanh Hóa": 26, "Nghệ An": 21, "Hà Tĩnh": 13, "Quảng Bình": 8, "Quảng Trị": 10,
    "Thừa Thiên Huế": 9, "Đà Nẵng": 8, "Quảng Nam": 18, "Quảng Ngãi": 13, "Bình Định": 11, "Phú Yên": 9,
    "Khánh Hòa": 9, "Ninh Thuận": 7, "Bình Thuận": 10, "Kon Tum": 10, "Gia Lai": 17, "Đắk Lắk": 15,
    "Đắk Nông": 8, "Lâm Đồng": 12, "Bình Phước": 11, "Tây Ninh": 9, "Bình Dương": 9, "Đồng Nai": 11,
    "Bà Rịa - Vũng Tàu": 8, "Hồ Chí Minh": 22, "Long An": 15, "Tiền Giang": 11, "Bến Tre": 9,
    "Trà Vinh": 9, "Vĩnh Long": 8, "Đồng Tháp": 12, "An Giang": 11, "Kiên Giang": 15, "Cần Thơ": 9,
    "Hậu Giang": 8, "Sóc Trăng": 11, "Bạc Liêu": 7, "Cà Mau": 9,
}  # fmt: skip
CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}
PROVINCES_2004 = {"Điện Biên", "Lai Châu", "Đắk Nông", "Hậu Giang"}
MOUNTAIN = {"Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Cao Bằng", "Tuyên Quang", "Lào Cai"}
SOUTH = {"Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang"}
SPECIAL_ZONES = [
    "Vân Đồn", "Cô Tô", "Bạch Long Vĩ", "Cát Hải", "Lý Sơn", "Phú Quý", "Côn Đảo", "Phú Quốc", "Kiên Hải",
    "Thổ Châu", "Hoàng Sa", "Trường Sa", "Cồn Cỏ",
]  # fmt: skip

PLACE = (
    "An Bình Hòa Phú Tân Thạnh Long Hưng Thịnh Đông Tây Nam Bắc Trung Phước Lộc Thuận Mỹ Xuân Hải Sơn Hà Quang "
    "Minh Đức Thành Vĩnh Yên Cẩm Kim Ngọc Thanh Hồng Lạc Lợi Nghĩa Tiến Thắng Hợp Đồng Tâm Phong Định Khánh "
    "Hiệp Hương Lâm Tường Châu Giang Cát Điền Trường Vạn Đại Thái Gia Kiến Lập Mai Liên Tú Quý Phúc Thọ Hiền "
    "Hạnh Ninh Tịnh Chánh Hậu Tiên Hoàng Lương Sa Tràng Cao Lam Việt Quảng Tài Hoa Vân Sen Trà Dương Hội Khê "
    "Tuy Nhân Lễ Trí Tín Hiếu Kỳ Dũng Toàn Thống Nhất Tiền Phượng Diên Triệu Xương Nhơn Vinh Quỳnh Diễn"
).split()
HIGHLAND = "Nà Phiêng Huổi Pá Nậm Co Khau Lũng Bó Tà Sín Mường Hua Xà Phìn Lao Pắc Khuổi Cốc Lìn Chải Sảng Thàng Tủa Xín Ma Lả".split()
BRAND_SUFFIX = [
    "Phát", "Thịnh", "Xanh", "Việt", "Á Châu", "Miền Trung", "Sông Hồng", "Cửu Long", "Hoàng Gia", "Tân Tiến",
    "Đại Dương", "Kim Long", "Thành Đạt", "Hòa Phát", "Trường Sơn",
]  # fmt: skip
DEPARTMENTS = [
    "Sở Tư pháp", "Sở Tài chính", "Sở Xây dựng", "Sở Nông nghiệp và Môi trường", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Sở Công Thương",
    "Sở Nội vụ", "Sở Dân tộc và Tôn giáo", "Sở Ngoại vụ", "Thanh tra tỉnh", "Văn phòng Ủy ban nhân dân tỉnh",
    "Kho bạc Nhà nước khu vực", "Thuế tỉnh", "Bảo hiểm xã hội tỉnh", "Đài Phát thanh và Truyền hình",
    "Báo tỉnh", "Trung tâm Kiểm soát bệnh tật", "Ban Quản lý các khu công nghiệp", "Hội Nông dân tỉnh",
]  # fmt: skip
CELL_UNITS = {
    "doanh_nghiep": [
        "Phân xưởng Cơ khí", "Phân xưởng Sản xuất", "Phòng Kỹ thuật", "Phòng Kế toán - Tài chính",
        "Phòng Kinh doanh", "Đội Xây lắp", "Xí nghiệp", "Chi nhánh", "Văn phòng Công ty", "Ban Quản lý dự án",
    ],
    "truong_hoc": [
        "Khoa Toán", "Khoa Ngữ văn", "Khoa Ngoại ngữ", "Tổ Khoa học Tự nhiên", "Tổ Khoa học Xã hội",
        "Phòng Đào tạo", "Giáo viên", "Cán bộ - Nhân viên", "Học sinh - Sinh viên", "Khoa Công nghệ thông tin",
    ],
    "co_quan": [
        "Văn phòng", "Phòng Tổ chức - Hành chính", "Phòng Kế hoạch - Tài chính", "Thanh tra", "Phòng Nghiệp vụ",
        "Chi cục", "Trung tâm Dịch vụ", "Phòng Pháp chế",
    ],
    "khac": [
        "Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi", "Khoa Hồi sức cấp cứu", "Khoa Dược",
        "Phòng Điều dưỡng", "Khoa Xét nghiệm",
    ],
}  # fmt: skip
CELL_UNITS["tram_y_te"] = CELL_UNITS["khac"]
CELL_UNITS["cong_an"] = CELL_UNITS["quan_su"] = ["Đội Nghiệp vụ", "Đội Tham mưu", "Đội Hậu cần"]

# Grassroots organizations of a commune's area: (kind, category, name template, weight). {N}: a place name,
# {U}: xã / phường / đặc khu, {B}: a company name.
COMMUNE_GRASSROOTS = {
    "chi_bo_co_so": [
        ("truong_hoc", "Chi bộ Trường Mầm non {N}", 10),
        ("truong_hoc", "Chi bộ Trường Tiểu học {N}", 10),
        ("truong_hoc", "Chi bộ Trường THCS {N}", 9),
        ("truong_hoc", "Chi bộ Trường THPT {N}", 3),
        ("tram_y_te", "Chi bộ Trạm Y tế {U} {N}", 6),
        ("cong_an", "Chi bộ Công an {U} {N}", 5),
        ("quan_su", "Chi bộ Quân sự {U} {N}", 5),
        ("co_quan", "Chi bộ Hợp tác xã {N}", 4),
        ("co_quan", "Chi bộ Ngân hàng Chính sách xã hội phòng giao dịch {N}", 1),
        ("khac", "Chi bộ Quỹ tín dụng nhân dân {N}", 2),
        ("doanh_nghiep", "Chi bộ Công ty TNHH {B}", 8),
        ("doanh_nghiep", "Chi bộ Công ty Cổ phần {B}", 6),
    ],
    "dang_bo_co_so": [
        ("doanh_nghiep", "Đảng bộ Công ty Cổ phần {B}", 5),
        ("doanh_nghiep", "Đảng bộ Công ty TNHH {B}", 3),
        ("truong_hoc", "Đảng bộ Trường THPT {N}", 2),
        ("khac", "Đảng bộ Bệnh viện Đa khoa khu vực {N}", 1),
        ("co_quan", "Đảng bộ Cơ quan Ủy ban nhân dân {U} {N}", 2),
    ],
}
PROVINCE_GRASSROOTS = {
    "chi_bo_co_so": [
        ("co_quan", "Chi bộ {D}", 8),
        ("truong_hoc", "Chi bộ Trường THPT chuyên {N}", 2),
        ("truong_hoc", "Chi bộ Trường Cao đẳng {N}", 2),
        ("co_quan", "Chi bộ Trung tâm {N}", 3),
        ("doanh_nghiep", "Chi bộ Công ty Cổ phần {B}", 5),
        ("khac", "Chi bộ Hội {N}", 2),
    ],
    "dang_bo_co_so": [
        ("co_quan", "Đảng bộ {D}", 5),
        ("khac", "Đảng bộ Bệnh viện {N}", 2),
        ("truong_hoc", "Đảng bộ Trường Đại học {N}", 1),
        ("doanh_nghiep", "Đảng bộ Tổng công ty {B}", 3),
        ("doanh_nghiep", "Đảng bộ Công ty Cổ phần {B}", 4),
    ],
}
KDC_CELLS = [  # cells of a former commune besides its villages: (category, name template)
    ("truong_hoc", "Chi bộ Trường Mầm non {N}"),
    ("tram_y_te", "Chi bộ Trạm Y tế {N}"),
    ("cong_an", "Chi bộ Công an {N}"),
    ("quan_su", "Chi bộ Quân sự {N}"),
    ("truong_hoc", "Chi bộ Trường Tiểu học {N}"),
    ("co_quan", "Chi bộ Hợp tác xã {N}"),
]

DBCS_SHARE = 0.25  # of the grassroots organizations outside the former communes, the share with cells
PROVINCE_GRASSROOTS_SHARE = (
    0.08  # of all grassroots organizations, the share placed directly under a province
)
UNIT = {"dang_bo_xa": "xã", "dang_bo_phuong": "phường", "dang_bo_dac_khu": "đặc khu"}
KDC_PER_COMMUNE = (2, 3, 3, 3, 4)  # former communes merged into one new commune (10,035 → 3,321)
MERGED_VILLAGES = 0.12
RENAMED_CELLS = 0.25
ABSORBED_DISTRICTS = 0.04
ABSORBED_COMMUNES = 0.12  # former communes that took in a neighbour before 2025 (NQ 653/2019, NQ 35/2023)
COMMUNE_MERGES = (D(2020, 1, 1), D(2025, 1, 1))


# ------------------------------------------------------------------------------------------------ the model


@dataclass
class Org:
    """One organization and its attribute segments [(from, to | None, parent id | None, name, kind, category)]."""

    id: int
    code: str
    established: dt.date
    segs: list[tuple[dt.date, dt.date | None, int | None, str, str, str | None]] = field(default_factory=list)
    dissolved: dt.date | None = None


@dataclass
class _Commune:
    org: Org
    province: Org
    district: Org  # the former district whose area it took
    region: str  # mountain, south or plain: how its villages are called
    unit: str  # xã, phường, đặc khu
    place: str
    places: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.places.add(self.place)


@dataclass
class Dataset:
    scale: float
    seed: int
    counts: dict[str, int]
    orgs: list[Org]
    # (org id, parent id, name, kind code, category code, path, valid_from, valid_to)
    periods: list[tuple[int, int | None, str, str, str | None, str, dt.date, dt.date | None]]
    codes: dict[str, str]  # "root": the top node; "province": the largest province kept through 2025

    def expected(self, root_code: str, as_of: dt.date) -> Counter[str]:
        """Counts by kind code of everything under `root_code` on `as_of` (the root excluded), from memory."""
        root = next(o for o in self.orgs if o.code == root_code)
        path = next(p[5] for p in self.periods if p[0] == root.id and _active(p, as_of))
        result: Counter[str] = Counter()
        for p in self.periods:
            if p[5].startswith(path) and len(p[5]) > len(path) and _active(p, as_of):
                result[p[3]] += 1
        return result


def _active(p: tuple[Any, ...], as_of: dt.date) -> bool:
    return p[6] <= as_of and (p[7] is None or p[7] > as_of)


def targets(scale: float) -> dict[str, int]:
    """Today's counts at `scale` (at least one province, one commune per province, one grassroots per commune)."""
    provinces = max(1, min(len(PROVINCES), round(BASE["provinces"] * scale)))
    communes = max(provinces, round(BASE["communes"] * scale))
    grassroots = max(communes, round(BASE["grassroots"] * scale))
    cells = max(1, round(BASE["cells"] * scale))
    return {"provinces": provinces, "communes": communes, "grassroots": grassroots, "cells": cells}


def apportion(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` by `weights` (largest remainder), each part at least `minimum`."""
    n = len(weights)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError(f"cannot give {n} parts at least {minimum} out of {total}")
    s = sum(weights) or 1.0
    quotas = [rest * w / s for w in weights]
    parts = [int(q) for q in quotas]
    for i in sorted(range(n), key=lambda i: parts[i] - quotas[i])[: rest - sum(parts)]:
        parts[i] += 1
    return [minimum + p for p in parts]


class _Builder:
    def __init__(self, scale: float, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.next_id = 0
        self.levels: list[list[Org]] = []
        self.counters: Counter[str] = Counter()
        self.absorbed_districts: dict[int, tuple[Org, dt.date]] = {}

    # ---------------------------------------------------------------------------------------------- helpers

    def new(self, prefix: str, width: int, established: dt.date) -> Org:
        self.next_id += 1
        self.counters[prefix] += 1
        return Org(self.next_id, f"{prefix}{self.counters[prefix]:0{width}d}", established)

    def date(self, a: dt.date, b: dt.date, skew: float = 1.0) -> dt.date:
        if b <= a:
            return a
        return a + dt.timedelta(days=int((b - a).days * self.rng.random() ** skew))

    def place(self, taken: set[str] | None = None, highland: bool = False) -> str:
        pool = HIGHLAND if highland else PLACE
        for _ in range(50):
            a, b = self.rng.sample(pool, 2)
            name = f"{a} {b}"
            if taken is None or name not in taken:
                break
        else:  # pragma: no cover - the pools are large
            name = f"{name} {len(taken or ())}"
        if taken is not None:
            taken.add(name)
        return name

    def brand(self) -> str:
        return f"{self.rng.choice(PLACE)} {self.rng.choice(BRAND_SUFFIX)}"

    @staticmethod
    def unique(name: str, taken: set[str]) -> str:
        if name in taken:
            n = 2
            while f"{name} số {n}" in taken:
                n += 1
            name = f"{name} số {n}"
        taken.add(name)
        return name

    @staticmethod
    def segments(
        org: Org,
        placements: list[tuple[dt.date, int | None]],
        names: list[tuple[dt.date, str]],
        kind: str,
        category: str | None,
        end: dt.date | None = None,
    ) -> None:
        """Fill `org.segs` from its placement and name timelines (each [(from, value)], first from = start)."""
        cuts = sorted({d for d, _ in placements} | {d for d, _ in names} | ({end} if end else set()))
        cuts = [d for d in cuts if d >= org.established and (end is None or d <= end)]
        for i, start in enumerate(cuts if end is None else cuts[:-1]):
            stop = cuts[i + 1] if i + 1 < len(cuts) else None
            parent = [v for d, v in placements if d <= start][-1]
            name = [v for d, v in names if d <= start][-1]
            org.segs.append((start, stop, parent, name, kind, category))
        org.dissolved = end

    # -------------------------------------------------------------------------------------------- the tree

    def build(self) -> Dataset:
        rng = self.rng
        t = targets(self.scale)
        chosen = list(PROVINCES)[: t["provinces"]]
        old_names = [old for final in chosen for old in PROVINCES[final][0]]
        n_districts = max(len(old_names), round(BASE["districts"] * self.scale))

        root = self.new("TW", 0, FOUNDED)
        root.code = "TW"
        root.segs.append((FOUNDED, None, None, "Trung ương", "trung_uong", None))
        self.levels.append([root])

        # Provinces: former (until 2025-07-01 unless kept) and new (merged) ones.
        provinces: list[Org] = []
        old_orgs: dict[str, Org] = {}
        final_orgs: dict[str, Org] = {}
        for final in chosen:
            olds, _ = PROVINCES[final]
            kept = len(olds) == 1
            for old in olds:
                est = D(2004, 1, 1) if old in PROVINCES_2004 else D(1997, 1, 1)
                org = self.new("T", 2, est)
                label = f"Đảng bộ {'thành phố' if old in CITIES else 'tỉnh'} {old}"
                if old == "Hồ Chí Minh":
                    label = "Đảng bộ Thành phố Hồ Chí Minh"
                names = [(est, label)]
                if old == "Thừa Thiên Huế":
                    names.append((HUE_CITY, "Đảng bộ thành phố Huế"))
                self.segments(org, [(est, root.id)], names, "dang_bo_tinh", None, None if kept else REFORM)
                old_orgs[old] = org
                provinces.append(org)
            if kept:
                final_orgs[final] = old_orgs[olds[0]]
            else:
                org = self.new("T", 2, REFORM)
                label = (
                    "Đảng bộ Thành phố Hồ Chí Minh"
                    if final == "Hồ Chí Minh"
                    else f"Đảng bộ {'thành phố' if final in CITIES else 'tỉnh'} {final}"
                )
                self.segments(org, [(REFORM, root.id)], [(REFORM, label)], "dang_bo_tinh", None)
                final_orgs[final] = org
                provinces.append(org)
        self.levels.append(provinces)

        # Districts of the former provinces, dissolved on 2025-07-01.
        districts_of: dict[str, list[Org]] = {}
        districts: list[Org] = []
        for old, n in zip(
            old_names, apportion(n_districts, [DISTRICTS[o] for o in old_names], 1), strict=True
        ):
            prov = old_orgs[old]
            taken: set[str] = set()
            districts_of[old] = []
            for i in range(n):
                est = prov.established if rng.random() < 0.85 else self.date(prov.established, D(2015, 1, 1))
                org = self.new("H", 4, est)
                place = self.place(taken)
                if i == 0:
                    label = f"Đảng bộ {'quận' if old in CITIES else 'thành phố'} {place}"
                elif old in CITIES and rng.random() < 0.4:
                    label = f"Đảng bộ quận {place}"
                else:
                    label = f"Đảng bộ {'thị xã' if rng.random() < 0.08 else 'huyện'} {place}"
                names = [(est, label)]
                if label.startswith("Đảng bộ huyện") and rng.random() < 0.15:  # upgraded to a town
                    names.append(
                        (
                            self.date(max(est, D(2008, 1, 1)), LAST_PRE_REFORM),
                            label.replace("huyện", "thị xã"),
                        )
                    )
                self.segments(org, [(est, prov.id)], names, "dang_bo_huyen", None, REFORM)
                districts_of[old].append(org)
                districts.append(org)
                if rng.random() < ABSORBED_DISTRICTS:  # it took in a neighbouring district before 2025
                    when = rng.choice(COMMUNE_MERGES)
                    gone = self.new("H", 4, prov.established)
                    gone_label = f"Đảng bộ huyện {self.place(taken)}"
                    self.segments(
                        gone,
                        [(gone.established, prov.id)],
                        [(gone.established, gone_label)],
                        "dang_bo_huyen",
                        None,
                        when,
                    )
                    districts.append(gone)
                    self.absorbed_districts[org.id] = (gone, when)
        self.levels.append(districts)

        # Commune-level committees since 2025-07-01, each in one former district of its province.
        n_communes = t["communes"]
        per_province = apportion(n_communes, [PROVINCES[f][1] for f in chosen], 1)
        kinds = ["dang_bo_dac_khu"] * round(13 * self.scale) + ["dang_bo_phuong"] * round(687 * self.scale)
        kinds = (kinds + ["dang_bo_xa"] * n_communes)[:n_communes]
        rng.shuffle(kinds)
        communes: list[_Commune] = []
        zones = iter(SPECIAL_ZONES * (1 + n_communes // len(SPECIAL_ZONES)))
        for final, n in zip(chosen, per_province, strict=True):
            home = [d for old in PROVINCES[final][0] for d in districts_of[old]]
            region = "mountain" if final in MOUNTAIN else "south" if final in SOUTH else "plain"
            taken = set()
            for i, count in enumerate(apportion(n, [1.0] * len(home))):
                for _ in range(count):
                    kind = kinds.pop()
                    org = self.new("X", 5, REFORM)
                    place = next(zones) if kind == "dang_bo_dac_khu" else self.place(taken)
                    label = f"Đảng bộ {UNIT[kind]} {place}"
                    self.segments(org, [(REFORM, final_orgs[final].id)], [(REFORM, label)], kind, None)
                    communes.append(_Commune(org, final_orgs[final], home[i], region, UNIT[kind], place))
        self.levels.append([c.org for c in communes])

        # Grassroots: the former communes (2-4 per new commune), others of the communes' areas, the provinces'.
        n_grassroots = t["grassroots"]
        kdc_counts = [rng.choice(KDC_PER_COMMUNE) for _ in communes]
        cap = max(len(communes), n_grassroots // 4)
        while sum(kdc_counts) > cap:
            i = rng.randrange(len(kdc_counts))
            if kdc_counts[i] > 1:
                kdc_counts[i] -= 1
        n_province_level = round(PROVINCE_GRASSROOTS_SHARE * n_grassroots)
        n_other = max(0, n_grassroots - sum(kdc_counts) - n_province_level)
        n_province_level = n_grassroots - sum(kdc_counts) - n_other

        grassroots: list[Org] = []
        with_cells: list[tuple[Org, str, float, dict[str, str]]] = []  # (org, category, weight, context)
        for c, n_kdc in zip(communes, kdc_counts, strict=True):
            for j in range(n_kdc):
                place = (
                    c.place if j == 0 and c.unit != "đặc khu" and rng.random() < 0.5 else self.place(c.places)
                )
                old_unit = "xã" if c.unit == "đặc khu" else c.unit
                if old_unit == "xã" and rng.random() < 0.06:
                    old_unit = "thị trấn"
                est = c.district.established
                if rng.random() < 0.3:
                    est = self.date(est, D(2015, 1, 1))
                org = self.new("CS", 6, est)
                self.segments(
                    org,
                    self._district_placements(est, c.district) + [(REFORM, c.org.id)],
                    [(est, f"Đảng bộ {old_unit} {place}"), (REFORM, f"Đảng bộ khu vực {place}")],
                    "dang_bo_co_so",
                    None,
                )
                grassroots.append(org)
                village = "to_dan_pho" if old_unit != "xã" else c.region
                ctx: dict[str, Any] = {"place": f"{old_unit} {place}", "village": village, "absorbed": None}
                roll = rng.random()
                if roll < ABSORBED_COMMUNES:  # it took in a neighbouring commune (2020 or 2025 wave)
                    when = COMMUNE_MERGES[0] if roll < ABSORBED_COMMUNES * 0.6 else COMMUNE_MERGES[1]
                    absorbed = self.new("CS", 6, c.district.established)
                    self.segments(
                        absorbed,
                        [(absorbed.established, c.district.id)],
                        [(absorbed.established, f"Đảng bộ {old_unit} {self.place(c.places)}")],
                        "dang_bo_co_so",
                        None,
                        when,
                    )
                    grassroots.append(absorbed)
                    ctx["absorbed"] = (absorbed, when)
                with_cells.append((org, "kdc", 15.0, ctx))

        for c, n in zip(communes, apportion(n_other, [float(k) for k in kdc_counts]), strict=True):
            places = sorted(c.places)
            names_here: set[str] = set()
            for _ in range(n):
                kind = "dang_bo_co_so" if rng.random() < DBCS_SHARE else "chi_bo_co_so"
                category, template, _w = rng.choices(
                    COMMUNE_GRASSROOTS[kind], weights=[x[2] for x in COMMUNE_GRASSROOTS[kind]]
                )[0]
                label = template.format(N=rng.choice(places), U=c.unit, B=self.brand())
                label = self.unique(label, names_here)
                if rng.random() < 0.05:  # established after the reform, in the new commune
                    est = self.date(REFORM, CUTOFF)
                    placements: list[tuple[dt.date, int | None]] = [(est, c.org.id)]
                else:
                    est = self.date(c.district.established, LAST_PRE_REFORM, skew=0.7)
                    placements = self._district_placements(est, c.district) + [(REFORM, c.org.id)]
                org = self.new("CS", 6, est)
                self.segments(org, placements, self._grassroots_names(label, est), kind, category)
                grassroots.append(org)
                if kind == "dang_bo_co_so":
                    with_cells.append((org, category, 7.0, {}))

        finals = [final_orgs[f] for f in chosen]
        olds_of = {final_orgs[f].id: [old_orgs[o] for o in PROVINCES[f][0]] for f in chosen}
        taken_by_province: dict[int, set[str]] = {p.id: set() for p in finals}
        for prov_org, n in zip(
            finals, apportion(n_province_level, [PROVINCES[f][1] for f in chosen]), strict=True
        ):
            for _ in range(n):
                kind = "dang_bo_co_so" if rng.random() < 0.3 else "chi_bo_co_so"
                category, template, _w = rng.choices(
                    PROVINCE_GRASSROOTS[kind], weights=[x[2] for x in PROVINCE_GRASSROOTS[kind]]
                )[0]
                label = template.format(N=self.place(), D=rng.choice(DEPARTMENTS), B=self.brand())
                label = self.unique(label, taken_by_province[prov_org.id])
                former = rng.choice(olds_of[prov_org.id])
                if rng.random() < 0.05:  # established after the reform
                    est = self.date(REFORM, CUTOFF)
                    placements = [(est, prov_org.id)]
                else:
                    est = self.date(former.established, LAST_PRE_REFORM, skew=0.7)
                    placements = [(est, former.id)]
                    if former is not prov_org:
                        placements.append((REFORM, prov_org.id))
                org = self.new("CS", 6, est)
                self.segments(org, placements, self._grassroots_names(label, est), kind, category)
                grassroots.append(org)
                if kind == "dang_bo_co_so":
                    with_cells.append((org, category, 10.0, {}))
        self.levels.append(grassroots)

        # Cells: today's under the grassroots organizations with cells, plus the dissolved and merged-away ones.
        cells: list[Org] = []
        cell_weights = [w * rng.uniform(0.5, 1.5) for _, _, w, _ in with_cells]
        minimum = min(2, t["cells"] // max(1, len(with_cells)))
        for (parent, category, _weight, ctx), n in zip(
            with_cells, apportion(t["cells"], cell_weights, minimum), strict=True
        ):
            if category == "kdc":
                cells.extend(self._former_commune_cells(parent, n, ctx))
            else:
                units = CELL_UNITS[category]
                for i in range(n):
                    label = f"Chi bộ {units[i % len(units)]}" + (
                        f" {i // len(units) + 1}" if i >= len(units) else ""
                    )
                    est = self.date(parent.established, CUTOFF, skew=2.0)
                    org = self.new("CB", 7, est)
                    self.segments(org, [(est, parent.id)], [(est, label)], "chi_bo_truc_thuoc", category)
                    cells.append(org)
        self.levels.append(cells)

        periods = self._periods()
        orgs = [o for level in self.levels for o in level]
        unchanged = [final_orgs[f] for f in chosen if len(PROVINCES[f][0]) == 1]
        size = Counter(c.province.id for c in communes)
        province = max(unchanged, key=lambda p: (size[p.id], -p.id)) if unchanged else finals[0]
        counts = {
            **t,
            "former_provinces": len(old_names),
            "districts": len(districts),
            "organizations": len(orgs),
            "periods": len(periods),
        }
        return Dataset(
            self.scale, self.seed, counts, orgs, periods, {"root": root.code, "province": province.code}
        )

    def _district_placements(self, est: dt.date, district: Org) -> list[tuple[dt.date, int | None]]:
        """Under `district` from `est`, or first under the district it later took in (half of the time)."""
        gone = self.absorbed_districts.get(district.id)
        if gone is not None and est >= gone[0].established and est < gone[1] and self.rng.random() < 0.5:
            return [(est, gone[0].id), (gone[1], district.id)]
        return [(est, district.id)]

    def _grassroots_names(self, label: str, est: dt.date) -> list[tuple[dt.date, str]]:
        """A grassroots organization's names: some companies equitized, some schools merged, over the years."""
        rng = self.rng
        if "Công ty Cổ phần" in label and rng.random() < 0.3:
            when = self.date(max(est, D(2012, 1, 1)), D(2022, 12, 31))
            if when > est:
                return [(est, label.replace("Công ty Cổ phần", "Công ty TNHH MTV")), (when, label)]
        if "Trường Tiểu học" in label and rng.random() < 0.15:
            when = self.date(max(est, D(2016, 1, 1)), D(2020, 12, 31))
            if when > est:
                return [(est, label), (when, label.replace("Trường Tiểu học", "Trường Tiểu học và THCS"))]
        return [(est, label)]

    def _former_commune_cells(self, parent: Org, n: int, ctx: dict[str, Any]) -> Iterator[Org]:
        """A former commune's cells: villages (some renamed, some merged in 2020), a few of its own units, and its
        agency cell dissolved in 2019 (the last two not counted in `n`, today's cells)."""
        rng = self.rng
        place, village = ctx["place"], ctx["village"]
        n_units = min(len(KDC_CELLS), round(0.12 * n)) if n > 3 else 0
        for category, template in KDC_CELLS[:n_units]:
            est = self.date(parent.established, CUTOFF, skew=2.0)
            org = self.new("CB", 7, est)
            self.segments(
                org, [(est, parent.id)], [(est, template.format(N=place))], "chi_bo_truc_thuoc", category
            )
            yield org
        est = parent.established
        org = self.new("CB", 7, est)
        self.segments(
            org,
            [(est, parent.id)],
            [(est, f"Chi bộ Cơ quan {place}")],
            "chi_bo_truc_thuoc",
            "co_quan",
            AGENCY_CELLS_DISSOLVED,
        )
        yield org
        taken: set[str] = set()
        for i in range(n - n_units):
            est = self.date(parent.established, CUTOFF, skew=2.5)
            if village == "to_dan_pho":
                category, word, name = "to_dan_pho", "tổ dân phố", str(i + 1)
            else:
                category = "thon_ban"
                word = {"mountain": "bản", "south": "ấp"}.get(village, "thôn")
                name = self.place(taken, highland=village == "mountain" and rng.random() < 0.7)
            label = f"Chi bộ {word} {name}"
            names = [(est, label)]
            roll = rng.random()
            if roll < MERGED_VILLAGES and est < VILLAGE_MERGE:
                partner = self.new("CB", 7, est)
                if category == "to_dan_pho":
                    other, merged = f"Chi bộ {word} {n + i + 1}", label
                else:
                    other_name = self.place(taken)
                    other = f"Chi bộ {word} {other_name}"
                    merged = f"Chi bộ {word} {name.split()[0]} {other_name.split()[0]}"
                    if merged.split()[-1] == merged.split()[-2]:
                        merged = f"Chi bộ {word} {name.split()[0]} {other_name}"
                self.segments(
                    partner, [(est, parent.id)], [(est, other)], "chi_bo_truc_thuoc", category, VILLAGE_MERGE
                )
                yield partner
                if merged != label:
                    names.append((VILLAGE_MERGE, merged))
            elif roll < MERGED_VILLAGES + RENAMED_CELLS and est < D(2024, 1, 1):
                when = self.date(max(est, D(2012, 1, 1)) + dt.timedelta(days=1), LAST_PRE_REFORM)
                if when > est:
                    if category == "to_dan_pho":
                        old = f"Chi bộ khu phố {name}"
                    elif word == "thôn":
                        old = f"Chi bộ xóm {name}"
                    else:
                        old = f"Chi bộ {word} {self.place(taken)}"
                    names = [(est, old), (when, label)]
            placements: list[tuple[dt.date, int | None]] = [(est, parent.id)]
            if ctx["absorbed"] is not None:
                absorbed, when = ctx["absorbed"]
                if est < when and rng.random() < 0.4:  # a village of the commune it took in
                    placements = [(est, absorbed.id), (when, parent.id)]
            org = self.new("CB", 7, est)
            self.segments(org, placements, names, "chi_bo_truc_thuoc", category)
            yield org

    def _periods(self) -> list[tuple[int, int | None, str, str, str | None, str, dt.date, dt.date | None]]:
        """Each organization's segments cut wherever its parent's path changes; paths per the app's rule."""
        intervals: dict[int, list[tuple[dt.date, dt.date, str]]] = {}
        out: list[tuple[int, int | None, str, str, str | None, str, dt.date, dt.date | None]] = []
        last = len(self.levels) - 1
        for level, orgs in enumerate(self.levels):
            for org in orgs:
                mine: list[tuple[dt.date, dt.date, str]] = []
                seg = segment(org.id)
                for start, stop, parent, name, kind, category in org.segs:
                    end = stop or FAR
                    if parent is None:
                        pieces = [(start, end, "")]
                    else:
                        pieces = [
                            (max(start, a), min(end, b), p)
                            for a, b, p in intervals[parent]
                            if a < end and b > start
                        ]
                    covered = sum((b - a).days for a, b, _ in pieces)
                    if covered != (end - start).days:
                        raise AssertionError(
                            f"{org.code}: its parent does not exist all along {start}–{stop}"
                        )
                    for a, b, p in pieces:
                        path = p + seg
                        out.append((org.id, parent, name, kind, category, path, a, None if b == FAR else b))
                        if mine and mine[-1][2] == path and mine[-1][1] == a:
                            mine[-1] = (mine[-1][0], b, path)
                        else:
                            mine.append((a, b, path))
                if level < last:
                    intervals[org.id] = mine
        return out


def build(scale: float, seed: int = SEED) -> Dataset:
    """The dataset in memory (no database access)."""
    return _Builder(scale, seed).build()


# ---------------------------------------------------------------------------------------------- the writer


def _columns(model: Any, values: dict[str, int]) -> tuple[str, list[str], list[Any]]:
    """The table, its columns (ours first, in `values` order, then the others) and the others' defaults."""
    ours = list(values)
    extra_cols, extra_vals = [], []
    for f in model._meta.concrete_fields:
        if f.attname in values:
            continue
        if f.has_default():
            extra_vals.append(f.get_db_prep_save(f.get_default(), connection))
        elif f.null:
            extra_vals.append(None)
        else:
            raise RuntimeError(
                f"bench.generate: {model.__name__}.{f.name} has no default; teach the generator"
            )
        extra_cols.append(f.column)
    cols = [model._meta.get_field(a).column for a in ours] + extra_cols
    return model._meta.db_table, cols, extra_vals


def _insert(model: Any, names: dict[str, int], rows: Iterable[tuple[Any, ...]]) -> None:
    table, cols, extra = _columns(model, names)
    extra_t = tuple(extra)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in cols)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row + extra_t)
        else:
            placeholders = ", ".join(["%s"] * len(cols))
            sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in cols)}) VALUES ({placeholders})"
            iso = connection.vendor == "sqlite"
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                if iso:
                    row = tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row)
                batch.append(row + extra_t)
                if len(batch) >= 50_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)


def write(data: Dataset) -> None:
    """Insert the dataset's organizations and periods (the database must hold no organizations yet)."""
    kind_ids = dict(OrgKind.objects.values_list("code", "id"))
    category_ids = dict(CellCategory.objects.values_list("code", "id"))
    keys: dict[str, tuple[str, str]] = {}

    def texts(name: str) -> tuple[str, str]:
        found = keys.get(name)
        if found is None:
            found = keys[name] = (fold(name), sort_key(name))
        return found

    last_path: dict[int, str] = {}
    for p in data.periods:
        last_path[p[0]] = p[5]  # periods come in time order per organization
    _insert(
        Organization,
        {"id": 0, "code": 0, "established_on": 0, "dissolved_on": 0, "current_path": 0, "version": 0},
        ((o.id, o.code, o.established, o.dissolved, last_path[o.id], 1) for o in data.orgs),
    )

    def period_rows() -> Iterator[tuple[Any, ...]]:
        for i, (org_id, parent, name, kind, category, path, start, stop) in enumerate(data.periods, 1):
            fk, sk = texts(name)
            yield (
                i,
                org_id,
                parent,
                name,
                fk,
                sk,
                kind_ids[kind],
                category_ids[category] if category else None,
                path,
                len(path) // SEGMENT,
                start,
                stop,
            )

    _insert(
        OrgPeriod,
        dict.fromkeys(
            [
                "id",
                "org_id",
                "parent_id",
                "name",
                "search_key",
                "sort_key",
                "kind_id",
                "category_id",
                "path",
                "depth",
                "valid_from",
                "valid_to",
            ],
            0,
        ),
        period_rows(),
    )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(_no_style(), [Organization, OrgPeriod]):
            cursor.execute(sql)


def _no_style() -> Any:
    from django.core.management.color import no_style

    return no_style()


def generate(scale: float, seed: int = SEED) -> Dataset:
    """Build the dataset and write it, in one transaction."""
    data = build(scale, seed)
    with transaction.atomic():
        write(data)
    return data


# --------------------------------------------------------------------------------- reuse, marker, analyze


def marker() -> dict[str, Any] | None:
    """The description of the dataset the database holds, if the benchmark generated it."""
    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scale, seed, version, created_at, seconds, info FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    if row is None:
        return None
    return {
        "scale": float(row[0]),
        "seed": int(row[1]),
        "version": int(row[2]),
        "created_at": row[3],
        "seconds": float(row[4]),
        **json.loads(row[5]),
    }


def _write_marker(data: Dataset, seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (scale REAL NOT NULL, seed INTEGER NOT NULL, "
            "version INTEGER NOT NULL, created_at VARCHAR(40) NOT NULL, seconds REAL NOT NULL, info TEXT NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (scale, seed, version, created_at, seconds, info) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                data.scale,
                data.seed,
                GENERATOR_VERSION,
                timezone.now().isoformat(),
                seconds,
                json.dumps({"counts": data.counts, "codes": data.codes}),
            ],
        )


def analyze(*models: Any) -> None:
    """Planner statistics after a bulk load (PostgreSQL's autovacuum would do it later; SQLite never does).

    On PostgreSQL the tables are vacuumed too (the visibility map lets index-only scans skip the heap), except
    inside a transaction (a test's), where VACUUM is not allowed and ANALYZE alone is run."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for model in models or (Organization, OrgPeriod):
                cursor.execute(f"{verb} {connection.ops.quote_name(model._meta.db_table)}")
        else:
            cursor.execute("ANALYZE")


def matches(found: dict[str, Any] | None, scale: float, seed: int) -> bool:
    return (
        found is not None
        and abs(found["scale"] - scale) < 1e-9
        and found["seed"] == seed
        and found["version"] == GENERATOR_VERSION
    )


def load(scale: float, seed: int = SEED, log: Any = print) -> dict[str, Any]:
    """Generate into the current (empty, or benchmark-made) database and mark it. Returns the marker."""
    started = time.perf_counter()
    data = build(scale, seed)
    built = time.perf_counter() - started
    log(
        f"  dữ liệu trong bộ nhớ: {data.counts['organizations']} tổ chức, {data.counts['periods']} giai đoạn "
        f"({built:.1f} s)"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                table = connection.ops.quote_name(Organization._meta.db_table)
                cursor.execute(f"TRUNCATE TABLE {table} CASCADE")
            elif connection.vendor == "sqlite":
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB: the indexes grow as rows come
        write(data)
        written = time.perf_counter() - started
        _write_marker(data, written)
    log(f"  ghi vào cơ sở dữ liệu: {written - built:.1f} s")
    analyze()
    seconds = time.perf_counter() - started
    with transaction.atomic():
        _write_marker(data, seconds)
    log(f"  thống kê (ANALYZE): {seconds - written:.1f} s — tổng {seconds:.1f} s")
    found = marker()
    assert found is not None
    return found
