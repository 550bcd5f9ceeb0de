// Scans one image: each platform picked is pulled layer by layer (digests
// verified, decompressed and walked as they stream, cached by digest), its
// layers folded, its packages matched and its config checked.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "engine/image_inspector.hpp"
#include "engine/image_timeout.hpp"
#include "malware/malware_scanner.hpp"
#include "scan/layer_cache.hpp"
#include "scan/layer_facts.hpp"
#include "scan/matcher.hpp"
#include "scan/model.hpp"

namespace regscan::engine {

struct ScanCounters {
    std::atomic<uint64_t> bytes_pulled{0};
    std::atomic<uint64_t> layers_pulled{0};
    std::atomic<uint64_t> layers_cached{0};
    std::atomic<uint64_t> layers_malware_examined{0};  // --malware: layers the engines saw (not cached)
};

// --malware for a scan: the loaded engines, or why images are not examined.
struct MalwareSetup {
    const malware::MalwareScanner* scanner = nullptr;
    std::string not_scanned_reason = scan::malware_off;
};

// How many layer pulls may be in flight at once across a run (every image's
// together): each holds a slot from the request to the end of its analysis.
// The memory of a run is bounded by this count times one pull's (the pipe,
// the inflater's buffers, one file's content), whatever the images.
class PullSlots {
public:
    explicit PullSlots(size_t count) : free_(count == 0 ? 1 : count) {}
    void acquire() {
        std::unique_lock lock(mutex_);
        freed_.wait(lock, [&] { return free_ > 0; });
        --free_;
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            ++free_;
        }
        freed_.notify_one();
    }

private:
    std::mutex mutex_;
    std::condition_variable freed_;
    size_t free_;
};

class ImageScanner {
public:
    // `layers_at_once`: layer pulls in flight at once across the run (the
    // run's --concurrency, "requests in flight at once"); one image pulls
    // several of its layers at once when slots are free.
    ImageScanner(const ImageInspector& inspector, const oci::DistributionClient& client, scan::LayerCache& cache,
                 const scan::VulnerabilityMatcher* matcher, ScanCounters& counters, MalwareSetup malware = {},
                 size_t layers_at_once = 1)
        : inspector_(inspector),
          client_(client),
          cache_(cache),
          matcher_(matcher),
          counters_(counters),
          malware_(std::move(malware)),
          analyzer_(malware_.scanner),
          layers_at_once_(layers_at_once == 0 ? 1 : layers_at_once),
          slots_(layers_at_once_) {}

    // Scans the platforms of an already resolved image. Throws on failure
    // (the caller records scan_failed); gives up past `deadline`.
    scan::ImageResult scan(const ImageRecord& image, const ResolvedImage& platform,
                           std::chrono::steady_clock::time_point deadline) const;

    // Adds the vulnerabilities of `result`'s packages (one per installed
    // package, version and advisory) and the data's coverage of their
    // ecosystems; nothing without a matcher (dry-run). scan() ends with it;
    // a local input that lists packages (sbom:FILE) is matched by it alone.
    void match(scan::ImageResult& result) const;

private:
    // Adds the bytes this call downloaded (none when the layer came from the
    // cache or another image's pull) to `bytes_pulled`. Gives up when `stop`
    // is set (another layer of the image failed).
    std::shared_ptr<const scan::LayerFacts> layer(const ImageRecord& image, const oci::Descriptor& layer,
                                                  std::chrono::steady_clock::time_point deadline,
                                                  const std::atomic<bool>& stop, uint64_t& bytes_pulled) const;

    const ImageInspector& inspector_;
    const oci::DistributionClient& client_;
    scan::LayerCache& cache_;
    const scan::VulnerabilityMatcher* matcher_;
    ScanCounters& counters_;
    const MalwareSetup malware_;
    // One set of catalogers for every layer: they keep no state, so layers
    // analysed in parallel share them.
    const scan::LayerAnalyzer analyzer_;
    const size_t layers_at_once_;
    mutable PullSlots slots_;
};

}  // namespace regscan::engine
