#include <doctest/doctest.h>

#include "report/result_reporter.hpp"
#include "scan/model_json.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

TEST_SUITE_BEGIN("report");

namespace {

struct Recorder final : report::ResultReporter {
    std::vector<scan::ImageResult> seen;
    void result(const scan::ImageResult& image) override { seen.push_back(image); }
    std::vector<std::string> finish(const nlohmann::json&) override { return {}; }
};

}  // namespace

TEST_CASE("report::without_packages keeps every field but the package list") {
    for (const auto& image : rich_images()) {
        auto kept = report::without_packages(image);
        CHECK(kept.packages.empty());
        auto expected = image;
        expected.packages.clear();
        CHECK(nlohmann::json(kept) == nlohmann::json(expected));
    }
}

TEST_CASE("report::ResultReporter reads a plugin-style JSON image into the model") {
    Recorder recorder;
    auto images = rich_images();
    feed(recorder, images);
    REQUIRE(recorder.seen.size() == images.size());
    for (size_t i = 0; i < images.size(); ++i) CHECK(nlohmann::json(recorder.seen[i]) == nlohmann::json(images[i]));
}

TEST_SUITE_END();
