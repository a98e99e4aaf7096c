from rest_framework import viewsets
from rest_framework.permissions import IsAdminUser


class TeamViewSet(viewsets.ModelViewSet):  # want: AUTH-002
    queryset = Team.objects.all()


class AuditViewSet(viewsets.ModelViewSet):  # ok: AUTH-002
    permission_classes = [IsAdminUser]
    queryset = Audit.objects.all()
