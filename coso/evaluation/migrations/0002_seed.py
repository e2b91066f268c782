"""Seeds the classification schemes with their levels and the dated evaluation rules (EVAL.*).

Dates and values marked configurable in DOMAIN §6 are defaults: an administrator adds a new RuleSet version when a
regulation changes; results made earlier keep the version of their own date.
"""

from django.db import migrations

START = "1930-02-03"
D132 = "2018-03-08"  # Quy định 132-QĐ/TW
D124 = "2023-10-10"  # Quy định 124-QĐ/TW
D366 = "2025-08-30"  # Quy định 366-QĐ/TW (configurable)

FOUR = [
    ("HTXSNV", "Hoàn thành xuất sắc nhiệm vụ"),
    ("HTTNV", "Hoàn thành tốt nhiệm vụ"),
    ("HTNV", "Hoàn thành nhiệm vụ"),
    ("KHTNV", "Không hoàn thành nhiệm vụ"),
]
SCHEMES = [
    (
        "TRUOC_2018",
        "Trước năm 2018: trong sạch vững mạnh / đủ tư cách",
        False,
        {
            "org": [
                ("TSVM", "Trong sạch vững mạnh"),
                ("HTTNV", "Hoàn thành tốt nhiệm vụ"),
                ("HTNV", "Hoàn thành nhiệm vụ"),
                ("YK", "Yếu kém"),
            ],
            "member": [
                ("XS", "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ"),
                ("TOT", "Đủ tư cách, hoàn thành tốt nhiệm vụ"),
                ("HT", "Đủ tư cách, hoàn thành nhiệm vụ"),
                ("VP", "Vi phạm tư cách hoặc không hoàn thành nhiệm vụ"),
            ],
        },
        None,
    ),
    ("BON_MUC", "Bốn mức chất lượng (Quy định 132-QĐ/TW, 124-QĐ/TW)", False, {"org": FOUR, "member": FOUR}, None),
    ("QD366", "Chấm điểm 100 (Quy định 366-QĐ/TW)", True, {"org": FOUR, "member": FOUR}, [90, 70, 50, 0]),
]

CRITERIA_366 = [
    {"code": "general", "text": "Tiêu chí chung (chính trị, tư tưởng, đạo đức, lối sống, ý thức tổ chức kỷ luật)",
     "points": 30},
    {"code": "tasks", "text": "Kết quả thực hiện nhiệm vụ được giao", "points": 70},
]

