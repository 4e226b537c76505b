from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_target_ownership"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="targetsupervision",
            index=models.Index(
                condition=models.Q(("own_risk_class", ""), _negated=True),
                fields=["department"],
                name="supervision_own_class_idx",
            ),
        ),
    ]
