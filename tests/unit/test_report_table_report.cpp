#include <doctest/doctest.h>

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
}

TEST_CASE("report::TableReport prints each image's findings, sorted, and writes no file") {
    TempDir dir("table");
    std::ostringstream console;
    report::TableReport reporter(console);
    feed(reporter, rich_images());
    CHECK(reporter.finish(rich_summary()).empty());
    CHECK(std::filesystem::is_empty(dir.path));
    CHECK(console.str() ==
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
          "    PACKAGE   VERSION           VULNERABILITY        ALIASES                             SEVERITY  FIXED VERSION\n"
          "    openssl   3.0.11-1~deb12u1  DSA-5532-1           CVE-2023-5363                       high      3.0.11-1~deb12u2\n"
          "    lodash    4.17.20           GHSA-29mw-wpgm-hmr9  CVE-2020-28500                      medium    4.17.21\n"
          "    lodash    4.17.20           GHSA-29mw-wpgm-hmr9  CVE-2020-28500                      medium    4.17.21\n"
          "    requests  2.28.1            PYSEC-2023-74        CVE-2023-32681,GHSA-j8r2-6x86-q33q  medium    2.31.0\n"
          "  Misconfigurations: 2 (1 critical, 1 medium)\n"
          "    ID          SEVERITY  TITLE                          LOCATION\n"
          "    RS-CFG-006  critical  Private key left in the image  /root/.ssh/id_rsa\n"
          "    RS-CFG-001  medium    Image runs as root             config.User\n"
          "\n"
          "127.0.0.1:5000/team/api:1.4 (linux/arm64) " + digest_b + "\n"
          "  OS: Debian GNU/Linux 12 (bookworm)\n"
          "  Vulnerabilities: 2 (1 medium, 1 unknown)\n"
          "    PACKAGE                      VERSION  VULNERABILITY        ALIASES                             SEVERITY  FIXED VERSION\n"
          "    lodash                       4.17.20  GHSA-29mw-wpgm-hmr9  CVE-2020-28500                      medium    4.17.21\n"
          "    github.com/gofiber/fiber/v2  2.49.0   GO-2023-2115         CVE-2023-45128,GHSA-94w9-97p3-p368  unknown   2.50.0\n"
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
    CHECK(console.str() == "127.0.0.1:5000/team/api:1.4 (linux/arm64) " + digest_b + "\n  no findings in 2 packages\n\n");

    console.str("");
    image.packages.resize(1);
    report::TableReport one(console);
    feed(one, {image});
    one.finish({});
    CHECK(console.str() == "127.0.0.1:5000/team/api:1.4 (linux/arm64) " + digest_b + "\n  no findings in 1 package\n\n");
}

TEST_SUITE_END();
