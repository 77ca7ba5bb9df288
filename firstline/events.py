"""Events a lower app announces and a higher app follows, so that the lower one need not import
the higher (apps depend downward only).

    from firstline import events
    events.announce("isolation_started", area=grid)          # isolation, people ...
    events.follow("isolation_started", places_follow)        # operations' AppConfig.ready

A follower runs at once, inside the announcer's transaction: what it writes commits or rolls
back with the announcing write. Events with followers today (operations makes the
disinfection places they call for): compounds_created, isolation_started, lockdown_started,
room_vacated — each with `area`, the area whose subtree changed.
"""

from collections import defaultdict

_followers: dict[str, list] = defaultdict(list)


def follow(event: str, follower) -> None:
    if follower not in _followers[event]:
        _followers[event].append(follower)


def announce(event: str, **data) -> None:
    for follower in list(_followers[event]):
        follower(**data)
