# Written for vigil-proxy's third-party-style corpus after the shape of a public Django app.
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.urls import reverse_lazy
from django.views.generic import DeleteView

from cookbook.models import Recipe


class RecipeRemoveView(LoginRequiredMixin, UserPassesTestMixin, DeleteView):
    model = Recipe
    success_url = reverse_lazy("recipe-list")

    def test_func(self):
        recipe = self.get_object()
        return recipe.author == self.request.user
