from rest_framework import generics, permissions, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny


# AllowAny on a viewset that updates and destroys: anyone edits shelves
class ShelfViewSet(viewsets.ModelViewSet):  # want: AUTH-001
    queryset = Shelf.objects.all()
    permission_classes = [AllowAny]


class LoanViewSet(viewsets.ModelViewSet):  # ok: AUTH-001 want: AUTH-002
    queryset = Loan.objects.all()


class BookEdit(generics.RetrieveUpdateAPIView):  # want: AUTH-001
    queryset = Book.objects.all()
    permission_classes = (permissions.AllowAny,)


# public by intent: a create-only form and the sign-up
class NewsletterSignup(generics.CreateAPIView):  # ok: AUTH-001
    permission_classes = [AllowAny]


class SignupView(generics.CreateAPIView):  # ok: AUTH-001
    permission_classes = [AllowAny]


@api_view(["GET"])
@permission_classes([AllowAny])
def catalogue(request):  # ok: AUTH-001
    return Response(list(Book.objects.values()))


@api_view(["DELETE"])
@permission_classes([AllowAny])
def drop_review(request, pk):  # want: AUTH-001
    Review.objects.filter(pk=pk).delete()
    return Response(status=204)
