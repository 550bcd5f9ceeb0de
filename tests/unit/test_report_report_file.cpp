#include <doctest/doctest.h>

#include "report/report_file.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

TEST_SUITE_BEGIN("report");

TEST_CASE("report::report_path names the file after the registry inside the output directory") {
    CHECK(report::report_path({"https://test.azurecr.io", "scan", "/out", ""}, "-report.sarif") ==
          std::filesystem::path("/out/test-azurecr-io-report.sarif"));
    CHECK(report::report_path({"http://127.0.0.1:5000", "scan", "", ""}, "-misconfigurations.csv") ==
          std::filesystem::path("./127-0-0-1-5000-misconfigurations.csv"));
}

TEST_CASE("report::registry_without_credentials drops the user info and keeps the rest") {
    CHECK(report::registry_without_credentials("https://user:pw@reg.example:5443/prefix") ==
          "https://reg.example:5443/prefix");
    CHECK(report::registry_without_credentials("http://127.0.0.1:5000") == "http://127.0.0.1:5000");
    CHECK(report::registry_without_credentials("reg.example") == "https://reg.example");
    CHECK(report::registry_without_credentials("") == "");
}

TEST_CASE("report::image_reference joins registry, repository and tag, or the digest when untagged") {
    scan::ImageResult image;
    image.registry = "127.0.0.1:5000";
    image.repository = "team/api";
    image.tag = "1.4";
    image.digest = digest_a;
    CHECK(report::image_reference(image) == "127.0.0.1:5000/team/api:1.4");
    image.tag = "";
    CHECK(report::image_reference(image) == "127.0.0.1:5000/team/api@" + digest_a);
}

TEST_CASE("report::percent_encode keeps unreserved characters and those asked for") {
    CHECK(report::percent_encode("a-b.c_d~e") == "a-b.c_d~e");
    CHECK(report::percent_encode("sha256:ab/c d") == "sha256%3Aab%2Fc%20d");
    CHECK(report::percent_encode("sha256:ab/c", ":/") == "sha256:ab/c");
    CHECK(report::osv_uri("ALSA-2024:8793") == "https://osv.dev/vulnerability/ALSA-2024:8793");
}

TEST_CASE("report::sort_images orders by repository, tag and platform") {
    auto images = rich_images();
    report::sort_images(images);
    std::vector<std::string> order;
    for (const auto& image : images) order.push_back(report::image_reference(image) + " " + image.platform);
    CHECK(order == std::vector<std::string>{"127.0.0.1:5000/base/alpine:3.18 linux/amd64",
                                            "127.0.0.1:5000/team/api:1.4 linux/amd64",
                                            "127.0.0.1:5000/team/api:1.4 linux/arm64",
                                            "127.0.0.1:5000/team/broken:2 linux/amd64"});
}

TEST_CASE("report::vulnerabilities_by_severity puts the most severe first, then by package and id") {
    auto image = rich_images()[3];  // api amd64
    std::vector<std::string> order;
    for (const auto& v : report::vulnerabilities_by_severity(image)) order.push_back(v.id + " " + v.package_name);
    CHECK(order == std::vector<std::string>{"DSA-5532-1 openssl", "GHSA-29mw-wpgm-hmr9 lodash",
                                            "GHSA-29mw-wpgm-hmr9 lodash", "PYSEC-2023-74 requests"});
    std::vector<std::string> misconfigurations;
    for (const auto& m : report::misconfigurations_by_severity(image)) misconfigurations.push_back(m.id);
    CHECK(misconfigurations == std::vector<std::string>{"RS-CFG-006", "RS-CFG-001"});
}

TEST_CASE("report::failed_repositories reads objects with a reason and plain repository names") {
    auto failures = report::failed_repositories(
        {{"failed_repositories", {{{"repository", "team/private"}, {"error", "HTTP 403"}}, "team/other", 7}}});
    REQUIRE(failures.size() == 2);
    CHECK(failures[0].repository == "team/private");
    CHECK(failures[0].error == "HTTP 403");
    CHECK(failures[1].repository == "team/other");
    CHECK(failures[1].error == "");
    CHECK(report::failed_repositories({{"failed_repositories", "team/x"}}).empty());
    CHECK(report::failed_repositories(nlohmann::json()).empty());
}

TEST_CASE("report::stopped_run_note says what a stopped run left out, and nothing for a whole run") {
    CHECK(report::stopped_run_note({{"images_stopped", 0}, {"repositories_stopped", 0}}).empty());
    CHECK(report::stopped_run_note(nlohmann::json::object()).empty());
    CHECK(report::stopped_run_note({{"images_stopped", -2}, {"repositories_stopped", "3"}}).empty());
    CHECK(report::stopped_run_note({{"images_stopped", 2}}) ==
          "the run was stopped: 2 images were not scanned (the next run scans them); their findings are not in "
          "this document");
    CHECK(report::stopped_run_note({{"images_stopped", 2}, {"repositories_stopped", 3}}) ==
          "the run was stopped: 2 images were not scanned and 3 repositories were not listed (the next run scans "
          "them); their findings are not in this document");
    CHECK(report::stopped_run_note({{"repositories_stopped", 1}}).find(": 1 repositories were not listed (") !=
          std::string::npos);
}

TEST_CASE("report::write_file_atomically replaces the file whole and leaves no temporary file") {
    TempDir dir("atomic");
    auto path = dir.path / "nested" / "x-report.json";
    report::write_file_atomically(path, [](std::ostream& out) { out << "first\n"; });
    report::write_file_atomically(path, [](std::ostream& out) { out << "second\n"; });
    CHECK(read_text(path) == "second\n");
    size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(path.parent_path())) ++files;
    CHECK(files == 1);
}

TEST_CASE("report::write_file_atomically keeps the old file when writing fails") {
    TempDir dir("atomic-fail");
    auto path = dir.path / "x-report.json";
    report::write_file_atomically(path, [](std::ostream& out) { out << "old\n"; });
    CHECK_THROWS_WITH_AS(report::write_file_atomically(path,
                                                       [](std::ostream& out) {
                                                           out << "half";
                                                           throw std::runtime_error("disk gone");
                                                       }),
                         "disk gone", std::runtime_error);
    CHECK(read_text(path) == "old\n");
    size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path)) ++files;
    CHECK(files == 1);
}

TEST_CASE("report::write_file_atomically refuses an output directory that is a file") {
    TempDir dir("atomic-notdir");
    std::ofstream(dir.path / "file") << "x";
    CHECK_THROWS_AS(report::write_file_atomically(dir.path / "file" / "x-report.json", [](std::ostream&) {}),
                    std::runtime_error);
}

TEST_SUITE_END();
