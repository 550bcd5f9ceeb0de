#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <unistd.h>

#include "triage/input.hpp"
#include "triage/policy.hpp"

using regscan::scan::Severity;
using regscan::triage::IgnoreFile;
using regscan::triage::InputError;
using regscan::triage::parse_ignore_file;
using regscan::triage::parse_vex;
using regscan::triage::Policy;
using regscan::triage::VexDocument;

namespace {

regscan::scan::ImageResult image() {
    regscan::scan::ImageResult r;
    r.registry = "127.0.0.1:5000";
    r.repository = "team/api";
    r.tag = "1.0";
    r.digest = "sha256:abc";
    regscan::scan::Vulnerability ssl;
    ssl.id = "DEBIAN-CVE-2023-0001";
    ssl.aliases = {"CVE-2023-0001"};
    ssl.severity = Severity::high;
    ssl.package_name = "libssl3";
    ssl.package_version = "3.0.11-1";
    ssl.source_package = "openssl";
    ssl.source_version = "3.0.11-1";
    ssl.ecosystem = "Debian:12";
    ssl.fixed_version = "3.0.11-2";
    regscan::scan::Vulnerability zlib;
    zlib.id = "CVE-2023-0002";
    zlib.severity = Severity::low;
    zlib.package_name = "zlib1g";
    zlib.package_version = "1.2.13";
    zlib.ecosystem = "Debian:12";
    r.vulnerabilities = {ssl, zlib};
    regscan::scan::Misconfiguration root;
    root.id = "RS-CFG-001";
    root.severity = Severity::medium;
    r.misconfigurations = {root};
    return r;
}

Policy with_ignore(const std::string& text, const std::string& today = "2026-12-04") {
    std::vector<IgnoreFile> files{parse_ignore_file(text, ".regscanignore")};
    return Policy({}, false, std::move(files), {}, today);
}

Policy with_vex(const std::string& text) {
    std::vector<VexDocument> docs{parse_vex(text, "vex.json")};
    return Policy({}, false, {}, std::move(docs), "2026-12-04");
}

std::string openvex(const std::string& statements) {
    return R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [)" + statements + "]}";
}

}  // namespace

TEST_SUITE_BEGIN("triage");

TEST_CASE("triage::Policy an ignore entry for a CVE suppresses the record aliasing it, with its reason") {
    auto r = image();
    with_ignore("cve-2023-0001 # not reachable\n").apply(r);
    REQUIRE(r.vulnerabilities[0].suppressed);
    CHECK(r.vulnerabilities[0].suppressed->by == "ignore-file");
    CHECK(r.vulnerabilities[0].suppressed->reason == "not reachable");
    CHECK(r.vulnerabilities[0].suppressed->source == ".regscanignore");
    CHECK_FALSE(r.vulnerabilities[1].suppressed);
    CHECK_FALSE(r.misconfigurations[0].suppressed);
}

TEST_CASE("triage::Policy scopes entries by package (or source package) and image pattern") {
    auto check = [](const std::string& text) {
        auto r = image();
        with_ignore(text).apply(r);
        return r.vulnerabilities[0].suppressed.has_value();
    };
    CHECK(check("CVE-2023-0001 pkg:openssl\n"));  // the source package
    CHECK(check("CVE-2023-0001 pkg:libssl*\n"));
    CHECK_FALSE(check("CVE-2023-0001 pkg:zlib1g\n"));
    CHECK(check("CVE-2023-0001 image:team/*\n"));
    CHECK(check("CVE-2023-0001 image:127.0.0.1:5000/team/api:1.0\n"));
    CHECK_FALSE(check("CVE-2023-0001 image:team/api:2.0\n"));
    CHECK_FALSE(check("CVE-2023-0001 image:other\n"));
}

TEST_CASE("triage::Policy suppresses misconfigurations by rule id; a package scope never matches one") {
    auto r = image();
    with_ignore("RS-CFG-001 image:team/* # root by design\n").apply(r);
    REQUIRE(r.misconfigurations[0].suppressed);
    CHECK(r.misconfigurations[0].suppressed->reason == "root by design");
    auto s = image();
    with_ignore("RS-CFG-001 pkg:*\n").apply(s);
    CHECK_FALSE(s.misconfigurations[0].suppressed);
}

