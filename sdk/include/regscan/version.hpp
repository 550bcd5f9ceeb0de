// The SDK's own version. Its major and minor follow the ABI in plugin_abi.h;
// the patch number moves for fixes in the header-only C++ layer.
#pragma once

#include "regscan/plugin_abi.h"

#define REGSCAN_SDK_PATCH 0

namespace regscan::sdk {

inline constexpr unsigned abi_major = REGSCAN_ABI_MAJOR;
inline constexpr unsigned abi_minor = REGSCAN_ABI_MINOR;
inline constexpr const char* version_string = "1.5.0";

}  // namespace regscan::sdk
