#include "engine/digest_prefetch.hpp"

#include <spdlog/spdlog.h>

#include "oci/manifest.hpp"

namespace regscan::engine {

DigestPrefetch::DigestPrefetch(const RunOptions& options, RunPipeline& pipeline, std::shared_future<void> prepared)
    : options_(options),
      pipeline_(pipeline),
      prepared_(std::move(prepared)),
      patterns_(filter::split_patterns(options.allow), filter::split_patterns(options.deny)),
      registry_reads_(pipeline.auth()),
      inspector_(registry_reads_, sdk::registry_base(options.url), oci::PlatformSelector::parse(options.platform),
                 options.limits) {}

bool DigestPrefetch::applies(const RunOptions& options) {
    return options.mode == Mode::scan && !options.state_path.empty() && !options.max_images &&
           !options.max_tags_per_repo && !options.max_tag_age_days && !options.enqueue && !options.wait;
}

void DigestPrefetch::operator()(std::vector<ImageRecord>& images) const {
    try {
        prepared_.wait();
        auto* store = pipeline_.store();
        if (!store) return;
        const std::string key = pipeline_.tag_results_key();
        for (auto& image : images) {
            // A listed digest or platforms already say what the tag is.
            if (image.tag.empty() || !image.digest.empty() || !image.listed_platforms.empty()) continue;
            if (patterns_.skip_reason({pipeline_.authority(), image.repository.name, image.tag, image.digest}))
                continue;
            if (!store->tag_results_digest(
                    {options_.project, pipeline_.authority(), image.repository.name, image.tag}, key))
                continue;
            // Asked for the image: within its --image-timeout.
            image.digest = inspector_.current_digest(image, std::chrono::steady_clock::now() + options_.image_timeout);
            image.digest_asked = true;
        }
    } catch (const std::exception& e) {
        // The state or the data could not be opened: run() says so.
        spdlog::debug("Digests not asked during discovery: {}", e.what());
    }
}

}  // namespace regscan::engine
