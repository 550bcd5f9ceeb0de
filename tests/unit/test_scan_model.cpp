#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "scan/model.hpp"
#include "scan/model_json.hpp"

using regscan::scan::Vulnerability;

TEST_SUITE_BEGIN("scan");

TEST_CASE("scan::status_of: a known fix, else the distribution's word, else affected; JSON keeps it") {
    Vulnerability v;
    v.id = "DEBIAN-CVE-2005-2541";
    CHECK(regscan::scan::status_of(v) == "affected");
    v.status = "end_of_life";
    CHECK(regscan::scan::status_of(v) == "end_of_life");
    CHECK(regscan::scan::status_words(v) == "end of life");

    nlohmann::json written = v;
    CHECK(written["status"] == "end_of_life");
    CHECK(written.get<Vulnerability>().status == "end_of_life");

    v.fixed_version = "1.35";
    written = v;
    CHECK(written["status"] == "fixed");
    CHECK(written.get<Vulnerability>().status.empty());  // fixed follows from fixed_version

    // A result stored before statuses existed has none; a word regscan does not know is not taken.
    nlohmann::json stored = {{"id", "X"}, {"fixed_version", ""}};
    CHECK(regscan::scan::status_of(stored.get<Vulnerability>()) == "affected");
    stored["status"] = "pwned\x1b[31m";
    CHECK(stored.get<Vulnerability>().status.empty());
    stored["status"] = "under_investigation";
    CHECK(stored.get<Vulnerability>().status == "under_investigation");
}

TEST_SUITE_END();
