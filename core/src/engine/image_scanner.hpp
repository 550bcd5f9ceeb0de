// Scans one image: each platform picked is pulled layer by layer (digests
// verified, decompressed and walked as they stream, cached by digest), its
// layers folded, its packages matched and its config checked.
#pragma once

#include <atomic>
#include <chrono>
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

class ImageScanner {
public:
    ImageScanner(const ImageInspector& inspector, const oci::DistributionClient& client, scan::LayerCache& cache,
                 const scan::VulnerabilityMatcher* matcher, ScanCounters& counters, MalwareSetup malware = {})
        : inspector_(inspector),
          client_(client),
          cache_(cache),
          matcher_(matcher),
          counters_(counters),
          malware_(std::move(malware)),
          analyzer_(malware_.scanner) {}

    // Scans the platforms of an already resolved image. Throws on failure
    // (the caller records scan_failed); gives up past `deadline`.
    scan::ImageResult scan(const ImageRecord& image, const ResolvedImage& platform,
                           std::chrono::steady_clock::time_point deadline) const;

private:
    // Adds the bytes this call downloaded (none when the layer came from the
    // cache or another image's pull) to `bytes_pulled`.
    std::shared_ptr<const scan::LayerFacts> layer(const ImageRecord& image, const oci::Descriptor& layer,
                                                  std::chrono::steady_clock::time_point deadline,
                                                  uint64_t& bytes_pulled) const;

    const ImageInspector& inspector_;
    const oci::DistributionClient& client_;
    scan::LayerCache& cache_;
    const scan::VulnerabilityMatcher* matcher_;
    ScanCounters& counters_;
    const MalwareSetup malware_;
    // One set of catalogers for every layer: they keep no state, so layers
    // analysed in parallel share them.
    const scan::LayerAnalyzer analyzer_;
};

}  // namespace regscan::engine
