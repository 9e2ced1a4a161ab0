"""The address a request came from, as login throttling sees it (AXES_CLIENT_IP_CALLABLE).

Behind an HTTPS proxy every request reaches gunicorn from the proxy's address, so throttling
by that address would let anyone lock an editor out. The client's own address is read from
X-Forwarded-For, but only when the request came from a proxy listed in TRUSTED_PROXIES
(DJANGO_TRUSTED_PROXIES): anyone else can write that header. django-ipware was considered;
it trusts the header's entries whoever sent it, and cannot require the sender to be the proxy.
"""
import ipaddress
from functools import lru_cache

from django.conf import settings


def client_address(request) -> str | None:
    """The nearest address that is not a trusted proxy: the peer, or what proxies appended."""
    peer = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Nearest first: each trusted proxy appends the address it received from on the right;
    # entries left of the first untrusted one were written by the client and may be forged.
    hops = [hop.strip() for hop in reversed(forwarded.split(","))] if forwarded else []
    address = peer
    for hop in hops:
        if not is_trusted_proxy(address):
            break
        if _parsed(hop) is None:
            break  # a malformed entry: keep the last address a trusted proxy vouched for
        address = hop
    return address


def is_trusted_proxy(address: str | None) -> bool:
    """True when `address` is in one of the TRUSTED_PROXIES networks."""
    parsed = _parsed(address)
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    return parsed is not None and any(parsed in network for network in networks)


@lru_cache(maxsize=4)
def _networks(entries: tuple[str, ...]) -> list:
    """The networks of the setting (validated at start-up by the settings module)."""
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _parsed(address: str | None):
    try:
        return ipaddress.ip_address(address or "")
    except ValueError:
        return None
