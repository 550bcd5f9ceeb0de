// What the per-image variants of the file reports share (--sarif-per-image,
// --sbom-per-image): one file per image (platform), named after it, and the
// category that keeps code-scanning uploads of different registries and
// images apart.
#pragma once

#include <filesystem>
#include <string>

#include "regscan/reporter.hpp"
#include "scan/model.hpp"

namespace regscan::report {

// <output dir>/<registry stem>-<repository>-<tag>[-<platform>]<suffix>, every
// character but letters, digits, '.', '_' and '-' as '-' ("team/app:1" on
// linux/amd64 -> "127-0-0-1-5000-team-app-1-linux-amd64.sarif"); the tag is
// the digest's first 12 hex digits when the image has none.
std::filesystem::path per_image_path(const sdk::ReportRun& run, const scan::ImageResult& image,
                                     const std::string& suffix);

// The registry's host[:port] from the URL given ("https://u:p@h:5000/x" -> "h:5000").
std::string registry_host(const std::string& registry_url);

// SARIF runs.automationDetails.id: "regscan/<host>/" for a registry's run,
// "regscan/<host>/<repository>:<tag>[@<platform>]/" for one image. GitHub
// takes what precedes the last '/' as the analysis' category: uploads with
// different categories do not replace each other's alerts.
std::string sarif_automation_id(const std::string& registry_url, const scan::ImageResult* image = nullptr);

}  // namespace regscan::report
