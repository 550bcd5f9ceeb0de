#include <doctest/doctest.h>

#include "vulndb/cvss.hpp"

using namespace regscan::vulndb;
using regscan::scan::Severity;

TEST_SUITE_BEGIN("vulndb");

namespace {
double score(const char* vector) {
    auto computed = cvss3_base_score(vector);
    return computed ? *computed : -1.0;
}
}  // namespace

// Base scores NVD published for these CVEs (nvd.nist.gov/vuln/detail/<id>,
// "CVSS 3.x Severity and Vectors", NIST as the scoring source).
TEST_CASE("vulndb::cvss3_base_score matches NVD's scores of real CVEs") {
    // CVE-2021-44228 (Log4Shell): 10.0 CRITICAL, scope changed.
    CHECK(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H") == 10.0);
    // CVE-2014-0160 (Heartbleed): 7.5 HIGH.
    CHECK(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N") == 7.5);
    // CVE-2019-10744 (lodash defaultsDeep prototype pollution): 9.1 CRITICAL.
    CHECK(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H") == 9.1);
    // CVE-2023-4911 (glibc "Looney Tunables"): 7.8 HIGH.
    CHECK(score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H") == 7.8);
    // CVE-2020-11022 (jQuery htmlPrefilter XSS): 6.1 MEDIUM, scope changed.
    CHECK(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N") == 6.1);
    // CVE-2023-28321 (curl IDN wildcard match): 5.9 MEDIUM.
    CHECK(score("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N") == 5.9);
    // CVE-2021-3177 (CPython ctypes buffer overflow): 9.8 CRITICAL.
    CHECK(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8);
}

TEST_CASE("vulndb::cvss3_base_score follows the formula at the edges") {
    // No impact: 0.0 whatever the exploitability.
    CHECK(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N") == 0.0);
    // 6.42*0.22 + 8.22*0.55*0.44*0.27*0.62 = 1.7455..., rounded up to 1.8.
    CHECK(score("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N") == 1.8);
    // Scope changed raises PR:L to 0.68: stored XSS, 5.4.
    CHECK(score("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N") == 5.4);
    // v3.0 vectors score with the same base equations.
    CHECK(score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8);
    // Temporal and environmental metrics do not change the base score.
    CHECK(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C/CR:L") == 9.8);
    // Metric order is free.
    CHECK(score("CVSS:3.1/S:U/AV:N/C:H/AC:L/I:H/PR:N/A:H/UI:N") == 9.8);
}

TEST_CASE("vulndb::cvss3_base_score refuses malformed vectors") {
    CHECK_FALSE(cvss3_base_score("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));          // no version prefix
    CHECK_FALSE(cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"));     // A missing
    CHECK_FALSE(cvss3_base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));  // unknown value
    CHECK_FALSE(cvss3_base_score("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));  // repeated
    CHECK_FALSE(cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/"));  // empty part
    CHECK_FALSE(cvss3_base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"));
    CHECK_FALSE(cvss3_base_score(""));
}

TEST_CASE("vulndb::severity_for_score uses the CVSS v3.1 rating bands") {
    CHECK(severity_for_score(0.1) == Severity::low);
    CHECK(severity_for_score(3.9) == Severity::low);
    CHECK(severity_for_score(4.0) == Severity::medium);
    CHECK(severity_for_score(6.9) == Severity::medium);
    CHECK(severity_for_score(7.0) == Severity::high);
    CHECK(severity_for_score(8.9) == Severity::high);
    CHECK(severity_for_score(9.0) == Severity::critical);
    CHECK(severity_for_score(10.0) == Severity::critical);
}

TEST_CASE("vulndb::severity_from_word reads the databases' own ratings") {
    CHECK(severity_from_word("CRITICAL") == Severity::critical);    // GHSA database_specific
    CHECK(severity_from_word("Important") == Severity::high);       // AlmaLinux/Red Hat
    CHECK(severity_from_word("MODERATE") == Severity::medium);      // GHSA
    CHECK(severity_from_word("medium") == Severity::medium);        // Debian urgency
    CHECK(severity_from_word("Low") == Severity::low);
    CHECK(severity_from_word("unimportant") == Severity::low);      // Debian urgency
    CHECK(severity_from_word("not yet assigned") == Severity::unknown);
    CHECK(severity_from_word("") == Severity::unknown);
}

TEST_SUITE_END();
