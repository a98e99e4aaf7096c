from datetime import timedelta

INSTALLED_APPS = ["rest_framework_simplejwt"]
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(days=7),  # want: AUTH-003
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),  # ok: AUTH-003
}
