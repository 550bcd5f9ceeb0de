#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "oci/manifest.hpp"
#include "util/json_number.hpp"

using regscan::util::json_integer;

TEST_SUITE_BEGIN("util");

TEST_CASE("util::json_integer gives the fallback for floats and out-of-range numbers") {
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

TEST_SUITE_END();
