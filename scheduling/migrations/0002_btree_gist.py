# The exclusion constraints on bookings compare chair and patient ids with "=" inside a GiST index,
# which needs the btree_gist extension.

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_initial"),
    ]

    operations = [
        BtreeGistExtension(),
    ]
