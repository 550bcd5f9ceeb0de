#include <doctest/doctest.h>

#include "serve/schedule.hpp"
#include "util/time.hpp"

using namespace regscan::serve;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve::parse_interval reads minutes, hours and days within bounds") {
    CHECK(parse_interval("30m") == 30min);
    CHECK(parse_interval("6h") == 6h);
    CHECK(parse_interval("1d") == 24h);
    CHECK(parse_interval("1m") == 1min);
    CHECK(parse_interval("366d") == std::chrono::minutes(366 * 24 * 60));
    for (const char* bad : {"", "m", "0m", "30", "30s", "1w", "-5m", "1.5h", "367d", " 6h", "6h ", "99999999999d",
                            "６h"})
        CHECK_MESSAGE(!parse_interval(bad), bad);
}

TEST_CASE("serve::format_interval writes the shortest unit") {
    CHECK(format_interval(90min) == "90m");
    CHECK(format_interval(6h) == "6h");
    CHECK(format_interval(48h) == "2d");
    CHECK(format_interval(default_interval) == "12h");
    CHECK(parse_interval(format_interval(25h)) == 25h);
}

TEST_CASE("serve::next_run and is_due: missed runs collapse to one") {
    auto start = *regscan::util::parse_rfc3339("2026-01-01T00:00:00Z");
    auto next = next_run(start, 6h);
    CHECK(regscan::util::format_utc(next) == "2026-01-01T06:00:00Z");
    CHECK_FALSE(is_due(next, start + 5h + 59min));
    CHECK(is_due(next, start + 6h));
    // Down for three days: one run now, and the next an interval after now.
    auto now = start + 72h + 17min;
    CHECK(is_due(next, now));
    auto after = next_run(now, 6h);
    CHECK(regscan::util::format_utc(after) == "2026-01-04T06:17:00Z");
    CHECK_FALSE(is_due(after, now));
}

TEST_SUITE_END();
