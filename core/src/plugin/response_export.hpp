// The response hand-over lives in the SDK (the test host shares it); the core
// names it here.
#pragma once

#include "regscan/testing/response_export.hpp"

namespace regscan::plugin {

using regscan::sdk::testing::export_response;
using regscan::sdk::testing::HeldResponse;
using regscan::sdk::testing::release_response;

}  // namespace regscan::plugin
