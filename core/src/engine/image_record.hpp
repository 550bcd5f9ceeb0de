// One row of the inventory: a repository:tag found in the registry and what
// became of it.
#pragma once

#include <string>
#include <vector>

#include "regscan/registry.hpp"

namespace regscan::engine {

struct ImageRecord {
    sdk::Repository repository;  // name and where to pull it from
    std::string tag;             // empty for an untagged image
    std::string digest;          // from the listing, a HEAD or the manifest
    // A HEAD was sent for the tag during discovery (engine/digest_prefetch):
    // `digest` is its answer, empty when it failed; not sent again.
    bool digest_asked = false;
    std::string build_time;      // config "created", UTC, "" when unknown
    std::string pushed;          // when the vendor API tells it
    std::string media_type;
    // An index's image manifests as the vendor API listed them (SDK 1.1);
    // when given, the index itself is not fetched.
    std::vector<sdk::PlatformImage> listed_platforms;
    std::vector<std::string> platforms;  // the ones picked from an index
    bool skipped = false;
    std::string skip_reason;
    std::string error;  // why its details could not be read
    bool auth_refused = false;  // ... because the registry refused the credentials (401/403)

    // "team/app:1.0", or "team/app@sha256:..." for an untagged image.
    [[nodiscard]] std::string name() const {
        return repository.name + (tag.empty() ? "@" + digest : ":" + tag);
    }
    // "reg:5000/team/app", or the plugin's canonical reference ("docker.io/library/nginx").
    [[nodiscard]] std::string reference_repository(const std::string& authority) const {
        return repository.reference.empty() ? authority + "/" + repository.name : repository.reference;
    }
    // reference_repository plus ":tag" or "@digest": how logs name the image.
    [[nodiscard]] std::string reference(const std::string& authority) const {
        return reference_repository(authority) + (tag.empty() ? "@" + digest : ":" + tag);
    }
};

struct RepositoryFailure {
    std::string repository;
    std::string error;
};

// What discovery says beside the images it listed.
struct ListingReport {
    std::vector<RepositoryFailure> failures;  // repositories it could not list, with the reason
    // Repositories a stopped run (a signal, a cancelled import) left unlisted:
    // not asked for, or their listing stopped. Not failures: the next run
    // lists them.
    size_t repositories_stopped = 0;
    std::vector<std::string> notes;  // the plugin's discovery notes (SDK 1.2)
};

}  // namespace regscan::engine
