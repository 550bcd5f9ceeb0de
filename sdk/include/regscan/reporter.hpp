// A reporter writes one output format (--format NAME). The core's CSV, JSON,
// SARIF and CycloneDX writers implement this interface; a plugin can add one.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace regscan::sdk {

struct ReportRun {
    std::string registry;    // the URL given by the user
    std::string mode;        // "scan" or "dry-run"
    std::string output_dir;  // where files go
    std::string started;     // RFC 3339 UTC
};

class Reporter {
public:
    virtual ~Reporter() = default;
    // One image's result (docs/report-schema.md), as soon as the image is
    // done: from worker threads but never two calls at once, in the order
    // scans finish. Sort in finish() if order matters, and keep little: a
    // registry's results need not fit in memory.
    virtual void image(const nlohmann::json& image) = 0;
    // The run summary; returns the paths written.
    virtual std::vector<std::string> finish(const nlohmann::json& summary) = 0;
};

inline void to_json(nlohmann::json& j, const ReportRun& r) {
    j = {{"registry", r.registry}, {"mode", r.mode}, {"output_dir", r.output_dir}, {"started", r.started}};
}
inline void from_json(const nlohmann::json& j, ReportRun& r) {
    r.registry = j.value("registry", "");
    r.mode = j.value("mode", "");
    r.output_dir = j.value("output_dir", "");
    r.started = j.value("started", "");
}

}  // namespace regscan::sdk
