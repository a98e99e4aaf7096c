from rest_framework.decorators import api_view


@api_view(["GET"])
def report(request):  # ok: AUTH-001
    return None
