// The OCI distribution spec's grammar for what goes into a /v2/ URL:
// repository names, tags and digests. Names from a listing are checked
// before they are used, so "../x" cannot leave /v2/ and "a b" is not sent.
#pragma once

#include <string_view>

namespace regscan::oci {

// [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*,
// at most 255 characters.
bool valid_repository_name(std::string_view name);

// [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool valid_tag(std::string_view tag);

// Digests: sdk::valid_digest (regscan/digest.hpp), which plugins use too.

}  // namespace regscan::oci
