# Written for vigil-proxy's third-party-style corpus after the shape of a public Django REST framework app.
from rest_framework import generics, viewsets
from rest_framework.permissions import IsAuthenticated

from .models import Recipe
from .serializers import RecipeSerializer


class RecipeIndex(generics.ListAPIView):
    serializer_class = RecipeSerializer
    queryset = Recipe.objects.order_by("title")


class RecipeViewSet(viewsets.ModelViewSet):
    serializer_class = RecipeSerializer
    permission_classes = [IsAuthenticated]
    queryset = Recipe.objects.all()
