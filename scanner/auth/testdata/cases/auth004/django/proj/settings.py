INSTALLED_APPS = ["django.contrib.auth"]
SECRET_KEY = "django-insecure-8f#k2l!x9q@w3e$r5t^y7u*i0o(p)a_s-d=f+g"  # want: AUTH-004
DEBUG = True
