#include <doctest/doctest.h>

#include <iostream>
#include <optional>
#include <sstream>

#include "report/table_report.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

TEST_SUITE_BEGIN("report");

TEST_CASE("report::write_text_table aligns columns and cuts long cells") {
    std::ostringstream out;
    report::write_text_table(out, {"ID", "TITLE", "X"}, {{"RS-CFG-001", "Image runs as root", ""}, {"A", "abcdefghij", "y"}},
                             "  ", 8);
    CHECK(out.str() ==
          "  ID        TITLE     X\n"
          "  RS-CF...  Image...\n"
          "  A         abcde...  y\n");
    // A cut never splits a UTF-8 character ("\xc3\xa9" is two bytes).
    std::ostringstream utf8;
    report::write_text_table(utf8, {"N"}, {{"abcd\xc3\xa9" "fghij"}}, "", 8);
    CHECK(utf8.str() == "N\nabcd...\n");
}

TEST_CASE("report::TableReport prints each image's findings, sorted, and writes no file") {
    TempDir dir("table");
    std::ostringstream console;
    report::TableReport reporter(console);
    feed(reporter, rich_images());
    CHECK(reporter.finish(rich_summary()).empty());
    CHECK(std::filesystem::is_empty(dir.path));
    CHECK(console.str() ==
          "Images: 4\n"
          "  127.0.0.1:5000/base/alpine:3.18 (linux/amd64): vulnerabilities 0, misconfigurations 1 (1 low)\n"
          "  127.0.0.1:5000/team/api:1.4 (linux/amd64): vulnerabilities 4 (1 high, 3 medium), misconfigurations 2 "
          "(1 critical, 1 medium)\n"
          "  127.0.0.1:5000/team/api:1.4 (linux/arm64): vulnerabilities 2 (1 medium, 1 unknown), misconfigurations 0\n"
          "  127.0.0.1:5000/team/broken:2 (linux/amd64): scan failed\n"
          "\n"
          "127.0.0.1:5000/base/alpine:3.18 (linux/amd64) " + digest_d + "\n"
          "  unchanged since the last scan: result reused\n"
          "  OS: Alpine Linux v3.18\n"
          "  Misconfigurations: 1 (1 low)\n"
          "    ID          SEVERITY  TITLE           LOCATION\n"
          "    RS-CFG-002  low       No HEALTHCHECK  config.Healthcheck\n"
          "\n"
          "127.0.0.1:5000/team/api:1.4 (linux/amd64) " + digest_a + "\n"
          "  OS: Debian GNU/Linux 12 (bookworm)\n"
          "  Vulnerabilities: 4 (1 high, 3 medium)\n"
          "    PACKAGE   VERSION           VULNERABILITY   DETAIL               SEVERITY  STATUS  FIXED VERSION     TITLE\n"
          "    openssl   3.0.11-1~deb12u1  CVE-2023-5363   DSA-5532-1           high      fixed   3.0.11-1~deb12u2  "
          "openssl - security update\n"
          "    lodash    4.17.20           CVE-2020-28500  GHSA-29mw-wpgm-hmr9  medium    fixed   4.17.21           "
          "Regular Expression Denial of Service (ReDoS) in lodash\n"
          "    lodash    4.17.20           CVE-2020-28500  GHSA-29mw-wpgm-hmr9  medium    fixed   4.17.21           "
          "Regular Expression Denial of Service (ReDoS) in lodash\n"
          "    requests  2.28.1            CVE-2023-32681  PYSEC-2023-74        medium    fixed   2.31.0            "
          "Unintended leak of Proxy-Authorization header in requests...\n"
          "  Misconfigurations: 2 (1 critical, 1 medium)\n"
          "    ID          SEVERITY  TITLE                          LOCATION\n"
          "    RS-CFG-006  critical  Private key left in the image  /root/.ssh/id_rsa\n"
          "    RS-CFG-001  medium    Image runs as root             config.User\n"
          "\n"
          "127.0.0.1:5000/team/api:1.4 (linux/arm64) " + digest_b + "\n"
          "  OS: Debian GNU/Linux 12 (bookworm)\n"
          "  Vulnerabilities: 2 (1 medium, 1 unknown)\n"
          "    PACKAGE                      VERSION  VULNERABILITY   DETAIL               SEVERITY  STATUS  FIXED VERSION  TITLE\n"
          "    lodash                       4.17.20  CVE-2020-28500  GHSA-29mw-wpgm-hmr9  medium    fixed   4.17.21        "
          "Regular Expression Denial of Service (ReDoS) in lodash\n"
          "    github.com/gofiber/fiber/v2  2.49.0   CVE-2023-45128  GO-2023-2115         unknown   fixed   2.50.0         "
          "CSRF token reuse vulnerability in github.com/gofiber/fibe...\n"
          "\n"
          "127.0.0.1:5000/team/broken:2 (linux/amd64) " + digest_c + "\n"
          "  scan failed: blob sha256:" + std::string(64, 'f') + ": digest mismatch\n"
          "\n");
}

