"""REDIS_URL spellings: TCP and the embedded server's Unix socket, with a database number on each."""

import pytest

from config.envtools import broker_url, cache_location, redis_database, with_redis_database


@pytest.mark.parametrize(
    ("url", "broker", "cache", "db"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0", 0),
        ("redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/5", 5),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379", "redis://127.0.0.1:6379", 0),
        ("unix:///srv/redis.sock", "redis+socket:///srv/redis.sock", "unix:///srv/redis.sock", 0),
        (
            "unix:///srv/redis.sock?db=3",
            "redis+socket:///srv/redis.sock?virtual_host=3",
            "unix:///srv/redis.sock?db=3",
            3,
        ),
        (
            "redis+socket:///srv/redis.sock?virtual_host=2",
            "redis+socket:///srv/redis.sock?virtual_host=2",
            "unix:///srv/redis.sock?db=2",
            2,
        ),
    ],
)
def test_each_spelling_reaches_the_same_server_and_database(url, broker, cache, db):
    assert broker_url(url) == broker
    assert cache_location(url) == cache
    assert redis_database(url) == db


def test_another_database_on_a_unix_socket_keeps_the_socket_path():
    # The embedded Redis listens on a socket whose path once was read as a database number.
    url = "redis+socket:///home/me/clinic/.local/redis/redis.sock"
    other = with_redis_database(url, redis_database(url) + 1)
    assert other == "redis+socket:///home/me/clinic/.local/redis/redis.sock?virtual_host=1"
    assert cache_location(other) == "unix:///home/me/clinic/.local/redis/redis.sock?db=1"


def test_another_database_on_tcp_replaces_the_path():
    assert with_redis_database("redis://127.0.0.1:6379/4", 5) == "redis://127.0.0.1:6379/5"


def test_a_url_of_another_kind_is_refused():
    with pytest.raises(ValueError, match="REDIS_URL must start with"):
        broker_url("memcached://localhost")
