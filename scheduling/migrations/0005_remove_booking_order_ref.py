"""A booking no longer says which order it is for: infusions' CycleDay does (infusions/0005_cycle_day
moved every order_ref into it first)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0004_booking_events_append_only"),
        ("infusions", "0005_cycle_day"),
    ]

    operations = [migrations.RemoveField(model_name="booking", name="order_ref")]
