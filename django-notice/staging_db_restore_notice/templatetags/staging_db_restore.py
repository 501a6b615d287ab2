from django import template
from django.conf import settings

register = template.Library()

# The staging-db-restore defaults (lib/config.ts); set the settings if your deployment changed them.
DEFAULT_SCHEDULE = "cron(0 0 1 * ? *)"
DEFAULT_SKIP_PARAMETER = "/staging-db-restore/skip"


@register.inclusion_tag("staging_db_restore_notice/notice.html")
def staging_db_restore_notice():
    """The notice's markup: placeholder text that the script replaces, and what it needs as data attributes."""
    return {
        "status_url": getattr(settings, "STAGING_DB_RESTORE_STATUS_URL", ""),
        "schedule": getattr(settings, "STAGING_DB_RESTORE_SCHEDULE", DEFAULT_SCHEDULE),
        "skip_parameter": getattr(settings, "STAGING_DB_RESTORE_SKIP_PARAMETER", DEFAULT_SKIP_PARAMETER),
        "help_url": getattr(settings, "STAGING_DB_RESTORE_HELP_URL", ""),
    }
