#include <doctest/doctest.h>

#include "vulndb/vuln_merge.hpp"

using namespace regscan::vulndb;
using regscan::scan::Severity;

TEST_SUITE_BEGIN("vulndb");

namespace {
RecordHit hit(const std::string& id, std::vector<std::string> aliases, const std::string& fixed = "",
              const std::string& vector = "", const std::string& word = "") {
    RecordHit h;
    h.id = id;
    h.aliases = std::move(aliases);
    h.summary = id + " summary";
    h.fixed_version = fixed;
    h.cvss_vector = vector;
    h.severity_word = word;
    h.references = {"https://example.org/" + id, "https://nvd.nist.gov/shared"};
    return h;
}
const MatchedPackage pypi{"jinja2", "2.10", "PyPI"};
const MatchedPackage debian{"glibc", "2.36-9", "Debian:12"};
}  // namespace

TEST_CASE("vulndb::merge_hits keeps unrelated records apart") {
    auto out = merge_hits({hit("PYSEC-2019-217", {"CVE-2019-10906"}), hit("PYSEC-2021-66", {"CVE-2020-28493"})}, pypi);
    REQUIRE(out.size() == 2);
    CHECK(out[0].id == "PYSEC-2019-217");
    CHECK(out[1].id == "PYSEC-2021-66");
}

TEST_CASE("vulndb::merge_hits joins records that alias each other, transitively") {
    // GHSA names the CVE, PYSEC names the GHSA: one finding, primary PYSEC (PyPI's own database).
    auto out = merge_hits({hit("GHSA-g3rq-g295-4j3m", {"CVE-2020-28493"}, "2.11.3"),
                           hit("PYSEC-2021-66", {"CVE-2020-28493"}, "2.11.3"),
                           hit("CVE-2020-28493", {})},
                          pypi);
    REQUIRE(out.size() == 1);
    CHECK(out[0].id == "PYSEC-2021-66");
    CHECK(out[0].aliases == std::vector<std::string>{"CVE-2020-28493", "GHSA-g3rq-g295-4j3m"});
    CHECK(out[0].summary == "PYSEC-2021-66 summary");
    CHECK(out[0].references.size() == 4);  // three own URLs and the shared one once
    CHECK(out[0].fixed_version == "2.11.3");
}

TEST_CASE("vulndb::merge_hits picks the primary id by the ecosystem's own database") {
    auto out = merge_hits({hit("DEBIAN-CVE-2023-4911", {"CVE-2023-4911"}),
                           hit("DSA-5514-1", {"CVE-2023-4911", "DEBIAN-CVE-2023-4911"})},
                          debian);
    REQUIRE(out.size() == 1);
    CHECK(out[0].id == "DSA-5514-1");
    // The order records arrive in does not change the choice.
    auto swapped = merge_hits({hit("DSA-5514-1", {"CVE-2023-4911"}), hit("DEBIAN-CVE-2023-4911", {"CVE-2023-4911"})},
                              debian);
    CHECK(swapped[0].id == "DSA-5514-1");
    // Without a home-database id, GHSA comes before a bare CVE record.
    auto npm = merge_hits({hit("CVE-2019-10744", {}), hit("GHSA-jf85-cpcp-j695", {"CVE-2019-10744"})},
                          {"lodash", "4.17.11", "npm"});
    CHECK(npm[0].id == "GHSA-jf85-cpcp-j695");
}

TEST_CASE("vulndb::merge_hits rates a group by its highest CVSS score, else its highest word") {
    auto scored = merge_hits({hit("GHSA-a", {"CVE-1"}, "", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "LOW"),
                              hit("PYSEC-b", {"CVE-1"}, "", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")},
                             pypi);
    REQUIRE(scored.size() == 1);
    CHECK(scored[0].cvss_score == 9.8);
    CHECK(scored[0].cvss_vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    CHECK(scored[0].severity == Severity::critical);
    auto worded = merge_hits({hit("DSA-1", {"CVE-2"}, "", "", "low"), hit("DEBIAN-CVE-2", {"CVE-2"}, "", "", "high")},
                             debian);
    CHECK(worded[0].severity == Severity::high);
    CHECK(worded[0].cvss_score == 0.0);
}

TEST_CASE("vulndb::merge_hits reports the highest fix a group names") {
    auto out = merge_hits({hit("DSA-1", {"CVE-3"}, "2.36-9+deb12u3"), hit("DEBIAN-CVE-3", {"CVE-3"}, "2.36-9+deb12u10")},
                          debian);
    CHECK(out[0].fixed_version == "2.36-9+deb12u10");
}

TEST_SUITE_END();
