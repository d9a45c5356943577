"""The nurse's tablet pages (/chairside/): today's board, a session step by step, and its summary."""
