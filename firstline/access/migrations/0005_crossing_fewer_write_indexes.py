# Each gate scan writes every index of access_crossing. checkpoint, area and household lead
# the composite indexes (checkpoint, scanned_at), (area, day) and (household, scanned_at),
# which serve their lookups and foreign-key checks: drop their single-column indexes.
# Plain DROP INDEX on both databases (an AlterField would rebuild the table 3 times on SQLite).

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "access_crossing_area_id_67cdecb8": "area_id",
    "access_crossing_checkpoint_id_1f999e35": "checkpoint_id",
    "access_crossing_household_id_078c38b1": "household_id",
}


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0004_crossing_area_day_covering'),
        ('areas', '0001_initial'),
        ('people', '0005_placement_grid_household_covering'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "access_crossing" ("{column}")')
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='crossing',
                    name='area',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='areas.area'),
                ),
                migrations.AlterField(
                    model_name='crossing',
                    name='checkpoint',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='crossings', to='access.checkpoint'),
                ),
                migrations.AlterField(
                    model_name='crossing',
                    name='household',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='crossings', to='people.household'),
                ),
            ],
        ),
    ]
