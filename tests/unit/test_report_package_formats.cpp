// SARIF categories and regions, CycloneDX licenses and dependencies, the SPDX
// report, and the per-image forms of all three (issue 12 part 6).
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "report/cyclonedx_report.hpp"
#include "report/package_graph.hpp"
#include "report/per_image.hpp"
#include "report/sarif_report.hpp"
#include "report/spdx_report.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

namespace {

// The rich images with licenses and dependencies on the Debian one.
std::vector<ImageResult> images_with_package_data() {
    auto images = rich_images();
    for (auto& image : images)
        for (auto& p : image.packages) {
            if (p.name == "openssl") {
                p.licenses = {"Apache-2.0"};
                p.depends_on = {"libssl3", "not-installed"};
            }
            if (p.name == "libssl3") p.licenses = {"GPL-2+", "Custom-Thing"};
            if (p.name == "requests") p.licenses = {"MIT OR Apache-2.0"};
        }
    return images;
}

// Warnings logged while it lives.
struct WarningLog {
    std::ostringstream text;
    std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
    WarningLog() {
        auto logger = std::make_shared<spdlog::logger>("warnings", std::make_shared<spdlog::sinks::ostream_sink_mt>(text));
        logger->set_level(spdlog::level::warn);
        logger->set_pattern("%l %v");
        spdlog::set_default_logger(logger);
    }
    ~WarningLog() { spdlog::set_default_logger(previous); }
};

}  // namespace

TEST_SUITE_BEGIN("report");

TEST_CASE("report::sarif over GitHub's 25,000 results per run: every result written, a warning says so") {
    TempDir dir("sarif-over-limit");
    auto image = rich_images().front();
    image.misconfigurations.clear();
    for (size_t i = 0; i < report::sarif_github_max_results + 1; ++i)
        image.misconfigurations.push_back(
            misconfiguration("RS-FILE-001", "Setuid file", Severity::medium, "/bin/f" + std::to_string(i), ""));
    std::string warnings;
    size_t results = 0;
    {
        WarningLog log;
        report::SarifReport reporter(rich_run(dir.path));
        reporter.result(image);
        results = read_json(reporter.finish(rich_summary()).at(0))["runs"][0]["results"].size();
        warnings = log.text.str();
    }
    CHECK(results == image.misconfigurations.size() + image.vulnerabilities.size());
    CHECK(warnings.find("25001 results in one run; GitHub code scanning rejects more than 25000") != std::string::npos);
    CHECK(warnings.find("--sarif-per-image") != std::string::npos);
}

TEST_CASE("report::package_dependencies links names to packages of the same type, Python names normalised") {
    std::vector<Package> packages(4);
    packages[0] = {"deb", "app"};
    packages[0].depends_on = {"libc6", "gone", "app"};
    packages[1] = {"deb", "libc6"};
    packages[2] = {"python", "Fancy_Lib"};
    packages[2].depends_on = {"plain.dep", "libc6"};
    packages[3] = {"python", "plain-dep"};
    auto graph = report::package_dependencies(packages);
    CHECK(graph[0] == std::vector<size_t>{1});  // not itself, not what is missing
    CHECK(graph[1].empty());
    CHECK(graph[2] == std::vector<size_t>{3});  // not the deb libc6
}

TEST_CASE("report::sarif every location has a startLine and the run a category per registry") {
    TempDir dir("sarif-category");
    report::SarifReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto document = read_json(reporter.finish(rich_summary()).at(0));
    const auto& run = document["runs"][0];
    CHECK(run["automationDetails"]["id"] == "regscan/127.0.0.1:5000/");
    REQUIRE(!run["results"].empty());
    for (const auto& result : run["results"])
        for (const auto& location : result["locations"]) CHECK(location["physicalLocation"]["region"]["startLine"] == 1);
    CHECK(report::sarif_automation_id("https://user:pw@registry.example:8443/v2/") == "regscan/registry.example:8443/");
}

TEST_CASE("report::sarif per image: one file and category per image, the results split, none lost") {
    TempDir dir("sarif-per-image");
    report::SarifReport whole(rich_run(dir.path));
    feed(whole, rich_images());
    auto all = read_json(whole.finish(rich_summary()).at(0))["runs"][0]["results"].size();
    report::SarifReport split(rich_run(dir.path), true);
    feed(split, rich_images());
    auto paths = split.finish(rich_summary());
    CHECK(paths.size() == rich_images().size());
    size_t total = 0;
    std::set<std::string> categories;
    for (const auto& path : paths) {
        auto run = read_json(path)["runs"][0];
        total += run["results"].size();
        categories.insert(run["automationDetails"]["id"].get<std::string>());
    }
    CHECK(total == all);
    CHECK(categories.size() == paths.size());
    CHECK(categories.contains("regscan/127.0.0.1:5000/team/api:1.4@linux/arm64/"));
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
}

