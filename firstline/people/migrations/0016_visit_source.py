# The visit records what it was: a screening (入户摸排) or a confirmed return declaration.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0015_placement_until'),
    ]

    operations = [
        migrations.AddField(
            model_name='screeningvisit',
            name='source',
            field=models.CharField(choices=[('screening', 'door-to-door screening'), ('declaration', 'return declaration confirmed')], default='screening', max_length=16, verbose_name='source'),
        ),
    ]
