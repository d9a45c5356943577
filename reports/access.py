"""Who may read reports: managers and schedulers (their role grants `reports.view_report`); nurses and
insurers may not. Reports may cover every site, so they are for staff who see every site."""

PERMISSION = "reports.view_report"


def may_read_reports(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(PERMISSION))
