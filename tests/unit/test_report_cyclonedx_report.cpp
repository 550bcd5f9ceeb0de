#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "report/cyclonedx_report.hpp"
#include "report/report_file.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

namespace {

nlohmann::json rich_bom(const std::filesystem::path& dir) {
    report::CycloneDxReport reporter(rich_run(dir));
    feed(reporter, rich_images());
    auto paths = reporter.finish(rich_summary());
    REQUIRE(paths.size() == 1);
    CHECK(paths[0] == (dir / "127-0-0-1-5000-report.cdx.json").string());
    return read_json(paths[0]);
}

void collect_refs(const nlohmann::json& node, std::vector<std::string>& refs) {
    if (node.is_object()) {
        if (node.contains("bom-ref")) refs.push_back(node["bom-ref"]);
        for (const auto& [key, value] : node.items()) collect_refs(value, refs);
    } else if (node.is_array()) {
        for (const auto& value : node) collect_refs(value, refs);
    }
}

const nlohmann::json& vulnerability(const nlohmann::json& bom, const std::string& id) {
    for (const auto& v : bom["vulnerabilities"])
        if (v["id"] == id) return v;
    FAIL("no vulnerability " << id);
    throw std::logic_error("unreachable");
}

std::set<std::string> affected_refs(const nlohmann::json& v) {
    std::set<std::string> refs;
    for (const auto& affect : v["affects"]) refs.insert(affect["ref"].get<std::string>());
    return refs;
}

const std::string api_amd64 = "image:127.0.0.1:5000/team/api:1.4@sha256:" + std::string(64, 'a') + "?platform=linux/amd64";
const std::string api_arm64 = "image:127.0.0.1:5000/team/api:1.4@sha256:" + std::string(64, 'b') + "?platform=linux/arm64";

}  // namespace

TEST_SUITE_BEGIN("report");

