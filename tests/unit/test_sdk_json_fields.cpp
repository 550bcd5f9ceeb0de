#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "oci/manifest.hpp"
#include "regscan/json_fields.hpp"
#include "regscan/registry.hpp"

using regscan::sdk::json_integer;
using regscan::sdk::json_seconds_value;

TEST_SUITE_BEGIN("sdk");

TEST_CASE("sdk::json_integer gives the fallback for floats and out-of-range numbers") {
    auto j = nlohmann::json::parse(R"({"a": 7, "big": 9222222222222222222222222, "float": 2.5e104,
                                        "neg": -1, "huge": 18446744073709551615, "text": "7"})");
    CHECK(json_integer(j, "a", 0) == 7);
    CHECK(json_integer(j, "big", 0) == 0);
    CHECK(json_integer(j, "float", 0) == 0);
    CHECK(json_integer(j, "neg", 3u) == 3u);
    CHECK(json_integer(j, "neg", 0L) == -1);
    CHECK(json_integer(j, "huge", 0LL) == 0);
    CHECK(json_integer(j, "huge", uint64_t{0}) == 18446744073709551615ull);
    CHECK(json_integer(j, "text", 5) == 5);
    CHECK(json_integer(j, "missing", 9) == 9);
    CHECK(json_integer(nlohmann::json::array(), "a", 1) == 1);
}

TEST_CASE("oci::parse_manifest takes a huge schemaVersion or size as absent (fuzz regression)") {
    auto m = regscan::oci::parse_manifest(
        R"({"schemaVersion": 2.55556e104, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 1e300,
                       "digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000"},
            "layers": []})",
        "");
    CHECK(m.config.size == 0);
}

TEST_CASE("sdk::json_seconds_value takes integers and floats that fit a time point, nothing else") {
    using nlohmann::json;
    CHECK(json_seconds_value(json(1546305567)) == 1546305567);
    CHECK(json_seconds_value(json(1546305567.75)) == 1546305567);
    CHECK(json_seconds_value(json(-3600)) == -3600);
    CHECK(json_seconds_value(json(regscan::sdk::max_json_seconds)) == regscan::sdk::max_json_seconds);
    CHECK_FALSE(json_seconds_value(json(regscan::sdk::max_json_seconds + 1)));
    CHECK_FALSE(json_seconds_value(json(6.66667e75)));
    CHECK_FALSE(json_seconds_value(json(std::numeric_limits<double>::infinity())));
    CHECK_FALSE(json_seconds_value(json(18446744073709551615ull)));
    CHECK_FALSE(json_seconds_value(json("1546305567")));
}

TEST_CASE("sdk SessionConfig limits and Probe status out of range read as absent (fuzz regression)") {
    auto config = nlohmann::json::parse(R"({"url": "https://r", "limits": {"repositories": 6.66667e75, "tags": -1}})")
                      .get<regscan::sdk::SessionConfig>();
    CHECK(config.max_repositories == 0);
    CHECK(config.max_tags == 0);
    auto probe = nlohmann::json::parse(R"({"url": "https://r", "ping": {"status": 1e300}})").get<regscan::sdk::Probe>();
    CHECK(probe.ping_status == 0);
}

TEST_SUITE_END();
