from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register(r"shelves", views.ShelfViewSet)
router.register(r"loans", views.LoanViewSet)

urlpatterns = router.urls + [
    path("books/<int:pk>/", views.BookEdit.as_view()),
    path("newsletter/", views.NewsletterSignup.as_view()),
    path("signup/", views.SignupView.as_view()),
    path("catalogue/", views.catalogue),
    path("reviews/<int:pk>/", views.drop_review),
]
