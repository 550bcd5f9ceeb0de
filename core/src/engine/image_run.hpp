// `regscan image <reference>`: one image through the same pipeline as a
// registry run, without discovery.
#pragma once

#include <string>
#include <vector>

#include "app/exit_codes.hpp"
#include "engine/run_options.hpp"
#include "plugin/loaded_plugin.hpp"

namespace regscan::engine {

struct ImageReference {
    std::string registry_url;  // "https://reg.example:5000"
    std::string repository;    // "team/app"
    std::string tag;           // "" when a digest is given
    std::string digest;
    // oci:DIR[:REF]: the layout directory and the ref name asked ("" none);
    // registry_url is then a name for the reports, never contacted.
    std::string oci_layout;
    std::string oci_ref;
    std::string docker_archive;  // docker-archive:FILE (docker save output)
    std::string sbom;            // sbom:FILE (CycloneDX or SPDX JSON): its packages, no image read
};

// "[scheme://]host[:port]/repo[:tag|@digest]"; a missing tag means "latest".
// Without a scheme, read as docker reads it: "alpine:3.19" is
// docker.io/library/alpine:3.19 and "bitnami/nginx" docker.io/bitnami/nginx
// (pulled from registry-1.docker.io). Throws app::Fatal(bad_arguments) when
// malformed or for a scheme other than http(s).
ImageReference parse_image_reference(const std::string& text);

// What the command line chose for `regscan image` beyond RunOptions.
struct ImageRunChoices {
    // Where the one report goes: a file, "-" for standard output (the
    // summary then goes to standard error), or "" for every report into
    // options.output_dir as a registry run writes them.
    std::string output;
    // --platform was given: a single-platform image that is not of that
    // platform is refused (exit 2) instead of scanned.
    bool platform_given = false;
};

app::ExitCode run_image(RunOptions options, const std::string& reference, const plugin::PluginSet& plugins,
                        const ImageRunChoices& choices = {});

}  // namespace regscan::engine