TEST_CASE("report::random_uuid_urn is a fresh version 4 UUID each time") {
    std::regex v4("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    std::set<std::string> seen;
    for (int i = 0; i < 64; ++i) {
        auto urn = report::random_uuid_urn();
        CHECK(std::regex_match(urn, v4));
        seen.insert(urn);
    }
    CHECK(seen.size() == 64);
}

TEST_CASE("report::cyclonedx_score_method names the CVSS version of the vector") {
    CHECK(report::cyclonedx_score_method("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N") == "CVSSv31");
    CHECK(report::cyclonedx_score_method("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N") == "CVSSv3");
    CHECK(report::cyclonedx_score_method("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N") == "CVSSv4");
    CHECK(report::cyclonedx_score_method("AV:N/AC:L/Au:N/C:P/I:P/A:P") == "CVSSv2");
    CHECK(report::cyclonedx_score_method("") == "other");
}

TEST_CASE("report::oci_purl follows the purl-spec oci type") {
    scan::ImageResult image;
    image.registry = "127.0.0.1:5000";
    image.repository = "team/API";
    image.tag = "1.4";
    image.digest = digest_a;
    image.platform = "linux/arm64";
    CHECK(report::oci_purl(image) == "pkg:oci/api@sha256%3A" + std::string(64, 'a') +
                                         "?arch=arm64&repository_url=127.0.0.1:5000/team/API&tag=1.4");
}

TEST_CASE("report::CycloneDxReport describes the registry, one container per image and its packages") {
    TempDir dir("cdx-components");
    auto bom = rich_bom(dir.path);
    CHECK(bom["bomFormat"] == "CycloneDX");
    CHECK(bom["specVersion"] == "1.5");
    CHECK(bom["version"] == 1);
    CHECK(bom["metadata"]["timestamp"] == "2024-05-01T10:05:00Z");
    CHECK(bom["metadata"]["tools"]["components"][0]["name"] == "regscan");
    CHECK(bom["metadata"]["tools"]["components"][0]["version"] == REGSCAN_VERSION);
    CHECK(bom["metadata"]["component"] ==
          nlohmann::json{{"type", "platform"},
                         {"bom-ref", "registry:127.0.0.1:5000"},
                         {"name", "127.0.0.1:5000"},
                         {"externalReferences", {{{"type", "distribution"}, {"url", "http://127.0.0.1:5000"}}}}});

    CHECK(bom["metadata"]["properties"] ==
          nlohmann::json{{{"name", "regscan:mode"}, {"value", "scan"}},
                         {{"name", "regscan:failed_repository"}, {"value", "team/private: HTTP 403 listing tags"}}});

    const auto& components = bom["components"];
    REQUIRE(components.size() == 4);
    std::vector<std::string> refs;
    for (const auto& c : components) {
        CHECK(c["type"] == "container");
        refs.push_back(c["bom-ref"]);
    }
    CHECK(refs == std::vector<std::string>{
                      "image:127.0.0.1:5000/base/alpine:3.18@sha256:" + std::string(64, 'd') + "?platform=linux/amd64",
                      api_amd64, api_arm64,
                      "image:127.0.0.1:5000/team/broken:2@sha256:" + std::string(64, 'c') + "?platform=linux/amd64"});

    const auto& api = components[1];
    CHECK(api["name"] == "127.0.0.1:5000/team/api");
    CHECK(api["version"] == "1.4");
    CHECK(api["hashes"] == nlohmann::json{{{"alg", "SHA-256"}, {"content", std::string(64, 'a')}}});
    CHECK(api["purl"] == "pkg:oci/api@sha256%3A" + std::string(64, 'a') +
                             "?arch=amd64&repository_url=127.0.0.1:5000/team/api&tag=1.4");
    // The OS and the six packages; lodash twice, with distinct bom-refs.
    REQUIRE(api["components"].size() == 7);
    CHECK(api["components"][0] == nlohmann::json{{"type", "operating-system"},
                                                  {"bom-ref", api_amd64 + "|os"},
                                                  {"name", "debian"},
                                                  {"version", "12"},
                                                  {"description", "Debian GNU/Linux 12 (bookworm)"}});
    CHECK(api["components"][1]["bom-ref"] ==
          api_amd64 + "|pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12");
    CHECK(api["components"][1]["purl"] == "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12");
    CHECK(api["components"][5]["bom-ref"] == api_amd64 + "|pkg:npm/lodash@4.17.20");
    CHECK(api["components"][6]["bom-ref"] == api_amd64 + "|pkg:npm/lodash@4.17.20#2");

    std::vector<std::string> properties;
    for (const auto& p : api["properties"])
        properties.push_back(p["name"].get<std::string>() + "=" + p["value"].get<std::string>());
    CHECK(std::count(properties.begin(), properties.end(),
                     "regscan:misconfiguration=RS-CFG-006 critical /root/.ssh/id_rsa: Private key left in the image") == 1);
    CHECK(std::count(properties.begin(), properties.end(), "regscan:status=scanned") == 1);
    CHECK(std::count(properties.begin(), properties.end(), "regscan:platform=linux/amd64") == 1);

    auto failed = components[3]["properties"];
    CHECK(failed[failed.size() - 1] ==
          nlohmann::json{{"name", "regscan:error"}, {"value", "blob sha256:" + std::string(64, 'f') + ": digest mismatch"}});
}

TEST_CASE("report::CycloneDxReport says in its metadata that a stopped run left images out") {
    TempDir dir("cdx-stopped");
    report::CycloneDxReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto summary = rich_summary();
    summary["repositories_stopped"] = 4;
    auto bom = read_json(reporter.finish(summary)[0]);
    CHECK(bom["metadata"]["properties"].back() ==
          nlohmann::json{{"name", "regscan:stopped"}, {"value", report::stopped_run_note(summary)}});
}

TEST_CASE("report::CycloneDxReport bom-refs are unique across the whole BOM") {
    TempDir dir("cdx-refs");
    auto bom = rich_bom(dir.path);
    std::vector<std::string> refs;
    collect_refs(bom, refs);
    // registry, 4 images, their OS and packages (api amd64 7, arm64 3, alpine 2), 4 vulnerabilities
    CHECK(refs.size() == 1 + 4 + 7 + 3 + 2 + 4);
    CHECK(std::set<std::string>(refs.begin(), refs.end()).size() == refs.size());
}

TEST_CASE("report::CycloneDxReport lists each vulnerability once with every package it affects") {
    TempDir dir("cdx-vulnerabilities");
    auto bom = rich_bom(dir.path);
    std::vector<std::string> ids;
    for (const auto& v : bom["vulnerabilities"]) ids.push_back(v["id"]);
    CHECK(ids == std::vector<std::string>{"DSA-5532-1", "GHSA-29mw-wpgm-hmr9", "GO-2023-2115", "PYSEC-2023-74"});

    const auto& dsa = vulnerability(bom, "DSA-5532-1");
    CHECK(dsa["bom-ref"] == "vulnerability:DSA-5532-1");
    CHECK(dsa["source"] == nlohmann::json{{"name", "OSV"}, {"url", "https://osv.dev/vulnerability/DSA-5532-1"}});
    CHECK(dsa["ratings"] == nlohmann::json{{{"source", {{"name", "OSV"}, {"url", "https://osv.dev/vulnerability/DSA-5532-1"}}},
                                            {"severity", "high"},
                                            {"method", "CVSSv31"},
                                            {"score", 7.5},
                                            {"vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}});
    CHECK(dsa["references"] == nlohmann::json{{{"id", "CVE-2023-5363"},
                                               {"source", {{"name", "OSV"}, {"url", "https://osv.dev/vulnerability/CVE-2023-5363"}}}}});
    CHECK(dsa["recommendation"] == "upgrade openssl to 3.0.11-1~deb12u2");
    // Debian's advisories name the source package: both binary packages built from openssl are affected.
    CHECK(affected_refs(dsa) ==
          std::set<std::string>{api_amd64 + "|pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12",
                                api_amd64 + "|pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12"});
    CHECK(dsa["affects"][0]["versions"] == nlohmann::json{{{"version", "3.0.11-1~deb12u1"}, {"status", "affected"}},
                                                          {{"version", "3.0.11-1~deb12u2"}, {"status", "unaffected"}}});

    CHECK(affected_refs(vulnerability(bom, "GHSA-29mw-wpgm-hmr9")) ==
          std::set<std::string>{api_amd64 + "|pkg:npm/lodash@4.17.20", api_amd64 + "|pkg:npm/lodash@4.17.20#2",
                                api_arm64 + "|pkg:npm/lodash@4.17.20"});

    const auto& pysec = vulnerability(bom, "PYSEC-2023-74");
    CHECK(pysec["advisories"] ==
          nlohmann::json{{{"url", "https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q"}},
                         {{"url", "https://github.com/psf/requests/releases/tag/v2.31.0"}}});
    CHECK(pysec["references"].size() == 2);

    const auto& go = vulnerability(bom, "GO-2023-2115");
    CHECK(go["ratings"][0]["severity"] == "unknown");
    CHECK(go["ratings"][0]["method"] == "other");
    CHECK(go["ratings"][0].contains("score") == false);
    CHECK(affected_refs(go) == std::set<std::string>{api_arm64 + "|pkg:golang/github.com/gofiber/fiber/v2@v2.49.0"});
}

TEST_CASE("report::CycloneDxReport points a finding whose package is not listed at the image") {
    TempDir dir("cdx-orphan");
    auto image = rich_images()[1];  // api arm64
    image.packages.clear();
    report::CycloneDxReport reporter(rich_run(dir.path));
    feed(reporter, {image});
    auto bom = read_json(reporter.finish(rich_summary())[0]);
    CHECK(affected_refs(vulnerability(bom, "GO-2023-2115")) == std::set<std::string>{api_arm64});
    REQUIRE(bom["components"][0]["components"].size() == 1);  // the OS alone
    CHECK(bom["components"][0]["components"][0]["type"] == "operating-system");
}

TEST_CASE("report::CycloneDxReport output is valid against the CycloneDX 1.5 schema") {
    TempDir dir("cdx-schema");
    auto bom = rich_bom(dir.path);
    CHECK(bom.dump().find("s3cret-pw") == std::string::npos);
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
    CHECK(validation.output.find("127-0-0-1-5000-report.cdx.json: valid") != std::string::npos);
}

TEST_CASE("report::validate_reports fails on a BOM with a duplicate bom-ref or a dangling affects ref") {
    TempDir dir("cdx-invalid");
    auto bom = rich_bom(dir.path);
    auto path = dir.path / "127-0-0-1-5000-report.cdx.json";
    bom["components"][1]["components"][2]["bom-ref"] = bom["components"][1]["components"][1]["bom-ref"];
    std::ofstream(path, std::ios::trunc) << bom.dump();
    auto validation = validate_reports(dir.path);
    CHECK(validation.exit_code == 1);
    CHECK(validation.output.find("127-0-0-1-5000-report.cdx.json: $.components[1].components[2].bom-ref: '" +
                                 api_amd64 + "|pkg:deb/debian/libssl3") != std::string::npos);

    bom = rich_bom(dir.path);
    bom["components"][1]["type"] = "image";
    std::ofstream(path, std::ios::trunc) << bom.dump();
    validation = validate_reports(dir.path);
    CHECK(validation.exit_code == 1);
    CHECK(validation.output.find("$.components[1].type: 'image' is not one of") != std::string::npos);
}

TEST_SUITE_END();
