#include <doctest/doctest.h>

#include <atomic>
#include <optional>

#include "engine/run_observer.hpp"
#include "engine/scan_phase.hpp"
#include "scan/layer_facts.hpp"

using namespace regscan::engine;

namespace {

struct CancelledObserver final : RunObserver {
    std::atomic<int> started{0};
    void image_started(const std::string&) override { ++started; }
    [[nodiscard]] bool cancelled() const override { return true; }
};

// A run cancelled while its images are in flight: none is refused a start,
// and (when `stops_transfers`) their transfers are stopped.
struct StoppingObserver final : RunObserver {
    bool stops_transfers = true;
    std::atomic<int> started{0};
    void image_started(const std::string&) override { ++started; }
    [[nodiscard]] bool stop_in_flight() const override { return stops_transfers; }
};

std::vector<ImageRecord> three_images() {
    std::vector<ImageRecord> images(3);
    for (size_t i = 0; i < images.size(); ++i) {
        images[i].repository.name = "team/app";
        images[i].tag = std::to_string(i);
    }
    return images;
}

}  // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::run_scan_phase leaves an image its stopped transfers failed for the next run, not failed") {
    auto images = three_images();
    StoppingObserver observer;
    ScanEnvironment env;
    env.registry = "reg:5000";
    env.concurrency = 1;
    env.observer = &observer;
    // As an image in flight fails when its transfers are stopped.
    env.failed_elsewhere = [](const ImageRecord&) -> std::optional<std::string> {
        return std::string("blob team/app@sha256:...: stopped: the run was cancelled");
    };
    int done = 0;
    auto outcome = run_scan_phase(images, env, [&](const ImageRecord&, ImageOutcome) { ++done; });
    CHECK(observer.started == 3);
    CHECK(done == 0);
    CHECK(outcome.failed_images == 0);
    for (const auto& image : images) {
        CHECK(image.skipped);
        CHECK(image.skip_reason == "the run was stopped");
        CHECK(image.error.empty());
    }

    // A server stopping lets them finish: a failure is then the image's own.
    observer.stops_transfers = false;
    images = three_images();
    outcome = run_scan_phase(images, env, [&](const ImageRecord&, ImageOutcome) { ++done; });
    CHECK(done == 3);
    CHECK(outcome.failed_images == 3);
    CHECK_FALSE(images[0].skipped);
    CHECK(images[0].error.find("stopped: the run was cancelled") != std::string::npos);
}

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

TEST_CASE("engine::data_fingerprint names the data, the malware signatures and the layer analysis") {
    const std::string analysis = "+analysis:" + std::to_string(regscan::scan::layer_analysis_version);
    CHECK(data_fingerprint("sha256:abc", std::nullopt) == "sha256:abc" + analysis);
    CHECK(data_fingerprint("sha256:abc", "none") == "sha256:abc+malware:none" + analysis);
    // The fleet compares a worker's fingerprint with its own up to "+malware:".
    CHECK(data_fingerprint("sha256:abc", "v2").rfind("sha256:abc+malware:", 0) == 0);
}

TEST_CASE("engine::fingerprint_difference says what keeps a worker's results from being reused") {
    const auto ours = data_fingerprint("sha256:abc", std::nullopt);
    CHECK(fingerprint_difference(ours, "sha256:abc", false).empty());
    CHECK(fingerprint_difference(data_fingerprint("sha256:abc", "v2"), "sha256:abc", true).empty());
    CHECK(fingerprint_difference(data_fingerprint("sha256:abd", std::nullopt), "sha256:abc", false) ==
          "other vulnerability data");
    CHECK(fingerprint_difference(data_fingerprint("sha256:abcd", std::nullopt), "sha256:abc", false) ==
          "other vulnerability data");
    CHECK(fingerprint_difference(data_fingerprint("sha256:abc", "v2"), "sha256:abc", false) ==
          "malware examined differently");
    CHECK(fingerprint_difference(ours, "sha256:abc", true) == "malware examined differently");
    // A worker of a regscan before the analysis was in the key, or of another analysis.
    CHECK(fingerprint_difference("sha256:abc", "sha256:abc", false) ==
          "another layer analysis (another regscan version)");
    CHECK(fingerprint_difference("sha256:abc+analysis:1", "sha256:abc", false) ==
          "another layer analysis (another regscan version)");
}

TEST_SUITE_END();
