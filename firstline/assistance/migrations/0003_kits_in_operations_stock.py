# One stock model, step 1 of 3: a kit kind points at an operations item, an issue at a store.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0002_clock_now_default'),
        ('operations', '0003_clock_now_default'),
    ]

    operations = [
        migrations.AddField(
            model_name='packagekind',
            name='item',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='package_kind', to='operations.item', verbose_name='item'),
        ),
        migrations.AddField(
            model_name='packageissue',
            name='store',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='care_packages', to='operations.store', verbose_name='store'),
        ),
    ]
