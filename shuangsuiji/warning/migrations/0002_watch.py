# 风险预警名单 (issue 19): the office's settings and what departments start from the list

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):


    dependencies = [
        ('core', '0005_audit_scheme_chinese_labels'),
        ('directory', '0009_drop_target_pool_leaf'),
        ('triggers', '0001_triggers'),
        ('warning', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WatchAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('trigger', '发起触发式检查'), ('proposal', '提出信用风险分类调整建议')], max_length=10, verbose_name='措施')),
                ('score', models.PositiveIntegerField(verbose_name='当时评分')),
                ('factors', models.JSONField(default=list, help_text='[{code, count, weight, points, skipped}]', verbose_name='当时各因素')),
                ('created_at', models.DateTimeField(verbose_name='时间')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='watch_actions', to='core.department', verbose_name='部门')),
                ('suggestion', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='watch_action', to='directory.changesuggestion', verbose_name='变更建议')),
                ('target', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='watch_actions', to='directory.target', verbose_name='检查对象')),
                ('trigger', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='watch_action', to='triggers.trigger', verbose_name='触发事项')),
            ],
            options={
                'verbose_name': '风险预警名单处置',
                'verbose_name_plural': '风险预警名单处置',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['department', 'target'], name='watch_action_dept_target_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'trigger'), ('suggestion__isnull', True), ('trigger__isnull', False)), models.Q(('kind', 'proposal'), ('suggestion__isnull', False), ('trigger__isnull', True)), _connector='OR'), name='watch_action_links_its_record')],
            },
        ),
        migrations.CreateModel(
            name='WatchSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('w_problems', models.PositiveSmallIntegerField(default=10, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='每次发现问题的检查（分）')),
                ('w_refusals', models.PositiveSmallIntegerField(default=15, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='每次不配合检查（分）')),
                ('w_open', models.PositiveSmallIntegerField(default=5, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='每项未办结的后续处置（分）')),
                ('w_overdue', models.PositiveSmallIntegerField(default=10, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='每项逾期的后续处置（分）')),
                ('w_triggers', models.PositiveSmallIntegerField(default=8, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='每件触发事项（分）')),
                ('w_abnormal', models.PositiveSmallIntegerField(default=10, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='每次列入经营异常名录（分）')),
                ('w_status', models.PositiveSmallIntegerField(default=5, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='每次登记状态变更（分）')),
                ('w_idle_years', models.PositiveSmallIntegerField(default=4, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='距上次检查每满一年（分）')),
                ('watch_threshold', models.PositiveSmallIntegerField(default=20, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000)], verbose_name='列入名单分数线（关注）')),
                ('alert_threshold', models.PositiveSmallIntegerField(default=40, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000)], verbose_name='重点关注分数线')),
                ('lookback_months', models.PositiveSmallIntegerField(default=24, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='统计期（月）')),
                ('idle_cap_years', models.PositiveSmallIntegerField(default=3, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)], verbose_name='距上次检查计分上限（年）')),
                ('set_at', models.DateTimeField(verbose_name='设置时间')),
                ('region', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='watch_settings', to='core.region', verbose_name='辖区')),
                ('set_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '风险预警设置',
                'verbose_name_plural': '风险预警设置',
                'constraints': [models.CheckConstraint(condition=models.Q(('alert_threshold__gte', models.F('watch_threshold'))), name='watch_alert_not_below_watch'), models.CheckConstraint(condition=models.Q(('idle_cap_years__gte', 1), ('lookback_months__gte', 1), ('watch_threshold__gte', 1)), name='watch_settings_positive')],
            },
        ),
    ]
