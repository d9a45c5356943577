"""Models arrive with the infusions issue."""
