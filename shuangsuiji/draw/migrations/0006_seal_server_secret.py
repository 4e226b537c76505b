"""Seal the server secret at rest (issue 16). Draws not yet run (announced, aborted) keep only
the sealed secret; draws that ran (drawn, voided) have published theirs, so it stays in clear
beside the sealed copy. Backward restores the plain column from either."""

from django.db import migrations, models

from shuangsuiji.draw import seal

_REVEALED = ("drawn", "voided")  # the statuses whose record publishes the secret (records.py)


def seal_secrets(apps, schema_editor):
    TargetDraw = apps.get_model("draw", "TargetDraw")
    for d in TargetDraw.objects.only("pk", "public_id", "status", "secret_hex").iterator():
        d.secret_sealed = seal.seal(d.secret_hex, draw_id=d.public_id)
        d.secret_revealed = d.secret_hex if d.status in _REVEALED else ""
        d.save(update_fields=["secret_sealed", "secret_revealed"])


def unseal_secrets(apps, schema_editor):
    TargetDraw = apps.get_model("draw", "TargetDraw")
    for d in TargetDraw.objects.only("pk", "public_id", "secret_sealed", "secret_revealed").iterator():
        d.secret_hex = d.secret_revealed or seal.unseal(d.secret_sealed, draw_id=d.public_id)
        d.save(update_fields=["secret_hex"])


class Migration(migrations.Migration):
    dependencies = [("draw", "0005_targetdraw_own_classes")]

    operations = [
        migrations.AddField(
            model_name="targetdraw",
            name="secret_sealed",
            field=models.CharField(default="", max_length=100, verbose_name="服务器密钥（密文）"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="targetdraw",
            name="secret_revealed",
            field=models.CharField(blank=True, max_length=64, verbose_name="服务器密钥（抽取后公开）"),
        ),
        migrations.RunPython(seal_secrets, unseal_secrets),
        # blank before removal, so that reversing on a table with rows re-adds the column with a
        # default (the reverse of RunPython then fills it)
        migrations.AlterField(
            model_name="targetdraw",
            name="secret_hex",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RemoveField(model_name="targetdraw", name="secret_hex"),
    ]
