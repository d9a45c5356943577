"""The chairside record's writes (`services_session`, `services_charting`, sharing `submissions`) and
the nurse's tablet pages (/chairside/): today's board, a session step by step, and its summary."""
