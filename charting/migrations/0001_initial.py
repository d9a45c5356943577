"""The chairside record moves from infusions to charting: the same tables, now in this app's state."""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('infusions', '0005_cycle_day'),
        ('patients', '0003_risk_flag_infusion_reaction'),
        ('scheduling', '0005_remove_booking_order_ref'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The models moved from infusions with their tables (db_table): state only, the tables stay.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='InfusionSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cycle', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('day', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('checked_in', 'Checked in'), ('running', 'Infusing'), ('observation', 'Observation'), ('discharged', 'Discharged')], default='checked_in', max_length=12)),
                        ('checked_in_at', models.DateTimeField()),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('ended_at', models.DateTimeField(blank=True, null=True)),
                        ('discharged_at', models.DateTimeField(blank=True, null=True)),
                        ('order_weight_kg', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True)),
                        ('weight_kg', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True)),
                        ('dose_recomputed', models.BooleanField(default=False, help_text="Today's weight differs by over 5%.")),
                        ('protocol_name', models.CharField(blank=True, max_length=80)),
                        ('planned_grams', models.DecimalField(blank=True, decimal_places=2, max_digits=7, null=True)),
                        ('planned_volume_ml', models.DecimalField(blank=True, decimal_places=1, max_digits=7, null=True)),
                        ('rate_cap_ml_per_hour', models.DecimalField(blank=True, decimal_places=1, max_digits=6, null=True)),
                        ('plan_steps', models.JSONField(blank=True, default=list, help_text='[{minutes, rate_ml_per_hour}]')),
                        ('volume_given_ml', models.DecimalField(blank=True, decimal_places=1, max_digits=7, null=True)),
                        ('grams_given', models.DecimalField(blank=True, decimal_places=2, max_digits=7, null=True)),
                        ('booking', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='infusion_session', to='scheduling.booking')),
                        ('checked_in_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='infusions.treatmentorder')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='infusion_sessions', to='patients.patient')),
                    ],
                    options={
                        'db_table': 'infusions_infusionsession',
                        'ordering': ['-checked_in_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Checklist',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField()),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('identity_confirmed', models.BooleanField()),
                        ('weight_kg', models.DecimalField(decimal_places=2, max_digits=6)),
                        ('hydration', models.CharField(choices=[('oral', 'Oral fluids taken'), ('iv', 'IV pre-hydration'), ('none', 'None needed')], max_length=4)),
                        ('egfr_reviewed', models.BooleanField(help_text='The nurse looked at the last eGFR and its date.')),
                        ('checks_acknowledged', models.BooleanField(help_text="The order's safety checks were read.")),
                        ('note', models.CharField(blank=True, max_length=500)),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='checklist', to='charting.infusionsession')),
                    ],
                    options={
                        'db_table': 'infusions_checklist',
                    },
                ),
                migrations.CreateModel(
                    name='LotRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField()),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('lot_number', models.CharField(max_length=40)),
                        ('vial_size_g', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='vial size (g)')),
                        ('vials', models.PositiveSmallIntegerField(default=1)),
                        ('expiry', models.DateField()),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lots', to='charting.infusionsession')),
                    ],
                    options={
                        'db_table': 'infusions_lotrecord',
                        'ordering': ['session', 'recorded_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Premedication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField()),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('drug', models.CharField(max_length=80)),
                        ('dose', models.CharField(help_text='As given, e.g. "650 mg".', max_length=40)),
                        ('route', models.CharField(default='PO', max_length=10)),
                        ('given_at', models.DateTimeField()),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='premedications', to='charting.infusionsession')),
                    ],
                    options={
                        'db_table': 'infusions_premedication',
                        'ordering': ['session', 'given_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='RateChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField()),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('kind', models.CharField(choices=[('start', 'Start'), ('step_up', 'Step up'), ('hold', 'Hold'), ('slow', 'Slow'), ('pause', 'Pause'), ('resume', 'Resume'), ('stop', 'Stop')], max_length=8)),
                        ('at', models.DateTimeField()),
                        ('rate_ml_per_hour', models.DecimalField(decimal_places=1, max_digits=6, verbose_name='rate (mL/h)')),
                        ('reason', models.CharField(blank=True, max_length=300)),
                        ('over_cap', models.BooleanField(default=False, help_text="Confirmed above the plan's maximum rate.")),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rate_changes', to='charting.infusionsession')),
                    ],
                    options={
                        'db_table': 'infusions_ratechange',
                        'ordering': ['session', 'at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SessionEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('check_in', 'Checked in'), ('start', 'Infusion started'), ('end', 'Infusion ended'), ('discharge', 'Discharged')], max_length=10)),
                        ('at', models.DateTimeField()),
                        ('client_id', models.UUIDField()),
                        ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='charting.infusionsession')),
                    ],
                    options={
                        'db_table': 'infusions_sessionevent',
                        'ordering': ['session', 'at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='VitalsReading',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField()),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('phase', models.CharField(choices=[('baseline', 'Baseline'), ('infusion', 'During infusion'), ('end', 'End of infusion'), ('observation', 'Observation')], max_length=12)),
                        ('taken_at', models.DateTimeField()),
                        ('systolic', models.PositiveSmallIntegerField(verbose_name='systolic (mmHg)')),
                        ('diastolic', models.PositiveSmallIntegerField(verbose_name='diastolic (mmHg)')),
                        ('heart_rate', models.PositiveSmallIntegerField(verbose_name='heart rate (/min)')),
                        ('temperature_c', models.DecimalField(blank=True, decimal_places=1, max_digits=3, null=True, verbose_name='temperature (C)')),
                        ('respiratory_rate', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='respiratory rate (/min)')),
                        ('spo2', models.PositiveSmallIntegerField(verbose_name='SpO2 (%)')),
                        ('symptoms', models.CharField(blank=True, max_length=500)),
                        ('flags', models.JSONField(blank=True, default=list, help_text='[{code, message}] of abnormal values.')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='vitals', to='charting.infusionsession')),
                    ],
                    options={
                        'db_table': 'infusions_vitalsreading',
                        'ordering': ['session', 'taken_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Reaction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField()),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('kind', models.CharField(choices=[('headache', 'Headache'), ('chills', 'Chills / rigors'), ('fever', 'Fever'), ('nausea', 'Nausea / vomiting'), ('flushing', 'Flushing'), ('urticaria', 'Rash / urticaria'), ('hypotension', 'Hypotension'), ('hypertension', 'Hypertension'), ('dyspnea', 'Shortness of breath'), ('chest_pain', 'Chest pain'), ('anaphylaxis', 'Anaphylaxis'), ('other', 'Other')], max_length=12)),
                        ('onset', models.CharField(choices=[('during', 'During the infusion'), ('within_72h', 'Within 72 hours'), ('later', 'Later')], default='during', max_length=10)),
                        ('grade', models.PositiveSmallIntegerField(choices=[(1, '1: Mild; no interruption needed'), (2, '2: Interruption needed; responds promptly to treatment'), (3, '3: Prolonged or recurring; hospitalisation'), (4, '4: Life-threatening; urgent intervention'), (5, '5: Death')], verbose_name='CTCAE grade')),
                        ('action', models.CharField(choices=[('none', 'None'), ('rate_reduced', 'Rate reduced'), ('paused', 'Paused'), ('stopped', 'Stopped'), ('medication', 'Medication given'), ('transferred', 'Transferred')], max_length=12)),
                        ('medication', models.CharField(blank=True, max_length=200)),
                        ('outcome', models.CharField(choices=[('resolved', 'Resolved'), ('resolving', 'Resolving'), ('ongoing', 'Ongoing'), ('transferred', 'Transferred for care'), ('fatal', 'Fatal')], max_length=12)),
                        ('noted_at', models.DateTimeField()),
                        ('note', models.CharField(blank=True, max_length=500)),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reactions', to='charting.infusionsession')),
                        ('vitals', models.ManyToManyField(blank=True, related_name='reactions', to='charting.vitalsreading')),
                    ],
                    options={
                        'db_table': 'infusions_reaction',
                        'ordering': ['session', 'noted_at', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='infusionsession',
                    index=models.Index(fields=['order', 'status'], name='infusions_i_order_i_e96c3a_idx'),
                ),
                migrations.AddIndex(
                    model_name='infusionsession',
                    index=models.Index(fields=['patient', 'checked_in_at'], name='infusions_i_patient_a8b9c4_idx'),
                ),
                migrations.AddConstraint(
                    model_name='infusionsession',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'checked_in'), models.Q(('status', 'running'), ('started_at__isnull', False)), models.Q(('status', 'observation'), ('ended_at__isnull', False), ('started_at__isnull', False)), models.Q(('status', 'discharged'), ('discharged_at__isnull', False), ('ended_at__isnull', False), ('started_at__isnull', False)), _connector='OR'), name='session_status_has_times'),
                ),
                migrations.AddConstraint(
                    model_name='infusionsession',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('started_at__isnull', True), ('started_at__gte', models.F('checked_in_at')), _connector='OR'), models.Q(('ended_at__isnull', True), ('ended_at__gte', models.F('started_at')), _connector='OR'), models.Q(('discharged_at__isnull', True), ('discharged_at__gte', models.F('ended_at')), _connector='OR')), name='session_times_in_order'),
                ),
                migrations.AddConstraint(
                    model_name='infusionsession',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('volume_given_ml__isnull', True), ('volume_given_ml__gte', 0), _connector='OR'), models.Q(('weight_kg__isnull', True), models.Q(('weight_kg__gt', 0), ('weight_kg__lte', 400)), _connector='OR')), name='session_amounts_valid'),
                ),
                migrations.AddConstraint(
                    model_name='checklist',
                    constraint=models.UniqueConstraint(fields=('client_id',), name='checklist_client_id_unique'),
                ),
                migrations.AddConstraint(
                    model_name='checklist',
                    constraint=models.CheckConstraint(condition=models.Q(('checks_acknowledged', True), ('egfr_reviewed', True), ('identity_confirmed', True)), name='checklist_confirmed'),
                ),
                migrations.AddConstraint(
                    model_name='checklist',
                    constraint=models.CheckConstraint(condition=models.Q(('weight_kg__gt', 0), ('weight_kg__lte', 400)), name='checklist_weight_plausible'),
                ),
                migrations.AddConstraint(
                    model_name='lotrecord',
                    constraint=models.UniqueConstraint(fields=('client_id',), name='lot_client_id_unique'),
                ),
                migrations.AddConstraint(
                    model_name='lotrecord',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('lot_number', ''), _negated=True), ('vial_size_g__gt', 0), ('vials__gte', 1)), name='lot_record_valid'),
                ),
                migrations.AddConstraint(
                    model_name='premedication',
                    constraint=models.UniqueConstraint(fields=('client_id',), name='premedication_client_id_unique'),
                ),
                migrations.AddConstraint(
                    model_name='premedication',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('drug', ''), _negated=True), models.Q(('dose', ''), _negated=True)), name='premedication_named'),
                ),
                migrations.AddConstraint(
                    model_name='ratechange',
                    constraint=models.UniqueConstraint(fields=('client_id',), name='rate_change_client_id_unique'),
                ),
                migrations.AddConstraint(
                    model_name='ratechange',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ('pause', 'stop')), ('rate_ml_per_hour', 0)), models.Q(models.Q(('kind__in', ('pause', 'stop')), _negated=True), ('rate_ml_per_hour__gt', 0), ('rate_ml_per_hour__lte', 2000)), _connector='OR'), name='rate_change_rate_valid'),
                ),
                migrations.AddConstraint(
                    model_name='ratechange',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(models.Q(('kind__in', ('hold', 'slow', 'pause', 'stop')), _negated=True), ('over_cap', False)), models.Q(('reason', ''), _negated=True), _connector='OR'), name='rate_change_reason'),
                ),
                migrations.AddConstraint(
                    model_name='sessionevent',
                    constraint=models.UniqueConstraint(fields=('client_id',), name='session_event_client_id_unique'),
                ),
                migrations.AddConstraint(
                    model_name='sessionevent',
                    constraint=models.UniqueConstraint(fields=('session', 'kind'), name='session_event_once'),
                ),
                migrations.AddIndex(
                    model_name='vitalsreading',
                    index=models.Index(fields=['session', 'taken_at'], name='infusions_v_session_d5f28b_idx'),
                ),
                migrations.AddConstraint(
                    model_name='vitalsreading',
                    constraint=models.UniqueConstraint(fields=('client_id',), name='vitals_client_id_unique'),
                ),
                migrations.AddConstraint(
                    model_name='vitalsreading',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('systolic__isnull', True), models.Q(('systolic__gte', 40), ('systolic__lte', 300)), _connector='OR'), models.Q(('diastolic__isnull', True), models.Q(('diastolic__gte', 20), ('diastolic__lte', 200)), _connector='OR'), models.Q(('heart_rate__isnull', True), models.Q(('heart_rate__gte', 20), ('heart_rate__lte', 250)), _connector='OR'), models.Q(('temperature_c__isnull', True), models.Q(('temperature_c__gte', Decimal('30.0')), ('temperature_c__lte', Decimal('44.0'))), _connector='OR'), models.Q(('respiratory_rate__isnull', True), models.Q(('respiratory_rate__gte', 4), ('respiratory_rate__lte', 60)), _connector='OR'), models.Q(('spo2__isnull', True), models.Q(('spo2__gte', 50), ('spo2__lte', 100)), _connector='OR'), ('diastolic__lt', models.F('systolic'))), name='vitals_possible'),
                ),
                migrations.AddConstraint(
                    model_name='reaction',
                    constraint=models.UniqueConstraint(fields=('client_id',), name='reaction_client_id_unique'),
                ),
                migrations.AddConstraint(
                    model_name='reaction',
                    constraint=models.CheckConstraint(condition=models.Q(('grade__gte', 1), ('grade__lte', 5)), name='reaction_grade_ctcae'),
                ),
                migrations.AddConstraint(
                    model_name='reaction',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('action', 'medication'), _negated=True), models.Q(('medication', ''), _negated=True), _connector='OR'), name='reaction_medication_named'),
                ),
            ],
        ),
    ]
