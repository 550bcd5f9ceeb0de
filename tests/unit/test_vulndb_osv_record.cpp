#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vulndb/osv_record.hpp"

using namespace regscan::vulndb;

TEST_SUITE_BEGIN("vulndb");

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

OsvRecord parsed(const std::string& json) {
    auto result = parse_osv_record(json);
    if (auto* error = std::get_if<OsvError>(&result)) FAIL("refused: " << error->reason);
    return std::get<OsvRecord>(result);
}

std::string refusal(const std::string& json) {
    auto result = parse_osv_record(json);
    if (auto* error = std::get_if<OsvError>(&result)) return error->reason;
    return "accepted";
}

const std::string minimal_head = R"({"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-01-02T03:04:05Z", )";

}  // namespace

TEST_CASE("vulndb::parse_osv_record reads a real pypa record") {
    auto record = parsed(slurp(REGSCAN_SHARED_DIR "/reference/osv/pypi/PYSEC-2005-1.json"));
    CHECK(record.id == "PYSEC-2005-1");
    CHECK(record.modified == "2021-07-16T01:31:33.917972000Z");
    CHECK_FALSE(record.withdrawn);
    CHECK(record.aliases == std::vector<std::string>{"CVE-2005-4644"});
    CHECK(record.summary.rfind("Cross-site scripting (XSS) vulnerability in the HTML WikiProcessor", 0) == 0);
    REQUIRE(record.affected.size() == 1);
    CHECK(record.affected[0].ecosystem == "PyPI");
    CHECK(record.affected[0].name == "trac");
    CHECK(record.affected[0].versions == std::vector<std::string>{"0.8.4", "0.9"});
    REQUIRE(record.affected[0].ranges.size() == 1);
    CHECK(record.affected[0].ranges[0].type == "ECOSYSTEM");
    REQUIRE(record.affected[0].ranges[0].events.size() == 2);
    CHECK(record.affected[0].ranges[0].events[1].kind == EventKind::fixed);
    CHECK(record.affected[0].ranges[0].events[1].version == "0.10");
    CHECK(record.references.size() == 8);
}

TEST_CASE("vulndb::parse_osv_record reads withdrawn and AlmaLinux records") {
    auto withdrawn = parsed(slurp(REGSCAN_SHARED_DIR "/reference/osv/go/GO-2024-2730.json"));
    CHECK(withdrawn.withdrawn);
    // AlmaLinux rates an advisory in its summary and lists the CVEs as related.
    auto alma = parsed(slurp(REGSCAN_SHARED_DIR "/reference/osv/almalinux9/ALBA-2022:8256.json"));
    CHECK(alma.severity_word == "Important");
    CHECK(alma.affected[0].ecosystem == "AlmaLinux:9");
}

TEST_CASE("vulndb::parse_osv_record takes a rating from a non-CVSS severity entry") {
    // Ubuntu's records rate with {"type": "Ubuntu", "score": "medium"} beside the CVSS vectors.
    auto record = parsed(minimal_head + R"("severity": [
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H"},
        {"type": "Ubuntu", "score": "medium"}]})");
    CHECK(record.severity_word == "medium");
    auto ghsa = parsed(minimal_head + R"("severity": [{"type": "Ubuntu", "score": "low"}],
        "database_specific": {"severity": "HIGH"}})");
    CHECK(ghsa.severity_word == "HIGH");  // database_specific wins
}

TEST_CASE("vulndb::normalise_timestamp gives sortable UTC text") {
    CHECK(normalise_timestamp("2021-07-16T01:31:33.917972Z") == "2021-07-16T01:31:33.917972000Z");
    CHECK(normalise_timestamp("2023-09-05T22:24:55Z") == "2023-09-05T22:24:55.000000000Z");
    CHECK(normalise_timestamp("2024-01-01T02:00:00+02:00") == "2024-01-01T00:00:00.000000000Z");
    CHECK(normalise_timestamp("0001-01-01T00:00:00Z") == "0001-01-01T00:00:00.000000000Z");  // Go's zero time
    CHECK(normalise_timestamp("2026-09-12T11:00:05.986201214123Z") == "2026-09-12T11:00:05.986201214Z");
    CHECK(normalise_timestamp("2024-01-01 00:00:00Z") == "");
    CHECK(normalise_timestamp("yesterday") == "");
    // Later times sort later as text, whatever the precision written.
    CHECK(normalise_timestamp("2024-01-01T00:00:00.5Z") > normalise_timestamp("2024-01-01T00:00:00.49999Z"));
}

