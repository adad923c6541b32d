"""Push channels through Apprise (and a generic JSON webhook): one small interface."""

from channels.errors import (
    AddressRefused,
    CertificateRefused,
    ChannelError,
    NotUsable,
    Refused,
    Unreachable,
)
from channels.kinds import KINDS, Field, FieldProblem, Kind
from channels.transport import Notification, Receipt, Target, deliver, plugin_for, redact
from channels.webhook import check_template

__all__ = [
    "KINDS",
    "AddressRefused",
    "CertificateRefused",
    "ChannelError",
    "Field",
    "FieldProblem",
    "Kind",
    "Notification",
    "NotUsable",
    "Receipt",
    "Refused",
    "Target",
    "Unreachable",
    "check_template",
    "deliver",
    "plugin_for",
    "redact",
]
