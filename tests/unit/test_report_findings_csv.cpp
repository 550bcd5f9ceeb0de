#include <doctest/doctest.h>

#include "report/findings_csv.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

TEST_SUITE_BEGIN("report");

TEST_CASE("report::FindingsCsv writes one vulnerability row per finding per image, most severe first") {
    TempDir dir("csv-vulnerabilities");
    report::FindingsCsv reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto paths = reporter.finish(rich_summary());
    REQUIRE(paths.size() == 2);
    CHECK(paths[0] == (dir.path / "127-0-0-1-5000-vulnerabilities.csv").string());
    CHECK(paths[1] == (dir.path / "127-0-0-1-5000-misconfigurations.csv").string());
    auto a = digest_a;
    auto b = digest_b;
    CHECK(read_text(paths[0]) ==
          "registry,repository,tag,digest,platform,package,version,ecosystem,vulnerability,aliases,severity,cvss,"
          "fixed_version,summary,source_package,status\n"
          "127.0.0.1:5000,team/api,1.4," + a + ",linux/amd64,openssl,3.0.11-1~deb12u1,Debian:12,DSA-5532-1,"
          "CVE-2023-5363,high,7.5,3.0.11-1~deb12u2,openssl - security update,,fixed\n"
          // The same finding at two paths of one image: the model cannot tell them apart, both rows stay.
          "127.0.0.1:5000,team/api,1.4," + a + ",linux/amd64,lodash,4.17.20,npm,GHSA-29mw-wpgm-hmr9,CVE-2020-28500,"
          "medium,5.3,4.17.21,Regular Expression Denial of Service (ReDoS) in lodash,,fixed\n"
          "127.0.0.1:5000,team/api,1.4," + a + ",linux/amd64,lodash,4.17.20,npm,GHSA-29mw-wpgm-hmr9,CVE-2020-28500,"
          "medium,5.3,4.17.21,Regular Expression Denial of Service (ReDoS) in lodash,,fixed\n"
          "127.0.0.1:5000,team/api,1.4," + a + ",linux/amd64,requests,2.28.1,PyPI,PYSEC-2023-74,"
          "\"CVE-2023-32681;GHSA-j8r2-6x86-q33q\",medium,6.1,2.31.0,"
          "\"Unintended leak of Proxy-Authorization header in requests, \"\"moderate\"\"\",,fixed\n"
          "127.0.0.1:5000,team/api,1.4," + b + ",linux/arm64,lodash,4.17.20,npm,GHSA-29mw-wpgm-hmr9,CVE-2020-28500,"
          "medium,5.3,4.17.21,Regular Expression Denial of Service (ReDoS) in lodash,,fixed\n"
          "127.0.0.1:5000,team/api,1.4," + b + ",linux/arm64,github.com/gofiber/fiber/v2,2.49.0,Go,GO-2023-2115,"
          "\"CVE-2023-45128;GHSA-94w9-97p3-p368\",unknown,,2.50.0,"
          "CSRF token reuse vulnerability in github.com/gofiber/fiber/v2,,fixed\n");
}

TEST_CASE("report::FindingsCsv writes one row per misconfiguration and defuses formulas") {
    TempDir dir("csv-misconfigurations");
    report::FindingsCsv reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto paths = reporter.finish(rich_summary());
    CHECK(read_text(paths[1]) ==
          "registry,repository,tag,digest,id,severity,title,location,detail\n"
          "127.0.0.1:5000,base/alpine,3.18," + digest_d + ",RS-CFG-002,low,No HEALTHCHECK,config.Healthcheck,\n"
          "127.0.0.1:5000,team/api,1.4," + digest_a + ",RS-CFG-006,critical,Private key left in the image,"
          "/root/.ssh/id_rsa,\"'=an OpenSSH private key, 2602 bytes\"\n"
          "127.0.0.1:5000,team/api,1.4," + digest_a + ",RS-CFG-001,medium,Image runs as root,config.User,"
          "\"no USER is set, so processes run as uid 0\"\n");
}

TEST_CASE("report::FindingsCsv with no findings writes the headers only, and the validator accepts it") {
    TempDir dir("csv-empty");
    report::FindingsCsv reporter(rich_run(dir.path));
    feed(reporter, {rich_images()[0]});  // the failed image
    auto paths = reporter.finish(rich_summary());
    CHECK(read_text(paths[0]) ==
          "registry,repository,tag,digest,platform,package,version,ecosystem,vulnerability,aliases,severity,cvss,"
          "fixed_version,summary,source_package,status\n");
    CHECK(read_text(paths[1]) == "registry,repository,tag,digest,id,severity,title,location,detail\n");
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
}

TEST_CASE("report::FindingsCsv files pass the validator, which fails a row with a missing field") {
    TempDir dir("csv-validate");
    report::FindingsCsv reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto paths = reporter.finish(rich_summary());
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
    CHECK(validation.output.find("127-0-0-1-5000-vulnerabilities.csv: valid") != std::string::npos);
    CHECK(validation.output.find("127-0-0-1-5000-misconfigurations.csv: valid") != std::string::npos);

    std::ofstream(paths[1], std::ios::app) << "127.0.0.1:5000,team/api,1.4,sha256:1,RS-CFG-001,medium\n";
    validation = validate_reports(dir.path);
    CHECK(validation.exit_code == 1);
    CHECK(validation.output.find("127-0-0-1-5000-misconfigurations.csv: line 5: 6 fields, expected 9") != std::string::npos);
}

TEST_CASE("report::FindingsCsv leaves no temporary file beside the reports") {
    TempDir dir("csv-atomic");
    report::FindingsCsv reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    reporter.finish(rich_summary());
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"127-0-0-1-5000-misconfigurations.csv", "127-0-0-1-5000-vulnerabilities.csv"});
}

TEST_SUITE_END();
