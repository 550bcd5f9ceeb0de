// `docker save` output (`docker-archive:FILE.tar[:REF|:@N]`) turned into an OCI image
// layout that local::OciLayout reads: the archive is unpacked into a private
// directory (regular files only, no absolute or '..' path, bounded member
// count and bytes), then the chosen entry of its manifest.json (Config,
// Layers, RepoTags; docker 25+ archives have one beside their OCI layout) is
// rewritten as an OCI manifest over blobs named by their sha256. The config's name, when it is a digest, is checked; each
// layer's uncompressed digest is checked by the scan against the config's
// rootfs.diff_ids as for any image.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "limits/limits.hpp"

namespace regscan::local {

struct UnpackedArchive {
    std::filesystem::path layout;  // an OCI image layout directory
    std::string ref;               // the ref name of the image to scan in it ("": the only one)
};

// What follows "docker-archive:", read as skopeo reads it: FILE[:REF|:@N].
// REF is a RepoTags entry ("team/app:1.0"; docker's short names match their
// long forms: "alpine" is "docker.io/library/alpine:latest"), @N the N-th
// image of manifest.json (from 0). FILE ends at the first ':', unless the
// whole text names an existing file (a path with ':' in it).
struct DockerArchiveSource {
    std::filesystem::path file;
    std::string reference;        // "" none
    std::optional<size_t> index;  // @N
};
// Throws sdk::Error for an empty FILE, REF or a malformed @N.
DockerArchiveSource parse_docker_archive_source(const std::string& text);

// The most images one archive's manifest.json may list.
constexpr size_t max_archive_images = 1000;

// `source` is what follows "docker-archive:". An archive of several images
// needs REF or @N: without one it is refused, naming the RepoTags (at most 20
// shown, each cut at 200 bytes). Throws sdk::Error naming the problem; its text
// holds the archive's bytes as they are: the log sink escapes them when shown.
UnpackedArchive unpack_docker_archive(const std::string& source, const std::filesystem::path& scratch,
                                      const limits::Limits& limits);

}  // namespace regscan::local
