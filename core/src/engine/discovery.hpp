// Discovery: every repository and tag the registry's plugin can list, as
// image records sorted by repository then tag. A repository whose tags cannot
// be listed is recorded as failed; the others go on.
#pragma once

#include <vector>

#include "engine/image_record.hpp"
#include "plugin/registry_session.hpp"

namespace regscan::engine {

struct Discovery {
    size_t repositories = 0;
    std::vector<ImageRecord> images;
    std::vector<RepositoryFailure> failures;
};

// Throws sdk::Error when the repository list itself cannot be read.
Discovery discover(plugin::RegistrySession& session, size_t concurrency);

}  // namespace regscan::engine
