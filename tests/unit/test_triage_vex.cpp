#include <doctest/doctest.h>

#include "triage/input.hpp"
#include "triage/vex.hpp"

using regscan::triage::InputError;
using regscan::triage::parse_vex;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_vex(text, "doc.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_SUITE_BEGIN("triage");

TEST_CASE("triage::parse_vex reads OpenVEX 0.2 statements with products and subcomponents") {
    auto doc = parse_vex(R"({
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.com/vex/1",
      "statements": [
        {"vulnerability": {"name": "CVE-2023-1", "aliases": ["GHSA-aaaa-bbbb-cccc"]},
         "products": [{"@id": "pkg:oci/api?repository_url=127.0.0.1:5000/team/api",
                       "subcomponents": [{"@id": "pkg:deb/debian/openssl"}]},
                      {"@id": "pkg:npm/lodash@4.17.20"},
                      {"@id": "https://example.com/not-a-purl"}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
         "impact_statement": "never called"},
        {"vulnerability": "CVE-2023-2", "products": ["pkg:npm/a"], "status": "under_investigation"}
      ]})",
                         "doc.json");
    CHECK(doc.format == "openvex");
    REQUIRE(doc.statements.size() == 2);
    const auto& s = doc.statements[0];
    CHECK(s.ids == std::vector<std::string>{"CVE-2023-1", "GHSA-aaaa-bbbb-cccc"});
    CHECK(s.status == "not_affected");
    CHECK(s.justification == "vulnerable_code_not_in_execute_path");
    CHECK(s.reason == "never called");
    REQUIRE(s.targets.size() == 2);
    CHECK(s.targets[0].image->name == "api");
    CHECK(s.targets[0].package->name == "openssl");
    CHECK_FALSE(s.targets[1].image);
    CHECK(s.targets[1].package->version == "4.17.20");
    REQUIRE(doc.warnings.size() == 1);
    CHECK(doc.warnings[0].find("statements[0].products[2]") != std::string::npos);
    CHECK(doc.statements[1].ids == std::vector<std::string>{"CVE-2023-2"});
    CHECK(doc.statements[1].status == "under_investigation");
}

TEST_CASE("triage::parse_vex reads CycloneDX VEX, resolving affects refs through the components") {
    auto doc = parse_vex(R"({
      "bomFormat": "CycloneDX", "specVersion": "1.5",
      "components": [{"type": "container", "bom-ref": "img", "name": "api",
                      "purl": "pkg:oci/api@sha256%3Aabc",
                      "components": [{"type": "library", "bom-ref": "ssl", "name": "openssl",
                                      "purl": "pkg:deb/debian/openssl@3.0.11"}]}],
      "vulnerabilities": [
        {"id": "CVE-2023-1", "references": [{"id": "DSA-1-1"}],
         "analysis": {"state": "not_affected", "justification": "code_not_reachable", "detail": "why"},
         "affects": [{"ref": "ssl"}, {"ref": "img"}, {"ref": "pkg:npm/x@1"},
                     {"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:pypi/y"}, {"ref": "unknown"}]},
        {"id": "CVE-2023-2", "analysis": {"state": "false_positive"}, "affects": [{"ref": "ssl"}]},
        {"id": "CVE-2023-3", "analysis": {"state": "exploitable"}, "affects": [{"ref": "ssl"}]}
      ]})",
                         "doc.json");
    CHECK(doc.format == "cyclonedx");
    REQUIRE(doc.statements.size() == 3);
    const auto& s = doc.statements[0];
    CHECK(s.ids == std::vector<std::string>{"CVE-2023-1", "DSA-1-1"});
    CHECK(s.status == "not_affected");
    CHECK(s.justification == "code_not_reachable");
    CHECK(s.reason == "why");
    REQUIRE(s.targets.size() == 4);
    CHECK(s.targets[0].image->name == "api");  // the container it sits in
    CHECK(s.targets[0].package->name == "openssl");
    CHECK(s.targets[1].image->name == "api");
    CHECK_FALSE(s.targets[1].package);
    CHECK(s.targets[2].package->name == "x");
    CHECK(s.targets[3].package->type == "pypi");
    CHECK(doc.warnings.size() == 1);
    CHECK(doc.statements[1].status == "not_affected");
    CHECK(doc.statements[1].justification == "false_positive");
    CHECK(doc.statements[2].status == "affected");
}

TEST_CASE("triage::parse_vex names the file and the line or JSON path of a problem") {
    CHECK(error_of("{\n  \"statements\": [\n   ,]\n}").rfind("doc.json:3: not valid JSON", 0) == 0);
    CHECK(error_of("[]") == "doc.json: not a JSON object");
    CHECK(error_of(R"({"bomFormat": "SPDX"})").rfind("doc.json: neither OpenVEX", 0) == 0);
    CHECK(error_of(R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"name": "CVE-1"}, "products": [], "status": "maybe"}]})") ==
          "doc.json: statements[0].status: 'maybe' is not not_affected, affected, fixed or under_investigation");
    CHECK(error_of(R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"status": "fixed"}]})") ==
          "doc.json: statements[0].vulnerability: missing (a name such as CVE-2023-1234)");
    CHECK(error_of(R"({"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": "nah"}}]})")
              .rfind("doc.json: vulnerabilities[0].analysis.state: 'nah'", 0) == 0);
    CHECK(error_of(R"({"statements": [1e99999]})").rfind("doc.json: not usable JSON", 0) == 0);
    std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
    CHECK(error_of(deep) == "doc.json:1: nested deeper than 64 levels");
    // A flood of tiny values is refused before a tree of them is built.
    std::string flood = "{\"statements\": [";
    for (int i = 0; i < 4000000; ++i) flood += "0,";
    flood += "0]}";
    CHECK(error_of(flood) == "doc.json:1: more than 4000000 JSON values");
}



TEST_CASE("triage::parse_vex keeps at most 20 warnings per document and counts the rest") {
    std::string statements;
    for (int i = 0; i < 30; ++i)
        statements += std::string(i ? "," : "") +
                      R"({"vulnerability": "CVE-1", "products": ["cpe:/a:x"], "status": "not_affected"})";
    auto doc = parse_vex(R"({"@context": "https://openvex.dev/ns/v0.0.1", "statements": [)" + statements + "]}",
                         "doc.json");
    CHECK(doc.statements.size() == 30);
    REQUIRE(doc.warnings.size() == 21);
    CHECK(doc.warnings.back() == "... and 40 more like these");
}
TEST_SUITE_END();
