from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("draw", "0004_targetdraw_pool_format"),
    ]

    operations = [
        migrations.AddField(
            model_name="targetdraw",
            name="own_classes",
            field=models.BooleanField(default=False, verbose_name="按牵头部门本部门分类分层"),
        ),
    ]
