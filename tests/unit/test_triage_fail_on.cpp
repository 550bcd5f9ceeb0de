#include <doctest/doctest.h>

#include "triage/fail_on.hpp"

using regscan::scan::Severity;
using regscan::triage::fail_on_reason;
using regscan::triage::InputError;
using regscan::triage::parse_fail_on;

TEST_SUITE_BEGIN("triage");

TEST_CASE("triage::parse_fail_on keeps a plain severity meaning vulnerabilities, misconfigurations and malware") {
    auto f = parse_fail_on("medium");
    CHECK(f.vulnerabilities == Severity::medium);
    CHECK(f.misconfigurations == Severity::medium);
    CHECK(f.malware);
}

TEST_CASE("triage::parse_fail_on reads categories with optional severities") {
    auto f = parse_fail_on("vulnerabilities:high, misconfigurations:critical,malware");
    CHECK(f.vulnerabilities == Severity::high);
    CHECK(f.misconfigurations == Severity::critical);
    CHECK(f.malware);
    auto any = parse_fail_on("vulnerabilities");
    CHECK(any.vulnerabilities == Severity::unknown);
    CHECK_FALSE(any.misconfigurations);
    CHECK_FALSE(any.malware);
    auto mixed = parse_fail_on("high,malware");
    CHECK(mixed.vulnerabilities == Severity::high);
    CHECK(mixed.misconfigurations == Severity::high);
    CHECK(mixed.malware);
    CHECK_THROWS_AS(parse_fail_on("severe"), InputError);
    CHECK_THROWS_AS(parse_fail_on("vulnerabilities:urgent"), InputError);
    CHECK_THROWS_AS(parse_fail_on("malware:high"), InputError);
    CHECK_THROWS_AS(parse_fail_on("vulnerabilities,vulnerabilities:low"), InputError);
    CHECK_THROWS_AS(parse_fail_on("high,misconfigurations"), InputError);
    CHECK_THROWS_AS(parse_fail_on(""), InputError);
}

TEST_CASE("triage::fail_on_reason counts only the categories asked for, at or above their floor") {
    size_t vulnerabilities[5] = {0, 0, 2, 0, 0};    // 2 medium
    size_t misconfigurations[5] = {0, 0, 0, 1, 0};  // 1 high
    regscan::triage::FindingCounts counts{vulnerabilities, misconfigurations, 0};
    CHECK(fail_on_reason(parse_fail_on("medium"), counts) ==
          "2 vulnerabilities at or above medium, 1 misconfigurations at or above medium");
    CHECK(fail_on_reason(parse_fail_on("vulnerabilities:high"), counts).empty());
    CHECK(fail_on_reason(parse_fail_on("vulnerabilities:high,misconfigurations:critical"), counts).empty());
    CHECK(fail_on_reason(parse_fail_on("misconfigurations"), counts) == "1 misconfigurations of any severity");
    CHECK(fail_on_reason(parse_fail_on("malware"), counts).empty());
    counts.malware = 3;
    CHECK(fail_on_reason(parse_fail_on("malware"), counts) == "3 malware findings");
    CHECK(fail_on_reason(parse_fail_on("critical"), counts) == "3 malware findings");
}

TEST_SUITE_END();
