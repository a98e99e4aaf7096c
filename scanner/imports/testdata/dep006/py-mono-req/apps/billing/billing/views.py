import stripe
from django.http import JsonResponse
def pay(request):
    return JsonResponse(stripe.PaymentIntent.create(amount=1, currency="eur"))
