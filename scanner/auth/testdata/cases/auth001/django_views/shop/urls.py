from django.urls import path

from . import views

urlpatterns = [
    path("account/", views.account),
    path("orders/export/", views.export_orders),
    path("orders/<int:pk>/delete/", views.OrderDelete.as_view()),
    path("orders/", views.OrderList.as_view()),
    path("catalogue/", views.Catalogue.as_view()),
]
