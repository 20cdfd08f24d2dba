"""The default pipeline of a Korean manufacturer's B2B sale; admins rename, reorder or retire stages later."""

from django.db import migrations

# code, Korean name, English name, order, probability, forecast category, won, lost
DEFAULT_STAGES = [
    ("prospecting", "발굴", "Prospecting", 10, 10, "pipeline", False, False),
    ("qualification", "요구 분석", "Qualification", 20, 25, "pipeline", False, False),
    ("proposal", "제안", "Proposal", 30, 50, "best_case", False, False),
    ("negotiation", "협상", "Negotiation", 40, 75, "commit", False, False),
    ("won", "수주", "Closed won", 50, 100, "closed", True, False),
    ("lost", "실주", "Closed lost", 60, 0, "omitted", False, True),
]


def add_default_stages(apps, schema_editor):
    Stage = apps.get_model("sales", "Stage")
    for code, name, name_en, order, probability, category, won, lost in DEFAULT_STAGES:
        Stage.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "order": order,
                "default_probability": probability,
                "default_forecast_category": category,
                "is_won": won,
                "is_lost": lost,
            },
        )


def remove_default_stages(apps, schema_editor):
    Stage = apps.get_model("sales", "Stage")
    Opportunity = apps.get_model("sales", "Opportunity")
    unused = Stage.objects.filter(code__in=[row[0] for row in DEFAULT_STAGES]).exclude(
        pk__in=Opportunity.objects.values("stage")
    )
    unused.delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [migrations.RunPython(add_default_stages, remove_default_stages)]
