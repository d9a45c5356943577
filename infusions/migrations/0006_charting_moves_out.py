"""The chairside record left infusions for charting, with its tables (see charting/0001_initial)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('infusions', '0005_cycle_day'),
        ('charting', '0001_initial'),
    ]

    # State only: the tables are charting's now (charting/0001_initial), under the same names.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='infusionsession',
                    name='booking',
                ),
                migrations.RemoveField(
                    model_name='infusionsession',
                    name='checked_in_by',
                ),
                migrations.RemoveField(
                    model_name='infusionsession',
                    name='order',
                ),
                migrations.RemoveField(
                    model_name='infusionsession',
                    name='patient',
                ),
                migrations.RemoveField(
                    model_name='vitalsreading',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='premedication',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='reaction',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='lotrecord',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='ratechange',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='sessionevent',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='lotrecord',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='premedication',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='ratechange',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='reaction',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='reaction',
                    name='vitals',
                ),
                migrations.RemoveField(
                    model_name='sessionevent',
                    name='by',
                ),
                migrations.RemoveField(
                    model_name='vitalsreading',
                    name='recorded_by',
                ),
                migrations.DeleteModel(
                    name='Checklist',
                ),
                migrations.DeleteModel(
                    name='InfusionSession',
                ),
                migrations.DeleteModel(
                    name='LotRecord',
                ),
                migrations.DeleteModel(
                    name='Premedication',
                ),
                migrations.DeleteModel(
                    name='RateChange',
                ),
                migrations.DeleteModel(
                    name='Reaction',
                ),
                migrations.DeleteModel(
                    name='SessionEvent',
                ),
                migrations.DeleteModel(
                    name='VitalsReading',
                ),
            ],
        ),
    ]
