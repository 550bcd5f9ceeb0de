// Harbor's artifact listing entries turned into TagInfo, without I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/registry.hpp"

namespace regscan::harbor {

// One TagInfo per tag of the artifact (its digest, manifest media type, the
// tag's push time, the image's build time from extra_attrs, an index's
// platforms from references[]); an untagged artifact gives one TagInfo with
// an empty tag, named by its digest. An entry without a valid digest
// (sdk::valid_digest) gives its tags without digest or platforms (the core
// reads them by name), nothing when untagged. At most `max_tags`; platforms only while
// `platform_room` lasts (a hostile artifact of a thousand platforms and
// 200,000 tags). `is_new`, when given, is asked first with a tag's key
// (":name", or "@digest" untagged): a tag it refuses (seen on an earlier
// page) is not made and does not count toward `max_tags`.
std::vector<sdk::TagInfo> artifact_tags(const nlohmann::json& artifact, size_t max_tags = SIZE_MAX,
                                        size_t platform_room = sdk::max_listed_platforms,
                                        const std::function<bool(const std::string& key)>& is_new = {});

// The per-platform images of an index from references[]: empty unless every
// entry names a digest, os and architecture (attestations, os "unknown",
// left out), so that the core then reads the index itself.
std::vector<sdk::PlatformImage> index_platforms(const nlohmann::json& artifact);

// Collects the TagInfo of a repository's artifact pages: a tag seen twice
// (a page shifted by a push during the walk) is kept once, as is an
// untagged digest. Stops making tags one past `max_tags` (0: no limit);
// platforms up to sdk::max_listed_platforms in all.
class TagCollector {
public:
    explicit TagCollector(size_t max_tags = 0) : max_tags_(max_tags) {}
    void add(const nlohmann::json& artifact);
    // Newest push first; tags without a push time last (the core applies
    // --max-tags-per-repo and --max-tag-age to this order).
    std::vector<sdk::TagInfo> take();
    [[nodiscard]] size_t size() const { return tags_.size(); }

private:
    // Tags still to make: one past max_tags, so the walk (and the core) see
    // the listing ran over.
    [[nodiscard]] size_t remaining() const;

    size_t max_tags_;
    size_t platforms_ = 0;
    std::vector<sdk::TagInfo> tags_;
    std::unordered_set<std::string> keys_;
};

// A sortable key of an RFC 3339 time in UTC ("2024-01-02T03:04:05.123Z"),
// or "" when it is not one (a day, month, hour, minute or second out of
// range included: "2023-02-29T00:00:00Z").
std::string time_key(const std::string& rfc3339);

}  // namespace regscan::harbor
