#include <doctest/doctest.h>

#include <atomic>

#include "engine/run_observer.hpp"
#include "engine/scan_phase.hpp"

using namespace regscan::engine;

namespace {

struct CancelledObserver final : RunObserver {
    std::atomic<int> started{0};
    void image_started(const std::string&) override { ++started; }
    [[nodiscard]] bool cancelled() const override { return true; }
};

}  // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::run_scan_phase starts no image once the observer cancels; the images stay in the inventory") {
    std::vector<ImageRecord> images(5);
    for (size_t i = 0; i < images.size(); ++i) {
        images[i].repository.name = "team/app";
        images[i].tag = std::to_string(i);
    }
    images[2].skipped = true;
    images[2].skip_reason = "denied";
    images[2].build_time = "2026-01-01T00:00:00Z";  // a dry run reads nothing more of it
    CancelledObserver observer;
    ScanEnvironment env;  // no inspector: reading any image would crash
    env.registry = "reg:5000";
    env.concurrency = 2;
    env.observer = &observer;
    int done = 0;
    auto outcome = run_scan_phase(images, env, [&](const ImageRecord&, ImageOutcome) { ++done; });
    CHECK(done == 0);
    CHECK(observer.started == 0);
    CHECK(outcome.failed_images == 0);
    for (size_t i = 0; i < images.size(); ++i) {
        CHECK(images[i].skipped);
        CHECK(images[i].skip_reason == (i == 2 ? "denied" : "the run was stopped"));
    }
}

TEST_SUITE_END();
