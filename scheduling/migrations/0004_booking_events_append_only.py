"""Make a booking's history append-only in the database, not only by convention.

Rows may be inserted. A DELETE is refused (so a booking with history cannot be deleted either: it is
cancelled instead). An UPDATE is refused unless its only change is a user or chair reference being set
to NULL, which is what Django does to the history when that user or chair is deleted.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION scheduling_booking_event_append_only() RETURNS trigger AS $$
DECLARE
    nullable_refs text[] := ARRAY['by_id', 'from_chair_id', 'to_chair_id'];
    ref text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'booking history is append-only: events cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOREACH ref IN ARRAY nullable_refs LOOP
        IF to_jsonb(NEW) -> ref IS DISTINCT FROM to_jsonb(OLD) -> ref
           AND to_jsonb(NEW) -> ref <> 'null'::jsonb THEN
            RAISE EXCEPTION 'booking history is append-only: events cannot be changed'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    IF (to_jsonb(NEW) - nullable_refs) IS DISTINCT FROM (to_jsonb(OLD) - nullable_refs) THEN
        RAISE EXCEPTION 'booking history is append-only: events cannot be changed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER scheduling_booking_event_append_only
    BEFORE UPDATE OR DELETE ON scheduling_bookingevent
    FOR EACH ROW EXECUTE FUNCTION scheduling_booking_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS scheduling_booking_event_append_only ON scheduling_bookingevent;
DROP FUNCTION IF EXISTS scheduling_booking_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_chairs_shifts_bookings")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
