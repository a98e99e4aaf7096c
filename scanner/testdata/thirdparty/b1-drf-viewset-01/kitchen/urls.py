# Written for vigil-proxy's third-party-style corpus after the shape of a public Django REST framework app.
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("recipes.urls")),
    path("admin/", admin.site.urls),
]