TEST_CASE("vulndb::parse_osv_record refuses malformed records with the reason") {
    CHECK(refusal("{\"id\": \"X-1\"").rfind("not JSON", 0) == 0);
    CHECK(refusal("[1, 2]") == "the record is not a JSON object");
    CHECK(refusal(R"({"modified": "2024-01-02T03:04:05Z"})") == "id: missing");
    CHECK(refusal(R"({"id": "GHSA 1", "modified": "2024-01-02T03:04:05Z"})") == "id: not an identifier: \"GHSA 1\"");
    CHECK(refusal(R"({"id": "GHSA-1"})") == "modified: missing");
    CHECK(refusal(R"({"id": "GHSA-1", "modified": "yesterday"})") ==
          "modified: not an RFC 3339 time: \"yesterday\"");
    CHECK(refusal(minimal_head + R"("aliases": "CVE-2024-1"})") == "aliases: not an array");
    CHECK(refusal(minimal_head + R"("affected": [{"package": {"ecosystem": "npm"}}]})") ==
          "affected[0].package.name: missing");
    CHECK(refusal(minimal_head +
                  R"("affected": [{"package": {"ecosystem": "npm", "name": "x"}, "ranges": [{"type": "SEMVER",
                     "events": [{"introduced": "0", "fixed": "1.0.2"}]}]}]})") ==
          "affected[0].ranges[0].events[0]: an event holds exactly one of introduced, fixed, last_affected, limit: "
          "{\"fixed\":\"1.0.2\",\"introduced\":\"0\"}");
    CHECK(refusal(minimal_head +
                  R"("affected": [{"package": {"ecosystem": "npm", "name": "x"}, "ranges": [{"type": "SEMVER",
                     "events": [{"fixed": "1.0.2"}]}]}]})") == "affected[0].ranges[0].events: no introduced event");
    CHECK(refusal(minimal_head +
                  R"("affected": [{"package": {"ecosystem": "npm", "name": "x"}, "ranges": [{"type": "SEMVER",
                     "events": [{"introduced": "0"}, {"fixed": "2"}, {"last_affected": "1"}]}]}]})") ==
          "affected[0].ranges[0].events: both fixed and last_affected events");
    CHECK(refusal(minimal_head + R"("affected": [{"package": {"ecosystem": "npm", "name": "x"},
                     "ranges": [{"events": [{"introduced": "0"}]}]}]})") == "affected[0].ranges[0].type: missing");
    CHECK(refusal(minimal_head + R"("severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}],
                     "affected": [{"package": {"ecosystem": "npm", "name": "x"},
                                   "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L"}]}]})") ==
          "severity is set both for the record and for an affected package");
}

// Found by tests/fuzz/fuzz_osv_record: json::parse throws out_of_range, not
// parse_error, for a number beyond a double, which escaped and ended the
// whole import instead of refusing one record.
TEST_CASE("vulndb::parse_osv_record refuses a number out of range instead of throwing") {
    std::string reason;
    CHECK_NOTHROW(reason = refusal(minimal_head + R"("database_specific": {"cvss": 999999999998.9999e99994}})"));
    CHECK(reason.rfind("not JSON", 0) == 0);
    CHECK(reason.find("number overflow") != std::string::npos);
}

TEST_CASE("vulndb::parse_osv_record names the id of a refused record when it has one") {
    auto result = parse_osv_record(minimal_head + R"("affected": 7})");
    REQUIRE(std::holds_alternative<OsvError>(result));
    CHECK(std::get<OsvError>(result).id == "GHSA-aaaa-bbbb-cccc");
    CHECK(std::get<OsvError>(result).reason == "affected: not an array");
}

TEST_CASE("vulndb::parse_osv_record accepts every reference record") {
    size_t accepted = 0;
    for (const char* dir : {"pypi", "go", "almalinux9"})
        for (const auto& file : std::filesystem::directory_iterator(std::string(REGSCAN_SHARED_DIR "/reference/osv/") + dir)) {
            if (file.path().extension() != ".json") continue;
            auto result = parse_osv_record(slurp(file.path()));
            if (auto* error = std::get_if<OsvError>(&result)) FAIL(file.path().string() << ": " << error->reason);
            ++accepted;
        }
    CHECK(accepted == 2661 + 4291 + 1783);
}

TEST_SUITE_END();
