from django.core.management.base import BaseCommand

from shuangsuiji.core import jobs


class Command(BaseCommand):
    help = (
        "处理作业进程已中断（进程被终止、节点失联）的后台作业：未写入任何数据的重新排队，"
        "写入已完成的标为已完成（每个作业进程在取作业前也会这样做）"
    )

    def handle(self, **opts):
        settled = jobs.recover()
        for job in settled:
            self.stdout.write(f"作业 {job.pk}（{job.title}）：{job.get_status_display()}，{job.message}")
        self.stdout.write(f"共处理 {len(settled)} 个中断的作业")
