"""What the directory tells later steps without depending on them."""

from django.dispatch import Signal

# An import changed these targets' kind (企业 ↔ 个体工商户 …) set-based, outside the services;
# sent inside the import's transaction with `target_ids` (only targets drawn at least once).
targets_kind_changed = Signal()
