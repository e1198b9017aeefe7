"""Who is knocking at the staff login: the client address django-axes counts failures by.

Behind a reverse proxy (BEHIND_PROXY, which sets SECURE_PROXY_SSL_HEADER) every
request arrives from the proxy, so the address is the last entry of
X-Forwarded-For: the one our own proxy appended, which a client cannot forge.
Earlier entries are whatever the client sent and are ignored.
"""

from django.conf import settings


def client_ip(request):
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:45]
    return request.META.get("REMOTE_ADDR") or "unknown"