# (code, title, source, from, to, params)
RULESETS = [
    ("EVAL.SCHEME", "Đánh giá, phân loại tổ chức cơ sở đảng (trong sạch vững mạnh …) và đảng viên (đủ tư cách …)",
     "Hướng dẫn của Ban Tổ chức Trung ương về đánh giá, phân loại chất lượng tổ chức cơ sở đảng và đảng viên "
     "hằng năm trước Quy định 132-QĐ/TW (số hiệu chưa đối chiếu; cấu hình được)",
     START, D132, {"scheme": "TRUOC_2018", "period_kinds": ["year", "ad_hoc"], "criteria": []}),
    ("EVAL.SCHEME", "Xếp loại bốn mức: HTXSNV, HTTNV, HTNV, KHTNV",
     "Quy định 132-QĐ/TW (08/3/2018) về kiểm điểm và đánh giá, xếp loại chất lượng hằng năm; Hướng dẫn "
     "21-HD/BTCTW (2019)",
     D132, D124, {"scheme": "BON_MUC", "period_kinds": ["year", "ad_hoc"], "criteria": []}),
    ("EVAL.SCHEME", "Xếp loại bốn mức: HTXSNV, HTTNV, HTNV, KHTNV",
     "Quy định 124-QĐ/TW (10/10/2023) về kiểm điểm và đánh giá, xếp loại chất lượng hằng năm",
     D124, D366, {"scheme": "BON_MUC", "period_kinds": ["year", "ad_hoc"], "criteria": []}),
    ("EVAL.SCHEME", "Xếp loại bốn mức theo điểm (100 điểm: 30 tiêu chí chung + 70 kết quả thực hiện nhiệm vụ); "
     "đánh giá theo nhiệm kỳ, năm, quý hoặc đột xuất",
     "Quy định 366-QĐ/TW (2025) về kiểm điểm, đánh giá, xếp loại chất lượng (ngày hiệu lực cấu hình được)",
     D366, None, {"scheme": "QD366", "period_kinds": ["term", "year", "quarter", "ad_hoc"],
                  "criteria": CRITERIA_366}),
    ("EVAL.NOT_EVALUATED", "Đảng viên không đánh giá, xếp loại: miễn sinh hoạt, đình chỉ sinh hoạt, vào Đảng chưa "
     "đủ 6 tháng tính đến hết kỳ",
     "Hướng dẫn 21-HD/BTCTW (2019), đối tượng không xếp loại; DOMAIN §6 (cấu hình được)",
     START, None, {"exempt": True, "suspended": True, "min_months_since_admission": 6}),
    ("EVAL.MEMBER_CAP", "Đảng viên bị kỷ luật trong kỳ xếp loại không hoàn thành nhiệm vụ (trừ trường hợp tự phát "
     "hiện, tự khắc phục)",
     "Quy định 132-QĐ/TW (2018); Quy định 124-QĐ/TW (2023), tiêu chí xếp loại không hoàn thành nhiệm vụ",
     START, None, {"cap_rank": 4}),
    ("EVAL.ORG_CAP", "Tổ chức có tập thể lãnh đạo bị kỷ luật, hoặc trên 20% tổ chức trực thuộc bị kỷ luật, hoặc "
     "đạt dưới 50% chỉ tiêu: không hoàn thành nhiệm vụ",
     "Quy định 132-QĐ/TW (2018); Quy định 124-QĐ/TW (2023), tiêu chí xếp loại không hoàn thành nhiệm vụ",
     START, None, {"cap_rank": 4, "max_disciplined_subunits_pct": 20, "min_targets_met_pct": 50}),
    ("EVAL.QUOTA", "Chưa áp dụng tỷ lệ hoàn thành xuất sắc nhiệm vụ",
     "Trước Quy định 132-QĐ/TW (2018)", START, D132, {"ratio_pct": None}),
    ("EVAL.QUOTA", "Số hoàn thành xuất sắc nhiệm vụ không vượt quá 20% số hoàn thành tốt nhiệm vụ trong mỗi tổ "
     "chức cơ sở đảng",
     "Quy định 132-QĐ/TW (2018); Quy định 124-QĐ/TW (2023); DOMAIN §6 (cấu hình được)",
     D132, None, {"ratio_pct": 20}),
    ("EVAL.ROLLUP", "Tổ chức hoàn thành xuất sắc nhiệm vụ khi 100% đảng viên / tổ chức trực thuộc hoàn thành "
     "nhiệm vụ trở lên và ít nhất 80% hoàn thành tốt nhiệm vụ trở lên",
     "Quy định 132-QĐ/TW (2018); Hướng dẫn 21-HD/BTCTW (2019); DOMAIN §6 (cấu hình được)",
     START, None, {"min_pct_rank3": 100, "min_pct_rank2": 80}),
    ("EVAL.SCORE", "Mức xếp loại theo tổng điểm: từ 90 hoàn thành xuất sắc, từ 70 hoàn thành tốt, từ 50 hoàn "
     "thành nhiệm vụ, dưới 50 không hoàn thành",
     "Quy định 366-QĐ/TW (2025)", D366, None,
     {"thresholds": {"1": 90, "2": 70, "3": 50}, "general_max": 30, "tasks_max": 70}),
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("evaluation", "Scheme")
    Level = apps.get_model("evaluation", "Level")
    for code, name, scored, levels, scores in SCHEMES:
        scheme, _ = Scheme.objects.get_or_create(code=code, defaults={"name": name, "scored": scored})
        for subject, rows in levels.items():
            for rank, (level_code, level_name) in enumerate(rows, start=1):
                Level.objects.get_or_create(
                    scheme=scheme, subject=subject, code=level_code,
                    defaults={"name": level_name, "rank": rank,
                              "min_score": scores[rank - 1] if scores else None},
                )
    RuleSet = apps.get_model("core", "RuleSet")
    for code, title, source, start, end, params in RULESETS:
        RuleSet.objects.get_or_create(
            code=code, effective_from=start,
            defaults={"title": title, "source": source, "effective_to": end, "params": params},
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
