"""Seeds the dated thresholds of the structure checks that need member counts (rule ORG.MEMBER_COUNTS)."""

from django.db import migrations

CODE = "ORG.MEMBER_COUNTS"
TITLE = "Số đảng viên chính thức của tổ chức đảng: tối thiểu, bầu chi ủy, loại tổ chức cơ sở đảng"
SOURCE = "Điều lệ Đảng, Điều 21, 24; Quy định 24-QĐ/TW (2021)"
PARAMS = {
    "min_members": 3,
    "cell_committee_from": 9,
    "cell_committee_max": 7,
    "grassroots_committee_from": 30,
}


def seed(apps, schema_editor):
    RuleSet = apps.get_model("core", "RuleSet")
    RuleSet.objects.get_or_create(
        code=CODE,
        effective_from="1930-02-03",
        defaults={"title": TITLE, "source": SOURCE, "effective_to": None, "params": PARAMS},
    )


def unseed(apps, schema_editor):
    apps.get_model("core", "RuleSet").objects.filter(code=CODE, effective_from="1930-02-03").delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0003_trigram"), ("core", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
