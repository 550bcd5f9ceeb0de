// The core's own reporters take the result model itself: the pipeline then
// skips a JSON round trip per image and format, which on a rescan (every
// result read back from the state) is most of the run. Plugin reporters get
// JSON through sdk::Reporter::image as before.
#pragma once

#include <nlohmann/json.hpp>

#include "regscan/reporter.hpp"
#include "scan/model.hpp"

namespace regscan::report {

class ResultReporter : public sdk::Reporter {
public:
    void image(const nlohmann::json& image) final;
    virtual void result(const scan::ImageResult& image) = 0;
};

// The result without its package list, for reporters that list findings
// only: a registry's package lists need not stay in memory.
scan::ImageResult without_packages(const scan::ImageResult& image);

}  // namespace regscan::report
