// The scope a /v2/ request needs; challenge parsing itself is the SDK's
// (regscan/challenge.hpp), shared with plugins that call vendor APIs.
#pragma once

#include <string>
#include <string_view>

#include "regscan/challenge.hpp"

namespace regscan::auth {

using sdk::Challenge;
using sdk::parse_challenges;

// The scope a /v2/ URL needs: "registry:catalog:*" for the catalog,
// "repository:<name>:pull" for tags, manifests, blobs and referrers, "" else.
std::string scope_for_url(std::string_view url);

}  // namespace regscan::auth
