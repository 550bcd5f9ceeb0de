// What a caller other than the terminal learns of a run as it goes: the
// server's import progress and its image index. The CLI sets none. Called
// from the run's threads; image_done never twice at once.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/image_record.hpp"
#include "scan/model.hpp"

namespace regscan::engine {

struct ObservedImage {
    const ImageRecord& image;
    const std::string& reference;  // as logs name it
    // One per platform, as the reporters got them (a reused result may come
    // without its packages: the state's `results` row has them); none in a
    // dry run.
    const std::vector<scan::ImageResult>& results;
    bool is_new = false;     // the digest was new to the project
    bool timed_out = false;  // ran past --image-timeout
};

class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void identified(const std::string& /*registry_type*/) {}
    // After discovery and the filters, before the first image is read.
    virtual void discovered(size_t /*selected*/, size_t /*listed*/) {}
    virtual void image_started(const std::string& /*reference*/) {}
    virtual void image_done(const ObservedImage& /*image*/) {}
    // --wait (a fleet scans): how many of the batch's images the workers
    // finished so far, polled while the run waits for them.
    virtual void fleet_progress(size_t /*finished*/, size_t /*total*/) {}
    // Checked before each image: true leaves the images not yet started
    // skipped ("the run was stopped"); those in flight finish, unless...
    [[nodiscard]] virtual bool cancelled() const { return false; }
    // ...this is true too (a cancel on request; a server stopping lets them
    // finish): polled while every transfer goes, it stops them, and the
    // images in flight are left for the next run as if not started.
    [[nodiscard]] virtual bool stop_in_flight() const { return false; }
};

}  // namespace regscan::engine
