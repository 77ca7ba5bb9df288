# One stock model, step 3 of 3: the care-kit stock tables go; every issue has its store.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0004_move_kit_stock'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='packageissue',
            name='stock',
        ),
        migrations.AlterField(
            model_name='packageissue',
            name='store',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='care_packages', to='operations.store', verbose_name='store'),
        ),
        migrations.DeleteModel(
            name='StockMovement',
        ),
        migrations.DeleteModel(
            name='Stock',
        ),
    ]
