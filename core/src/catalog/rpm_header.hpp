// The rpm header format as rpmdb stores it (the "header blob": no magic, no
// lead): big-endian index count and data length, 16-byte index entries
// (tag, type, offset, count), then the data store. Only what a cataloger
// needs is read: NAME, VERSION, RELEASE, EPOCH, ARCH, SOURCERPM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace regscan::catalog::rpm {

struct HeaderInfo {
    std::string name, version, release, arch, source_rpm;
    std::string license;  // the License tag: "GPLv2+", "MIT and BSD" (Fedora: SPDX)
    std::optional<uint32_t> epoch;
};

// Throws std::runtime_error when the blob is not a well-formed header.
HeaderInfo read_header_blob(std::string_view blob);

// "[epoch:]version-release", the form rpm's own comparison and OSV use.
std::string evr(const HeaderInfo& header);

struct SourceRpm {
    std::string name, version;  // version is "version-release"
};
// "openssl-1.1.1k-7.cm2.src.rpm" -> {"openssl", "1.1.1k-7.cm2"}; nullopt
// when it does not have that shape.
std::optional<SourceRpm> parse_source_rpm(std::string_view file_name);

}  // namespace regscan::catalog::rpm
