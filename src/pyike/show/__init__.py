"""IOS's crypto `show` commands: one formatting layer from structured state to IOS's lines.

Live state comes in as the frozen views of `pyike.show.views`; configuration commands read
the parsed `Config`. Every formatter returns the lines IOS prints, without line endings.
"""

from pyike.show.access_lists import show_access_lists
from pyike.show.engine_connections import show_crypto_engine_connections_active
from pyike.show.ikev2_config import (
    show_crypto_ikev2_policy,
    show_crypto_ikev2_profile,
    show_crypto_ikev2_proposal,
)
from pyike.show.ikev2_sa import (
    IkeSaFilter,
    show_crypto_ikev2_sa,
    show_crypto_ikev2_session,
    show_crypto_isakmp_sa,
)
from pyike.show.ikev2_stats import show_crypto_ikev2_stats, show_crypto_ikev2_stats_exchange
from pyike.show.ipsec_config import (
    show_crypto_dynamic_map,
    show_crypto_ipsec_profile,
    show_crypto_ipsec_transform_set,
    show_crypto_map,
)
from pyike.show.ipsec_sa import show_crypto_ipsec_sa, show_crypto_ipsec_sa_count
from pyike.show.session import show_crypto_session, show_crypto_session_brief
from pyike.show.sockets import show_crypto_sockets

__all__ = [
    "IkeSaFilter",
    "show_access_lists",
    "show_crypto_dynamic_map",
    "show_crypto_engine_connections_active",
    "show_crypto_ikev2_policy",
    "show_crypto_ikev2_profile",
    "show_crypto_ikev2_proposal",
    "show_crypto_ikev2_sa",
    "show_crypto_ikev2_session",
    "show_crypto_ikev2_stats",
    "show_crypto_ikev2_stats_exchange",
    "show_crypto_ipsec_profile",
    "show_crypto_ipsec_sa",
    "show_crypto_ipsec_sa_count",
    "show_crypto_ipsec_transform_set",
    "show_crypto_isakmp_sa",
    "show_crypto_map",
    "show_crypto_session",
    "show_crypto_session_brief",
    "show_crypto_sockets",
]
