"""libdialer for Python: the outbound dialer engine, its domain types and ports.

Everything is defined by the extension module ``dialer._dialer`` and
re-exported here; the test doubles are in ``dialer.testing``, the Q.850
cause values in ``dialer.q850``, and the simulator in ``dialer.sim``.

Conventions:

* ids (agent, campaign, carrier, lead, call, channel, bridge) are ``int``;
  0 means "none";
* durations are ``datetime.timedelta`` (a float number of seconds is accepted
  too);
* wall-clock instants are timezone-naive ``datetime`` in UTC (aware ones are
  converted on the way in); an instant that has not happened is ``None``;
* steady (monotonic) instants, such as ``Engine.next_deadline()``, are
  ``timedelta`` since the steady clock's epoch;
* a failed call raises a subclass of ``DialerError`` whose ``code`` is the
  library's error name ("invalid_transition", "other_carrier_prefix", ...);
* attributes holding a list are copies: assign a new list rather than
  appending to the one you read.
"""

import sys as _sys

from . import _dialer
from ._dialer import *  # noqa: F401,F403
from ._dialer import q850, sim, testing

# Let `import dialer.testing`, `import dialer.q850` and `import dialer.sim`
# find the submodules of the extension.
_sys.modules[__name__ + ".testing"] = testing
_sys.modules[__name__ + ".q850"] = q850
_sys.modules[__name__ + ".sim"] = sim

__version__ = "0.1.0"