TEST_CASE("report::TableReport says when an image has no findings or nothing was scanned") {
    std::ostringstream console;
    report::TableReport empty(console);
    empty.finish({});
    CHECK(console.str() == "No images were scanned.\n");

    console.str("");
    auto image = rich_images()[1];
    image.vulnerabilities.clear();
    image.os.reset();
    report::TableReport clean(console);
    feed(clean, {image});
    clean.finish({});
    CHECK(console.str() == "Images: 1\n  " "127.0.0.1:5000/team/api:1.4 (linux/arm64): vulnerabilities 0, misconfigurations 0\n\n" "127.0.0.1:5000/team/api:1.4 (linux/arm64) " + digest_b +
                               "\n  no findings in 2 packages\n\n");

    console.str("");
    image.packages.resize(1);
    report::TableReport one(console);
    feed(one, {image});
    one.finish({});
    CHECK(console.str() == "Images: 1\n  " "127.0.0.1:5000/team/api:1.4 (linux/arm64): vulnerabilities 0, misconfigurations 0\n\n" "127.0.0.1:5000/team/api:1.4 (linux/arm64) " + digest_b +
                               "\n  no findings in 1 package\n\n");
}

TEST_CASE("report::TableReport in summary mode prints only the line per image, coloured on request") {
    std::ostringstream console;
    report::TableReport reporter(console, report::TableStyle{false, true});
    feed(reporter, {rich_images()[1]});
    reporter.finish({});
    CHECK(console.str() ==
          "Images: 1\n"
          "  127.0.0.1:5000/team/api:1.4 (linux/arm64): vulnerabilities 2 (1 \033[33mmedium\033[0m, 1 unknown), "
          "misconfigurations 0\n\n");
}

TEST_CASE("report::TableReport colours a capture of std::cout only while it stands in for standard output") {
    const auto saved = report::table_style();
    report::set_table_style(report::TableStyle{false, true});
    // The table written to a capture of std::cout, with the capture standing
    // in for standard output or not.
    auto table_in_capture = [](bool stand_in) {
        std::ostringstream capture;
        auto* previous = std::cout.rdbuf(capture.rdbuf());
        {
            std::optional<report::StandardOutputStandIn> standing;
            if (stand_in) standing.emplace(capture.rdbuf());
            report::TableReport reporter(std::cout);
            feed(reporter, {rich_images()[1]});
            reporter.finish({});
        }
        std::cout.rdbuf(previous);
        return capture.str();
    };
    auto coloured = [](const std::string& table) { return table.find("\033[33mmedium\033[0m") != std::string::npos; };
    CHECK_FALSE(coloured(table_in_capture(false)));  // a capture (image -o FILE) is never coloured
    CHECK(coloured(table_in_capture(true)));
    CHECK_FALSE(coloured(table_in_capture(false)));  // the stand-in ended with its scope
    report::set_table_style(report::TableStyle{false, false});
    CHECK(table_in_capture(true).find('\033') == std::string::npos);  // --color never stays never
    report::set_table_style(saved);
}

TEST_CASE("report::write_text_table colours one column without changing the alignment") {
    std::ostringstream out;
    report::write_text_table(out, {"ID", "SEVERITY", "X"}, {{"A", "critical", "1"}, {"B", "low", "2"}}, "", 60, 1);
    CHECK(out.str() ==
          "ID  SEVERITY  X\n"
          "A   \033[1;31mcritical\033[0m  1\n"
          "B   \033[34mlow\033[0m       2\n");
}

TEST_CASE("report::resolve_table_style follows --table-mode, --color, the terminal and NO_COLOR") {
    CHECK(report::resolve_table_style("", "", true, "").detailed);
    CHECK_FALSE(report::resolve_table_style("summary", "", false, "").detailed);
    CHECK(report::resolve_table_style("", "", true, "").colour);
    CHECK(report::resolve_table_style("", "auto", true, "").colour);
    CHECK_FALSE(report::resolve_table_style("", "auto", true, "1").colour);
    CHECK_FALSE(report::resolve_table_style("", "auto", false, "").colour);
    CHECK(report::resolve_table_style("", "always", false, "1").colour);
    CHECK_FALSE(report::resolve_table_style("", "never", true, "").colour);
    CHECK_THROWS_AS(report::resolve_table_style("wide", "", true, ""), std::invalid_argument);
    CHECK_THROWS_AS(report::resolve_table_style("", "yes", true, ""), std::invalid_argument);
}

TEST_CASE("report::main_vulnerability_id prefers the CVE; status_words says fixed, affected or the distribution's word") {
    scan::Vulnerability v;
    v.id = "DEBIAN-CVE-2024-1";
    v.aliases = {"GHSA-x", "CVE-2024-1"};
    CHECK(report::main_vulnerability_id(v) == "CVE-2024-1");
    v.aliases = {"GHSA-x"};
    CHECK(report::main_vulnerability_id(v) == "DEBIAN-CVE-2024-1");
    v.id = "CVE-2024-2";
    CHECK(report::main_vulnerability_id(v) == "CVE-2024-2");
    CHECK(scan::status_words(v) == "affected");
    v.status = "will_not_fix";
    CHECK(scan::status_words(v) == "will not fix");
    CHECK(scan::status_of(v) == "will_not_fix");
    v.fixed_version = "1.2";  // a known fix wins over what was said before it
    CHECK(scan::status_words(v) == "fixed");
}

TEST_SUITE_END();
