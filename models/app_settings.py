"""Settings of the whole installation, kept by the administrator."""

from __future__ import annotations

import ipaddress

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, db
from models.lists import split_list
from translations import _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> list[IPNetwork]:
    """Networks such as '192.168.1.0/24, 10.0.0.5' ; ValueError naming a bad one."""
    networks = []
    for part in split_list(text):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ValueError(_("“%(part)s” is not a network or address", part=part)) from exc
    return networks


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), if any."""
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    teredo = address.teredo
    return address.ipv4_mapped or address.sixtofour or (teredo[1] if teredo else None)


def _internal_kind(address: IPAddress) -> str | None:
    """What kind of address that is not globally routable this is, if it is one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _internal_kind(embedded)
    if address.is_global:
        return None
    for kind, flag in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("carrier-grade NAT (shared, as Tailscale uses)", address in _SHARED),
        ("private", address.is_private),
    ):
        if flag:
            return kind
    return "reserved"


class AppSettings(Base):
    """One row: what the administrator allows for every account."""

    __tablename__ = "app_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    allowed_networks: Mapped[str] = mapped_column(Text, default="")

    @staticmethod
    def current() -> AppSettings:
        """The installation's settings, created with defaults on first use."""
        settings = db.session.get(AppSettings, 1)
        if settings is None:
            settings = AppSettings(id=1, allowed_networks="")
            db.session.add(settings)
        return settings

    def address_refusal(self, address: str) -> str | None:
        """Why a non-administrator may not send through address, or None if they may."""
        ip = ipaddress.ip_address(address.split("%")[0])
        kind = _internal_kind(ip)
        if kind is None or any(ip in network for network in parse_networks(self.allowed_networks)):
            return None
        kinds = {
            "loopback": lambda: _("loopback"),
            "link-local": lambda: _("link-local"),
            "unspecified": lambda: _("unspecified"),
            "multicast": lambda: _("multicast"),
            "carrier-grade NAT (shared, as Tailscale uses)": lambda: _(
                "carrier-grade NAT (shared, as Tailscale uses)"
            ),
            "private": lambda: _("private"),
            "reserved": lambda: _("reserved"),
        }
        return _(
            "%(address)s is a %(kind)s address, not a public one: only the administrator's "
            "account may send through such networks, unless the administrator allows the "
            "network under Account → “Allowed networks”.",
            address=address,
            kind=kinds[kind](),
        )
