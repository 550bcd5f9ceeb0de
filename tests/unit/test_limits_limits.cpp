#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "limits/limits.hpp"
#include "util/text.hpp"

using namespace regscan::limits;

TEST_SUITE_BEGIN("limits");

TEST_CASE("limits::parse_size reads bytes and binary suffixes") {
    CHECK(parse_size("4M") == 4 * MiB);
    CHECK(parse_size("512K") == 512 * KiB);
    CHECK(parse_size("1G") == GiB);
    CHECK(parse_size("1048576") == MiB);
    for (const char* bad : {"", "M", "0", "-1", "4X", "4MB", "99999999999999999999", "18014398509481984G"})
        CHECK_THROWS_AS(parse_size(bad), std::invalid_argument);
}

// Every output that echoes a value an image or a registry chose caps it the same way.
TEST_CASE("limits::echoed keeps max_echoed_value bytes at most, cut at a UTF-8 boundary, the rest counted") {
    CHECK(echoed("") == "");
    CHECK(echoed("short text \xc3\xa9") == "short text \xc3\xa9");
    const std::string exact(max_echoed_value, 'e');
    CHECK(echoed(exact) == exact);

    const std::string over = exact + "e";
    const auto cut = echoed(over);
    CHECK(cut.size() <= max_echoed_value);
    const auto marker = cut.rfind(" ... (");
    REQUIRE(marker != std::string::npos);
    CHECK(cut == over.substr(0, marker) + " ... (" + std::to_string(over.size() - marker) + " bytes left out)");
    CHECK(marker + 42 >= max_echoed_value);  // the marker takes what it needs, no more
    CHECK(echoed(cut) == cut);

    for (size_t shift : {0, 1}) {  // one of the two puts the cut inside an 'é'
        CAPTURE(shift);
        std::string accents(shift, 'a');
        for (size_t i = 0; i < max_echoed_value; ++i) accents += "\xc3\xa9";
        const auto shown = echoed(accents);
        CHECK(shown.size() <= max_echoed_value);
        CHECK(regscan::util::valid_utf8(shown) == shown);
        const auto at = shown.rfind(" ... (");
        REQUIRE(at != std::string::npos);
        CHECK(at + 42 >= max_echoed_value);
        CHECK(shown.substr(0, at) == accents.substr(0, at));
        CHECK(std::stoull(shown.substr(at + 6)) == accents.size() - at);
    }
}

TEST_CASE("limits::parse_duration reads seconds, minutes, hours and days") {
    CHECK(parse_duration("90s") == std::chrono::seconds(90));
    CHECK(parse_duration("30") == std::chrono::seconds(30));
    CHECK(parse_duration("5m") == std::chrono::seconds(300));
    CHECK(parse_duration("2h") == std::chrono::seconds(7200));
    CHECK(parse_duration("1d") == std::chrono::seconds(86400));
    for (const char* bad : {"", "0s", "m", "5x", "-5m", "999999999999h"})
        CHECK_THROWS_AS(parse_duration(bad), std::invalid_argument);
}

TEST_CASE("limits::parse_duration reads zero in any unit only where zero is allowed") {
    for (const char* zero : {"0", "0s", "0m", "0h", "0d", "00"}) {
        CHECK(parse_duration(zero, ZeroDuration::allowed) == std::chrono::seconds(0));
        CHECK_THROWS_AS(parse_duration(zero), std::invalid_argument);
    }
    CHECK(parse_duration("5m", ZeroDuration::allowed) == std::chrono::seconds(300));
    for (const char* bad : {"", "m", "0x", "-0s"})
        CHECK_THROWS_AS(parse_duration(bad, ZeroDuration::allowed), std::invalid_argument);
}

TEST_CASE("limits::Limits defaults are the documented ones") {
    const Limits& l = defaults();
    CHECK(l.max_manifest_size == 4 * MiB);
    CHECK(l.max_config_size == 16 * MiB);
    CHECK(l.max_listing_size == 16 * MiB);
    CHECK(l.max_error_body == 64 * KiB);
    CHECK(l.max_layers == 500);
    CHECK(l.max_index_entries == 1000);
    CHECK(l.max_repositories == 100000);
    CHECK(l.max_listed_tags == 100000);
    CHECK(l.max_listing_pages == 10000);
    CHECK(l.listing_timeout == std::chrono::minutes(10));
    CHECK(l.discovery_timeout == std::chrono::hours(2));
    CHECK(l.max_analysed_file_size == 64 * MiB);
}

TEST_SUITE_END();
