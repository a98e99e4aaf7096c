from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register(r"invoices", views.InvoiceViewSet)
router.register(r"profiles", views.ProfileViewSet)

urlpatterns = [
    path("status/", views.status_view),
    path("tokens/purge/", views.purge_tokens),
]
