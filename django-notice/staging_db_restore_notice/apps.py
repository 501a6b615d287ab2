from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class StagingDbRestoreNoticeConfig(AppConfig):
    name = "staging_db_restore_notice"
    verbose_name = "Staging database restore notice"

    def ready(self):
        checks.register(check_settings)


def check_settings(app_configs=None, **kwargs):
    """Warns at startup (manage.py check, runserver) instead of breaking admin pages."""
    problems = []
    if not getattr(settings, "STAGING_DB_RESTORE_STATUS_URL", ""):
        problems.append(
            checks.Warning(
                "STAGING_DB_RESTORE_STATUS_URL is not set: the admin notice can only show the date computed "
                "from the schedule, not whether the run will be skipped.",
                hint="Set it to the StatusUrl output of the StagingDbRestore stack.",
                id="staging_db_restore_notice.W001",
            )
        )
    apps = list(settings.INSTALLED_APPS)
    ours = "staging_db_restore_notice"
    if "django.contrib.admin" in apps and ours in apps and apps.index(ours) > apps.index("django.contrib.admin"):
        problems.append(
            checks.Warning(
                "staging_db_restore_notice is listed after django.contrib.admin, so the admin's own "
                "base_site.html wins and the notice is not shown.",
                hint="Move it above django.contrib.admin in INSTALLED_APPS.",
                id="staging_db_restore_notice.W002",
            )
        )
    return problems
