// Folds the facts of an image's layers, bottom to top, into what the final
// filesystem holds: a layer's whiteouts delete lower layers' files (".wh.x"
// one path and what is below it, ".wh..wh..opq" a whole directory's lower
// content), and a file in a higher layer replaces the same path below.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scan/layer_facts.hpp"

namespace regscan::scan {

struct FoldedImage {
    std::optional<OsRelease> os;
    std::vector<Package> packages;
    std::vector<Misconfiguration> findings;
    std::vector<std::string> notes;
};

FoldedImage fold_layers(const std::vector<const LayerFacts*>& layers);

}  // namespace regscan::scan
