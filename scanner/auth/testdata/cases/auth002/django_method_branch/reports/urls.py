from django.urls import path

from . import views

urlpatterns = [
    path("reports/<int:pk>/share/", views.share_report),
]
