"""Sign-in throttling (等保2.0 第三级 "登录失败处理"), written so that it neither tells who has an
account nor lets one client lock anyone else out.

The rules:

- **The client** is the address that connected (REMOTE_ADDR). Only when that address is one of
  SHUANGSUIJI_TRUSTED_PROXIES is X-Forwarded-For read, from the right: the right-most entry
  that is not itself a trusted proxy is the client (entries further left are whatever the client
  sent, so they are never believed). IPv6 clients count per /64, the block one subscriber gets.
- **Per (client, user name):** LOGIN_MAX_FAILURES failed sign-ins within LOGIN_LOCKOUT_MINUTES
  (counted from the first failure of the window) refuse that name from that client for
  LOGIN_LOCKOUT_MINUTES. The same for names that exist and names that do not.
- **Per client:** LOGIN_MAX_FAILURES_PER_ADDRESS failures within the window, across all names,
  refuse every sign-in from that client for LOGIN_LOCKOUT_MINUTES (one client guessing names).
- A refused attempt is not checked and not counted (no password hash is computed: a flood of
  refused attempts costs the server nothing and cannot extend the pause).
- Failures from one client never refuse the same name signing in from another client.
- A successful sign-in clears its (client, name) count, not the client's count (else a client
  holding one account could reset its count between guesses).
- Every answer is the same for a name that exists and one that does not: a wrong password, an
  unknown name and a disabled account get one message; a refusal gets one message.
- 系统管理员 "解锁" clears the name's counts at every client, and the counts of the clients
  that are refused or counting for that name.

The counters live in the database (SignInThrottle) so that every app node sees the same counts.
"""

import datetime as dt
import ipaddress

from django.conf import settings
from django.utils import timezone

from .models import SignInThrottle

# The per-client row's user name: no real name is empty (the form requires one).
ANY_NAME = ""
_IPV6_PREFIX = 64


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as a proxy writes it: bare, or with a port ("1.2.3.4:80", "[::1]:80")."""
    v = value.strip()
    if v.startswith("["):
        v = v[1 : v.find("]")] if "]" in v else v[1:]
    elif v.count(":") == 1:
        v = v.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(v)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _trusted(ip) -> bool:
    return any(ip in ipaddress.ip_network(net) for net in settings.TRUSTED_PROXIES)


def _key(ip) -> str:
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{ip}/{_IPV6_PREFIX}", strict=False))
    return str(ip)


def from_trusted_proxy(request) -> bool:
    """Whether the connection came from one of SHUANGSUIJI_TRUSTED_PROXIES (so that the headers
    it adds, X-Forwarded-For and X-Request-ID, are believed)."""
    ip = _parse(request.META.get("REMOTE_ADDR", ""))
    return ip is not None and _trusted(ip)


def client_ip(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address by the rules above (not grouped per /64), or None when the
    connection has no IP address (a test client, a unix socket)."""
    ip = _parse(request.META.get("REMOTE_ADDR", ""))
    if ip is None or not _trusted(ip):
        return ip
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = ip
    for hop in reversed(hops):
        hop_ip = _parse(hop)
        if hop_ip is None:
            # A trusted proxy writes real addresses; this came from the client side. The
            # last address a trusted proxy vouched for stands.
            break
        client = hop_ip
        if not _trusted(hop_ip):
            break
    return client


def client_address(request) -> str:
    """The client's address as counted (see the rules above)."""
    ip = client_ip(request)
    if ip is None:
        # Not an IP (a test client, a unix socket): count under what it is.
        return (request.META.get("REMOTE_ADDR", "") or "unknown")[:64]
    return _key(ip)


def window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def refused_until(*, address: str, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When sign-in as `username` from `address` is allowed again, or None if it is now."""
    now = now or timezone.now()
    rows = SignInThrottle.objects.filter(
        address=address, username__in=[username, ANY_NAME], locked_until__gt=now
    ).values_list("locked_until", flat=True)
    return max(rows, default=None)
