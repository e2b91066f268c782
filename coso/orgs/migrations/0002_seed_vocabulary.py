"""Seeds the default node kinds, categories and the dated placement rule (DOMAIN.md §2)."""

from django.db import migrations


def seed(apps, schema_editor):
    from coso.orgs.defaults import CATEGORIES, KINDS, RULESETS

    OrgKind = apps.get_model("orgs", "OrgKind")
    CellCategory = apps.get_model("orgs", "CellCategory")
    RuleSet = apps.get_model("core", "RuleSet")
    for code, name, grassroots, cell, order in KINDS:
        OrgKind.objects.get_or_create(
            code=code, defaults={"name": name, "is_grassroots": grassroots, "is_cell": cell, "order": order}
        )
    for code, name, order in CATEGORIES:
        CellCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    for r in RULESETS:
        RuleSet.objects.get_or_create(
            code=r["code"], effective_from=r["effective_from"],
            defaults={"title": r["title"], "source": r["source"], "effective_to": r["effective_to"],
                      "params": r["params"]},
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
