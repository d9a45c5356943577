"""Find the page reads that name a record (`clinic.audit.reads_of`) through an index, not a scan of
the whole trail: a GIN index on the ids each read row names."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clinic", "0003_outbox_periodic_tasks")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS clinic_audit_reads ON auditlog_logentry "
            "USING gin ((additional_data -> 'read') jsonb_path_ops)",
            "DROP INDEX IF EXISTS clinic_audit_reads",
        )
    ]
