"""The order_ref strings go: insurance's records are keyed by the order's and the booking's ids."""

from django.db import migrations, models
from django.db.models import Q


def _drop_unique(model_name: str, name: str):
    # Going back, the strings are empty until infusions/0005 writes them again, after this migration
    # is undone, so the old partial unique indexes on them are not built again (they would refuse the
    # empty strings); the schema is otherwise as it was.
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.RemoveConstraint(model_name=model_name, name=name)],
        database_operations=[migrations.RunSQL(f"DROP INDEX IF EXISTS {name}", migrations.RunSQL.noop)],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("insurance", "0004_order_and_booking_ids"),
        ("infusions", "0005_cycle_day"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="priorauthorization", name="auth_order_ref"),
        migrations.RemoveField(model_name="priorauthorization", name="order_ref"),
        migrations.AddIndex(
            model_name="priorauthorization",
            index=models.Index(fields=["order_id"], name="auth_order"),
        ),
        _drop_unique("authorizationusage", "usage_ref_once"),
        # A default first, so that going back can add the column again to rows that exist.
        migrations.AlterField(
            model_name="authorizationusage", name="ref", field=models.CharField(default="", max_length=64)
        ),
        migrations.RemoveField(model_name="authorizationusage", name="ref"),
        migrations.AlterField(
            model_name="authorizationusage",
            name="booking_id",
            field=models.PositiveBigIntegerField(verbose_name="booking id"),
        ),
        migrations.AddConstraint(
            model_name="authorizationusage",
            constraint=models.UniqueConstraint(
                condition=~Q(status="released"), fields=("booking_id",), name="usage_booking_once"
            ),
        ),
        _drop_unique("authorizationoverride", "auth_override_once_open"),
        migrations.AlterField(
            model_name="authorizationoverride",
            name="order_ref",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RemoveField(model_name="authorizationoverride", name="order_ref"),
        migrations.RemoveField(model_name="authorizationoverride", name="used_ref"),
        migrations.AlterField(
            model_name="authorizationoverride",
            name="order_id",
            field=models.PositiveBigIntegerField(verbose_name="treatment order id"),
        ),
        migrations.AddConstraint(
            model_name="authorizationoverride",
            constraint=models.UniqueConstraint(
                condition=Q(used_at__isnull=True), fields=("order_id",), name="auth_override_once_open"
            ),
        ),
    ]
