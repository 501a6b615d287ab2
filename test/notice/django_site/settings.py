"""A minimal Django site with the real admin, for the notice's browser test (test/notice/notice.browser.test.ts).

The notice is installed exactly as docs/django-notice.md says: the app above django.contrib.admin in INSTALLED_APPS, and
STAGING_DB_RESTORE_STATUS_URL. Everything variable comes from the environment the test sets.
"""
import os

BASE_DIR = os.environ["NOTICE_TEST_DIR"]
SECRET_KEY = "test-only-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "staging_db_restore_notice",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "django_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "db.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
STATIC_URL = "/static/"

STAGING_DB_RESTORE_STATUS_URL = os.environ.get("STAGING_DB_RESTORE_STATUS_URL", "")
STAGING_DB_RESTORE_HELP_URL = "https://example.org/staging-db-restore#skip-the-next-run"
