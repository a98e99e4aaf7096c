from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed, JsonResponse


@login_required
def share_report(request, pk):  # ok: AUTH-001, AUTH-002
    """Shares a report with a colleague (DELETE and PUT are not supported)."""
    if request.method == "POST":
        report = Report.objects.get(pk=pk)
        report.share_with(request.POST["email"])
        return JsonResponse({"shared": True})
    return HttpResponseNotAllowed(["POST"])
