"""The schedule optimiser: plain values in, a level schedule out (no Django import).

`problem` holds the input and output types and the definitions of nurse load and occupancy,
`engine.solve` places a site's sessions, `cht` solves CHT-I benchmark instances with the same solver,
`synthetic` builds reproducible peaked site-days for tests and the bench.
"""

from scheduling.optimiser.engine import solve
from scheduling.optimiser.problem import (
    Chair,
    Curves,
    Day,
    Infeasible,
    Link,
    NoScheduleFound,
    Placement,
    Problem,
    Schedule,
    Session,
    Shift,
    curves,
)

__all__ = [
    "Chair",
    "Curves",
    "Day",
    "Infeasible",
    "Link",
    "NoScheduleFound",
    "Placement",
    "Problem",
    "Schedule",
    "Session",
    "Shift",
    "curves",
    "solve",
]
