// Thrown when an image runs past --image-timeout: the image fails, the run
// goes on.
#pragma once

#include <stdexcept>

namespace regscan::engine {

class ImageTimeout : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace regscan::engine
