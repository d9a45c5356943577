"""Settings for bench/http_bench.py: production's, plus one bare DRF view (bench/bench_urls.py) that
answers a constant through the same middleware, the yardstick every endpoint is measured against.

Used only by the bench; nothing deployed imports it.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
