"""Seeds the vocabularies (54 ethnic groups, religions, qualifications, occupations) and the dated member rules."""

from django.db import migrations

ETHNICITIES = [
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai", "Ê Đê", "Ba Na", "Sán Chay",
    "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông", "Thổ", "Stiêng", "Khơ Mú", "Bru - Vân Kiều",
    "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ Triêng", "Co", "Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "Kháng",
    "La Chí", "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn", "Chứt", "Lự", "Lô Lô", "Mảng", "Cờ Lao", "Bố Y", "Cống",
    "Ngái", "Si La", "Pu Péo", "Brâu", "Ơ Đu", "Rơ Măm",
]
RELIGIONS = ["Không", "Phật giáo", "Công giáo", "Tin Lành", "Cao Đài", "Phật giáo Hòa Hảo", "Hồi giáo", "Khác"]
QUALIFICATIONS = ["Chưa qua đào tạo", "Sơ cấp", "Trung cấp", "Cao đẳng", "Đại học", "Thạc sĩ", "Tiến sĩ"]
OCCUPATIONS = [
    "Cán bộ, công chức", "Viên chức", "Lực lượng vũ trang", "Công nhân", "Nông dân", "Doanh nhân",
    "Người lao động tự do", "Học sinh, sinh viên", "Nghỉ hưu", "Khác",
]
RULESETS = [
    ("MEM.PROBATION", "Đảng viên dự bị được xét công nhận chính thức khi hết thời gian dự bị",
     "Điều lệ Đảng, Điều 5", {"months": 12}),
    ("MEM.ADMISSION_AGE", "Tuổi đời khi chi bộ xét kết nạp (tính theo tháng)",
     "Điều lệ Đảng, Điều 1; Quy định 24-QĐ/TW (2021), Điều 1", {"min_months": 216, "max_months": 720}),
    ("MEM.TRANSFER", "Thời hạn chuyển sinh hoạt đảng",
     "Hướng dẫn 12-HD/BTCTW (2022) về nghiệp vụ công tác đảng viên",
     {"paperwork_working_days": 60, "present_within_days": 30, "temporary_min_months": 3,
      "temporary_max_months": 12, "study_max_months": 24}),
]


def seed(apps, schema_editor):
    for model, names in (("Ethnicity", ETHNICITIES), ("Religion", RELIGIONS), ("Qualification", QUALIFICATIONS),
                         ("Occupation", OCCUPATIONS)):
        cls = apps.get_model("members", model)
        for i, name in enumerate(names):
            cls.objects.get_or_create(name=name, defaults={"order": (i + 1) * 10})
    RuleSet = apps.get_model("core", "RuleSet")
    for code, title, source, params in RULESETS:
        RuleSet.objects.get_or_create(
            code=code, effective_from="1930-02-03",
            defaults={"title": title, "source": source, "effective_to": None, "params": params},
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
