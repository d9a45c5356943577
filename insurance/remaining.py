"""What is left of an authorization's grant: units or infusions approved, less those used and those
reserved by booked sessions. Pure: the model's figures and the insurer list's rows both call it."""


def remaining(approved: int | None, used: int, reserved: int) -> int | None:
    """None when the grant is not counted in this measure (nothing approved in it)."""
    if approved is None:
        return None
    return approved - used - reserved
