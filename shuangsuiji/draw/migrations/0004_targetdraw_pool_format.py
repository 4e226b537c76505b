from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("draw", "0003_selection_rating_code")]

    operations = [
        migrations.AddField(
            model_name="targetdraw",
            name="pool_format",
            field=models.CharField(default="ssj-pool-v1", max_length=16, verbose_name="对象池格式"),
        ),
    ]
