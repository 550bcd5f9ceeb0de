// Shared by the report tests: a registry's worth of scan results that uses
// every field the reporters read, and the schema validator run on the files
// they write. Advisory ids are real (PYSEC-2023-74 is in
// ../shared/reference/osv/pypi, GO-2023-2115 in .../go); DSA-5532-1 (openssl,
// fixed in 3.0.11-1~deb12u2) and GHSA-29mw-wpgm-hmr9 (lodash, fixed in
// 4.17.21) are their publishers' published advisories.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/reporter.hpp"
#include "scan/model.hpp"
#include "scan/model_json.hpp"
#include "temp_dir.hpp"

namespace report_fixtures {

using namespace regscan::scan;

inline const std::string digest_a = "sha256:" + std::string(64, 'a');
inline const std::string digest_b = "sha256:" + std::string(64, 'b');
inline const std::string digest_c = "sha256:" + std::string(64, 'c');
inline const std::string digest_d = "sha256:" + std::string(64, 'd');

inline Package package(std::string type, std::string name, std::string version, std::string ecosystem,
                       std::string purl, std::string location, std::string source_name = "") {
    Package p;
    p.type = std::move(type);
    p.name = std::move(name);
    p.version = std::move(version);
    p.ecosystem = std::move(ecosystem);
    p.purl = std::move(purl);
    p.location = std::move(location);
    p.source_name = std::move(source_name);
    p.layer_digest = "sha256:" + std::string(64, 'e');
    return p;
}

inline Vulnerability dsa_5532_1() {
    Vulnerability v;
    v.id = "DSA-5532-1";
    v.aliases = {"CVE-2023-5363"};
    v.summary = "openssl - security update";
    v.severity = Severity::high;
    v.cvss_score = 7.5;
    v.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";
    v.package_name = "openssl";
    v.package_version = "3.0.11-1~deb12u1";
    v.ecosystem = "Debian:12";
    v.fixed_version = "3.0.11-1~deb12u2";
    v.references = {"https://www.debian.org/security/2023/dsa-5532"};
    return v;
}

inline Vulnerability pysec_2023_74() {
    Vulnerability v;
    v.id = "PYSEC-2023-74";
    v.aliases = {"CVE-2023-32681", "GHSA-j8r2-6x86-q33q"};
    v.summary = "Unintended leak of Proxy-Authorization header in requests, \"moderate\"";
    v.severity = Severity::medium;
    v.cvss_score = 6.1;
    v.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N";
    v.package_name = "requests";
    v.package_version = "2.28.1";
    v.ecosystem = "PyPI";
    v.fixed_version = "2.31.0";
    // The last is no URL: reports that need URLs must leave it out.
    v.references = {"https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q",
                    "https://github.com/psf/requests/releases/tag/v2.31.0", "see the release notes"};
    return v;
}

inline Vulnerability ghsa_29mw() {
    Vulnerability v;
    v.id = "GHSA-29mw-wpgm-hmr9";
    v.aliases = {"CVE-2020-28500"};
    v.summary = "Regular Expression Denial of Service (ReDoS) in lodash";
    v.severity = Severity::medium;
    v.cvss_score = 5.3;
    v.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L";
    v.package_name = "lodash";
    v.package_version = "4.17.20";
    v.ecosystem = "npm";
    v.fixed_version = "4.17.21";
    v.references = {"https://github.com/advisories/GHSA-29mw-wpgm-hmr9"};
    return v;
}

inline Vulnerability go_2023_2115() {
    Vulnerability v;
    v.id = "GO-2023-2115";
    v.aliases = {"CVE-2023-45128", "GHSA-94w9-97p3-p368"};
    v.summary = "CSRF token reuse vulnerability in github.com/gofiber/fiber/v2";
    v.severity = Severity::unknown;  // the Go database gives no severity
    v.package_name = "github.com/gofiber/fiber/v2";
    v.package_version = "2.49.0";
    v.ecosystem = "Go";
    v.fixed_version = "2.50.0";
    return v;
}

inline Misconfiguration misconfiguration(std::string id, std::string title, Severity severity, std::string location,
                                         std::string detail) {
    return {std::move(id), std::move(title), severity, std::move(detail), std::move(location)};
}

// api:1.4 for amd64 and arm64, a failed image and a reused one, given out of
// order: every report must list them sorted.
inline std::vector<ImageResult> rich_images() {
    ImageResult amd64;
    amd64.registry = "127.0.0.1:5000";
    amd64.repository = "team/api";
    amd64.tag = "1.4";
    amd64.digest = digest_a;
    amd64.platform = "linux/amd64";
    amd64.build_time = "2024-05-01T09:00:00Z";
    amd64.os = OsRelease{"debian", "12", "bookworm", "", "Debian GNU/Linux 12 (bookworm)"};
    amd64.packages = {
        package("deb", "libssl3", "3.0.11-1~deb12u1", "Debian:12",
                "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12", "/var/lib/dpkg/status",
                "openssl"),
        package("deb", "openssl", "3.0.11-1~deb12u1", "Debian:12",
                "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12", "/var/lib/dpkg/status"),
        package("deb", "zlib1g", "1:1.2.13.dfsg-1", "Debian:12",
                "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12", "/var/lib/dpkg/status", "zlib"),
        package("python", "requests", "2.28.1", "PyPI", "pkg:pypi/requests@2.28.1",
                "/usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA"),
        // One npm package at two paths: same purl, two components.
        package("npm", "lodash", "4.17.20", "npm", "pkg:npm/lodash@4.17.20", "/app/node_modules/lodash/package.json"),
        package("npm", "lodash", "4.17.20", "npm", "pkg:npm/lodash@4.17.20",
                "/app/node_modules/legacy/node_modules/lodash/package.json"),
    };
    amd64.vulnerabilities = {ghsa_29mw(), pysec_2023_74(), dsa_5532_1(), ghsa_29mw()};
    amd64.misconfigurations = {
        misconfiguration("RS-CFG-001", "Image runs as root", Severity::medium, "config.User",
                         "no USER is set, so processes run as uid 0"),
        misconfiguration("RS-CFG-006", "Private key left in the image", Severity::critical, "/root/.ssh/id_rsa",
                         "=an OpenSSH private key, 2602 bytes"),
    };
    amd64.notes = {"caf\xe9 menu: a note with a Latin-1 byte"};
    amd64.bytes_pulled = 31457280;

    ImageResult arm64 = amd64;
    arm64.digest = digest_b;
    arm64.platform = "linux/arm64";
    arm64.packages = {
        package("npm", "lodash", "4.17.20", "npm", "pkg:npm/lodash@4.17.20", "/app/node_modules/lodash/package.json"),
        package("go-module", "github.com/gofiber/fiber/v2", "2.49.0", "Go",
                "pkg:golang/github.com/gofiber/fiber/v2@v2.49.0", "/usr/local/bin/server"),
    };
    arm64.vulnerabilities = {go_2023_2115(), ghsa_29mw()};
    arm64.misconfigurations = {};
    arm64.notes = {};

    ImageResult broken;
    broken.registry = "127.0.0.1:5000";
    broken.repository = "team/broken";
    broken.tag = "2";
    broken.digest = digest_c;
    broken.platform = "linux/amd64";
    broken.status = ScanStatus::scan_failed;
    broken.error = "blob sha256:" + std::string(64, 'f') + ": digest mismatch";

    ImageResult alpine;
    alpine.registry = "127.0.0.1:5000";
    alpine.repository = "base/alpine";
    alpine.tag = "3.18";
    alpine.digest = digest_d;
    alpine.platform = "linux/amd64";
    alpine.build_time = "2023-11-30T23:40:00Z";
    alpine.status = ScanStatus::reused;
    alpine.os = OsRelease{"alpine", "3.18.5", "", "", "Alpine Linux v3.18"};
    alpine.packages = {package("apk", "musl", "1.2.4-r2", "Alpine:v3.18",
                               "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.5", "/lib/apk/db/installed")};
    alpine.misconfigurations = {
        misconfiguration("RS-CFG-002", "No HEALTHCHECK", Severity::low, "config.Healthcheck", "")};

    return {broken, arm64, alpine, amd64};
}

inline nlohmann::json rich_summary() {
    return {{"registry", "127.0.0.1:5000"},
            {"started", "2024-05-01T10:00:00Z"},
            {"finished", "2024-05-01T10:05:00Z"},
            {"mode", "scan"},
            {"images_found", 4},
            {"new_images", 3},
            {"images_scanned", 4},
            {"images_failed", 1},
            {"images_skipped", 0},
            {"results_reused", 1},
            {"vulnerabilities", {{"critical", 0}, {"high", 1}, {"medium", 4}, {"low", 0}, {"unknown", 1}}},
            {"misconfigurations", {{"critical", 1}, {"high", 0}, {"medium", 1}, {"low", 1}, {"unknown", 0}}},
            {"failed_repositories", {{{"repository", "team/private"}, {"error", "HTTP 403 listing tags"}}}}};
}

// A fresh directory per test, removed at the end of the test.
using regscan::test::TempDir;

// The user typed credentials into the URL: no report may repeat them.
inline regscan::sdk::ReportRun rich_run(const std::filesystem::path& dir) {
    return {"http://scanner:s3cret-pw@127.0.0.1:5000", "scan", dir.string(), "2024-05-01T10:00:00Z"};
}

inline void feed(regscan::sdk::Reporter& reporter, const std::vector<ImageResult>& images) {
    for (const auto& image : images) reporter.image(nlohmann::json(image));
}

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

inline nlohmann::json read_json(const std::filesystem::path& path) { return nlohmann::json::parse(read_text(path)); }

struct Validation {
    int exit_code = -1;
    std::string output;
};

// tests/e2e/validate_reports.py on `dir`, by Debian's python, which has
// python3-jsonschema.
inline Validation validate_reports(const std::filesystem::path& dir) {
    auto log = dir.parent_path() / (dir.filename().string() + ".validation.log");
    auto command = std::string("/usr/bin/python3 '") + REGSCAN_SOURCE_DIR + "/tests/e2e/validate_reports.py' '" +
                   dir.string() + "' > '" + log.string() + "' 2>&1";
    int status = std::system(command.c_str());
    Validation result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.output = read_text(log);
    std::filesystem::remove(log);
    return result;
}

}  // namespace report_fixtures
