"""The hand-off seam: the one place work and information pass between teams and flows.

Flows never call each other across teams; they hand a payload to a named receiver here.
Today the pass is direct and instant. The collaboration layer (channels, meetings, trust)
will put its delays and its share of the time split here, without touching the flows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sim.metrics.output import Balance

Receiver = Callable[[Any, float], None]


class HandoffError(LookupError):
    pass


class Org:
    __slots__ = ("env", "_receivers", "sent", "delivered")

    def __init__(self, env: Any) -> None:
        self.env = env
        self._receivers: dict[str, Receiver] = {}
        self.sent: Counter[tuple[str, str]] = Counter()
        self.delivered: Counter[tuple[str, str]] = Counter()

    def register(self, target: str, receiver: Receiver) -> None:
        """`receiver(payload, now)` gets what other flows hand to `target`."""
        self._receivers[target] = receiver

    def hand_off(self, source: str, target: str, payload: Any) -> None:
        """Pass `payload` from the `source` flow to the `target` receiver."""
        receiver = self._receivers.get(target)
        if receiver is None:
            raise HandoffError(f"{source} hands work to '{target}', which is not in the model")
        key = (source, target)
        self.sent[key] += 1
        receiver(payload, self.env._now)
        self.delivered[key] += 1

    def balance(self) -> Balance:
        """Every hand-off sent is delivered (in transit once channels add delays)."""
        # the pass is direct today, so nothing can be in transit: a hand-off whose receiver
        # failed half-way would show here; channels will keep a real count of pending ones
        return Balance("hand-offs", sum(self.sent.values()),
                       {"delivered": sum(self.delivered.values()), "in transit": 0})