namespace {

constexpr const char* eicar_sha256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

// image() with two malware findings: a ClamAV match in a file and a YARA
// rule's in a zip's member.
regscan::scan::ImageResult infected() {
    auto r = image();
    r.malware.verdict = regscan::scan::MalwareVerdict::found;
    r.malware.reason.clear();
    regscan::scan::MalwareFinding file;
    file.path = "/usr/bin/nmap";
    file.engine = "clamav";
    file.signature = "PUA.Linux.Tool.Nmap";
    file.sha256 = eicar_sha256;
    regscan::scan::MalwareFinding member;
    member.path = "/data/a.zip!inner/x";
    member.engine = "yara";
    member.signature = "rules:marker";
    member.sha256 = std::string(64, 'b');
    r.malware.findings = {file, member};
    return r;
}

size_t suppressed_malware(const regscan::scan::ImageResult& r) {
    size_t n = 0;
    for (const auto& f : r.malware.findings) n += f.suppressed ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("triage::Policy suppresses malware by signature or sha256, scoped by path and image, never by pkg:") {
    auto suppressed = [](const std::string& text) {
        auto r = infected();
        with_ignore(text).apply(r);
        return suppressed_malware(r);
    };
    CHECK(suppressed("pua.linux.tool.NMAP\n") == 1);  // any case
    CHECK(suppressed(std::string(eicar_sha256) + " # this file is known good\n") == 1);
    CHECK(suppressed("PUA.Linux.Tool.Nmap path:/usr/bin/*\n") == 1);
    CHECK(suppressed("PUA.Linux.Tool.Nmap path:/opt/*\n") == 0);
    CHECK(suppressed("rules:marker path:/data/a.zip!*\n") == 1);
    CHECK(suppressed("PUA.Linux.Tool.Nmap image:team/*\n") == 1);
    CHECK(suppressed("PUA.Linux.Tool.Nmap image:other/*\n") == 0);
    CHECK(suppressed("PUA.Linux.Tool.Nmap pkg:nmap\n") == 0);
    CHECK(suppressed("PUA.Linux.Tool.Nmap\nrules:marker\n") == 2);
    // A path: scope never matches a vulnerability or a misconfiguration.
    auto r = image();
    with_ignore("CVE-2023-0001 path:*\nRS-CFG-001 path:*\n").apply(r);
    CHECK_FALSE(r.vulnerabilities[0].suppressed);
    CHECK_FALSE(r.misconfigurations[0].suppressed);
}

TEST_CASE("triage::Policy the malware verdict follows the counted findings, and comes back under another policy") {
    using regscan::scan::MalwareVerdict;
    auto r = infected();
    auto both = with_ignore("PUA.Linux.Tool.Nmap # a scanner we ship\nrules:marker\n");
    both.apply(r);
    CHECK(r.malware.verdict == MalwareVerdict::clean);
    REQUIRE(r.malware.findings[0].suppressed);
    CHECK(r.malware.findings[0].suppressed->by == "ignore-file");
    CHECK(r.malware.findings[0].suppressed->reason == "a scanner we ship");
    CHECK(regscan::triage::suppressed_count(r) == 2);
    auto counted = regscan::triage::without_suppressed(r);
    CHECK(counted.malware.findings.empty());
    CHECK(counted.malware.verdict == MalwareVerdict::clean);

    r.malware.incomplete.push_back({"/var/huge.bin", "sha256:1", "over --malware-max-file-size"});
    both.apply(r);
    CHECK(r.malware.verdict == MalwareVerdict::incomplete);

    with_ignore("rules:marker\n").apply(r);  // one finding counts again
    CHECK(r.malware.verdict == MalwareVerdict::found);
    CHECK(suppressed_malware(r) == 1);

    auto off = image();  // --malware off: not_scanned stays
    both.apply(off);
    CHECK(off.malware.verdict == MalwareVerdict::not_scanned);
}

TEST_CASE("triage::Policy leaves out an expired entry with a warning naming it") {
    auto policy = with_ignore("CVE-2023-0001 exp:2026-12-04 # expired today\nCVE-2023-0002 exp:2026-12-05\n");
    REQUIRE(policy.warnings().size() == 1);
    CHECK(policy.warnings()[0] == ".regscanignore:1: the ignore entry for CVE-2023-0001 expired on 2026-12-04: it "
                                  "no longer applies");
    auto r = image();
    policy.apply(r);
    CHECK_FALSE(r.vulnerabilities[0].suppressed);
    REQUIRE(r.vulnerabilities[1].suppressed);
    CHECK(r.vulnerabilities[1].suppressed->expires == "2026-12-05");
}

TEST_CASE("triage::Policy severity and unfixed filters, in that order after the files") {
    auto r = image();
    Policy({Severity::critical, Severity::high}, true, {}, {}, "2026-12-04").apply(r);
    CHECK_FALSE(r.vulnerabilities[0].suppressed);  // high, fixed
    REQUIRE(r.vulnerabilities[1].suppressed);      // low and unfixed: unfixed is named
    CHECK(r.vulnerabilities[1].suppressed->by == "unfixed");
    REQUIRE(r.misconfigurations[0].suppressed);
    CHECK(r.misconfigurations[0].suppressed->by == "severity");
    auto all = image();
    Policy({Severity::critical, Severity::high, Severity::medium, Severity::low, Severity::unknown}, false, {}, {},
           "2026-12-04")
        .apply(all);
    CHECK_FALSE(all.vulnerabilities[1].suppressed);
}

TEST_CASE("triage::Policy --ignore-status suppresses by the finding's status; parse_statuses names a bad word") {
    using regscan::triage::parse_statuses;
    CHECK(parse_statuses({"will_not_fix,End-Of-Life", "fix_deferred"}) ==
          std::set<std::string>{"end_of_life", "fix_deferred", "will_not_fix"});
    CHECK(parse_statuses({}).empty());
    CHECK_THROWS_WITH_AS(parse_statuses({"fixed,wontfix"}),
                         "--ignore-status: 'wontfix' is not a status (fixed, affected, will_not_fix, fix_deferred, "
                         "end_of_life, under_investigation)",
                         InputError);

    auto r = image();
    r.vulnerabilities[1].status = "will_not_fix";
    Policy policy({}, false, {}, {}, "2026-12-04", {"will_not_fix"});
    policy.apply(r);
    CHECK_FALSE(r.vulnerabilities[0].suppressed);  // fixed
    REQUIRE(r.vulnerabilities[1].suppressed);
    CHECK(r.vulnerabilities[1].suppressed->by == "status");
    CHECK(r.vulnerabilities[1].suppressed->reason == "status will_not_fix ignored");
    CHECK(policy.describe() == "statuses ignored: will_not_fix");
    CHECK(policy.fingerprint() != Policy({}, false, {}, {}, "2026-12-04", {"end_of_life"}).fingerprint());

    // "affected" and "fixed" are statuses too; --ignore-unfixed names itself first.
    r = image();
    Policy({}, true, {}, {}, "2026-12-04", {"affected", "fixed"}).apply(r);
    CHECK(r.vulnerabilities[0].suppressed->by == "status");
    CHECK(r.vulnerabilities[1].suppressed->by == "unfixed");
}

TEST_CASE("triage::Policy VEX not_affected suppresses the matching package; the last statement decides") {
    auto r = image();
    with_vex(openvex(R"({"vulnerability": {"name": "CVE-2023-0001"}, "products": [{"@id": "pkg:deb/debian/libssl3"}],
                         "status": "not_affected", "justification": "vulnerable_code_not_present"})"))
        .apply(r);
    REQUIRE(r.vulnerabilities[0].suppressed);
    CHECK(r.vulnerabilities[0].suppressed->by == "vex");
    CHECK(r.vulnerabilities[0].suppressed->justification == "vulnerable_code_not_present");
    CHECK(r.vulnerabilities[0].suppressed->source == "vex.json");

    auto later = image();
    with_vex(openvex(R"({"vulnerability": {"name": "CVE-2023-0001"}, "products": [{"@id": "pkg:deb/debian/libssl3"}],
                         "status": "not_affected", "justification": "vulnerable_code_not_present"},
                        {"vulnerability": {"name": "CVE-2023-0001"}, "products": [{"@id": "pkg:deb/debian/openssl"}],
                         "status": "affected"})"))
        .apply(later);
    CHECK_FALSE(later.vulnerabilities[0].suppressed);

    for (const char* status : {"fixed", "affected", "under_investigation"}) {
        auto other = image();
        with_vex(openvex(std::string(R"({"vulnerability": "CVE-2023-0001", "products": ["pkg:deb/libssl3"], "status": ")") +
                         status + "\"}"))
            .apply(other);
        CHECK_FALSE(other.vulnerabilities[0].suppressed);
    }
}

TEST_CASE("triage::Policy VEX statements are ordered by their time: the latest decides, untimed ones first") {
    auto decide = [](const std::string& statements) {
        auto r = image();
        with_vex(openvex(statements)).apply(r);
        return r.vulnerabilities[0].suppressed.has_value();
    };
    const std::string not_affected = R"({"vulnerability": "CVE-2023-0001", "products": ["pkg:deb/libssl3"],
        "status": "not_affected", "justification": "component_not_present")";
    const std::string affected = R"({"vulnerability": "CVE-2023-0001", "products": ["pkg:deb/libssl3"],
        "status": "affected")";
    // A later statement in the document, but an earlier time: the not_affected one is newer.
    CHECK(decide(not_affected + R"(, "timestamp": "2026-11-02T00:00:00Z"},)" + affected +
                 R"(, "timestamp": "2026-11-01T00:00:00Z"})"));
    CHECK_FALSE(decide(not_affected + R"(, "timestamp": "2026-11-01T00:00:00Z"},)" + affected +
                       R"(, "timestamp": "2026-11-01T00:00:01+00:00"})"));
    CHECK(decide(affected + "}," + not_affected + "}"));  // no times: document order
    CHECK(decide(not_affected + R"(, "timestamp": "2026-11-01T00:00:00Z"},)" + affected + "}"));  // untimed: oldest
}

