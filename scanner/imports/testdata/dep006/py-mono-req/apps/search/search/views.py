import stripe  # EXPECT stripe (billing only)
from django.http import JsonResponse
def refund(request):
    return JsonResponse(stripe.Refund.create(payment_intent="pi"))
