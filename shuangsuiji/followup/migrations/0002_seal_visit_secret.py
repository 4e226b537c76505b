"""Seal the return-visit draw's server secret at rest (issue 16), as draw 0006 did for target
draws. Draws not yet run (announced) keep only the sealed secret; drawn ones have published
theirs, so it stays in clear beside the sealed copy. Backward restores the plain column from either."""

from django.db import migrations, models

from shuangsuiji.draw import seal

_REVEALED = ("drawn",)  # the statuses whose public record carries the secret (followup/views.py)


def _seal_id(public_id: str) -> str:
    # frozen copy of ReturnVisitDraw.seal_id (historical models carry no methods)
    return f"回访抽取 {public_id}"


def seal_secrets(apps, schema_editor):
    ReturnVisitDraw = apps.get_model("followup", "ReturnVisitDraw")
    for d in ReturnVisitDraw.objects.only("pk", "public_id", "status", "secret_hex").iterator():
        d.secret_sealed = seal.seal(d.secret_hex, draw_id=_seal_id(d.public_id))
        d.secret_revealed = d.secret_hex if d.status in _REVEALED else ""
        d.save(update_fields=["secret_sealed", "secret_revealed"])


def unseal_secrets(apps, schema_editor):
    ReturnVisitDraw = apps.get_model("followup", "ReturnVisitDraw")
    for d in ReturnVisitDraw.objects.only("pk", "public_id", "secret_sealed", "secret_revealed").iterator():
        d.secret_hex = d.secret_revealed or seal.unseal(d.secret_sealed, draw_id=_seal_id(d.public_id))
        d.save(update_fields=["secret_hex"])


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="returnvisitdraw",
            name="secret_sealed",
            field=models.CharField(default="", max_length=100, verbose_name="服务器密钥（密文）"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="returnvisitdraw",
            name="secret_revealed",
            field=models.CharField(blank=True, max_length=64, verbose_name="服务器密钥（抽取后公开）"),
        ),
        migrations.RunPython(seal_secrets, unseal_secrets),
        # blank before removal (no SQL either way): reversed, the column comes back with existing
        # rows, and only a blank field gives it a default ("") to add them with; the backward
        # RunPython then fills it in
        migrations.AlterField(
            model_name="returnvisitdraw",
            name="secret_hex",
            field=models.CharField(blank=True, max_length=64, verbose_name="服务器密钥"),
        ),
        migrations.RemoveField(model_name="returnvisitdraw", name="secret_hex"),
    ]
