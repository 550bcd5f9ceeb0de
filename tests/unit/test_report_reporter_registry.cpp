#include <doctest/doctest.h>

#include <sstream>

#include "report/cyclonedx_report.hpp"
#include "report/findings_csv.hpp"
#include "report/json_report.hpp"
#include "report/reporter_registry.hpp"
#include "report/sarif_report.hpp"
#include "report/table_report.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

TEST_SUITE_BEGIN("report");

TEST_CASE("report::known_formats lists the six formats and the per-image forms") {
    CHECK(report::known_formats() == std::vector<std::string>{"table", "json", "sarif", "cyclonedx", "spdx", "csv",
                                                              "sarif-per-image", "cyclonedx-per-image",
                                                              "spdx-per-image"});
}

TEST_CASE("report::make_reporter builds the reporter of each format") {
    std::ostringstream console;
    sdk::ReportRun run{"http://127.0.0.1:5000", "scan", "/tmp", "2024-05-01T10:00:00Z"};
    CHECK(dynamic_cast<report::TableReport*>(report::make_reporter("table", run, console).get()) != nullptr);
    CHECK(dynamic_cast<report::JsonReport*>(report::make_reporter("json", run, console).get()) != nullptr);
    CHECK(dynamic_cast<report::SarifReport*>(report::make_reporter("sarif", run, console).get()) != nullptr);
    CHECK(dynamic_cast<report::CycloneDxReport*>(report::make_reporter("cyclonedx", run, console).get()) != nullptr);
    CHECK(dynamic_cast<report::FindingsCsv*>(report::make_reporter("csv", run, console).get()) != nullptr);
}

TEST_CASE("report::make_reporter refuses an unknown format and names the known ones") {
    std::ostringstream console;
    sdk::ReportRun run{"http://127.0.0.1:5000", "scan", "/tmp", ""};
    CHECK_THROWS_WITH_AS(report::make_reporter("xml", run, console),
                         "unknown report format 'xml' (known: table, json, sarif, cyclonedx, spdx, csv, sarif-per-image, "
                          "cyclonedx-per-image, spdx-per-image)",
                         std::invalid_argument);
    CHECK_THROWS_AS(report::make_reporter("JSON", run, console), std::invalid_argument);
}

TEST_CASE("report::make_reporter every format together writes reports the validator accepts") {
    TempDir dir("all-formats");
    std::ostringstream console;
    std::vector<std::string> written;
    for (const auto& format : report::known_formats()) {
        if (format.ends_with("-per-image")) continue;
        auto reporter = report::make_reporter(format, rich_run(dir.path), console);
        feed(*reporter, rich_images());
        for (const auto& path : reporter->finish(rich_summary())) written.push_back(std::filesystem::path(path).filename());
    }
    CHECK(written == std::vector<std::string>{"127-0-0-1-5000-report.json", "127-0-0-1-5000-report.sarif",
                                              "127-0-0-1-5000-report.cdx.json", "127-0-0-1-5000-report.spdx.json",
                                              "127-0-0-1-5000-vulnerabilities.csv",
                                              "127-0-0-1-5000-misconfigurations.csv"});
    CHECK(console.str().find("127.0.0.1:5000/team/api:1.4 (linux/amd64)") != std::string::npos);
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
    for (const auto& name : written) CHECK(validation.output.find(name + ": valid") != std::string::npos);
}

TEST_SUITE_END();
