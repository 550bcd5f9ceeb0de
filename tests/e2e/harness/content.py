"""What a test pushed, and the inventory rows regscan must report for it."""
import datetime
import re

_RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


def utc_second(created):
    """An RFC 3339 time as `YYYY-MM-DDTHH:MM:SSZ` in UTC, fraction dropped."""
    m = _RFC3339.match(created)
    if not m:
        raise ValueError(f"not RFC 3339: {created}")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    zone = m.group(8)
    if zone in "Zz":
        offset = datetime.timedelta(0)
    else:
        sign = 1 if zone[0] == "+" else -1
        offset = sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    local = datetime.datetime(year, month, day, hour, minute, second)
    return (local - offset).strftime("%Y-%m-%dT%H:%M:%SZ")


class Entry:
    """One repository:tag. created: {platform: RFC 3339} ("" key for a single image);
    None for a non-image artifact."""

    def __init__(self, repo, tag, created):
        self.repo, self.tag, self.created = repo, tag, created

    def build_time(self, platform="linux/amd64"):
        if self.created is None:
            return ""
        if "" in self.created:
            return utc_second(self.created[""])
        if platform == "all":
            return max(utc_second(c) for c in self.created.values())
        if platform not in self.created:
            return ""  # an index without the platform: no config is read
        return utc_second(self.created[platform])


class Inventory:
    """The images a test pushed to one registry host."""

    def __init__(self, host):
        self.host = host
        self.entries = {}

    def add(self, repo, tag, created):
        self.entries[(repo, tag)] = Entry(repo, tag, created)

    def keys(self):
        return sorted(self.entries)

    def rows(self, skipped=(), platform="linux/amd64", failed=(), missing=(), unmatched=()):
        """Expected dry-run CSV rows sorted by repository then tag.

        skipped: (repo, tag) keys skipped by filters, tag limits or --max-images: a dry
        run still reads and reports their build time. unmatched: keys skipped because
        no manifest matches the platform (no build time). Artifacts are always skipped,
        without a build time. failed: keys whose build time could not be read.
        missing: repositories whose tags could not be listed (no rows).
        """
        rows = []
        for key in self.keys():
            entry = self.entries[key]
            if entry.repo in missing:
                continue
            is_skipped = key in skipped or key in unmatched or entry.created is None
            build_time = "" if key in unmatched or key in failed else entry.build_time(platform)
            rows.append((f"{self.host}/{entry.repo}", entry.tag, build_time,
                         "true" if is_skipped else "false"))
        return rows
