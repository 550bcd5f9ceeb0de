// Discovery: every repository and tag the registry's plugin can list, as
// image records sorted by repository then tag. A repository whose tags cannot
// be listed is recorded as failed; the others go on.
#pragma once

#include <functional>
#include <vector>

#include "engine/image_record.hpp"
#include "limits/limits.hpp"
#include "plugin/registry_session.hpp"

namespace regscan::engine {

struct Discovery {
    size_t repositories = 0;
    std::vector<ImageRecord> images;
    ListingReport listing;
};

// Every listing runs within its bounds (limits: pages, bytes, entries, time
// per listing and for all of discovery); a listing cut short keeps what it
// read and is recorded as a failure with the reason. Names outside the
// distribution grammar are refused and recorded. Throws sdk::Error when the
// repository list itself cannot be read.
// `on_listed`, when given, is handed each repository's images as soon as
// they are listed, on the thread that listed them, before they join the
// others. `stop`, when given and true, lists no further repository (a
// stopped run, a cancelled serve import): what was listed is returned, and
// the repositories not listed (a listing that failed once the stop came
// counts as stopped, since the stop fails requests in flight) are counted in
// `repositories_stopped`, not as failures; their images are left out.
Discovery discover(plugin::RegistrySession& session, size_t concurrency, const limits::Limits& limits,
                   const std::function<void(std::vector<ImageRecord>& images)>& on_listed = {},
                   const std::function<bool()>& stop = {});

}  // namespace regscan::engine
