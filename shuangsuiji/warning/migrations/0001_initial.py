from django.db import migrations


class Migration(migrations.Migration):
    """The app's starting point: its tables come in the migrations after this one."""

    initial = True
    dependencies: list = []
    operations: list = []
