// `docker save` output (`docker-archive:FILE.tar`) turned into an OCI image
// layout that local::OciLayout reads: the archive is unpacked into a private
// directory (regular files only, no absolute or '..' path, bounded member
// count and bytes), then either it already is an OCI layout (docker 25+
// writes oci-layout and index.json beside manifest.json) or its manifest.json
// (Config, Layers, RepoTags) is rewritten as an OCI manifest over blobs named
// by their sha256. The config's name, when it is a digest, is checked; each
// layer's uncompressed digest is checked by the scan against the config's
// rootfs.diff_ids as for any image.
#pragma once

#include <filesystem>
#include <string>

#include "limits/limits.hpp"

namespace regscan::local {

struct UnpackedArchive {
    std::filesystem::path layout;  // an OCI image layout directory
    std::string ref;               // the ref name of the image to scan in it ("": the only one)
};

// Throws sdk::Error naming the problem.
UnpackedArchive unpack_docker_archive(const std::filesystem::path& archive, const std::filesystem::path& scratch,
                                      const limits::Limits& limits);

}  // namespace regscan::local
