SECRET_KEY = os.environ["SECRET_KEY"]
INSTALLED_APPS = ["blog"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]
