"""Default vocabularies (DOMAIN.md §2) and the dated placement rule, as seeded by migration 0002.

The names are exactly as users write them: imports and reports use these strings. Users can add more.
"""

from __future__ import annotations

from typing import Any

KINDS = [
    # code, name, is_grassroots, is_cell, order
    ("trung_uong", "Trung ương", False, False, 10),
    ("dang_bo_tinh", "Đảng bộ tỉnh", False, False, 20),
    ("dang_bo_truc_thuoc_tw", "Đảng bộ trực thuộc Trung ương", False, False, 25),
    ("dang_bo_huyen", "Đảng bộ huyện", False, False, 30),
    ("dang_bo_xa", "Đảng bộ xã", False, False, 40),
    ("dang_bo_phuong", "Đảng bộ phường", False, False, 41),
    ("dang_bo_dac_khu", "Đảng bộ đặc khu", False, False, 42),
    ("dang_bo_co_so", "Đảng bộ cơ sở", True, False, 50),
    ("chi_bo_co_so", "Chi bộ cơ sở", True, True, 51),
    ("dang_bo_bo_phan", "Đảng bộ bộ phận", False, False, 60),
    ("chi_bo_truc_thuoc", "Chi bộ trực thuộc", False, True, 70),
    ("to_dang", "Tổ đảng", False, False, 80),
]

CATEGORIES = [
    ("thon_ban", "Thôn, bản", 10),
    ("to_dan_pho", "Tổ dân phố", 20),
    ("truong_hoc", "Trường học", 30),
    ("tram_y_te", "Trạm y tế", 40),
    ("co_quan", "Cơ quan", 50),
    ("quan_su", "Quân sự", 60),
    ("cong_an", "Công an", 70),
    ("doanh_nghiep", "Doanh nghiệp", 80),
    ("khac", "Khác", 90),
]

_ABOVE_GRASSROOTS_V1 = ["dang_bo_tinh", "dang_bo_truc_thuoc_tw", "dang_bo_huyen"]
_ABOVE_GRASSROOTS_V2 = [
    "dang_bo_tinh",
    "dang_bo_truc_thuoc_tw",
    "dang_bo_xa",
    "dang_bo_phuong",
    "dang_bo_dac_khu",
]
_INSIDE_ONLY = ["dang_bo_bo_phan", "chi_bo_truc_thuoc", "to_dang"]
_ALL = [k[0] for k in KINDS]

# Which kind may sit under which (Điều lệ Đảng, Chương V). Kinds missing from "parents" may sit anywhere;
# "top" lists the kinds that may stand with no parent (an imported district on its own, say).
PLACEMENT_V1: dict[str, Any] = {
    "top": [k for k in _ALL if k not in _INSIDE_ONLY + ["dang_bo_xa", "dang_bo_phuong", "dang_bo_dac_khu"]],
    "parents": {
        "trung_uong": [],
        "dang_bo_tinh": ["trung_uong"],
        "dang_bo_truc_thuoc_tw": ["trung_uong"],
        "dang_bo_huyen": ["dang_bo_tinh", "dang_bo_truc_thuoc_tw"],
        "dang_bo_xa": [],
        "dang_bo_phuong": [],
        "dang_bo_dac_khu": [],
        "dang_bo_co_so": _ABOVE_GRASSROOTS_V1,
        "chi_bo_co_so": _ABOVE_GRASSROOTS_V1,
        "dang_bo_bo_phan": ["dang_bo_co_so"],
        "chi_bo_truc_thuoc": ["dang_bo_co_so", "dang_bo_bo_phan"],
        "to_dang": ["chi_bo_co_so", "chi_bo_truc_thuoc"],
    },
}
# From 1 July 2025 there is no district level: communes, wards and special zones sit under the province.
PLACEMENT_V2: dict[str, Any] = {
    "top": [k for k in _ALL if k not in _INSIDE_ONLY + ["dang_bo_huyen"]],
    "parents": {
        **PLACEMENT_V1["parents"],
        "dang_bo_huyen": [],
        "dang_bo_xa": ["dang_bo_tinh", "dang_bo_truc_thuoc_tw"],
        "dang_bo_phuong": ["dang_bo_tinh", "dang_bo_truc_thuoc_tw"],
        "dang_bo_dac_khu": ["dang_bo_tinh", "dang_bo_truc_thuoc_tw"],
        "dang_bo_co_so": _ABOVE_GRASSROOTS_V2,
        "chi_bo_co_so": _ABOVE_GRASSROOTS_V2,
    },
}

RULESETS = [
    {
        "code": "ORG.KIND_PARENT",
        "title": "Loại tổ chức chỉ đặt dưới loại tổ chức cấp trên phù hợp",
        "source": "Điều lệ Đảng, Chương V (Điều 21-24); hệ thống tổ chức có cấp huyện",
        "effective_from": "1930-02-03",
        "effective_to": "2025-07-01",
        "params": PLACEMENT_V1,
    },
    {
        "code": "ORG.KIND_PARENT",
        "title": "Loại tổ chức chỉ đặt dưới loại tổ chức cấp trên phù hợp",
        "source": "Điều lệ Đảng, Chương V (Điều 21-24); Nghị quyết 60-NQ/TW (2025): không tổ chức cấp huyện từ 01/07/2025",
        "effective_from": "2025-07-01",
        "effective_to": None,
        "params": PLACEMENT_V2,
    },
]
