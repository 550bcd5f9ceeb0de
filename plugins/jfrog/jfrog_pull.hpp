// Where the core reads a repository's images: the Docker API address of
// each Artifactory access method, and the reference clients pull it by.
#pragma once

#include <string>

#include "jfrog_config.hpp"
#include "regscan/registry.hpp"

namespace regscan::jfrog {

// name "<repoKey>/<image>" (the repository path form, which every
// Artifactory 7 answers); pull_base/pull_name per access method; the repoKey
// and image in plugin_data for tags().
sdk::Repository pull_repository(const JfrogConfig& config, const std::string& key, const std::string& image);

// {repoKey, image} of a repository pull_repository made.
std::pair<std::string, std::string> key_and_image(const sdk::Repository& repository);

}  // namespace regscan::jfrog
