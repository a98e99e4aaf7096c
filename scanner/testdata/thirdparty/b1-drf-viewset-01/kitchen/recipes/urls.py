# Written for vigil-proxy's third-party-style corpus after the shape of a public Django REST framework app.
from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from .views import RecipeIndex, RecipeViewSet

recipes_router = DefaultRouter()
recipes_router.register(r"recipes", RecipeViewSet, basename="recipe")

urlpatterns = [
    path("token/", obtain_auth_token, name="token"),
    path("recipes-index/", RecipeIndex.as_view(), name="recipe-index"),
    path("", include(recipes_router.urls)),
]
