# Each gate scan writes every index of access_crossing (10M rows in a street): 9 before this
# migration, 3 after (primary key, event_id, day+area). Every query of crossings reads them
# by day (the report, the dashboard, the ledger, the gate's "today" panel, the visitors page:
# EXPLAINed on 1M residents / 10M crossings, docs/access.md "Benchmark"), so:
# - (area, day) becomes (day, area), covering also `subject` (the report filters on it);
# - (household, scanned_at) goes: no query used it; (checkpoint, scanned_at) goes: only the
#   visitors' list read it, which now has a partial index of visitor rows (pass scans, nearly
#   every row, never write it);
# - the foreign-key indexes of compound, pass, policy and actor go: nothing looks crossings
#   up by them. Plain DROP INDEX on both databases (an AlterField would rebuild the table on
#   SQLite), as in 0005.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FK_INDEXES = {
    "access_crossing_actor_id_080a9cd9": "actor_id",
    "access_crossing_compound_id_691c6435": "compound_id",
    "access_crossing_pass_id_15451831": "pass_id",
    "access_crossing_policy_id_d37df50f": "policy_id",
}


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0009_rename_visit'),
        ('areas', '0001_initial'),
        ('people', '0014_household_address_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='crossing',
            index=models.Index(fields=['day', 'area'], include=('decision', 'direction', 'reason', 'subject'), name='access_crossing_day_area'),
        ),
        migrations.AddIndex(
            model_name='crossing',
            index=models.Index(condition=models.Q(('subject', 'resident'), _negated=True), fields=['area', 'scanned_at'], name='access_crossing_visits'),
        ),
        migrations.RemoveIndex(
            model_name='crossing',
            name='access_crossing_area_day',
        ),
        migrations.RemoveIndex(
            model_name='crossing',
            name='access_cros_househo_a57031_idx',
        ),
        migrations.RemoveIndex(
            model_name='crossing',
            name='access_cros_checkpo_606f27_idx',
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "access_crossing" ("{column}")')
                for name, column in FK_INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='crossing',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='crossing',
                    name='compound',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.compound'),
                ),
                migrations.AlterField(
                    model_name='crossing',
                    name='pass_obj',
                    field=models.ForeignKey(blank=True, db_column='pass_id', db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='crossings', to='access.pass'),
                ),
                migrations.AlterField(
                    model_name='crossing',
                    name='policy',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.policy'),
                ),
            ],
        ),
    ]
