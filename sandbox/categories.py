"""YouTube's video categories (ids, titles, and whether a video may be put in them)."""

from __future__ import annotations

# The channel that owns YouTube's built-in categories.
CATEGORY_CHANNEL_ID = "UCBR8-60-B28hp2BmDPdntcQ"

# (id, title, assignable), as videoCategories.list answers for most regions.
CATEGORIES: list[tuple[str, str, bool]] = [
    ("1", "Film & Animation", True),
    ("2", "Autos & Vehicles", True),
    ("10", "Music", True),
    ("15", "Pets & Animals", True),
    ("17", "Sports", True),
    ("18", "Short Movies", False),
    ("19", "Travel & Events", True),
    ("20", "Gaming", True),
    ("21", "Videoblogging", False),
    ("22", "People & Blogs", True),
    ("23", "Comedy", True),
    ("24", "Entertainment", True),
    ("25", "News & Politics", True),
    ("26", "Howto & Style", True),
    ("27", "Education", True),
    ("28", "Science & Technology", True),
    ("29", "Nonprofits & Activism", True),
    ("30", "Movies", False),
    ("31", "Anime/Animation", False),
    ("32", "Action/Adventure", False),
    ("33", "Classics", False),
    ("34", "Comedy", False),
    ("35", "Documentary", False),
    ("36", "Drama", False),
    ("37", "Family", False),
    ("38", "Foreign", False),
    ("39", "Horror", False),
    ("40", "Sci-Fi/Fantasy", False),
    ("41", "Thriller", False),
    ("42", "Shorts", False),
    ("43", "Shows", False),
    ("44", "Trailers", False),
]

ASSIGNABLE_IDS = frozenset(cid for cid, _, assignable in CATEGORIES if assignable)
DEFAULT_CATEGORY_ID = "22"


def category_title(category_id: str) -> str | None:
    for cid, title, _ in CATEGORIES:
        if cid == category_id:
            return title
    return None
