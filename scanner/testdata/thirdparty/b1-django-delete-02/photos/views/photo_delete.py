# Written for vigil-proxy's third-party-style corpus after the shape of a public Django app.
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from photos.models import Photo


@login_required
@require_POST
def photo_delete(request, photo_id):
    photo = get_object_or_404(Photo, pk=photo_id)
    if photo.owner != request.user:
        raise PermissionDenied("only the owner may delete this photo")
    photo.delete()
    return redirect("photos:gallery")
