"""The moved models' content types are relabelled from infusions to charting, so the permissions
(same codenames, now `charting.*`) and the audit trail's LogEntry rows keep pointing at the same rows."""

from django.db import migrations

MODELS = (
    "infusionsession",
    "sessionevent",
    "checklist",
    "premedication",
    "vitalsreading",
    "ratechange",
    "reaction",
    "lotrecord",
)


def _relabel(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=target, model__in=MODELS).values_list("model", flat=True))
    # A fresh database has neither yet (content types are made after migrating); one that already has
    # the target keeps it.
    ContentType.objects.filter(app_label=source, model__in=set(MODELS) - taken).update(app_label=target)


def forwards(apps, schema_editor):
    _relabel(apps, "infusions", "charting")


def backwards(apps, schema_editor):
    _relabel(apps, "charting", "infusions")


class Migration(migrations.Migration):
    dependencies = [
        ("charting", "0001_initial"),
        ("infusions", "0006_charting_moves_out"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
