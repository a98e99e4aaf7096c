from rest_framework import permissions, viewsets
from rest_framework.decorators import api_view, permission_classes


class InvoiceViewSet(viewsets.ModelViewSet):  # want: AUTH-001
    queryset = Invoice.objects.all()


class ProfileViewSet(viewsets.ModelViewSet):  # ok: AUTH-001, AUTH-002
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return Profile.objects.filter(user=self.request.user)


@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def status_view(request):  # ok: AUTH-001
    return Response({"ok": True})


@api_view(["DELETE"])
def purge_tokens(request):  # want: AUTH-001
    Token.objects.all().delete()
