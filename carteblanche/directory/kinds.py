"""Which channels need no trip, and which structures are France Services: one answer for every app.

Pure module (no Django): the orientation engine and the observatory import it as well as the
directory's search, its offer index and the referrals' choice of a counter, so that a service
shown "à distance" on a results page is remote in a plan too, and a structure that receives a
public request as France Services is the one the plan calls an adviser.
"""

from collections.abc import Iterable

# Channel kinds (directory.models.Channel.Kind values) that reach the person at home: no trip.
REMOTE_CHANNEL_KINDS: tuple[str, ...] = ("phone", "online", "callback", "home_visit", "video")

# The France Services operator code of the directory, and the network labels under which sources
# publish France Services counters run by another body (data·inclusion's réseau porteur
# "france-service"; e.g. the Grand Cahors bus run by the agglomeration).
FRANCE_SERVICES_OPERATOR = "france-services"
FRANCE_SERVICES_NETWORKS = frozenset({"france-service", "france-services"})
# Digital-inclusion advisers: with France Services, the generalists who help with any body's procedure.
DIGITAL_ADVISERS = "conseillers-numeriques"
ACCOMPANIMENT_OPERATORS = frozenset({FRANCE_SERVICES_OPERATOR, DIGITAL_ADVISERS})
ACCOMPANIMENT_NETWORKS = FRANCE_SERVICES_NETWORKS | {DIGITAL_ADVISERS}


def is_france_services(operator: str | None, networks: Iterable[str] | None) -> bool:
    """A France Services structure: of the France Services operator, or labelled with its network."""
    return operator == FRANCE_SERVICES_OPERATOR or not FRANCE_SERVICES_NETWORKS.isdisjoint(networks or ())


def is_accompaniment(operator: str | None, networks: Iterable[str] | None) -> bool:
    """France Services or a digital-inclusion adviser: helps with other bodies' procedures, decides none."""
    return operator in ACCOMPANIMENT_OPERATORS or not ACCOMPANIMENT_NETWORKS.isdisjoint(networks or ())
