"""Audit entries are append-only (CONTRACT.md second wave): on PostgreSQL the database itself
refuses UPDATE and DELETE on them, whoever asks (the admin, a script, a psql session).

TRUNCATE is left alone: it is what a test database's flush uses, and it needs the table
owner's privilege, which the application's role should not have in production
(docs/deploy.md). SQLite has no roles to separate and flushes with DELETE, so there the
guarantee is the code's: no page, API or admin action updates or deletes an entry."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION firstline_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;
CREATE TRIGGER accounts_auditentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION firstline_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;
DROP FUNCTION IF EXISTS firstline_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_role_volunteer")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