TEST_CASE("report::cyclonedx licenses: SPDX ids, names, or one expression; dependencies from package data") {
    TempDir dir("cdx-licenses");
    report::CycloneDxReport reporter(rich_run(dir.path));
    feed(reporter, images_with_package_data());
    auto bom = read_json(reporter.finish(rich_summary()).at(0));
    std::map<std::string, nlohmann::json> by_name;
    for (const auto& image : bom["components"])
        if (image["name"] == "127.0.0.1:5000/team/api" && image["properties"][1]["value"] == "linux/amd64")
            for (const auto& c : image["components"]) by_name[c["name"]] = c;
    CHECK(by_name["openssl"]["licenses"] == nlohmann::json::parse(R"([{"license":{"id":"Apache-2.0"}}])"));
    CHECK(by_name["libssl3"]["licenses"] ==
          nlohmann::json::parse(R"([{"license":{"id":"GPL-2.0-or-later"}},{"license":{"name":"Custom-Thing"}}])"));
    CHECK(by_name["requests"]["licenses"] == nlohmann::json::parse(R"([{"expression":"MIT OR Apache-2.0"}])"));
    CHECK_FALSE(by_name["zlib1g"].contains("licenses"));
    std::map<std::string, nlohmann::json> depends;
    for (const auto& d : bom["dependencies"]) depends[d["ref"]] = d["dependsOn"];
    CHECK(depends[by_name["openssl"]["bom-ref"]] == nlohmann::json::array({by_name["libssl3"]["bom-ref"]}));
    CHECK_FALSE(depends.contains(by_name["zlib1g"]["bom-ref"].get<std::string>()));  // unknown, not "none"
    CHECK(depends["registry:127.0.0.1:5000"].size() == rich_images().size());
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
}

TEST_CASE("report::cyclonedx per image: the image is the subject, its packages the components") {
    TempDir dir("cdx-per-image");
    report::CycloneDxReport reporter(rich_run(dir.path), true);
    feed(reporter, images_with_package_data());
    auto paths = reporter.finish(rich_summary());
    REQUIRE(paths.size() == rich_images().size());
    auto named = dir.path / "127-0-0-1-5000-team-api-1.4-linux-amd64.cdx.json";
    REQUIRE(std::find(paths.begin(), paths.end(), named.string()) != paths.end());
    auto bom = read_json(named);
    CHECK(bom["metadata"]["component"]["type"] == "container");
    CHECK(bom["components"].size() == 7);  // the OS and six packages
    CHECK(!std::filesystem::exists(dir.path / "127-0-0-1-5000-report.cdx.json"));
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
}

TEST_CASE("report::spdx_license_declared: SPDX ids and expressions, LicenseRef- for the others") {
    std::map<std::string, std::string> refs;
    CHECK(report::spdx_license_declared({}, refs) == "NOASSERTION");
    CHECK(report::spdx_license_declared({"GPL-2+"}, refs) == "GPL-2.0-or-later");
    CHECK(report::spdx_license_declared({"MIT OR Apache-2.0", "Zlib"}, refs) == "(MIT OR Apache-2.0) AND Zlib");
    CHECK(refs.empty());
    CHECK(report::spdx_license_declared({"Custom Thing"}, refs) == "LicenseRef-Custom-Thing");
    CHECK(refs == std::map<std::string, std::string>{{"LicenseRef-Custom-Thing", "Custom Thing"}});
}

TEST_CASE("report::spdx describes each image, contains its packages, and validates") {
    TempDir dir("spdx");
    report::SpdxReport reporter(rich_run(dir.path));
    feed(reporter, images_with_package_data());
    auto paths = reporter.finish(rich_summary());
    REQUIRE(paths.size() == 1);
    CHECK(std::filesystem::path(paths[0]).filename() == "127-0-0-1-5000-report.spdx.json");
    auto document = read_json(paths[0]);
    CHECK(document["spdxVersion"] == "SPDX-2.3");
    CHECK(document["creationInfo"]["created"] == "2024-05-01T10:05:00Z");
    size_t describes = 0, depends = 0;
    for (const auto& r : document["relationships"]) {
        describes += r["relationshipType"] == "DESCRIBES";
        depends += r["relationshipType"] == "DEPENDS_ON";
    }
    CHECK(describes == rich_images().size());
    CHECK(depends == 1);  // openssl -> libssl3 (not-installed is not linked)
    bool declared = false;
    for (const auto& p : document["packages"])
        if (p["name"] == "libssl3") {
            CHECK(p["licenseDeclared"] == "GPL-2.0-or-later AND LicenseRef-Custom-Thing");
            CHECK(p["sourceInfo"] == "built package from: openssl");
            declared = true;
        }
    CHECK(declared);
    CHECK(document["hasExtractedLicensingInfos"][0]["licenseId"] == "LicenseRef-Custom-Thing");
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
    CHECK(validation.output.find("127-0-0-1-5000-report.spdx.json: valid") != std::string::npos);
}

TEST_CASE("report::spdx per image: one valid document per image") {
    TempDir dir("spdx-per-image");
    report::SpdxReport reporter(rich_run(dir.path), true);
    feed(reporter, images_with_package_data());
    auto paths = reporter.finish(rich_summary());
    CHECK(paths.size() == rich_images().size());
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
}

TEST_SUITE_END();
