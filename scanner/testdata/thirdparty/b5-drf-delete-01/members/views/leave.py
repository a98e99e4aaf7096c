# Written for vigil-proxy's third-party-style corpus after the shape of a public Django REST framework app.
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class LeaveView(APIView):
    permission_classes = [IsAuthenticated]

    def delete(self, request):
        request.user.delete()
        return Response({"detail": "your account is gone"}, status=status.HTTP_204_NO_CONTENT)
