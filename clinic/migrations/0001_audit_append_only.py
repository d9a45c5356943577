"""Make the audit trail append-only in the database, not only in the admin.

Rows may be inserted; a DELETE is refused, and an UPDATE is refused unless the only change is the actor
being set to NULL (what Django does to the trail when a staff user is deleted).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION clinic_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit trail is append-only: entries cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id
       OR (to_jsonb(NEW) - 'actor_id') IS DISTINCT FROM (to_jsonb(OLD) - 'actor_id') THEN
        RAISE EXCEPTION 'the audit trail is append-only: entries cannot be changed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER clinic_audit_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION clinic_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS clinic_audit_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS clinic_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0017_add_actor_email")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
