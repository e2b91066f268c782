"""Seeds the dated thresholds of cell meetings (MEET.REGULAR, MEET.THEMATIC, MEET.MEMBER_ALERTS) and the national
default criteria set for scoring a meeting's quality (a province sets its own with the services)."""

from django.db import migrations

START = "1930-02-03"

# (code, title, source, effective_from, effective_to, params)
RULESETS = [
    (
        "MEET.REGULAR",
        "Chi bộ sinh hoạt thường kỳ mỗi tháng một lần; mức tối thiểu trong năm; cảnh báo chi bộ lâu không sinh hoạt",
        "Điều lệ Đảng, Điều 24 (mỗi tháng một lần); mức tối thiểu 11 kỳ/năm theo chỉ đạo của cấp ủy (bài 000, "
        "Đảng ủy xã Đồng Ý); ngưỡng ngày của Coso: khoảng cách dài nhất giữa hai kỳ của hai tháng liền nhau",
        START,
        None,
        {"per_month": 1, "min_per_year": 11, "max_days_without_meeting": 61},
    ),
    (
        "MEET.THEMATIC",
        "Chi bộ sinh hoạt chuyên đề ít nhất mỗi quý một lần (không thay sinh hoạt thường kỳ)",
        "Hướng dẫn 09-HD/BTCTW (02/3/2012) về nâng cao chất lượng sinh hoạt chi bộ",
        START,
        "2018-01-18",
        {"per_quarter": 1},
    ),
    (
        "MEET.THEMATIC",
        "Chi bộ sinh hoạt chuyên đề ít nhất mỗi quý một lần (không thay sinh hoạt thường kỳ)",
        "Hướng dẫn 12-HD/BTCTW (18/01/2018) của Ban Tổ chức Trung ương về một số vấn đề nâng cao chất lượng "
        "sinh hoạt chi bộ",
        "2018-01-18",
        None,
        {"per_quarter": 1},
    ),
    (
        "MEET.MEMBER_ALERTS",
        "Đảng viên bỏ sinh hoạt hoặc không đóng đảng phí 3 tháng trong năm không có lý do chính đáng: chi bộ xem "
        "xét, đề nghị xóa tên (cảnh báo, không tự động)",
        "Điều lệ Đảng, Điều 8, khoản 2",
        START,
        "2016-07-25",
        {"absence_months": 3, "unpaid_dues_months": 3},
    ),
    (
        "MEET.MEMBER_ALERTS",
        "Đảng viên bỏ sinh hoạt hoặc không đóng đảng phí 3 tháng trong năm không có lý do chính đáng: chi bộ xem "
        "xét, đề nghị xóa tên (cảnh báo, không tự động)",
        "Điều lệ Đảng, Điều 8, khoản 2; Quy định 29-QĐ/TW (25/7/2016) thi hành Điều lệ Đảng",
        "2016-07-25",
        "2021-07-30",
        {"absence_months": 3, "unpaid_dues_months": 3},
    ),
    (
        "MEET.MEMBER_ALERTS",
        "Đảng viên bỏ sinh hoạt hoặc không đóng đảng phí 3 tháng trong năm không có lý do chính đáng: chi bộ xem "
        "xét, đề nghị xóa tên (cảnh báo, không tự động)",
        "Điều lệ Đảng, Điều 8, khoản 2; Quy định 24-QĐ/TW (30/7/2021) thi hành Điều lệ Đảng; Hướng dẫn "
        "01-HD/TW (28/9/2021)",
        "2021-07-30",
        None,
        {"absence_months": 3, "unpaid_dues_months": 3},
    ),
]

CRITERIA = [
    {"code": "CB", "text": "Chi ủy (bí thư) họp chuẩn bị, thống nhất nội dung trước kỳ sinh hoạt", "points": 15},
    {"code": "DV", "text": "Tỷ lệ đảng viên dự họp; vắng có lý do", "points": 15},
    {"code": "QT", "text": "Thực hiện đúng quy trình, thủ tục: khai mạc, đảng phí, chương trình, thư ký", "points": 10},
    {"code": "ND", "text": "Nội dung thiết thực, chọn vấn đề trọng tâm; kiểm điểm nghị quyết kỳ trước", "points": 20},
    {"code": "DC", "text": "Phát huy dân chủ, tự phê bình và phê bình; nhiều đảng viên phát biểu", "points": 15},
    {"code": "KL", "text": "Kết luận, nghị quyết rõ người, rõ việc, rõ thời hạn, khả thi", "points": 15},
    {"code": "BB", "text": "Biên bản đầy đủ, thông qua trước khi bế mạc", "points": 10},
]
LEVELS = [{"name": "Tốt", "min": 80}, {"name": "Khá", "min": 65}, {"name": "Trung bình", "min": 50},
          {"name": "Kém", "min": 0}]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("core", "RuleSet")
    for code, title, source, start, end, params in RULESETS:
        RuleSet.objects.get_or_create(
            code=code, effective_from=start,
            defaults={"title": title, "source": source, "effective_to": end, "params": params},
        )
    Criteria = apps.get_model("meetings", "QualityCriteriaSet")
    if not Criteria.objects.filter(org__isnull=True).exists():
        Criteria.objects.create(
            org=None,
            name="Tiêu chí đánh giá chất lượng sinh hoạt chi bộ (mặc định toàn quốc)",
            source="Hướng dẫn 12-HD/BTCTW (18/01/2018), mục đánh giá chất lượng sinh hoạt chi bộ (Tốt, Khá, "
            "Trung bình, Kém); điểm số là mặc định của Coso, tỉnh ban hành bộ riêng",
            effective_from=START,
            effective_to=None,
            criteria=CRITERIA,
            levels=LEVELS,
        )


def unseed(apps, schema_editor):
    apps.get_model("core", "RuleSet").objects.filter(code__startswith="MEET.").delete()
    apps.get_model("meetings", "QualityCriteriaSet").objects.filter(org__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
