"""What the draw tells later steps without depending on them (ARCHITECTURE.md: the lower app
offers a hook the higher one registers with)."""

from django.dispatch import Signal

# A draw's status changed to 已抽取, 已作废 or 已中止 (draw_run, voids.void_confirm, draw_abort); sent inside
# the service's transaction, after its selections and status are saved, with `draw`.
draw_settled = Signal()