TEST_CASE("triage::Policy VEX scoped to an image applies to that image only") {
    auto statement = [](const std::string& image_purl) {
        return openvex(R"({"vulnerability": {"name": "CVE-2023-0001"}, "products": [{"@id": ")" + image_purl +
                       R"(", "subcomponents": [{"@id": "pkg:deb/debian/libssl3@3.0.11-1"}]}],
                         "status": "not_affected", "justification": "inline_mitigations_already_exist"})");
    };
    auto r = image();
    with_vex(statement("pkg:oci/api?repository_url=127.0.0.1:5000/team/api")).apply(r);
    CHECK(r.vulnerabilities[0].suppressed);
    auto s = image();
    with_vex(statement("pkg:oci/web")).apply(s);
    CHECK_FALSE(s.vulnerabilities[0].suppressed);
}

TEST_CASE("triage::Policy apply clears earlier marks, and the fingerprint follows the policy") {
    auto r = image();
    with_ignore("CVE-2023-0001\n").apply(r);
    CHECK(r.vulnerabilities[0].suppressed);
    with_ignore("CVE-2023-0002\n").apply(r);
    CHECK_FALSE(r.vulnerabilities[0].suppressed);
    CHECK(r.vulnerabilities[1].suppressed);

    CHECK(with_ignore("CVE-1 # a\n").fingerprint() != with_ignore("CVE-1 # b\n").fingerprint());
    CHECK(with_ignore("CVE-1\n").fingerprint() == with_ignore("# comment\nCVE-1\n").fingerprint());
    CHECK(with_ignore("Sig path:/a\n").fingerprint() != with_ignore("Sig path:/b\n").fingerprint());
    CHECK(with_ignore("CVE-1 exp:2027-01-01\n", "2026-12-31").fingerprint() !=
          with_ignore("CVE-1 exp:2027-01-01\n", "2027-01-01").fingerprint());
    CHECK(with_ignore("# nothing\n").suppresses_nothing());
}

