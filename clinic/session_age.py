"""How old a signed-in session may get: the rule alone, on plain numbers (seconds), no Django.

A session ends a fixed time after its login however busy it is (the absolute cap), and ends, or locks
where the door has a screen lock (the tablet), after a stretch without any request (idle). A clock that
went backwards (a corrected clock, a restored snapshot) makes a session look younger, never older.
"""

OK = "ok"
LOCK = "lock"
IDLE = "idle"
EXPIRED = "expired"


def session_verdict(
    *,
    now: float,
    login_at: float,
    seen_at: float,
    idle_after: float,
    absolute_after: float,
    locks_instead: bool,
) -> str:
    """Return EXPIRED (past the absolute cap), LOCK or IDLE (idle too long), or OK."""
    if now - login_at >= absolute_after:
        return EXPIRED
    if now - seen_at >= idle_after:
        return LOCK if locks_instead else IDLE
    return OK
