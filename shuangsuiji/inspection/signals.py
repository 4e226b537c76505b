"""What the inspection tells later steps without depending on them (ARCHITECTURE.md: the lower
app offers a hook the higher one registers with)."""

from django.dispatch import Signal

# An inspection's finish date, item results or publication changed (inspection_finish,
# result_save, review_approve); sent inside the service's transaction with `inspection`.
inspection_counts_changed = Signal()
