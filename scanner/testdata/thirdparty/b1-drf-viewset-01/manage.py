# Written for vigil-proxy's third-party-style corpus after the shape of a public Django REST framework app.
# stand-in manage.py: marks the Django project root.
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitchen.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
