"""What the bench scripts share. Import after django.setup()."""

import os
import time

from django.db import connection

SQL_WIDTH = int(os.environ.get("BENCH_SQL_WIDTH", "120"))  # how much of each statement BENCH_SHOW_SQL prints


class QueryCounter:
    """Counts (and times) the SQL statements run inside it.

    Counted at the cursor: the test client closes the connection after each request, and
    CaptureQueriesContext's log does not survive that.
    """

    def __init__(self):
        self.count = 0
        self.sql_ms: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql_ms.append(((time.perf_counter() - t0) * 1000, sql[:SQL_WIDTH]))

    def __len__(self):
        return self.count

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
        if os.environ.get("BENCH_SHOW_SQL"):  # BENCH_SHOW_SQL=1 lists each statement with its time
            for ms, sql in self.sql_ms:
                print(f"  {ms:6.2f}ms  {sql}")
