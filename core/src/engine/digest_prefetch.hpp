// A rescan's digests, asked while the registry is still being listed: the
// HEAD that tells whether a tag changed is sent as soon as its repository is
// listed, beside the listings of the others, instead of after all of them.
// Only for tags the run would reuse if unchanged (a stored result under the
// run's key) and would scan at all (the --allowList/--denyList patterns):
// a first scan sends nothing more, a denied image is never asked about.
#pragma once

#include <future>
#include <string>
#include <vector>

#include "engine/image_inspector.hpp"
#include "engine/image_record.hpp"
#include "engine/run_options.hpp"
#include "engine/run_pipeline.hpp"
#include "filter/pattern_filter.hpp"
#include "oci/distribution_client.hpp"

namespace regscan::engine {

class DigestPrefetch {
public:
    // `prepared` is the pipeline's prepare(), done or under way on another
    // thread: waited for before the first look at the state.
    DigestPrefetch(const RunOptions& options, RunPipeline& pipeline, std::shared_future<void> prepared);

    // Whether a run with these options asks early: a scan with a state,
    // every image selected by pattern alone (no --max-images,
    // --max-tags-per-repo or --max-tag-age, which choose among all the
    // listed images), run here rather than queued for a fleet.
    [[nodiscard]] static bool applies(const RunOptions& options);

    // One repository's listed images: sets `digest` and `digest_asked` on
    // each that qualifies. Never throws: a failed HEAD leaves the digest
    // empty and the image is resolved by its manifest as without this.
    void operator()(std::vector<ImageRecord>& images) const;

private:
    const RunOptions& options_;
    RunPipeline& pipeline_;
    std::shared_future<void> prepared_;
    filter::PatternFilter patterns_;
    oci::DistributionClient registry_reads_;
    ImageInspector inspector_;
};

}  // namespace regscan::engine
