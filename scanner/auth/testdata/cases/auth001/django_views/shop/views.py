from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DeleteView, ListView


@login_required
def account(request):  # ok: AUTH-001
    return render(request, "account.html")


def export_orders(request):  # want: AUTH-001
    return csv_response(Order.objects.all())


class OrderDelete(DeleteView):  # want: AUTH-001
    model = Order


class OrderList(LoginRequiredMixin, ListView):  # ok: AUTH-001
    model = Order


class Catalogue(ListView):  # ok: AUTH-001
    model = Product


class NotRouted(DeleteView):  # ok: AUTH-001
    model = Product
