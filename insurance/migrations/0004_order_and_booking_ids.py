"""Insurance keys its records by plain ids (the treatment order's, the booking's) instead of the
order_ref strings; the columns are added here, filled by infusions/0005_cycle_day (which knows the
string's format), and the strings dropped by 0005."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("insurance", "0003_insurer_list_indexes")]

    operations = [
        migrations.AddField(
            model_name="priorauthorization",
            name="order_id",
            field=models.PositiveBigIntegerField(
                blank=True,
                help_text="The treatment order it is for (set when a cycle is booked against it).",
                null=True,
                verbose_name="treatment order id",
            ),
        ),
        migrations.AddField(
            model_name="authorizationusage",
            name="booking_id",
            field=models.PositiveBigIntegerField(null=True, verbose_name="booking id"),
        ),
        migrations.AddField(
            model_name="authorizationoverride",
            name="order_id",
            field=models.PositiveBigIntegerField(null=True, verbose_name="treatment order id"),
        ),
        migrations.AddField(
            model_name="authorizationoverride",
            name="used_cycle",
            field=models.PositiveSmallIntegerField(blank=True, help_text="The cycle that used it.", null=True),
        ),
    ]
