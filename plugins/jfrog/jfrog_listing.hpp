// The Docker listings of one Artifactory repository through the REST API:
// /artifactory/api/docker/{repoKey}/v2/_catalog and .../{image}/tags/list,
// `n` and `last` paged.
#pragma once

#include <string>
#include <vector>

#include "jfrog_api.hpp"
#include "regscan/paging.hpp"

namespace regscan::jfrog {

// The page size asked; Artifactory may send fewer and says so with a Link.
inline constexpr int page_size = 1000;

// The value of query parameter `name` in `url` (percent-decoded), or "".
std::string query_value(const std::string& url, const std::string& name);

// Artifactory's next page: the `last` of its Link header set on the URL just
// read. The Link itself is not followed: Artifactory drops the repository
// path from it (RTFACT-18971: `</v2/_catalog?last=x&n=2>` for a catalog of
// /artifactory/api/docker/<key>/v2/_catalog), and for tags its `last` is a
// position, not a tag, so only Artifactory can compute it.
sdk::NextPage artifactory_next_page();

std::string catalog_url(const std::string& api, const std::string& key);
std::string tags_url(const std::string& api, const std::string& key, const std::string& image);

struct ImageListing {
    std::vector<std::string> names;
    bool cut = false;  // the host cut the listing at its bounds: names holds the pages read
};

// Image names of repository `key`, stopping once there are more than `most` (0: all).
ImageListing list_images(const ArtifactoryApi& api, const std::string& key, size_t most);
// Tags of `image` in repository `key`, stopping once there are more than `most` (0: all).
std::vector<std::string> list_tags(const ArtifactoryApi& api, const std::string& key, const std::string& image,
                                   size_t most);

}  // namespace regscan::jfrog