TEST_CASE("triage::load_policy reads ./.regscanignore by default and names a bad file") {
    auto dir = std::filesystem::temp_directory_path() / ("regscan-triage-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto previous = std::filesystem::current_path();
    std::filesystem::current_path(dir);
    CHECK(regscan::triage::load_policy({}) == nullptr);
    std::ofstream(".regscanignore") << "CVE-2023-0001\n";
    auto policy = regscan::triage::load_policy({});
    REQUIRE(policy);
    CHECK_FALSE(policy->suppresses_nothing());
    std::ofstream("bad") << "CVE-1\nCVE-2 nope\n";
    CHECK_THROWS_WITH_AS(regscan::triage::load_policy({{}, false, "bad", {}}), "bad:2: unknown field 'nope' (an "
                         "entry is: ID [exp:YYYY-MM-DD] [pkg:NAME] [path:PATTERN] [image:PATTERN] [# reason])",
                         InputError);
    CHECK_THROWS_WITH_AS(regscan::triage::load_policy({{}, false, "missing", {}}), "missing: not a readable file",
                         InputError);
    CHECK_THROWS_WITH_AS(regscan::triage::load_policy({{"high,urgent"}, false, "", {}}),
                         "--severity: 'urgent' is not a severity (critical, high, medium, low, unknown)", InputError);
    std::filesystem::current_path(previous);
    std::filesystem::remove_all(dir);
}

TEST_SUITE_END();
