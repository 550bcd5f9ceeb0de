#include <doctest/doctest.h>

#include "report/json_report.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

TEST_SUITE_BEGIN("report");

TEST_CASE("report::JsonReport writes every image sorted, the run and the summary") {
    TempDir dir("json");
    report::JsonReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto paths = reporter.finish(rich_summary());
    REQUIRE(paths.size() == 1);
    CHECK(paths[0] == (dir.path / "127-0-0-1-5000-report.json").string());

    auto document = read_json(paths[0]);
    CHECK(document["schema_version"] == 1);
    CHECK(document["tool"]["name"] == "regscan");
    CHECK(document["tool"]["version"] == REGSCAN_VERSION);
    CHECK(document["run"] == nlohmann::json{{"registry", "http://127.0.0.1:5000"},
                                            {"mode", "scan"},
                                            {"started", "2024-05-01T10:00:00Z"}});
    CHECK(document["summary"] == rich_summary());
    REQUIRE(document["images"].size() == 4);
    std::vector<std::string> order;
    for (const auto& image : document["images"])
        order.push_back(image["repository"].get<std::string>() + ":" + image["tag"].get<std::string>() + " " +
                        image["platform"].get<std::string>());
    CHECK(order == std::vector<std::string>{"base/alpine:3.18 linux/amd64", "team/api:1.4 linux/amd64",
                                            "team/api:1.4 linux/arm64", "team/broken:2 linux/amd64"});
    // The images round-trip through the model unchanged.
    auto api = document["images"][1].get<scan::ImageResult>();
    CHECK(nlohmann::json(api) == document["images"][1]);
    CHECK(api.vulnerabilities.size() == 4);
    CHECK(api.packages.size() == 6);
    CHECK(document["images"][3]["status"] == "scan_failed");
    CHECK(document["images"][0]["status"] == "reused");
    CHECK(document["images"][3]["os"].is_null());
}

TEST_CASE("report::JsonReport replaces bytes that are not UTF-8 and never writes the URL's credentials") {
    TempDir dir("json-bytes");
    report::JsonReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto text = read_text(reporter.finish(rich_summary())[0]);
    CHECK(text.find("caf\xef\xbf\xbd menu") != std::string::npos);
    CHECK(text.find("s3cret-pw") == std::string::npos);
    CHECK(text.find("scanner") == std::string::npos);
}

TEST_CASE("report::JsonReport output is valid against the documented JSON Schema") {
    TempDir dir("json-schema");
    report::JsonReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    reporter.finish(rich_summary());
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
    CHECK(validation.output.find("127-0-0-1-5000-report.json: valid") != std::string::npos);
}

TEST_CASE("report::JsonReport with no images still writes a valid report") {
    TempDir dir("json-empty");
    report::JsonReport reporter(rich_run(dir.path));
    auto summary = rich_summary();
    summary["images_found"] = 0;
    reporter.finish(summary);
    auto document = read_json(dir.path / "127-0-0-1-5000-report.json");
    CHECK(document["images"] == nlohmann::json::array());
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
}

TEST_CASE("report::validate_reports fails on a JSON report that breaks the schema and names the path") {
    TempDir dir("json-invalid");
    report::JsonReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto path = reporter.finish(rich_summary())[0];
    auto document = read_json(path);
    document["images"][1]["vulnerabilities"][0]["severity"] = "severe";
    std::ofstream(path, std::ios::trunc) << document.dump();
    auto validation = validate_reports(dir.path);
    CHECK(validation.exit_code == 1);
    CHECK(validation.output.find("127-0-0-1-5000-report.json: $.images[1].vulnerabilities[0].severity: 'severe'") !=
          std::string::npos);
}

TEST_CASE("report::validate_reports fails on a directory without reports") {
    TempDir dir("json-none");
    auto validation = validate_reports(dir.path);
    CHECK(validation.exit_code == 1);
    CHECK(validation.output.find("no report found") != std::string::npos);
}

TEST_SUITE_END();
